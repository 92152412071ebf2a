"""The bell's unread count, shown on every signed-in page: kept in the cache
per user, and forgotten by whoever adds or reads notifications, so a page
asks the database only after a change."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from common.user_cache import MISSING, prefetched, register_user_keys

from ..models import Notification

# A forgotten bump (a row changed outside these services) shows within this.
UNREAD_SECONDS = 300


def _key(user_id: int) -> str:
    return f"bell:unread:{user_id}"


def _bell_keys(user_id: int) -> list[str]:
    return [_key(user_id)]


# Read with the user's row on every signed-in page: one round trip for both.
register_user_keys(_bell_keys)


def unread_count(*, user) -> int:
    """How many of the user's notifications are unread: from the cache (read
    with the user's row, or one cache read), one query after a change."""
    user_id = user.pk
    count = prefetched(user, _key(user_id))
    if count is MISSING:
        count = cache.get(_key(user_id))
    if count is None:
        count = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
        cache.set(_key(user_id), count, UNREAD_SECONDS)
    return count


def unread_forget(*, user_ids: Iterable[int]) -> None:
    """These users' notifications changed: their next page counts again.
    Forgotten now and again after commit: a page that counted in between
    would otherwise keep the old count."""
    keys = [_key(pk) for pk in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
