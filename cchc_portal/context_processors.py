"""What the base layout shows every signed-in user: the menu entries they may
open (asked of can(), never of role strings) and the bell's unread count."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from agencies.permissions import can, is_system_admin
from dashboard.rules import DASHBOARD_OPEN


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def entries() -> dict[str, bool]:
        return {
            "dashboard": can(user, DASHBOARD_OPEN),
            # Django admin lets only system administrators in (cchc_portal/urls.py).
            "admin": user.is_staff and is_system_admin(user),
        }

    return {
        "nav": SimpleLazyObject(entries),
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
