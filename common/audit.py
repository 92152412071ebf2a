"""An audit hook for the apps below `accounts` (which owns the audit log).

`agencies` may not import `accounts` (the layers point down), so it announces
an auditable action here and `accounts` records it (accounts/signals.py).
Apps above `accounts` call `accounts.services.record_event` directly."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent with request, action (an accounts AuditEvent.Action value) and obj.
audit_requested = Signal()


def record_event(request: Any, action: str, obj: Any = None) -> None:
    audit_requested.send(sender=None, request=request, action=action, obj=obj)
