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
  writing needs a role at the unit itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.expressions import RawSQL

from .models import Agency, Membership
from .tree import agency_subtree_ids, subtree_with_merged_sql

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

    def read_sql(self) -> RawSQL:
        """The agencies the user reads (Access.reads): the read roots,
        everything below and the units merged into these, as a subquery for
        `agency_id__in=`: no id list travels."""
        sql, params = subtree_with_merged_sql(agency_ids=self.read_roots)
        return RawSQL(sql, params)


def user_scope(user) -> UserScope:
    rows = list(
        Membership.objects.filter(user=user).values_list(
            "agency_id", "role", "agency__is_home_affairs", "agency__parent_id"
        )
    )
    return UserScope(roles=rows, superuser=user.is_superuser)


def reviewers_over(*, agency_ids: Iterable[int]) -> dict[int, list]:
    """For each agency, the active reviewers (users) whose review scope covers
    it, from the root down; two queries whatever the number of agencies. Who
    hears about a report that runs late."""
    wanted = set(agency_ids)
    by_root: dict[int, list] = {}
    for m in Membership.objects.filter(role=Role.REVIEWER, user__is_active=True).select_related("user", "agency"):
        by_root.setdefault(review_root_id(m.agency_id, m.agency.is_home_affairs, m.agency.parent_id), []).append(m.user)
    paths = dict(Agency.objects.with_tree_fields().filter(pk__in=wanted).values_list("pk", "tree_path"))
    return {pk: [user for root in paths.get(pk, []) for user in by_root.get(root, [])] for pk in wanted}
