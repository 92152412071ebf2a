"""API tokens of system accounts: issue (the plain key is returned once and
never stored), revoke, and the check every API request makes
(api/authentication.py).

A token is looked up by the SHA-256 of its key on every request (one
indexed query, the user joined): a revoked token or a deactivated account
stops working at the next request, with no cache to wait for."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Membership
from common.text import clean_text

from .models import ApiToken

KEY_PREFIX = "cchc_"
PREFIX_LENGTH = 12  # "cchc_" and 7 characters of the secret: enough to tell tokens apart
# last_used_at is written at most this often per token: no write per request.
LAST_USED_EVERY = dt.timedelta(minutes=1)
# The roles a system account may hold: never admin.
TOKEN_ROLES = (Membership.Role.DRAFTER, Membership.Role.HEAD, Membership.Role.REVIEWER)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _system_username(prefix: str) -> str:
    base = f"api-{prefix.removeprefix(KEY_PREFIX).lower()}"
    users = get_user_model()._default_manager
    username, n = base, 1
    while users.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def api_token_issue(*, name: str, agency: Agency, roles: Iterable[str], created_by=None) -> tuple[ApiToken, str]:
    """A new system account holding `roles` at `agency`, and its token.
    Returns (token, plain key): the key is shown to the admin once, here,
    and cannot be read again (only its hash is kept)."""
    name = clean_text(name or "").strip()
    wanted = sorted(set(roles))
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Hãy nhập tên cho khóa (hệ thống sẽ dùng khóa)."]
    if not wanted:
        errors["roles"] = ["Hãy chọn ít nhất một vai trò."]
    elif set(wanted) - set(TOKEN_ROLES):
        errors["roles"] = ["Tài khoản hệ thống chỉ nhận vai trò soạn thảo, lãnh đạo hoặc xem xét."]
    if agency is None or not agency.is_active:
        errors["agency"] = ["Hãy chọn một đơn vị đang hoạt động."]
    if errors:
        raise ValidationError(errors)
    key = _new_key()
    prefix = key[:PREFIX_LENGTH]
    with transaction.atomic():
        user = get_user_model()(username=_system_username(prefix), first_name=name[:150], email="", is_active=True)
        user.set_unusable_password()
        user.save()
        Membership.objects.bulk_create([Membership(user=user, agency=agency, role=role) for role in wanted])
        token = ApiToken.objects.create(
            name=name, user=user, agency=agency, key_prefix=prefix, key_hash=key_hash(key),
            created_by=created_by if created_by is not None and created_by.pk else None,
        )
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """The token stops working at once; its system account is deactivated
    (it has no other use). The log keeps naming it."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            locked.user.is_active = False
            locked.user.save(update_fields=["is_active"])  # forgets the cached row (accounts/signals.py)
    return locked


def api_token_authenticate(key: str) -> tuple[object, ApiToken] | None:
    """(system account, token) for a valid key; None for a wrong, revoked or
    deactivated one. One query; a second, at most once a minute, to note the use."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def people_only(user_path: str = "user") -> Q:
    """A filter leaving out system accounts, for queries that pick who hears
    about something (reminders, the bell): `user_path` leads to the user
    ("user" on Membership, "memberships__user" on Agency)."""
    return Q(**{f"{user_path}__api_token__isnull": True})


def is_system_account(user) -> bool:
    return user is not None and user.pk is not None and ApiToken.objects.filter(user_id=user.pk).exists()
