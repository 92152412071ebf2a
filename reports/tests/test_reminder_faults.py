"""Reminders against faults, with real processes: Celery workers and beat
(subprocesses), a Redis of the test's own (redis-server on a free port), an
SMTP server (aiosmtpd, reports/tests/smtp_sink.py) that records every message
it accepts by Message-ID, and the test database (PostgreSQL in CI; SQLite
file otherwise, except the case that kills PostgreSQL connections).

Cases: three racing sweeps and two workers; an SMTP outage beyond the
worker's retry budget; Redis stopped while sending (without and with AOF);
a worker killed with SIGKILL mid-send; PostgreSQL connections killed while
sending; a relay that accepts and never answers; a sweep that died midway,
run again by the hourly catch-up.

Each case counts deliveries per notice: sent (at least one copy), lost
(none) and duplicates (copies beyond the first), and prints one line
"FAULT <case>: …" (run with -s to see them). The database is the source of
truth: beat's requeue runs every 2 s here, a claim lasts 2.5 × EMAIL_TIMEOUT
= 5 s, the worker's quick retries stop after 2 and the requeue goes on."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from common.tests.db import database_url
from reports.models import Notice, ReportEvent, SweepRun
from reports.services import notices_unsent
from reports.sweep import reminders_sweep
from reports.tasks import send_notice_task
from reports.tests.factories import report_world

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-22"
EXTRA_NOTICES = 36  # event notices recorded earlier, not sent yet, beside what the sweep records
EMAIL_TIMEOUT = 2
CLAIM_SECONDS = 2.5 * EMAIL_TIMEOUT
SQLITE_OPTIONS = "?timeout=30&transaction_mode=IMMEDIATE"

pytestmark = pytest.mark.worker
FLEET_APP_NAME = "cchc-fault-fleet"
on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="kills PostgreSQL backends (pg_terminate_backend): runs when DATABASE_URL is PostgreSQL, as in CI",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float = 60, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Redis:
    """redis-server of the test's own, in a temp folder; `appendonly` keeps the queue across a stop (AOF)."""

    def __init__(self, folder: Path, appendonly: bool):
        self.folder, self.appendonly, self.port = folder, appendonly, free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("a"), stderr=subprocess.STDOUT,
        )
        assert wait_until(lambda: port_open(self.port), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: no RDB (--save ""), the AOF flushed if on
            self.process.wait(10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Sink:
    """The SMTP server: start/stop (an outage), the Message-IDs it accepted."""

    def __init__(self, folder: Path, port: int, delay: float = 0.0):
        self.out, self.port, self.delay = folder / "accepted.txt", port, delay
        self.log = folder / "sink.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reports.tests.smtp_sink", "--port", str(self.port), "--out", str(self.out),
             "--delay", str(self.delay)], cwd=ROOT, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )
        assert wait_until(lambda: port_open(self.port), 15), self.log.read_text()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def counts(self) -> Counter:
        return Counter(self.out.read_text().split()) if self.out.exists() else Counter()


class BlackHole:
    """A relay that accepts TCP connections and never answers (the kernel
    completes the handshake for the listen backlog; nothing reads)."""

    def __init__(self, port: int):
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen(64)

    def close(self) -> None:
        self.socket.close()


