"""Who may open the compliance dashboard, and for which unit.
Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from agencies.models import Agency, Membership
from agencies.permissions import Access, register

Role = Membership.Role

# On an Agency: its figures (reviewers over their scope, a head over their own
# agency; a historical unit also to those of the unit it was merged into).
DASHBOARD_VIEW = "dashboard.view"
# On an Agency: its figures with its whole subtree (reviewers, admins), not the unit alone (heads).
DASHBOARD_SUBTREE = "dashboard.subtree"
# No object: whether the dashboard is in the user's menu at all.
DASHBOARD_OPEN = "dashboard.open"


def _dashboard_rule(access: Access, action: str, agency: Agency | None) -> bool:
    if action == DASHBOARD_OPEN:
        return access.is_admin or bool(access.review_roots) or access.holds(Role.HEAD)
    if action == DASHBOARD_SUBTREE:
        return access.is_admin or access.reviews(agency.pk) or access.reviews_history(agency.pk)
    return (access.is_admin or access.reviews(agency.pk) or Role.HEAD in access.roles_at(agency.pk)
            or access.reads_history(agency.pk))


register(DASHBOARD_VIEW, DASHBOARD_OPEN, DASHBOARD_SUBTREE, rule=_dashboard_rule)
