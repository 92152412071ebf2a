"""Sliding session expiry: a signed-in user idle for SESSION_IDLE_TIMEOUT_MINUTES
is logged out on their next request and told why, in Vietnamese."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSION_KEY = "_last_activity"
# The stored time moves at most once a minute, so most requests write no session.
WRITE_EVERY_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if timeout > 0 and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_KEY)
            if isinstance(last, int) and now - last > timeout:
                return self._expire(request)
            if not isinstance(last, int) or now - last >= WRITE_EVERY_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest) -> HttpResponse:
        request._session_idle_expired = True  # type: ignore[attr-defined]  # read by the logout audit
        logout(request)
        messages.warning(
            request,
            f"Phiên làm việc đã kết thúc vì không thao tác quá {settings.SESSION_IDLE_TIMEOUT_MINUTES} phút. "
            "Vui lòng đăng nhập lại.",
        )
        login_url = reverse(settings.LOGIN_URL)
        target = f"{login_url}?{urlencode({'next': request.get_full_path()})}" if request.method == "GET" else login_url
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