class Fleet:
    """Workers and a beat, as deployed: the same settings through the environment."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env = folder, env
        self.workers: list[subprocess.Popen] = []
        self.others: list[subprocess.Popen] = []

    def worker(self) -> subprocess.Popen:
        index = len(self.workers)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo",
             "-Q", self.env["CELERY_QUEUE"], "-n", f"f{index}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=(self.folder / f"worker-{index}.log").open("w"), stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def beat(self) -> None:
        self.others.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cchc_portal", "beat", "-s", str(self.folder / "beat-schedule"),
             "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=(self.folder / "beat.log").open("w"), stderr=subprocess.STDOUT,
        ))

    def run(self, *args: str, wait: bool = True):
        """manage.py in a process of its own (a sweep from cron, a shell)."""
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if not wait:
            return process
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
        return output

    def sweep(self, wait: bool = True):
        return self.run("send_reminders", "--date", TODAY, wait=wait)

    def started(self) -> None:
        time.sleep(1.5)
        for index, process in enumerate(self.workers):
            assert process.poll() is None, (self.folder / f"worker-{index}.log").read_text()

    def stop(self) -> None:
        for process in self.workers + self.others:
            if process.poll() is None:
                process.kill()  # the case is over: no need to wait for a warm shutdown
        for process in self.workers + self.others:
            process.wait()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.folder.glob("*.log"))


def message_id(notice: Notice) -> str:
    return f"<notice-{notice.pk}-{notice.kind}-{notice.day:%Y%m%d}@cchc-portal>"


def tally(case: str, sink: Sink, notices: list[Notice], started: float, **extra) -> dict:
    counts = sink.counts()
    copies = [counts[message_id(n)] for n in notices]
    result = {"case": case, "notices": len(notices), "sent": sum(c >= 1 for c in copies),
              "lost": sum(c == 0 for c in copies), "duplicates": sum(max(c - 1, 0) for c in copies),
              "seconds": round(time.monotonic() - started, 1)} | extra
    strangers = set(counts) - {message_id(n) for n in notices}
    assert not strangers, f"mail for no expected notice: {strangers}"
    print(f"FAULT {case}: " + json.dumps(result), flush=True)
    if os.environ.get("FAULT_RESULTS"):
        with open(os.environ["FAULT_RESULTS"], "a") as out:
            out.write(json.dumps(result) + "\n")
    return result


def all_sent() -> bool:
    """No notice left that should still be sent (the database's own backlog)."""
    return not notices_unsent().exists()


@pytest.fixture
def fault_world(transactional_db, tree, personas):
    """The commune's 2026 reports, all drafts, and their notices of
    22/11/2026 (overdue, escalated: recorded by the sweep), and
    EXTRA_NOTICES notices of review events, each to its own address: all
    recorded a minute ago and not sent yet (the beat's requeue sends them). Today's sweep is marked
    done so beat's hourly catch-up sweeps nothing during the test."""
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    reminders_sweep(today=dt.date.fromisoformat(TODAY))  # overdue and escalated reports, not sent yet
    report = world.report(tree["commune"], "Quý III/2026")
    for index in range(EXTRA_NOTICES):
        event = ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.ACCEPTED, user=personas.reviewer,
                                           comment=f"Lần {index + 1}")
        Notice.objects.create(report=report, event=event, kind=Notice.Kind.ACCEPTED, day=report.due_date,
                              recipients=[f"don-vi-{index}@example.test"])
    Notice.objects.update(created_at=timezone.now() - dt.timedelta(minutes=1))
    SweepRun.objects.create(day=timezone.localdate(), finished_at=timezone.now())
    yield world
    # What the sweep enqueued went to the test process's own broker: no worker of this test reads it.
    send_notice_task.app.control.purge()


@pytest.fixture
def rig(fault_world, tmp_path):
    """rig(appendonly=False, delay=0.05, sink=True) -> (fleet, redis, sink):
    a Redis and an SMTP sink of this test's own, and a fleet configured for
    them (workers and beat started by the test). All stopped afterwards."""
    made: list = []

    def build(*, appendonly: bool = False, delay: float = 0.05, sink: bool = True):
        redis = Redis(tmp_path / "redis", appendonly)
        redis.start()
        smtp = Sink(tmp_path, free_port(), delay)
        if sink:
            smtp.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "REMINDER_"))} | {
            "DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test",
            # SQLite: writers of several processes wait for the lock (a deferred transaction that
            # starts writing late fails at once with "database is locked" whatever the timeout).
            "DATABASE_URL": database_url() + (SQLITE_OPTIONS if database_url().startswith("sqlite") else ""),
            "REDIS_URL": redis.url,
            "CELERY_QUEUE": f"faults-{uuid.uuid4().hex[:8]}",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "REMINDER_RETRY_BACKOFF": "1",
            "REMINDER_RETRY_MAX": "3",
            "REMINDER_RETRY_BUDGET": "2",
            "REMINDER_REQUEUE_SECONDS": "2",
            # libpq names the fleet's connections, so the DB-kill case ends only
            # theirs, never the test process's or a live server's.
            "PGAPPNAME": FLEET_APP_NAME,
        }
        fleet = Fleet(tmp_path, env)
        made.extend([fleet, smtp, redis])
        return fleet, redis, smtp

    yield build
    for thing in made:
        thing.stop()
    connection.close()  # SQLite: reopen after other processes wrote the file, before the flush


