"""The database as the source of truth for reminder e-mails: what the requeue
picks (every relevant unsent notice, whatever its age, once its backoff is
over), the claim's timeout, the recorded sweeps and their hourly catch-up,
the health check and the backlog in admin. The fault tests with real
processes are in test_reminder_faults.py."""

import datetime as dt
from smtplib import SMTPServerDisconnected

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone

from common.health import HEALTH_CHECKS
from reports.health import reminders_health
from reports.models import Notice, SweepRun
from reports.services import (
    DueNotice,
    claim_timeout,
    notice_send,
    notices_record,
    notices_requeue,
    notices_unsent,
    report_submit,
    retry_delay,
)
from reports.sweep import reminders_sweep, reminders_sweep_catch_up
from reports.tasks import reminders_sweep_catch_up_task, reminders_sweep_task, send_notice_task
from reports.tests.factories import report_fill

TODAY = dt.date(2026, 11, 22)
Q3 = "Quý III/2026"


@pytest.fixture(autouse=True)
def empty_test_queue():
    """The requeue's messages go to the test broker, which no worker reads here."""
    yield
    send_notice_task.app.control.purge()


@pytest.fixture
def q3(world, tree):
    return world.report(tree["commune"], Q3)


def record(report, kind, day) -> Notice:
    (notice,) = notices_record(due=[DueNotice(report, kind, day)])
    return notice


def aged(notice: Notice, **delta) -> None:
    Notice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - dt.timedelta(**delta))


def test_an_escalation_months_old_is_requeued_until_sent(q3):
    notice = record(q3, Notice.Kind.ESCALATION, TODAY - dt.timedelta(days=200))
    Notice.objects.filter(pk=notice.pk).update(attempts=60)  # no number of failures gives up on it
    assert notices_requeue() == 0  # just recorded: its own enqueue is on the way
    aged(notice, minutes=3)
    now = timezone.now()
    assert notices_requeue(now=now) == 1
    notice.refresh_from_db()
    assert notice.next_attempt_at == now + claim_timeout()  # leased: the next run leaves it
    assert notices_requeue(now=now + dt.timedelta(seconds=10)) == 0
    # Its message lost (a broker without persistence): enqueued again once the lease is over.
    assert notices_requeue(now=now + claim_timeout() + dt.timedelta(seconds=1)) == 1


def test_a_later_deadline_notice_supersedes_an_unsent_one_and_a_submission_closes_both(q3, personas):
    older = record(q3, Notice.Kind.OVERDUE, TODAY - dt.timedelta(days=3))
    assert set(notices_unsent()) == {older}
    newer = record(q3, Notice.Kind.OVERDUE, TODAY)
    escalation = record(q3, Notice.Kind.ESCALATION, TODAY)
    assert set(notices_unsent()) == {newer, escalation}  # last week's "quá hạn" is not worth sending now
    report_submit(report=report_fill(q3), user=personas.head)
    assert not notices_unsent().filter(report=q3, kind__in=["overdue", "escalation"]).exists()


def test_a_failed_send_backs_off_capped_and_stays_in_the_backlog(q3, settings, monkeypatch, tmp_path):
    settings.EMAIL_BACKEND = "reports.tests.mail_backends.FlakyFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.REMINDER_RETRY_BACKOFF, settings.REMINDER_RETRY_MAX = 5, 3600
    monkeypatch.setenv("FLAKY_MAIL_FAILURES", "1")
    monkeypatch.setenv("FLAKY_MAIL_COUNTER", str(tmp_path / "sends"))
    notice = record(q3, Notice.Kind.ESCALATION, TODAY)
    before = timezone.now()
    with pytest.raises(SMTPServerDisconnected):
        notice_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.attempts == 1 and notice.claimed_at is None and "SMTPServerDisconnected" in notice.last_error
    wait = notice.next_attempt_at - before
    assert retry_delay(1) + claim_timeout() <= wait < retry_delay(1) + claim_timeout() + dt.timedelta(seconds=5)
    assert notices_requeue(now=before) == 0
    assert notices_requeue(now=notice.next_attempt_at) == 1
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 10, 11, 500)] == [5, 10, 20, 2560, 3600, 3600]
    assert notice_send(notice_id=notice.pk) == "sent"
    notice.refresh_from_db()
    assert notice.sent_at and notice.next_attempt_at is None and notice.attempts == 2
    assert notice not in notices_unsent()


def test_a_claim_lasts_about_twice_the_smtp_timeout(q3, settings):
    settings.EMAIL_TIMEOUT = 30
    assert claim_timeout() == dt.timedelta(seconds=75)
    notice = record(q3, Notice.Kind.ESCALATION, TODAY)
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=60))
    assert notice_send(notice_id=notice.pk) == "busy"
    aged(notice, minutes=5)
    assert notices_requeue() == 0  # its worker may still be talking to the server
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=80),
                                               next_attempt_at=None)
    assert notices_requeue() == 1  # a dead worker's claim: taken over
    assert notice_send(notice_id=notice.pk) == "sent"


