from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict:
    """Unread count for the bell, as a lazy value: one query, only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        return user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notifications": unread}
