"""Load test of the compliance dashboard at national scale.

Creates a PostgreSQL database, migrates it, loads the demo and the national
dataset (manage.py generate_scale), starts gunicorn on 127.0.0.1 and measures,
with a small threaded HTTP client and a bounded number of requests per
endpoint, p50/p95 latency and requests/s of:

  - a minimal Django view (/healthz: one SELECT 1), the ceiling of the stack;
  - the dashboard of a reviewer of all 34 provinces (national) and of one province;
  - the plan list and a report page (a province reviewer);
  - the dashboard right after a report changed (the cache fragments miss), one
    request at a time.

Usage (PostgreSQL 15 on 127.0.0.1 with trust auth):

    .venv/bin/python benchmarks/dashboard_load.py
    .venv/bin/python benchmarks/dashboard_load.py --keep          # keep the database afterwards
    .venv/bin/python benchmarks/dashboard_load.py --reuse --keep  # skip building it again

The database is dropped at the end unless --keep. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402 (the sibling module, found through the line above)
    Gunicorn,
    Result,
    admin,
    build,
    cold,
    exists,
    load,
    log_in,
    request,
    server_db,
)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %.3f %.3f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load_wrk(port: int, name: str, path: str, cookie: str, *, seconds: int, concurrency: int, warmup: int) -> Result:
    """The same measure with wrk (C, so the client takes less of the two CPUs),
    bounded by time: `seconds` of `concurrency` connections."""
    for _ in range(warmup):
        request(port, path, cookie)
    script = Path(tempfile.gettempdir()) / "dashboard_load.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
    count, micros, p50, p95, errors = re.search(r"WRK (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", out.stdout).groups()
    return Result(name, int(count), concurrency, float(p50), float(p95), int(count) / (int(micros) / 1e6), int(errors))


def report_path(url: str) -> str:
    params, db = server_db(url)
    conn = psycopg2.connect(dbname=db, **params)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT r.id FROM reports_report r JOIN agencies_agency a ON a.id = r.agency_id "
            "WHERE a.code = 'SCALE-P01-X001' AND r.status = 'accepted' ORDER BY r.id LIMIT 1"
        )
        row = cursor.fetchone()
    conn.close()
    return f"/reports/{row[0]}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench"))
    parser.add_argument("--reuse", action="store_true", help="use the database if it exists (no rebuild)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per endpoint")
    parser.add_argument("--slow-requests", type=int, default=60, help="measured requests for the list pages")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--wrk", type=int, default=0, metavar="SECONDS",
                        help="measure with wrk (apt-get install wrk) for this many seconds per endpoint "
                             "instead of the Python client's fixed request counts")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--departments", type=int, default=25)
    parser.add_argument("--tasks", type=int, default=20)
    args = parser.parse_args()

    url = args.database_url
    env = os.environ | {
        "DATABASE_URL": url, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "benchmark-only-secret-key",
        "DJANGO_MANIFEST_STATIC": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if not (args.reuse and exists(url)):
        build(url, env, provinces=args.provinces, communes=args.communes, departments=args.departments,
              tasks=args.tasks)
    server = Gunicorn(env, port=args.port, workers=args.workers)
    try:
        national, province = log_in(args.port, "scale-national"), log_in(args.port, "scale-province")
        warm = 3 * args.workers  # every worker builds its own cached fragments once
        if args.wrk:
            fast = slow = {"seconds": args.wrk, "concurrency": args.concurrency, "warmup": warm}
            run = load_wrk
        else:
            fast = {"requests": args.requests, "concurrency": args.concurrency, "warmup": warm}
            slow = {"requests": args.slow_requests, "concurrency": args.concurrency, "warmup": args.workers}
            run = load
        results = [
            run(args.port, "minimal view /healthz", "/healthz", "", **fast),
            run(args.port, "dashboard, national (34 provinces)", "/dashboard/", national, **fast),
            run(args.port, "dashboard, one province", "/dashboard/", province, **fast),
            run(args.port, "plan list /plans/ (province reviewer)", "/plans/", province, **slow),
            run(args.port, "report page (province reviewer)", report_path(url), province, **fast),
            run(args.port, "plan list /plans/ (national reviewer)", "/plans/", national, **slow),
            run(args.port, "report list /reports/ (province reviewer)", "/reports/", province, **slow),
            cold(args.port, "dashboard national, after a change (miss)", "/dashboard/", national, url, samples=10),
            cold(args.port, "dashboard province, after a change (miss)", "/dashboard/", province, url, samples=10),
        ]
    finally:
        server.stop()
        if not args.keep:
            admin(url, f"DROP DATABASE IF EXISTS {server_db(url)[1]}")

    ceiling = results[0].rate
    client = f"wrk, {args.wrk} s per endpoint" if args.wrk else "Python threads + http.client"
    print(f"\ngunicorn {args.workers} sync workers; client: {client}, {args.concurrency} concurrent; "
          f"{os.cpu_count()} CPUs shared by client, server and PostgreSQL")
    print(f"{'endpoint':46} {'reqs':>5} {'conc':>4} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'% min':>6} {'err':>4}")
    for r in results:
        print(f"{r.name:46} {r.requests:5d} {r.concurrency:4d} {r.p50:8.1f} {r.p95:8.1f} {r.rate:8.1f} "
              f"{100 * r.rate / ceiling:5.1f}% {r.errors:4d}")
    goals = [
        ("dashboard national p95 < 300 ms", results[1].p95 < 300),
        ("dashboard one province p95 < 100 ms", results[2].p95 < 100),
        ("dashboard throughput >= 20% of the minimal view",
         min(results[1].rate, results[2].rate) >= 0.2 * ceiling),
    ]
    for label, ok in goals:
        print(f"{'met ' if ok else 'MISSED'}  {label}")


if __name__ == "__main__":
    main()
