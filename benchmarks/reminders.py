"""How the whole daily reminder sweep scales, and how fast one worker sends.

    .venv/bin/python benchmarks/reminders.py [--clone-from cchc_national] [--runs 3]
    .venv/bin/python benchmarks/reminders.py --database-url postgres://…/a_scratch_copy
    .venv/bin/python benchmarks/reminders.py [--communes N] [--provinces N] [--keep] [--sqlite]

The database: with --clone-from NAME, a scratch copy of that PostgreSQL
database made for each run (CREATE DATABASE … TEMPLATE NAME: seconds) and
dropped after; with --database-url, that database as it is (the sweep writes
notices into it: give it a copy); otherwise a scratch database
(cchc_bench_reminders, or --sqlite a throwaway file) where the national
dataset is built with demo/scale.py (slow: minutes). Migrations are applied.

Each run prints, for the whole daily sweep (reminders_sweep end to end:
periods_ensure, reports_ensure, the due notices, recording, enqueueing, the
requeue) run twice on the same day: seconds, SQL statements (counted by an
execute wrapper, so nothing is capped) and broker messages (every
Celery publish, and the queue's length in Redis when REDIS_URL is set);
the second run must record nothing. Several runs print the medians.
With --send, one Celery worker process then sends the first run's e-mails
(file mail backend): notices per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "cchc_bench_reminders"
QUEUE = "bench-reminders"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing database to sweep as it is (give it a copy)")
    parser.add_argument("--clone-from", help="a PostgreSQL database copied afresh for each run (the national one)")
    parser.add_argument("--runs", type=int, default=1, help="runs, each on a fresh copy (--clone-from)")
    parser.add_argument("--today", help="the sweep's day (YYYY-MM-DD); default: today")
    parser.add_argument("--send", action="store_true", help="then time one worker sending the e-mails")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--departments", type=int, default=25)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True,
                   capture_output=True)


class Counter:
    """Statements (a connection execute wrapper: every execute and
    executemany, not Django's capped query log) and broker messages
    (every Celery publish of this process)."""

    def __init__(self):
        self.statements = 0
        self.messages = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)


def measure(today, counter):
    from django.db import connection

    from reports.sweep import reminders_sweep

    counter.statements = counter.messages = 0
    with connection.execute_wrapper(counter):
        started = time.monotonic()
        result = reminders_sweep(today=today)
        seconds = time.monotonic() - started
    return {"seconds": seconds, "statements": counter.statements, "messages": counter.messages,
            "created": result.created, "requeued": result.requeued, "due": len(result.due)}


def queue_length() -> int | None:
    from django.conf import settings

    if not settings.REDIS_URL:
        return None
    import redis

    return redis.Redis.from_url(settings.REDIS_URL).llen(QUEUE)


def purge_queue() -> None:
    from django.conf import settings

    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete(QUEUE)


def describe(label: str, rows: list[dict]) -> str:
    def median(key):
        values = [r[key] for r in rows]
        text = f"{statistics.median(values):.2f}" if key == "seconds" else f"{statistics.median(values):.0f}"
        if len(values) > 1:
            text += f" [{min(values):.2f}-{max(values):.2f}]" if key == "seconds" else \
                f" [{min(values)}-{max(values)}]"
        return text

    return (f"{label}: {median('seconds')} s, {median('statements')} statements, {median('messages')} broker "
            f"messages, {median('created')} notices recorded, {median('requeued')} requeued")


def main() -> None:  # noqa: PLR0915
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    scratch = None
    if args.database_url:
        database_url = args.database_url
    elif args.clone_from:
        scratch = f"{DB_NAME}_{os.getpid()}"
        database_url = f"postgres://postgres@127.0.0.1:5432/{scratch}"
    elif args.sqlite:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
        psql(f"CREATE DATABASE {DB_NAME}")
        database_url = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    os.environ.update({
        "DATABASE_URL": database_url, "DJANGO_DEBUG": "false", "LOG_LEVEL": "WARNING",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-reminders-not-secret"),
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "CELERY_QUEUE": QUEUE,
        "CELERY_BROKER_DIR": str(workdir / "broker"), "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(workdir / "mail"), "CACHE_KEY_PREFIX": f"bench-reminders-{os.getpid()}",
    })
    if scratch:
        psql(f"CREATE DATABASE {scratch} TEMPLATE {args.clone_from}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from celery import current_app
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from reports.models import Notice

    counter = Counter()
    app = current_app._get_current_object()
    publish = app.send_task

    def counted_send_task(*a, **kw):
        counter.messages += 1
        return publish(*a, **kw)

    app.send_task = counted_send_task  # Task.apply_async and send_task both publish through it
    today = dt.date.fromisoformat(args.today) if args.today else timezone.localdate()
    firsts, seconds = [], []
    worker = None
    try:
        for run in range(max(args.runs, 1)):
            if scratch and run:
                connection.close()
                psql(f"DROP DATABASE IF EXISTS {scratch}")
                psql(f"CREATE DATABASE {scratch} TEMPLATE {args.clone_from}")
            call_command("migrate", verbosity=0)
            if not args.database_url and not args.clone_from and run == 0:
                from agencies.models import Agency
                from demo.scale import scale_generate

                started = time.monotonic()
                built = scale_generate(provinces=args.provinces, communes=args.communes,
                                       departments=args.departments, tasks=args.tasks, year=today.year, today=today)
                print(f"dataset: {built.agencies} agencies, {built.tasks} tasks, {built.reports} reports, "
                      f"{built.lines} lines in {time.monotonic() - started:.1f} s")
                # Give every unit a mailbox so every notice has somewhere to go.
                Agency.objects.filter(code__startswith="SCALE-").update(email="van-thu@example.com")
            purge_queue()
            first = measure(today, counter)
            first["queued"] = queue_length()
            second = measure(today, counter)
            firsts.append(first)
            seconds.append(second)
            print(f"run {run + 1} ({today}): first {first['seconds']:.2f} s, {first['statements']} statements, "
                  f"{first['messages']} messages ({first['created']} notices, Redis queue length "
                  f"{first['queued']}); second {second['seconds']:.2f} s, {second['statements']} statements, "
                  f"{second['messages']} messages, {second['created']} notices (must be 0)", flush=True)
        print(describe("whole sweep, first of the day", firsts))
        print(describe("whole sweep, second the same day", seconds))
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        if args.send:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", QUEUE,
                 "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            )
            mailed = Notice.objects.exclude(recipients=[]).filter(closed_at=None, sent_at=None).count()
            t0 = time.monotonic()
            while Notice.objects.exclude(recipients=[]).filter(sent_at=None, closed_at=None).exists():
                if time.monotonic() - t0 > 1800:
                    print("worker did not finish within 30 minutes")
                    break
                time.sleep(1)
            sent_seconds = time.monotonic() - t0
            print(f"one worker sent {mailed} notices in {sent_seconds:.1f} s ({mailed / sent_seconds:.0f} notices/s)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        purge_queue()
        connection.close()
        if scratch:
            psql(f"DROP DATABASE IF EXISTS {scratch}")
        elif not args.sqlite and not args.keep and not args.database_url:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
