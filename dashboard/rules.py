"""Who may open the compliance dashboard, and for which unit.
Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from agencies.models import Agency, Membership
from agencies.permissions import Access, register

Role = Membership.Role

# On an Agency: its figures with its whole subtree, to every role at the unit
# or above it (Access.reads: reviewers over their scope, heads and drafters
# over their unit's subtree; a historical unit also through its successor).
DASHBOARD_VIEW = "dashboard.view"
# On an Agency: its figures with its whole subtree, not the unit alone. Since
# reading follows the subtree for every role, whoever may view a unit may.
DASHBOARD_SUBTREE = "dashboard.subtree"
# On an Agency: the table links every unit's report, unsent drafts included
# (its reviewers, admins); heads and drafters above open what was sent.
DASHBOARD_DRAFTS = "dashboard.drafts"
# No object: whether the dashboard is in the user's menu at all.
DASHBOARD_OPEN = "dashboard.open"


def _dashboard_rule(access: Access, action: str, agency: Agency | None) -> bool:
    if action == DASHBOARD_OPEN:
        return access.is_admin or bool(access.read_roots)
    if action == DASHBOARD_DRAFTS:
        return access.is_admin or access.reviews(agency.pk) or access.reviews_history(agency.pk)
    # DASHBOARD_VIEW and DASHBOARD_SUBTREE; reads covers reads_history (review
    # roots and a successor's heads are read roots).
    return access.is_admin or access.reads(agency.pk)


register(DASHBOARD_VIEW, DASHBOARD_OPEN, DASHBOARD_SUBTREE, DASHBOARD_DRAFTS, rule=_dashboard_rule)
