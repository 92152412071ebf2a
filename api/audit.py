"""Every write through the API, and every audited read (a download), is
logged (accounts.AuditEvent) with the token that made it when the caller
used one."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.services import record_event


def api_event_logged(request: Request, action: str, obj: Any) -> None:
    """Log `action` (one of AuditEvent.Action) by an API caller on `obj`,
    after it succeeded: a call made with an API token is logged with it
    (AuditEvent.api_token); a browser session's call without one."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    record_event(request._request, action, obj, api_token=token)


def api_write_logged(request: Request, obj: Any) -> None:
    """Call after the service succeeded: a refused request logs nothing."""
    api_event_logged(request, "api_write", obj)