def expected() -> list[Notice]:
    """Every notice with an e-mail to send; all still relevant (the backlog)."""
    relevant = set(notices_unsent().values_list("pk", flat=True))  # read first: the workers only shrink it
    notices = list(Notice.objects.filter(closed_at=None).exclude(recipients=[]).order_by("pk"))
    assert len(notices) >= EXTRA_NOTICES + 3
    # Unsent and not relevant: superseded by a later notice of the same report (a later day's sweep).
    return [n for n in notices if n.sent_at is not None or n.pk in relevant]


def finish(case: str, fleet: Fleet, sink: Sink, started: float, timeout: float = 60, since: float | None = None) -> dict:
    """Wait until every notice is sent, then count; `since`: also report the seconds from that moment."""
    delivered = wait_until(all_sent, timeout)
    extra = {"all_sent_after_fault_s": round(time.monotonic() - since, 1)} if since else {}
    time.sleep(1)  # a late copy would show now
    result = tally(case, sink, expected(), started, **extra)
    assert delivered and result["lost"] == 0, fleet.logs()
    return result


def test_triple_sweeps_and_two_workers_deliver_each_notice_once(rig):
    fleet, _, sink = rig()
    for _ in range(2):
        fleet.worker()
    fleet.beat()
    fleet.started()
    started = time.monotonic()
    # The day's deadline notices are recorded again by three sweeps at once (beat, cron, a rerun).
    assert Notice.objects.filter(event=None, transition=None).delete()[0]
    sweeps = [fleet.sweep(wait=False) for _ in range(3)]
    for sweep in sweeps:
        output, _ = sweep.communicate(timeout=120)
        assert sweep.returncode == 0, output
    # And every message delivered twice more, as a broker redelivering would.
    ids = [n.pk for n in expected()]
    fleet.run("shell", "-c", f"from reports.services import notices_enqueue; notices_enqueue({ids}); "
                             f"notices_enqueue({ids})")
    result = finish("triple sweeps, two workers", fleet, sink, started)
    assert result["duplicates"] == 0


def test_an_smtp_outage_longer_than_the_retry_budget_loses_nothing(rig, settings):
    from reports.health import reminders_health

    fleet, _, sink = rig(sink=False)  # the mail server is down from the start
    fleet.worker()
    fleet.beat()
    fleet.started()
    started = time.monotonic()
    notices = expected()
    # Every notice tried past the worker's budget (1 + 2 retries), none sent.
    assert wait_until(lambda: Notice.objects.filter(pk__in=[n.pk for n in notices], attempts__gte=3).count()
                      == len(notices), 90), fleet.logs()
    assert not Notice.objects.filter(sent_at__isnull=False).exists()
    settings.REMINDER_BACKLOG_ALERT_MINUTES = 0
    ok, message, data = reminders_health()
    assert not ok and data["backlog"] == len(notices) and "e-mail chưa gửi" in message
    sink.start()  # the server is back: the requeue sends them, no one gives up
    result = finish("SMTP outage beyond the retry budget", fleet, sink, started, since=time.monotonic())
    assert result["duplicates"] == 0
    assert reminders_health()[2]["backlog"] == 0


