"""Celery tasks: thin entry points that take ids and call the sweep and the notice services."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .services.notices import MAIL_ERRORS, SEND_NOTICE_TASK

# The database went away midway (restart, dropped connection): try again soon.
DB_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DB_ERRORS, retry_backoff=60, retry_backoff_max=900, retry_jitter=False, max_retries=6)
def reminders_sweep_task(day: str | None = None) -> int:
    """The daily sweep (beat, 07:00 Asia/Ho_Chi_Minh by default); a database
    error retries it within minutes (the unique notice keys make a rerun safe)."""
    from .sweep import reminders_sweep

    result = reminders_sweep(today=dt.date.fromisoformat(day) if day else None)
    return result.created


@shared_task(autoretry_for=DB_ERRORS, retry_backoff=60, retry_jitter=False, max_retries=3)
def reminders_sweep_catch_up_task() -> int | None:
    """Hourly: run today's sweep again if no run of today finished."""
    from .sweep import reminders_sweep_catch_up

    result = reminders_sweep_catch_up()
    return result.created if result else None


@shared_task(
    name=SEND_NOTICE_TASK,
    autoretry_for=MAIL_ERRORS + DB_ERRORS,
    retry_backoff=settings.REMINDER_RETRY_BACKOFF,
    retry_backoff_max=settings.REMINDER_RETRY_MAX,
    retry_jitter=False,
    max_retries=settings.REMINDER_RETRY_BUDGET,
    acks_late=True,
    # A server answering each step just under EMAIL_TIMEOUT could stretch a
    # send past the notice's claim (2.5 × EMAIL_TIMEOUT), letting another
    # worker send it too: the send is cut off before (prefork pool).
    soft_time_limit=2 * settings.EMAIL_TIMEOUT,
    time_limit=2 * settings.EMAIL_TIMEOUT + max(1, settings.EMAIL_TIMEOUT // 3),
)
def send_notice_task(notice_id: int) -> str:
    """Send one notice's e-mail; SMTP and database errors retry with backoff
    (5 s, 10 s, …) up to REMINDER_RETRY_BUDGET times, then the database
    requeue goes on trying (notices_requeue). A notice another worker holds
    (BUSY) is left to it, or to the requeue once that claim expires."""
    from .services.notices import notice_send

    return notice_send(notice_id=notice_id)


@shared_task
def notices_requeue_task() -> int:
    """Every REMINDER_REQUEUE_SECONDS: unsent notices whose time has come go again."""
    from .services.notices import notices_requeue

    return notices_requeue()


@shared_task
def prune_task() -> dict:
    """Daily (beat): sessions, notices and bell rows past RETENTION_DAYS (reports/services/retention.py)."""
    from .services.retention import prune

    result = prune()
    return {"sessions": result.sessions, "notices": result.notices, "notifications": result.notifications}


@shared_task(autoretry_for=DB_ERRORS, retry_backoff=30, retry_jitter=False, max_retries=3,
             # A national BC lays out a thousand pages: well past the default limits (5 min).
             soft_time_limit=20 * 60, time_limit=21 * 60)
def summary_document_task(job_id: int) -> str:
    """Build a summary's BC (PDF, DOCX) or XLSX asked for on the summary page."""
    from .services.summary_jobs import summary_job_build

    return summary_job_build(job_id=job_id)
