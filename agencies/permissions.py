"""The one place that answers "may this user do X to this object".

Every view, command and task asks `can(user, action, obj)`; nothing checks
roles inline. Scope is the agency subtree: a role held at an agency reaches
that agency, and a reviewer's role also reaches everything below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from .models import Agency, Membership
from .selectors import agency_ancestor_ids, agency_subtree_ids

Role = Membership.Role

# Actions. Objects: a Plan, except PLAN_CREATE and AGENCY_* which take an Agency.
PLAN_VIEW = "plan.view"
PLAN_CREATE = "plan.create"
PLAN_EDIT = "plan.edit"
PLAN_SUBMIT = "plan.submit"
PLAN_ISSUE = "plan.issue"
PLAN_RETURN = "plan.return"
PLAN_AMEND = "plan.amend"
REPORT_VIEW = "report.view"
REPORT_EDIT = "report.edit"
REPORT_SUBMIT = "report.submit"
REPORT_REVIEW = "report.review"
SUMMARY_VIEW = "summary.view"
DASHBOARD_VIEW = "dashboard.view"
AGENCY_VIEW = "agency.view"
AGENCY_MANAGE = "agency.manage"


@dataclass
class _Access:
    """A user's roles, loaded once per user object (one query)."""

    roles_by_agency: dict[int, set[str]]
    is_admin: bool
    review_roots: set[int]
    _ancestors: dict[int, list[int]] = field(default_factory=dict)

    def roles_at(self, agency_id: int) -> set[str]:
        return self.roles_by_agency.get(agency_id, set())

    def ancestors(self, agency_id: int) -> list[int]:
        if agency_id not in self._ancestors:
            self._ancestors[agency_id] = agency_ancestor_ids(agency_id=agency_id)
        return self._ancestors[agency_id]

    def reviews(self, agency_id: int) -> bool:
        """True if the user is a reviewer at this agency or any unit above it."""
        return bool(self.review_roots) and bool(self.review_roots.intersection(self.ancestors(agency_id)))

    def works_below(self, agency_id: int) -> bool:
        """True if the user holds any role at this agency or at a unit under it."""
        return any(agency_id in self.ancestors(own) for own in self.roles_by_agency)


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


def _access(user) -> _Access | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return None
    cached = getattr(user, "_cchc_access", None)
    if cached is None:
        scope = user_scope(user)
        roles: dict[int, set[str]] = {}
        for agency_id, role, _, _ in scope.roles:
            roles.setdefault(agency_id, set()).add(role)
        cached = _Access(roles_by_agency=roles, is_admin=scope.is_admin, review_roots=scope.review_roots)
        user._cchc_access = cached
    return cached


def is_system_admin(user) -> bool:
    """Superusers and holders of the admin role: the only users of Django admin."""
    access = _access(user)
    return access is not None and access.is_admin


def _plan_rule(access: _Access, action: str, plan) -> bool:
    from plans.models import Plan  # plans depends on agencies, not the reverse

    status = plan.status
    own = access.roles_at(plan.issuer_id)
    writers = {Role.DRAFTER, Role.HEAD}

    if action == PLAN_VIEW:
        if own or access.is_admin or access.reviews(plan.issuer_id):
            return True
        # An issued plan is read by the units that carry it out.
        return status == Plan.Status.ISSUED and access.works_below(plan.issuer_id)
    if action in (PLAN_EDIT, PLAN_SUBMIT):
        return status == Plan.Status.DRAFT and bool(own & writers)
    if action in (PLAN_ISSUE, PLAN_RETURN):
        return status == Plan.Status.SUBMITTED and Role.HEAD in own
    if action == PLAN_AMEND:
        return status == Plan.Status.ISSUED and bool(own & writers)
    raise ValueError(f"Unknown plan action {action!r}")


def _report_rule(access: _Access, action: str, report) -> bool:
    from reports.models import Report  # reports depends on agencies, not the reverse

    own = access.roles_at(report.agency_id)
    open_for_edit = report.status in (Report.Status.DRAFT, Report.Status.RETURNED)
    if action == REPORT_VIEW:
        return bool(own) or access.is_admin or access.reviews(report.agency_id)
    if action == REPORT_EDIT:
        return open_for_edit and bool(own & {Role.DRAFTER, Role.HEAD})
    if action == REPORT_SUBMIT:
        return open_for_edit and Role.HEAD in own
    if action == REPORT_REVIEW:
        return report.status == Report.Status.SUBMITTED and access.reviews(report.agency_id)
    raise ValueError(f"Unknown report action {action!r}")


def _agency_rule(access: _Access, action: str, agency: Agency) -> bool:
    if action == SUMMARY_VIEW:
        return access.is_admin or access.reviews(agency.pk)
    if action == DASHBOARD_VIEW:
        # Reviewers over their scope; a head over their own agency only.
        return access.is_admin or access.reviews(agency.pk) or Role.HEAD in access.roles_at(agency.pk)
    if action == AGENCY_MANAGE:
        return access.is_admin
    if action == AGENCY_VIEW:
        return access.is_admin or bool(access.roles_at(agency.pk)) or access.reviews(agency.pk)
    if action == PLAN_CREATE:
        return bool(access.roles_at(agency.pk) & {Role.DRAFTER, Role.HEAD})
    raise ValueError(f"Unknown agency action {action!r}")


def can(user, action: str, obj) -> bool:
    """May `user` do `action` to `obj`? Role and agency scope, checked on the object."""
    access = _access(user)
    if access is None:
        return False
    if isinstance(obj, Agency):
        return _agency_rule(access, action, obj)
    if action.startswith("plan."):
        return _plan_rule(access, action, obj)
    if action.startswith("report."):
        return _report_rule(access, action, obj)
    raise ValueError(f"No permission rule for {action!r} on {type(obj).__name__}")
