"""What the base layout shows every signed-in user: the menu entries they may
open (asked of can(), never of role strings), which of them is the current
page's, and the bell's unread count. Every page pays for it, so once the
user's roles (agencies/scope.py) and count (reports/services/bell.py) are
cached it asks the database nothing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from agencies.permissions import can, is_system_admin
from dashboard.rules import DASHBOARD_OPEN
from par.rules import PAR_OPEN
from reports.services.bell import unread_count


def active_section(request: HttpRequest) -> str:
    """The menu entry the page belongs to, by its URL namespace ("plans",
    "reports", "dashboard", "par"); "home" and "notifications" (the bell, though
    its views live in reports) by name; "" for any other page."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.url_name or ""
    if match.namespace == "reports" and name.startswith("notification"):
        return "notifications"
    if not match.namespace and name == "home":
        return "home"
    return match.namespace if match.namespace in ("plans", "reports", "dashboard", "par") else ""


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def entries() -> dict[str, bool]:
        return {
            "dashboard": can(user, DASHBOARD_OPEN),
            "par": can(user, PAR_OPEN),
            # Django admin lets only system administrators in (cchc_portal/urls.py).
            "admin": user.is_staff and is_system_admin(user),
        }

    return {
        "nav": SimpleLazyObject(entries),
        "nav_active": active_section(request),
        "unread_notifications": lambda: unread_count(user=user),
    }
