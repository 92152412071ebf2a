"""Writes for reporting, by job: reports (expected reports, saving,
submission, review), evidence files and notices (deadline reminders about
reports and about next year's plan). The daily sweep that runs them in
order is reports/sweep.py. Callers import from here."""

from .evidence import evidence_add, evidence_delete
from .notices import (
    BUSY,
    CLAIM_TIMEOUT,
    DONE,
    MAIL_ERRORS,
    SENT,
    DueNotice,
    PlanOwed,
    notice_send,
    notices_due,
    notices_record,
    notices_requeue,
    plan_notices_due,
    plans_owed,
    reminders_manual,
)
from .reports import (
    CLOSED_REPORT,
    STALE_REPORT,
    StaleReportError,
    report_accept,
    report_record,
    report_return,
    report_save,
    report_submit,
    reports_due_refresh,
    reports_ensure,
)

__all__ = [
    "BUSY", "CLAIM_TIMEOUT", "CLOSED_REPORT", "DONE", "MAIL_ERRORS", "SENT", "STALE_REPORT", "DueNotice",
    "PlanOwed", "StaleReportError", "evidence_add", "evidence_delete", "notice_send", "notices_due",
    "notices_record", "notices_requeue", "plan_notices_due", "plans_owed", "reminders_manual", "report_accept",
    "report_record", "report_return", "report_save", "report_submit", "reports_due_refresh", "reports_ensure",
]
