"""Celery tasks: thin entry points that take ids and call the sweep and the notice services."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from .services.notices import MAIL_ERRORS, SEND_NOTICE_TASK


@shared_task
def reminders_sweep_task(day: str | None = None) -> int:
    """The daily sweep (beat, 07:00 Asia/Ho_Chi_Minh by default)."""
    from .sweep import reminders_sweep

    result = reminders_sweep(today=dt.date.fromisoformat(day) if day else None)
    return result.created


@shared_task(
    name=SEND_NOTICE_TASK,
    bind=True,
    autoretry_for=MAIL_ERRORS,
    retry_backoff=settings.REMINDER_RETRY_BACKOFF,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=8,
    acks_late=True,
)
def send_notice_task(self, notice_id: int) -> str:
    """Send one notice's e-mail; SMTP errors retry with backoff (5 s, 10 s, …, 10 min)."""
    from .services.notices import BUSY, CLAIM_TIMEOUT, notice_send

    result = notice_send(notice_id=notice_id)
    if result == BUSY:
        # Another worker is sending it, or died doing so: look again once its claim expires.
        raise self.retry(countdown=CLAIM_TIMEOUT.total_seconds() + 5, max_retries=3)
    return result


@shared_task
def notices_requeue_task() -> int:
    """Every 15 minutes: notices that were not enqueued or not sent go again."""
    from .services.notices import notices_requeue

    return notices_requeue()


@shared_task
def prune_task() -> dict:
    """Daily (beat): sessions, notices and bell rows past RETENTION_DAYS (reports/services/retention.py)."""
    from .services.retention import prune

    result = prune()
    return {"sessions": result.sessions, "notices": result.notices, "notifications": result.notifications}
