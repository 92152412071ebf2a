"""Who may do what to a report, and who may print a unit's summary.
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
# On an Agency: print the summary (BC) of its subtree, remind its units.
SUMMARY_VIEW = "summary.view"


def _report_rule(access: Access, action: str, report: Report) -> bool:
    own = access.roles_at(report.agency_id)
    open_for_edit = report.status in (Report.Status.DRAFT, Report.Status.RETURNED)
    if action == REPORT_VIEW:
        # A historical unit's reports are read through its successor too
        # (reads_history); every write below asks for roles on the unit itself.
        return (bool(own) or access.is_admin or access.reviews(report.agency_id)
                or access.reads_history(report.agency_id))
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
    return access.is_admin or access.reviews(agency.pk)


register(REPORT_VIEW, REPORT_EDIT, REPORT_SUBMIT, REPORT_REVIEW, REPORT_RECORD, rule=_report_rule)
register(SUMMARY_VIEW, rule=_summary_rule)
