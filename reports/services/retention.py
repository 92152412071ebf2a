"""Retention: what the portal stops keeping after RETENTION_DAYS (default 365).

- expired sessions (Django's clearsessions);
- notices older than the limit whose work is over: closed (what they asked
  for was done), or sent (or with nobody to e-mail) and read by everyone they
  reached in the bell. A notice still owed an e-mail is never deleted,
  whatever its age: the reminders retry it until it is sent or closed;
- bell rows (notifications) older than the limit that were read.

Reports, review rounds (ReportEvent), plan moves and simple_history's tables
are the record of the work and are kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone

from ..models import Notice, Notification

BATCH = 500


@dataclass(frozen=True)
class PruneResult:
    sessions: int
    notices: int
    notifications: int  # read bell rows deleted, those of deleted notices included
    cutoff: dt.datetime


def prunable_notices(*, cutoff: dt.datetime) -> models.QuerySet[Notice]:
    """Notices created before `cutoff` that nothing waits for any more."""
    delivered = models.Q(sent_at__isnull=False) | models.Q(recipients=[])
    unread = Notification.objects.filter(notice=models.OuterRef("pk"), read_at__isnull=True)
    return Notice.objects.filter(created_at__lt=cutoff).filter(
        models.Q(closed_at__isnull=False) | (delivered & ~models.Exists(unread))
    )


def _sessions_clear() -> int:
    """clearsessions for the configured engine; the count where sessions are rows."""
    engine = import_module(settings.SESSION_ENGINE)
    now = timezone.now()
    counted = settings.SESSION_ENGINE.endswith(("backends.db", "backends.cached_db"))
    expired = Session.objects.filter(expire_date__lt=now).count() if counted else 0
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:  # signed cookies: nothing kept on the server
        return 0
    return expired


def prune(*, days: int | None = None, now: dt.datetime | None = None) -> PruneResult:
    """Delete what is past retention (see the module's docstring); returns the counts."""
    days = settings.RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError("RETENTION_DAYS must be at least 1")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    sessions = _sessions_clear()
    notice_count = notification_count = 0
    while True:  # in batches: one short transaction each, within SQLite's parameter limit
        with transaction.atomic():
            batch = list(prunable_notices(cutoff=cutoff).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not batch:
                break
            # A notice's bell rows go with it (all read, or the notice closed).
            notification_count += Notification.objects.filter(notice_id__in=batch).count()
            notice_count += Notice.objects.filter(pk__in=batch).delete()[1].get(Notice._meta.label, 0)
    while True:
        with transaction.atomic():
            batch = list(Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False)
                         .order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not batch:
                break
            notification_count += Notification.objects.filter(pk__in=batch).delete()[0]
    return PruneResult(sessions=sessions, notices=notice_count, notifications=notification_count, cutoff=cutoff)