def test_each_sweep_is_recorded_and_the_catch_up_reruns_an_unfinished_day(world, settings):
    settings.REMINDER_HOUR = 7
    reminders_sweep(today=TODAY)
    run = SweepRun.objects.get()
    assert run.day == TODAY and run.finished_at and run.created > 0
    reminders_sweep(today=TODAY, dry_run=True)
    assert SweepRun.objects.count() == 1  # a dry run is not a sweep
    early = timezone.make_aware(dt.datetime(2026, 11, 23, 6, 30))
    assert reminders_sweep_catch_up(now=early) is None  # not due yet today
    # The 23rd's sweep died midway: started, never finished.
    SweepRun.objects.create(day=dt.date(2026, 11, 23))
    later = timezone.make_aware(dt.datetime(2026, 11, 23, 8, 20))
    notices = Notice.objects.count()
    result = reminders_sweep_catch_up(now=later)
    assert result is not None
    assert SweepRun.objects.filter(day=dt.date(2026, 11, 23), finished_at__isnull=False).count() == 1
    assert Notice.objects.count() >= notices  # a rerun records only what is new: unique keys
    assert reminders_sweep_catch_up(now=later + dt.timedelta(hours=1)) is None


def test_the_sweep_tasks_retry_a_lost_database():
    for task in (reminders_sweep_task, reminders_sweep_catch_up_task, send_notice_task):
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for)


def test_the_health_check_tells_the_sweep_age_and_the_backlog(world, settings):
    assert HEALTH_CHECKS["reminders"] is reminders_health
    ok, message, data = reminders_health()
    assert not ok and "chưa có lượt quét" in message and data["last_sweep_at"] is None
    reminders_sweep(today=TODAY)
    ok, message, data = reminders_health()
    backlog = notices_unsent().count()
    assert backlog > 0 and data["backlog"] == backlog
    assert ok, message  # just recorded: not late yet
    assert f"{backlog} e-mail chưa gửi" in message and data["last_sweep_age_seconds"] < 60
    settings.REMINDER_BACKLOG_ALERT_MINUTES = 60
    Notice.objects.update(created_at=timezone.now() - dt.timedelta(hours=3))
    ok, message, data = reminders_health()
    assert not ok and "có e-mail chưa gửi quá 1 giờ 0 phút" in message
    assert 3 * 3600 - 60 < data["oldest_unsent_age_seconds"] < 3 * 3600 + 60
    Notice.objects.update(sent_at=timezone.now())
    SweepRun.objects.update(finished_at=timezone.now() - dt.timedelta(hours=27))
    ok, message, data = reminders_health()
    assert not ok and "26 giờ" in message and data["backlog"] == 0 and data["oldest_unsent_at"] is None


def test_admin_shows_the_backlog_and_filters_the_unsent(client, world, personas, tree):
    reminders_sweep(today=TODAY)
    unsent = list(notices_unsent())
    sent = unsent.pop()
    Notice.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    url = reverse("admin:reports_notice_changelist")
    personas.login(client, "admin")
    page = client.get(url).content.decode()
    assert f"{len(unsent)} e-mail chưa gửi" in page and "Chưa gửi (còn cần gửi)" in page
    listed = client.get(url, {"mail": "unsent"}).context["cl"].result_list
    assert set(listed) == set(unsent)
    assert client.get(reverse("admin:reports_sweeprun_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_sweeprun_add")).status_code == 403


def test_admin_backlog_is_for_administrators_only(client, world, personas):
    url = reverse("admin:reports_notice_changelist")
    personas.login(client, "reviewer")  # a portal role, not staff
    response = client.get(url)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    personas.reviewer.is_staff = True
    personas.reviewer.save()
    response = client.get(url)  # staff, but not a system administrator
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    personas.login(client, "outsider")  # another district's drafter and head
    assert client.get(url).status_code == 302


def test_a_send_is_cut_off_before_its_claim_expires(settings):
    # Read from the settings when the task is defined (EMAIL_TIMEOUT 30 s by default).
    timeout = settings.EMAIL_TIMEOUT
    assert send_notice_task.soft_time_limit == 2 * timeout
    assert send_notice_task.soft_time_limit < send_notice_task.time_limit < claim_timeout().total_seconds()


def test_beat_requeues_every_five_minutes_and_catches_up_hourly(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["requeue-unsent-notices"]["schedule"] == dt.timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS)
    assert dt.timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS) <= dt.timedelta(minutes=5)
    catch_up = schedule["reminder-sweep-catch-up"]["schedule"]
    assert len(catch_up.hour) == 24 and len(catch_up.minute) == 1  # once in every hour
    for entry in schedule.values():
        assert entry["task"] in send_notice_task.app.tasks  # each entry names a real task
