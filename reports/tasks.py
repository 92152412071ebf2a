"""Celery tasks: thin entry points that take ids and call the sweep and the notice services."""

import datetime as dt
import signal
import threading
from contextlib import contextmanager

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .services.notices import MAIL_ERRORS, SEND_NOTICE_TASK, SEND_NOTICES_TASK

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


def send_cut_off() -> float:
    """Seconds one notice's send may take in a batch: as send_notice_task's
    soft limit, well within its claim (claim_timeout, 2.5 × EMAIL_TIMEOUT)."""
    return 2 * settings.EMAIL_TIMEOUT


@contextmanager
def _cut_off(seconds: float):
    """Raise SoftTimeLimitExceeded in the send once `seconds` have passed
    (SIGALRM: the worker's main thread, as prefork and solo run tasks), so a
    batch cuts off each notice as a task of its own would be."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise SoftTimeLimitExceeded(f"Notice send over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@shared_task(
    name=SEND_NOTICES_TASK,
    bind=True,
    max_retries=settings.REMINDER_RETRY_BUDGET,
    acks_late=True,
    ignore_result=True,
)
def send_notices_task(self, notice_ids: list[int]) -> dict:
    """Send a batch of notices (one broker message for up to SEND_BATCH),
    each exactly once as send_notice_task would (notice_send: its own claim,
    so a batch delivered twice or a notice also in another batch goes once),
    each cut off after send_cut_off(). A mail error or a cut-off leaves that
    notice to the batch's retries (backoff as send_notice_task's, up to
    REMINDER_RETRY_BUDGET) and goes on with the next; a database error
    retries the rest of the batch. Past the budget the database requeue goes
    on trying (notices_requeue)."""
    from .services.notices import notice_send, retry_delay

    outcome: dict[str, int] = {}
    failed: list[int] = []
    last_error: Exception | None = None
    for index, notice_id in enumerate(notice_ids):
        try:
            with _cut_off(send_cut_off()):
                result = notice_send(notice_id=notice_id)
        except (*MAIL_ERRORS, SoftTimeLimitExceeded) as error:
            failed.append(notice_id)  # notice_send recorded the error and its next try
            last_error = error
            continue
        except DB_ERRORS as error:
            rest = failed + list(notice_ids[index:])
            raise self.retry(args=[rest], exc=error,
                             countdown=retry_delay(self.request.retries + 1).total_seconds()) from error
        outcome[result] = outcome.get(result, 0) + 1
    if failed:
        raise self.retry(args=[failed], exc=last_error, countdown=retry_delay(self.request.retries + 1).total_seconds())
    return outcome


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


@shared_task(ignore_result=True)  # named as reports.versions.SUMMARY_WARM_TASK says
def summary_warm_task(root_ids: list[int]) -> int:
    """Reports of these trees changed (reports/versions.py): the figures of
    the summaries last viewed there added up again before anyone asks."""
    from .selectors import summary_warm

    return summary_warm(root_ids)
