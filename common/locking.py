"""Concurrency rules shared by every model edited in the browser: an
optimistic lock for saves (a form posted from a stale page is refused, not
silently merged) and a row lock for status moves (two clicks move once)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def lock_claim(queryset: models.QuerySet, *, lock_version: int) -> bool:
    """Bump `lock_version` of the one row in `queryset` if it is still at
    `lock_version`; False if someone saved since (or the row is filtered out)."""
    return bool(queryset.filter(lock_version=lock_version).update(lock_version=models.F("lock_version") + 1))


def status_move(obj: Any, *, expected: Iterable[str], to: str, noun: str) -> None:
    """Lock `obj`'s row, check it is still in one of the `expected` statuses
    and set `obj.status`/`obj.lock_version` for the caller to save. Inside a
    transaction. `noun` names the object in the refusal ("Kế hoạch", "Báo cáo")."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if locked.status not in tuple(expected):
        raise ValidationError(
            f"{noun} đang ở trạng thái «{locked.get_status_display()}», không thực hiện được thao tác này."
        )
    obj.status = to
    obj.lock_version = locked.lock_version + 1
