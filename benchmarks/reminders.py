"""How the reminder sweep scales, and how fast one worker sends.

    .venv/bin/python benchmarks/reminders.py [--communes N] [--provinces N] [--keep]

Creates a scratch PostgreSQL database (cchc_bench_reminders on the local
server, trust auth) or, with --sqlite, a throwaway SQLite file; builds the
national dataset with demo/scale.py (34 provinces, 3,321 communes, ~25
departments each, ~20 tasks per agency, the year's periods); then prints:
- selecting the due notices: seconds and number of queries (goal: bounded, < 5 s);
- recording them (the sweep): seconds and notices recorded;
- one Celery worker process sending them (file mail backend, Redis broker if
  REDIS_URL is set, else the file-system broker): notices per second;
- a second sweep: notices recorded (must be 0).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "cchc_bench_reminders"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    if args.sqlite:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
        psql(f"CREATE DATABASE {DB_NAME}")
        database_url = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    os.environ.update({
        "DATABASE_URL": database_url, "DJANGO_DEBUG": "true", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "CELERY_QUEUE": "bench-reminders",
        "CELERY_BROKER_DIR": str(workdir / "broker"), "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(workdir / "mail"),
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from demo.scale import scale_generate
    from reports.models import Notice, Report
    from reports.services import notices_due, notices_record
    from reports.sweep import reminders_sweep

    call_command("migrate", verbosity=0)
    today = dt.date(2026, 11, 22)
    started = time.monotonic()
    result = scale_generate(provinces=args.provinces, communes=args.communes, departments=args.departments,
                            tasks=args.tasks, year=2026, today=today)
    print(f"dataset: {result.agencies} agencies, {result.tasks} tasks, {result.reports} reports, "
          f"{result.lines} lines in {time.monotonic() - started:.1f} s")

    # The generated agencies have no contact address; give them one so every
    # notice has somewhere to go (example.com: mail goes nowhere real).
    from agencies.models import Agency

    Agency.objects.filter(code__startswith="SCALE-").update(email="van-thu@example.com")
    open_reports = Report.objects.filter(status__in=["draft", "returned"]).count()
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.monotonic()
            due = notices_due(today=today)
            timings.append(time.monotonic() - t0)
    print(f"select due notices: {len(due)} due of {open_reports} open reports; "
          f"median {sorted(timings)[1]:.2f} s, max {max(timings):.2f} s, {len(queries)} queries")

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", "bench-reminders",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.monotonic()
            created = notices_record(due=due)
            recorded = time.monotonic() - t0
        print(f"record notices: {len(created)} in {recorded:.2f} s ({len(queries)} queries)")
        mailed = Notice.objects.exclude(recipients=[]).count()
        t0 = time.monotonic()
        while Notice.objects.exclude(recipients=[]).filter(sent_at=None).exists():
            if time.monotonic() - t0 > 1800:
                print("worker did not finish within 30 minutes")
                break
            time.sleep(1)
        sent_seconds = time.monotonic() - t0
        sent = Notice.objects.exclude(sent_at=None).count()
        print(f"one worker sent {sent}/{mailed} notices with recipients in {sent_seconds:.1f} s "
              f"({sent / sent_seconds:.0f} notices/s)")
        second = reminders_sweep(today=today)
        print(f"second sweep: {second.created} new notices (must be 0)")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connection.close()
        if not args.sqlite and not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
