"""Who may do what to a report, and who may print a unit's summary.
Reading reaches down the tree (any role at a unit above a report's unit
reads it once sent); every write needs a role at the unit, or a reviewer's.
Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from agencies.models import Agency, Membership
from agencies.permissions import Access, register

from .models import Report

Role = Membership.Role

# Actions on a Report.
REPORT_VIEW = "report.view"
REPORT_EDIT = "report.edit"
REPORT_SUBMIT = "report.submit"
REPORT_REVIEW = "report.review"
# Enter a report the unit sent on paper, outside the portal (never submitted here).
REPORT_RECORD = "report.record"
# On an Agency: open and print the summary (BC) of its subtree.
SUMMARY_VIEW = "summary.view"
# On an Agency: remind its units that owe a report (its reviewers).
SUMMARY_REMIND = "summary.remind"


def _report_rule(access: Access, action: str, report: Report) -> bool:
    """REPORT_VIEW: the unit's own people and admins read every state; above
    the unit, every role (Access.reads) reads a report once it was sent
    (submitted, returned, accepted), never an unsent draft: that is the
    unit's working paper, as a plan's draft is its issuer's. A returned
    report stays readable: it was sent, and the reviewer's comments on it
    are on record. The reviewers of the unit (and, for a unit merged away,
    those of its successor and the successor's heads: reads_history) read
    drafts too: they record paper reports and chase the missing ones."""
    own = access.roles_at(report.agency_id)
    open_for_edit = report.status in (Report.Status.DRAFT, Report.Status.RETURNED)
    if action == REPORT_VIEW:
        # Every write below asks for roles on the unit itself, or a reviewer's.
        return (bool(own) or access.is_admin
                or (report.status != Report.Status.DRAFT and access.reads(report.agency_id))
                or access.reviews(report.agency_id) or access.reads_history(report.agency_id))
    if action == REPORT_EDIT:
        return open_for_edit and bool(own & {Role.DRAFTER, Role.HEAD})
    if action == REPORT_SUBMIT:
        return open_for_edit and Role.HEAD in own
    if action == REPORT_REVIEW:
        return report.status == Report.Status.SUBMITTED and access.reviews(report.agency_id)
    if action == REPORT_RECORD:
        # Only a report never sent through the portal: a returned one has a
        # portal submission that already decided whether it was on time.
        return report.status == Report.Status.DRAFT and (access.is_admin or access.reviews(report.agency_id))
    raise ValueError(f"Unknown report action {action!r}")


def _summary_rule(access: Access, action: str, agency: Agency) -> bool:
    """The summary counts accepted reports only, so every role at the unit or
    above it may open it (down the tree: a historical unit's summary stays
    with those above it, its successor's people see it inside theirs).
    Reminding the units is a reviewer's act."""
    if action == SUMMARY_REMIND:
        return access.is_admin or access.reviews(agency.pk)
    return access.is_admin or access.reads(agency.pk, across_mergers=False)  # review roots are read roots


register(REPORT_VIEW, REPORT_EDIT, REPORT_SUBMIT, REPORT_REVIEW, REPORT_RECORD, rule=_report_rule)
register(SUMMARY_VIEW, SUMMARY_REMIND, rule=_summary_rule)
