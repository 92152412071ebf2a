"""Writes for reporting, by job: reports (expected reports, saving,
submission, review), evidence files and notices (deadline reminders about
reports and about next year's plan, the events of a report's review and of
a plan's lifecycle). The daily sweep that runs them in
order is reports/sweep.py. Callers import from here."""

from .evidence import evidence_add, evidence_delete
from .notices import (
    BUSY,
    DONE,
    MAIL_ERRORS,
    SENT,
    DueNotice,
    PlanMove,
    PlanOwed,
    claim_timeout,
    notice_send,
    notice_topic,
    notices_close,
    notices_due,
    notices_enqueue,
    notices_record,
    notices_requeue,
    notices_unsent,
    notification_preferences_save,
    plan_move_notify,
    plan_moves_due,
    plan_moves_missed,
    plan_notices_due,
    plans_owed,
    reminders_manual,
    report_notices_close,
    retry_delay,
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
    "BUSY", "CLOSED_REPORT", "DONE", "MAIL_ERRORS", "SENT", "STALE_REPORT", "DueNotice",
    "PlanMove", "PlanOwed", "StaleReportError", "claim_timeout", "evidence_add", "evidence_delete", "notice_send", "notice_topic",
    "notification_preferences_save",    "notices_close", "notices_due", "notices_enqueue", "notices_record", "notices_requeue", "notices_unsent", "plan_move_notify", "plan_moves_due",
    "plan_moves_missed", "plan_notices_due", "plans_owed", "reminders_manual", "report_accept",
    "report_notices_close",
    "report_record", "report_return", "retry_delay", "report_save", "report_submit", "reports_due_refresh", "reports_ensure",
]
