"""Writes of the accounts app: one audit event per call."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent
from .net import client_ip

USER_AGENT_LENGTH = 255


def _clean(value: object, length: int) -> str:
    # NUL is refused by PostgreSQL text columns; nothing a client sends may make this fail.
    return str(value).replace("\x00", "")[:length]


def record_event(
    request: HttpRequest | None,
    action: str,
    obj: Any = None,
    *,
    user: Any = None,
    username: str | None = None,
    api_token: Any = None,
) -> AuditEvent:
    """Log `action` (one of AuditEvent.Action) by the request's user on `obj`
    (a model instance, or a text describing it), with the client's address.
    `user`/`username` name the actor when the request does not (failed login, lockout);
    `api_token` the ApiToken an API call came with."""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if username is None:
        username = user.get_username() if user is not None else ""
    object_type = object_id = ""
    if isinstance(obj, models.Model):
        object_type = obj._meta.label
        object_id = str(obj.pk)
    return AuditEvent.objects.create(
        user=user if user is not None and user.pk else None,
        username=_clean(username or "", 150),
        action=action,
        object_type=object_type,
        object_id=_clean(object_id, 64),
        object_repr=_clean(obj if obj is not None else "", 255),
        ip_address=client_ip(request) if request is not None else None,
        user_agent=_clean(request.META.get("HTTP_USER_AGENT", ""), USER_AGENT_LENGTH) if request is not None else "",
        api_token=api_token,
    )
