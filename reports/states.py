"""Where a report stands, as reviewers speak of it: every report is in
exactly one of these states, so they add up to the number expected. The
report list filters by them and the dashboard counts and draws them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import Report

Status = Report.Status

# key: (label, Bootstrap colour)
STATES = {
    "accepted": ("Đã tiếp nhận", "success"),
    "submitted": ("Chờ xem xét", "primary"),
    "returned": ("Bị trả lại", "warning"),
    "missing": ("Chưa nộp (quá hạn)", "danger"),
    "pending": ("Chưa đến hạn", "secondary"),
}
# The states of a report not sent yet (a draft).
DRAFT_STATES = ("missing", "pending")


def state_filters(today: dt.date) -> dict[str, Q]:
    """Each state as a filter on Report, for `today` (a draft past its due date is missing)."""
    return {
        "accepted": Q(status=Status.ACCEPTED),
        "submitted": Q(status=Status.SUBMITTED),
        "returned": Q(status=Status.RETURNED),
        "missing": Q(status=Status.DRAFT, due_date__lt=today),
        "pending": Q(status=Status.DRAFT, due_date__gte=today),
    }


def report_state(report: Report, today: dt.date) -> str:
    """The key of STATES for one report, without a query."""
    if report.status != Status.DRAFT:
        return report.status
    return "missing" if report.due_date < today else "pending"
