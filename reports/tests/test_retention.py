"""Retention (`manage.py prune`, the daily beat task): expired sessions,
notices that are done and read bell rows older than RETENTION_DAYS go; a
notice still owed an e-mail stays whatever its age. Rows are counted before
and after."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports.models import Notice, Notification
from reports.services.retention import prune
from reports.tasks import prune_task
from reports.tests.test_reports import YEAR

NOW = timezone.now()
OLD = NOW - dt.timedelta(days=400)
RECENT = NOW - dt.timedelta(days=30)


@pytest.fixture
def notices(world, tree, personas):
    """One notice per case, each with a bell row for the head; returns them by name."""
    report = world.report(tree["commune"], YEAR)
    made = {}

    def notice(name, *, created, day, sent=None, closed=None, recipients=("head@example.org",), read=True):
        row = Notice.objects.create(report=report, kind=Notice.Kind.MANUAL, day=day, recipients=list(recipients),
                                    sent_at=sent, closed_at=closed)
        bell = Notification.objects.create(user=personas.head, notice=row, title=name, body=name, url="/",
                                           read_at=created + dt.timedelta(hours=1) if read else None)
        Notice.objects.filter(pk=row.pk).update(created_at=created)
        Notification.objects.filter(pk=bell.pk).update(created_at=created)
        made[name] = row

    day = dt.date(2025, 1, 1)
    notice("old closed", created=OLD, day=day, closed=OLD, read=True)
    notice("old sent read", created=OLD, day=day + dt.timedelta(days=1), sent=OLD)
    notice("old bell only read", created=OLD, day=day + dt.timedelta(days=2), recipients=())
    notice("old sent unread", created=OLD, day=day + dt.timedelta(days=3), sent=OLD, read=False)
    notice("old unsent", created=OLD, day=day + dt.timedelta(days=4), read=True)  # still owed its e-mail
    notice("old unsent unread", created=OLD, day=day + dt.timedelta(days=5), read=False)
    notice("recent sent read", created=RECENT, day=day + dt.timedelta(days=6), sent=RECENT)
    Notice.objects.filter(pk=made["old unsent"].pk).update(attempts=9, last_error="SMTPServerDisconnected")
    return made


@pytest.fixture
def sessions(db):
    for expiry in (NOW - dt.timedelta(days=2), NOW - dt.timedelta(minutes=1), NOW + dt.timedelta(days=1)):
        store = SessionStore()
        store["who"] = "x"
        store.set_expiry(expiry)
        store.save()
    return Session.objects


def test_prune_deletes_what_is_done_and_keeps_unsent_notices(notices, sessions):
    assert (Notice.objects.count(), Notification.objects.count(), sessions.count()) == (7, 7, 3)
    result = prune()
    assert (result.sessions, result.notices, result.notifications) == (2, 3, 4)
    left = set(Notice.objects.values_list("pk", flat=True))
    assert left == {notices[name].pk for name in ("old sent unread", "old unsent", "old unsent unread",
                                                   "recent sent read")}
    # Bell rows: the unread ones stay, and the recent one; the old unsent notice's read bell row went.
    assert set(Notification.objects.values_list("title", flat=True)) == {
        "old sent unread", "old unsent unread", "recent sent read"}
    assert (Notice.objects.count(), Notification.objects.count(), sessions.count()) == (4, 3, 1)
    assert sessions.get().expire_date > NOW
    # A second run finds nothing more.
    again = prune()
    assert (again.sessions, again.notices, again.notifications) == (0, 0, 0)


def test_the_limit_is_a_setting(notices, settings):
    settings.RETENTION_DAYS = 500  # nothing is that old
    assert (prune().notices, Notice.objects.count()) == (0, 7)
    settings.RETENTION_DAYS = 10  # the recent notice is older than that
    assert prune().notices == 4 and Notice.objects.count() == 3
    with pytest.raises(ValueError):
        prune(days=0)


def test_an_unsent_notice_stays_however_old(notices):
    prune(days=1, now=NOW + dt.timedelta(days=10_000))
    assert set(Notice.objects.values_list("pk", flat=True)) == {
        notices[name].pk for name in ("old sent unread", "old unsent", "old unsent unread")}
    # Owed an e-mail (recipients, not sent, not closed): both still there for the reminders to retry.
    assert Notice.objects.filter(sent_at=None, closed_at=None).exclude(recipients=[]).count() == 2


def test_the_command_and_the_task(notices, sessions):
    out = io.StringIO()
    call_command("prune", "--days", "365", stdout=out)
    assert "Đã xóa 2 phiên hết hạn, 3 lượt thông báo và 4 thông báo chuông" in out.getvalue()
    with pytest.raises(CommandError, match="--days phải từ 1 trở lên"):
        call_command("prune", "--days", "0", stdout=io.StringIO())
    assert prune_task() == {"sessions": 0, "notices": 0, "notifications": 0}


def test_beat_runs_the_prune_daily_and_the_orphan_sweep_weekly():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["daily-prune"]["task"] == "reports.tasks.prune_task"
    assert schedule["weekly-files-orphans"]["task"] == "common.tasks.files_orphans_task"
    assert str(schedule["weekly-files-orphans"]["schedule"].day_of_week) == "{0}"
    assert settings.RETENTION_DAYS == 365
