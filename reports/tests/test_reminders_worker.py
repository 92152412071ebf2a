"""Reminders through a real broker (Redis in CI) and real Celery worker
processes started by the test, not eager mode: the sweep enqueues, the worker
sends, a second sweep sends nothing, two workers send each notice once, a
failing SMTP server is retried until the notice goes out, once, and a plan
deadline's notice found by two sweeps at once goes out once."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from common.tests.db import database_url
from reports.models import Notice
from reports.sweep import reminders_sweep
from reports.tasks import send_notice_task
from reports.tests.factories import report_world
from schedule.models import PlanDeadline, ReportingChain

ROOT = Path(__file__).resolve().parents[2]
TODAY = __import__("datetime").date(2026, 11, 22)



def process_env(mail_dir: Path, **extra_env) -> dict[str, str]:
    """The environment of a process the test starts: this test's database and mail folder."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test",
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "REMINDER_RETRY_BACKOFF": "1",
        **extra_env,
    }


@pytest.fixture
def workers(tmp_path):
    """start(count, **env) -> (queue, mail dir); every worker is stopped afterwards."""
    started = []
    # The project's Celery app, reached through its task: reports may not import cchc_portal.
    queue = send_notice_task.app.conf.task_default_queue  # cchc-test: see settings_test
    mail_dir = tmp_path / "mail"

    def start(count=1, **extra_env):
        env = process_env(mail_dir, **extra_env)
        for index in range(count):
            log = (tmp_path / f"worker-{index}.log").open("w")
            started.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", queue,
                 "-n", f"w{index}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            ))
        time.sleep(1)
        for process in started:
            assert process.poll() is None, (tmp_path / "worker-0.log").read_text()
        return queue, mail_dir

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    # SQLite: reopen after other processes wrote the file, before the flush.
    connection.close()


def mails_for(mail_dir: Path, notice: Notice) -> int:
    marker = f"Message-ID: <notice-{notice.pk}-"
    return sum(path.read_text(errors="replace").count(marker) for path in mail_dir.glob("*.log"))


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def overdue_reports(transactional_db, settings, tree, personas):
    """The commune's Quý I, half-year and Quý III 2026 reports, all still drafts
    on TODAY: each sweep-worthy (overdue and escalated), mailed to its head and
    to the reviewer. Committed, so the worker processes see them."""
    if os.environ.get("CI"):
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must use Redis"
    return report_world(tree=tree, personas=personas, leads=("commune",))


def to_mail():
    """Notices with an e-mail to send: a closed one (its plan moved on, its report was sent) never goes."""
    return Notice.objects.filter(closed_at=None).exclude(recipients=[])


def mailed_notices():
    notices = list(to_mail())
    assert notices, "the sweep must find notices with e-mail recipients"
    return notices


@pytest.mark.worker
def test_sweep_enqueues_worker_sends_second_sweep_sends_nothing(overdue_reports, workers):
    _, mail_dir = workers(1)
    first = reminders_sweep(today=TODAY)
    assert first.created > 0
    notices = mailed_notices()
    assert wait_until(lambda: not to_mail().filter(sent_at=None).exists())
    assert all(mails_for(mail_dir, n) == 1 for n in notices)
    second = reminders_sweep(today=TODAY)
    assert second.created == 0
    time.sleep(2)
    assert all(mails_for(mail_dir, n) == 1 for n in notices)


@pytest.mark.worker
def test_two_workers_given_the_same_notice_send_it_once(overdue_reports, workers):
    _, mail_dir = workers(2)
    reminders_sweep(today=TODAY)
    notices = mailed_notices()
    for notice in notices:  # as if the broker delivered every message three times
        for _ in range(2):
            send_notice_task.delay(notice.pk)
    assert wait_until(lambda: not to_mail().filter(sent_at=None).exists())
    time.sleep(3)
    assert [mails_for(mail_dir, n) for n in notices] == [1] * len(notices)


@pytest.mark.worker
def test_an_smtp_failure_is_retried_and_the_notice_sent_once(overdue_reports, workers, tmp_path):
    _, mail_dir = workers(
        1,
        EMAIL_BACKEND="reports.tests.mail_backends.FlakyFileBackend",
        FLAKY_MAIL_FAILURES="2",
        FLAKY_MAIL_COUNTER=str(tmp_path / "sends"),
    )
    reminders_sweep(today=TODAY)
    notice = mailed_notices()[0]
    assert wait_until(lambda: Notice.objects.filter(pk=notice.pk, sent_at__isnull=False).exists())
    notice.refresh_from_db()
    assert mails_for(mail_dir, notice) == 1
    assert notice.attempts >= 1 and notice.last_error == ""
    assert int((tmp_path / "sends").read_text()) >= 3  # two failures, then success


@pytest.fixture
def plan_owed(transactional_db, tree, personas):
    """Every unit below the province owes its 2027 plan by 20/11/2026 and none
    has issued it: on TODAY each is overdue, mailed to its drafters and heads."""
    chain, _ = ReportingChain.objects.get_or_create(owner=tree["province"], defaults={"name": "Tỉnh Thử"})
    PlanDeadline.objects.create(chain=chain, agency_kind="", month=11, day=20)


@pytest.mark.worker
def test_a_plan_deadline_notice_found_by_two_sweeps_is_sent_once(plan_owed, workers, tree):
    _, mail_dir = workers(2)
    # Two sweeps at once, as beat and a cron `send_reminders` would run them.
    cron = subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders", "--date", TODAY.isoformat()], cwd=ROOT,
        env=process_env(mail_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    beat = reminders_sweep(today=TODAY)
    output, _ = cron.communicate(timeout=120)
    assert cron.returncode == 0, output
    notices = list(to_mail().filter(year__isnull=False))
    # Overdue: the commune's head hears of it too, though it has no drafter.
    assert {n.agency_id for n in notices} == {tree["district"].pk, tree["commune"].pk, tree["district2"].pk}
    assert all((n.year, n.kind, n.day) == (2027, "overdue", TODAY) for n in notices)
    assert Notice.objects.filter(year__isnull=False).count() == 3  # one per unit, whichever sweep recorded it
    assert beat.created + int(output.split("Đã ghi ")[1].split()[0]) == 3
    assert wait_until(lambda: not to_mail().filter(year__isnull=False)
                      .filter(sent_at=None).exists())
    time.sleep(2)
    assert [mails_for(mail_dir, n) for n in notices] == [1] * len(notices)
    assert reminders_sweep(today=TODAY).created == 0
    text = "".join(path.read_text(errors="replace") for path in mail_dir.glob("*.log"))
    assert "Hạn ban hành: 20/11/2026" in text
