"""API tokens of system accounts (accounts/api_tokens.py) as a DRF
authentication: `Authorization: Bearer <key>` (or `Token <key>`). A wrong,
revoked or deactivated key is refused with 401 and a WWW-Authenticate
header; a request with no such header falls through to the session login."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.api_tokens import api_token_authenticate

KEYWORDS = (b"bearer", b"token")
REALM = "api"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Tiêu đề Authorization không hợp lệ: cần dạng \"Bearer <khóa API>\"."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            key = ""
        found = api_token_authenticate(key)
        if found is None:
            raise exceptions.AuthenticationFailed("Khóa API không đúng, đã bị thu hồi hoặc tài khoản đã bị khóa.")
        return found

    def authenticate_header(self, request) -> str:
        return f'Bearer realm="{REALM}"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI document (securitySchemes)."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "khoaApi"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Khóa API do quản trị hệ thống cấp cho một tài khoản hệ thống (theo đơn vị và vai trò); "
                "gửi trong tiêu đề Authorization: Bearer <khóa>."
            ),
        }