@pytest.mark.parametrize("appendonly", [False, True], ids=["redis-no-persistence", "redis-aof"])
def test_redis_stopped_while_sending_loses_nothing(rig, appendonly):
    fleet, redis, sink = rig(appendonly=appendonly, delay=0.25)
    for _ in range(2):
        fleet.worker()
    fleet.beat()
    fleet.started()
    started = time.monotonic()
    assert wait_until(lambda: sum(sink.counts().values()) >= 6, 30), fleet.logs()
    redis.stop()  # without AOF the queued messages are gone
    time.sleep(4)
    redis.start()
    result = finish(f"Redis stopped while sending ({'AOF' if appendonly else 'no persistence'})", fleet, sink,
                    started, timeout=90, since=time.monotonic())
    assert result["duplicates"] == 0


def test_a_worker_killed_mid_send_has_its_claim_retaken(rig):
    fleet, _, sink = rig(delay=0.3)
    doomed = fleet.worker()
    fleet.worker()
    fleet.beat()
    fleet.started()
    started = time.monotonic()
    assert wait_until(lambda: sum(sink.counts().values()) >= 6, 30), fleet.logs()
    doomed.send_signal(signal.SIGKILL)  # both workers are busy: it dies mid-send
    killed_at = time.monotonic()
    doomed.wait()
    result = finish("worker kill -9 mid-send", fleet, sink, started, since=killed_at)
    # Its claim is retaken after CLAIM_SECONDS; at most its one in-flight mail went out twice.
    assert result["duplicates"] <= 1
    assert time.monotonic() - killed_at < 60


@on_postgres
def test_database_connections_killed_while_sending_lose_nothing(rig):
    fleet, _, sink = rig(delay=0.2)
    for _ in range(2):
        fleet.worker()
    fleet.beat()
    fleet.started()
    started = time.monotonic()
    assert wait_until(lambda: sum(sink.counts().values()) >= 4, 30), fleet.logs()
    kills, killed = 0, 0
    for _ in range(4):  # every 1.5 s while the workers send
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                           "AND application_name = %s", [FLEET_APP_NAME])
            killed += cursor.fetchone()[0]
        kills += 1
        time.sleep(1.5)
    assert killed >= 2, "the workers' connections were killed"
    result = finish("DB connections killed while sending", fleet, sink, started)
    # A duplicate needs a worker to lose the commit right after the server's
    # acceptance and to give up reconnecting; bounded by the kills × workers.
    assert result["duplicates"] <= kills * 2


def test_a_relay_that_never_answers_fails_fast_and_mail_goes_on(rig):
    fleet, _, sink = rig(sink=False)
    hole = BlackHole(sink.port)
    for _ in range(2):
        fleet.worker()
    fleet.beat()
    fleet.started()
    started = time.monotonic()
    notices = expected()
    # Each try gives up after EMAIL_TIMEOUT (2 s), not 300 s: the workers keep
    # going through the notices rather than hanging on the first two.
    assert wait_until(lambda: Notice.objects.filter(pk__in=[n.pk for n in notices], attempts__gte=1).count()
                      >= 6, 30), fleet.logs()
    assert "timed out" in Notice.objects.filter(attempts__gte=1).exclude(last_error="").first().last_error
    hole.close()
    sink.start()
    switched = time.monotonic()
    result = finish("relay that never answers", fleet, sink, started, since=switched)
    assert result["duplicates"] == 0
    assert time.monotonic() - switched < 60


def test_a_sweep_that_died_midway_is_run_again_by_the_catch_up(rig):
    fleet, _, sink = rig()
    fleet.env["REMINDER_HOUR"] = "0"  # today's sweep is due whatever the hour the test runs
    fleet.worker()
    fleet.started()
    today = timezone.localdate()
    SweepRun.objects.filter(day=today).delete()
    SweepRun.objects.create(day=today)  # started, never finished: its database connection died
    started = time.monotonic()
    # What beat sends every hour.
    fleet.run("shell", "-c", "from reports.tasks import reminders_sweep_catch_up_task as t; t.delay()")
    assert wait_until(lambda: SweepRun.objects.filter(day=today, finished_at__isnull=False).exists(), 60), \
        fleet.logs()
    assert Notice.objects.filter(day=today).exists()  # today's marks recorded by the rerun
    result = finish("sweep died midway, caught up within the hour", fleet, sink, started)
    assert result["duplicates"] == 0
