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
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "demo-cchc-2025"  # demo.loader.DEMO_PASSWORD, given to the generated users too
FINGERPRINT_WAIT = 2.2  # dashboard.cache.FINGERPRINT_SECONDS, and a little


@dataclass
class Result:
    name: str
    requests: int
    concurrency: int
    p50: float
    p95: float
    rate: float
    errors: int


def _server_db(url: str) -> tuple[dict, str]:
    parts = urllib.parse.urlparse(url)
    params = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres"}
    if parts.password:
        params["password"] = parts.password
    return params, parts.path.lstrip("/")


def _admin(url: str, statement: str) -> None:
    params, _ = _server_db(url)
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(statement)
    conn.close()


def _exists(url: str) -> bool:
    params, name = _server_db(url)
    conn = psycopg2.connect(dbname="postgres", **params)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def _manage(env: dict, *args: str) -> str:
    started = time.monotonic()
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    print(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")
    return done.stdout


def build(url: str, env: dict, args) -> None:
    _, name = _server_db(url)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"Database name {name!r}: use lower-case letters, digits and _ only.")
    _admin(url, f"CREATE DATABASE {name}")
    print(f"Building {name}:")
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo")
    out = _manage(env, "generate_scale", f"--provinces={args.provinces}", f"--communes={args.communes}",
                  f"--departments={args.departments}", f"--tasks={args.tasks}")
    print("  " + out.strip().splitlines()[0])
    params, name = _server_db(url)
    conn = psycopg2.connect(dbname=name, **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()


def _request(port: int, path: str, cookie: str = "", method: str = "GET", body: str | None = None,
             headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    all_headers = {"Host": "127.0.0.1", **(headers or {})}
    if cookie:
        all_headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def log_in(port: int, username: str) -> str:
    """A session cookie for the user, through the login form."""
    page = _request(port, "/dang-nhap/")
    csrf = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    response = _request(port, "/dang-nhap/", cookie=f"csrftoken={csrf}", method="POST", body=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    cookies = response.getheader("Set-Cookie") or ""
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or not session:
        sys.exit(f"Login of {username} failed ({response.status}).")
    return f"sessionid={session.group(1)}; csrftoken={csrf}"


def load(port: int, name: str, path: str, cookie: str, *, requests: int, concurrency: int, warmup: int) -> Result:
    """`requests` GETs from `concurrency` threads, after `warmup` unmeasured ones."""
    for _ in range(warmup):
        _request(port, path, cookie)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]

    def worker():
        nonlocal errors
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                status = _request(port, path, cookie).status
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return Result(name, len(latencies), concurrency, statistics.median(latencies),
                  latencies[max(0, int(len(latencies) * 0.95) - 1)], len(latencies) / wall, errors)


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
        _request(port, path, cookie)
    script = Path(tempfile.gettempdir()) / "dashboard_load.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
    count, micros, p50, p95, errors = re.search(r"WRK (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", out.stdout).groups()
    return Result(name, int(count), concurrency, float(p50), float(p95), int(count) / (int(micros) / 1e6), int(errors))


def cold(port: int, name: str, path: str, cookie: str, url: str, *, samples: int) -> Result:
    """One request at a time right after a report changed, as after a
    submission or a review: the cached fragments miss and are rebuilt. Waits
    out the fingerprint's few seconds of trust (FINGERPRINT_SECONDS) first."""
    params, db = _server_db(url)
    conn = psycopg2.connect(dbname=db, **params)
    conn.autocommit = True
    latencies, errors = [], 0
    for _ in range(samples):
        with conn.cursor() as cursor:
            cursor.execute("UPDATE reports_report SET updated_at = now() WHERE id = (SELECT max(id) FROM reports_report)")
        time.sleep(FINGERPRINT_WAIT)
        begin = time.perf_counter()
        errors += _request(port, path, cookie).status != 200
        latencies.append((time.perf_counter() - begin) * 1000)
    conn.close()
    latencies.sort()
    return Result(name, samples, 1, statistics.median(latencies), latencies[max(0, int(samples * 0.95) - 1)],
                  1000 / statistics.mean(latencies), errors)


def report_path(url: str) -> str:
    params, db = _server_db(url)
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
    try:
        _request(args.port, "/healthz")
        sys.exit(f"Port {args.port} is already in use: stop that server or pass --port.")
    except OSError:
        pass
    if not (args.reuse and _exists(url)):
        build(url, env, args)
    server = subprocess.Popen(
        [GUNICORN, "cchc_portal.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
         "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                if _request(args.port, "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
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
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            _admin(url, f"DROP DATABASE IF EXISTS {_server_db(url)[1]}")

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
