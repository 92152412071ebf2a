"""A user's place in the agency tree: the roles they hold where, and the
subtrees they review. Every question "whose data may this user see" starts
here: can() for one object, the list selectors for many, the dashboard for
its tops, the reminders for who hears about a report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Agency, Membership
from .tree import agency_subtree_ids

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

    def reviewed_ids(self) -> set[int]:
        return agency_subtree_ids(agency_ids=self.review_roots)


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
