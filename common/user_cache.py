"""The signed-in user's row, kept in the shared cache: every page reads it
(Django's login check, request.user), it changes seldom.

An entry is valid while the user's token is the one it was stored with;
users_forget replaces the token: on every save or delete of a user
(accounts/signals.py) and by every bulk write that bypasses the signals
(agencies/onboarding.py). A new raw `.update()` of users must call
users_forget too, or the old row serves for up to USER_SECONDS. Django's
checks stay as they are on the entry: the session's password hash against
the cached row's, the row's is_active. So a
password changed or an account deactivated signs the user out on their next
request, as without the cache.

Same token scheme as the roles (agencies/scope.py): forgotten now, for this
transaction's own reads, and again after commit, so a page that read the old
row in between stored it under a token no longer current."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

USER_SECONDS = 3600

# Other per-user entries every signed-in page reads (the roles, the bell):
# functions user id -> cache keys, registered by their apps. The user's row
# is fetched with them in one round trip, and they are handed over through
# `prefetched` instead of each going to the cache again.
USER_KEYS: list[Callable[[int], list[str]]] = []
MISSING = object()


def register_user_keys(keys: Callable[[int], list[str]]) -> None:
    if keys not in USER_KEYS:
        USER_KEYS.append(keys)


def prefetched(user, key: str):
    """The value `key` had when this request read the user's row (None if
    it was not in the cache), or MISSING if it was not read with the row."""
    return getattr(user, "_cache_prefetched", {}).get(key, MISSING)


def _token_key(user_id: int) -> str:
    return f"user:token:{user_id}"


def _entry_key(user_id: int) -> str:
    return f"user:row:{user_id}"


def user_cached(user_id):
    """The user with this primary key, from the cache (one round trip, no
    query) unless it was saved since; None when there is no such user."""
    entry_key, token_key = _entry_key(user_id), _token_key(user_id)
    extra = [key for keys in USER_KEYS for key in keys(user_id)]
    found = cache.get_many([entry_key, token_key, *extra])
    token, entry = found.get(token_key), found.get(entry_key)
    if entry is not None and entry[0] == token:
        user = entry[1]
    else:
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        if user is None:
            return None
        cache.set(entry_key, (token, user), USER_SECONDS)
    # For this request only (set after the row was cached, never stored).
    user._cache_prefetched = {key: found.get(key) for key in extra}
    return user


def _renew(user_ids: list) -> None:
    # The rows go too: an entry must not outlive its token (Redis may evict a token first).
    cache.delete_many([_entry_key(pk) for pk in user_ids])
    cache.set_many({_token_key(pk): uuid.uuid4().hex for pk in user_ids}, USER_SECONDS)


def users_forget(*, user_ids: Iterable, after_commit: bool = True) -> None:
    """These users' rows changed: their next request reads them again.
    after_commit=False when no page can have read the old row in between: a
    row just created (an id SQLite reuses after a rollback), an account that
    cannot be signed in (no usable password)."""
    wanted = sorted(set(user_ids))
    if wanted:
        _renew(wanted)
        if after_commit:
            transaction.on_commit(lambda: _renew(wanted))
