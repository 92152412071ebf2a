"""A user's place in the agency tree: the roles they hold where, the
subtrees they review and the subtrees they read. Every question "whose data
may this user see" starts here: can() for one object, the list selectors for
many, the dashboard for its tops, the reminders for who hears about a report.

Two kinds of roots, as the design's scope is the agency subtree:
- review roots: where a reviewer's scope starts (review_root_id). Below
  them the reviewer reads everything, working drafts included, and reviews.
- read roots: every unit where the user holds a role, and the review roots.
  Below them the user reads what the units have put forward (each app's
  rules say which states: plans/rules.py, reports/rules.py), never writes:
  writing needs a role at the unit itself.

The roles are read once and kept in the shared cache (plain tuples, per
user) until a membership of the user, or a unit they hold one at, changes;
the subtrees are handed to the list queries as subqueries (read_sql,
reviewed_sql), so no id list grows with the country."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from common.user_cache import MISSING, prefetched, register_user_keys

from .models import Agency, Membership
from .tree import agency_subtree_ids, subtree_sql, subtree_with_merged_sql

Role = Membership.Role


def review_root_id(agency_id: int, is_home_affairs: bool, parent_id: int | None) -> int:
    """Where a reviewer's scope starts. The Nội vụ office reviews the whole
    unit it serves (Phòng Nội vụ -> the district, Sở Nội vụ -> the province),
    so its scope is its parent's subtree; any other reviewer's is its own."""
    return parent_id if is_home_affairs and parent_id else agency_id


@dataclass
class UserScope:
    """The user's memberships as sets of agency ids, for list queries that
    must agree with can(): one query for the roles, one for the reviewed subtrees."""

    roles: list[tuple[int, str, bool, int | None]]  # agency, role, is_home_affairs, parent
    superuser: bool = False

    @property
    def is_admin(self) -> bool:
        return self.superuser or any(role == Role.ADMIN for _, role, _, _ in self.roles)

    def agencies(self, *roles: str) -> set[int]:
        """Agencies where the user holds any of `roles` (any role if none given)."""
        return {agency for agency, role, _, _ in self.roles if not roles or role in roles}

    @property
    def review_roots(self) -> set[int]:
        return {review_root_id(a, home, parent) for a, role, home, parent in self.roles if role == Role.REVIEWER}

    @property
    def read_roots(self) -> set[int]:
        """Units whose subtree the user reads: any role's unit, and the review roots."""
        return self.agencies() | self.review_roots

    def reviewed_ids(self) -> set[int]:
        return agency_subtree_ids(agency_ids=self.review_roots)

    def reviewed_sql(self) -> RawSQL:
        """reviewed_ids() as a subquery for `agency_id__in=`: the review roots
        and everything below them, walked inside the statement, so the
        parameters stay the roots however large the subtree."""
        sql, params = subtree_sql(agency_ids=self.review_roots)
        return RawSQL(sql, params)

    def read_sql(self) -> RawSQL:
        """The agencies the user reads (Access.reads): the read roots,
        everything below and the units merged into these, as a subquery for
        `agency_id__in=`: no id list travels."""
        sql, params = subtree_with_merged_sql(agency_ids=self.read_roots)
        return RawSQL(sql, params)


# The roles are kept in the shared cache per user, as plain tuples: every
# signed-in page asks (the menu, the lists), memberships change seldom. An
# entry is valid while the user's token is the one it was stored with;
# scope_forget replaces the token (agencies/signals.py, bulk writes).
SCOPE_SECONDS = 3600


def _token_key(user_id: int) -> str:
    return f"scope:token:{user_id}"


def _entry_key(user_id: int) -> str:
    return f"scope:roles:{user_id}"


def _joined(user) -> float | None:
    # Stored with the roles: a reused id (SQLite after a rollback, the tests)
    # never reads the previous account's roles.
    joined = getattr(user, "date_joined", None)
    return joined.timestamp() if joined else None


def _scope_keys(user_id: int) -> list[str]:
    return [_entry_key(user_id), _token_key(user_id)]


# Read with the user's row on every signed-in page: one round trip for both.
register_user_keys(_scope_keys)


def _roles(user_id: int) -> list[tuple[int, str, bool, int | None]]:
    return [
        (agency, role, bool(home), parent)
        for agency, role, home, parent in Membership.objects.filter(user_id=user_id).values_list(
            "agency_id", "role", "agency__is_home_affairs", "agency__parent_id"
        )
    ]


def user_scope(user) -> UserScope:
    """The user's scope: from the cache (no query; no round trip of its own
    when it was read with the user's row at the start of the request) unless
    one of their memberships, or a unit they hold one at, changed since. A
    change made during the request shows from the next request on, as a
    change of the user's own row does in Django."""
    if user is None or user.pk is None:
        return UserScope(roles=[])
    entry_key, token_key = _scope_keys(user.pk)
    found = {key: prefetched(user, key) for key in (entry_key, token_key)}
    if MISSING in found.values():
        found = cache.get_many([entry_key, token_key])
    token, entry = found.get(token_key), found.get(entry_key)
    if entry is not None and entry[0] == token and entry[1] == _joined(user):
        roles = entry[2]
    else:
        roles = _roles(user.pk)
        cache.set(entry_key, (token, _joined(user), roles), SCOPE_SECONDS)
    return UserScope(roles=roles, superuser=user.is_superuser)


def _renew(user_ids: list[int]) -> None:
    cache.set_many({_token_key(pk): uuid.uuid4().hex for pk in user_ids}, SCOPE_SECONDS)


def scope_forget(*, user_ids: Iterable[int]) -> None:
    """These users' memberships changed: their next page reads them again.
    Now, for this transaction's own reads, and again after commit: a page
    that read the old rows in between stored them under the token of now.
    Called by the signals (agencies/signals.py) and by every bulk write that
    bypasses them (onboarding's user import)."""
    wanted = sorted(set(user_ids))
    if wanted:
        _renew(wanted)
        transaction.on_commit(lambda: _renew(wanted))


def reviewers_over(*, agency_ids: Iterable[int], members: Q | None = None) -> dict[int, list]:
    """For each agency, the active reviewers (users) whose review scope covers
    it, from the root down; two queries whatever the number of agencies. Who
    hears about a report that runs late. `members`: a further filter on the
    Membership rows (the reminders leave out system accounts with it)."""
    wanted = set(agency_ids)
    by_root: dict[int, list] = {}
    rows = Membership.objects.filter(role=Role.REVIEWER, user__is_active=True)
    if members is not None:
        rows = rows.filter(members)
    for m in rows.select_related("user", "agency"):
        by_root.setdefault(review_root_id(m.agency_id, m.agency.is_home_affairs, m.agency.parent_id), []).append(m.user)
    paths = dict(Agency.objects.with_tree_fields().filter(pk__in=wanted).values_list("pk", "tree_path"))
    return {pk: [user for root in paths.get(pk, []) for user in by_root.get(root, [])] for pk in wanted}
