"""Every write through the API is logged (accounts.AuditEvent), with the
token that made it when the caller used one."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.services import record_event


def api_write_logged(request: Request, obj: Any) -> None:
    """Call after the service succeeded: a refused request logs nothing.
    A call made with an API token is logged with it (AuditEvent.api_token)."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    record_event(request._request, "api_write", obj, api_token=token)
