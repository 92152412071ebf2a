"""Building blocks shared by the HTTP benchmarks (dashboard_load.py, national.py):
the scratch PostgreSQL database, gunicorn on 127.0.0.1, a login through the
form, a small threaded client bounded in requests and in time, and the CPU
time of gunicorn's workers read from /proc.

Only 127.0.0.1 is contacted. Scripts import it as a sibling module
(`sys.path` holds the script's folder when it runs as `python benchmarks/x.py`).
"""

from __future__ import annotations

import http.client
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    requests: int
    concurrency: int
    p50: float
    p95: float
    rate: float
    errors: int
    cpu_ms: float | None = None  # gunicorn workers' CPU per request, when measured


def bench_environment(url: str, *, redis_url: str, workdir: Path, **overrides: str) -> dict:
    """The environment a benchmark runs Django under: production settings on
    the scratch database, files and broker in `workdir`, mail kept in memory;
    the cache on `redis_url`, or in process memory when it is ''."""
    env = os.environ | {
        "DATABASE_URL": url, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "benchmark-only-secret-key",
        "DJANGO_MANIFEST_STATIC": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "CACHE_KEY_PREFIX": "cchc_bench",
        "MEDIA_ROOT": str(workdir / "media"), "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_BROKER_DIR": str(workdir / "broker"),
    } | overrides
    if redis_url:
        env |= {"REDIS_URL": redis_url, "REDIS_CACHE_URL": redis_url}
    else:
        env.pop("REDIS_URL", None)
        env.pop("REDIS_CACHE_URL", None)
    return env


def scratch_database(*, database_url: str | None, tiny: bool, default_url: str, workdir: Path, sizes: dict,
                     environment) -> tuple[str, dict, bool, str]:
    """The database a benchmark measures, and its environment
    (`environment(url)`): `database_url` as it is (migrated), else one built
    here, demo and generate_scale at `sizes`: on SQLite in `workdir` when
    `tiny`, else at `default_url` (refused if it exists). Returns (url, env,
    built here, load average at the start)."""
    built = not database_url
    url = database_url or (f"sqlite:///{workdir / 'tiny.sqlite3'}" if tiny else default_url)
    env = environment(url)
    load_start = load_average()
    print(f"load average at start: {load_start}; database {re.sub(r'//[^@]*@', '//', url)}", flush=True)
    if built and url.startswith("sqlite"):
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        manage(env, "generate_scale", *(f"--{k}={v}" for k, v in sizes.items()))
    elif built:
        if exists(url):
            sys.exit(f"{server_db(url)[1]} exists: drop it, or pass it as --database-url.")
        build(url, env, **sizes)
    else:
        manage(env, "migrate", "--noinput")
    return url, env, built, load_start


def scratch_database_drop(url: str, *, built: bool, keep: bool, workdir: Path) -> None:
    """The database scratch_database built (unless `keep`) and the work folder, gone."""
    if built and not keep and not url.startswith("sqlite"):
        admin(url, f"DROP DATABASE IF EXISTS {server_db(url)[1]}")
    shutil.rmtree(workdir, ignore_errors=True)


def django_setup(env: dict) -> None:
    """Django set up in this process under `env` (for in-process measurements)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile95(values: list[float]) -> float:
    """Nearest rank: of 10 samples the slowest, of 400 the 380th."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def server_db(url: str) -> tuple[dict, str]:
    """psycopg2 connection parameters of the server, and the database name."""
    parts = urllib.parse.urlparse(url)
    params = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres"}
    if parts.password:
        params["password"] = parts.password
    return params, parts.path.lstrip("/")


def admin(url: str, statement: str) -> None:
    """A statement on the server's `postgres` database (CREATE/DROP DATABASE)."""
    params, _ = server_db(url)
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(statement)
    conn.close()


def exists(url: str) -> bool:
    params, name = server_db(url)
    conn = psycopg2.connect(dbname="postgres", **params)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def manage(env: dict, *args: str) -> str:
    started = time.monotonic()
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    print(f"  manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s", flush=True)
    return done.stdout


def build(url: str, env: dict, *, provinces: int, communes: int, departments: int, tasks: int) -> None:
    """A new database with the demo and the generated national dataset, analysed."""
    _, name = server_db(url)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"Database name {name!r}: use lower-case letters, digits and _ only.")
    admin(url, f"CREATE DATABASE {name}")
    print(f"Building {name}:", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    out = manage(env, "generate_scale", f"--provinces={provinces}", f"--communes={communes}",
                 f"--departments={departments}", f"--tasks={tasks}")
    print("  " + out.strip().splitlines()[0])
    params, name = server_db(url)
    conn = psycopg2.connect(dbname=name, **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()


def request(port: int, path: str, cookie: str = "", method: str = "GET", body: str | None = None,
            headers: dict | None = None, timeout: float = 60) -> http.client.HTTPResponse:
    """One request on a new connection; the body is read into `response.body`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Host": "127.0.0.1", **(headers or {})}
    if cookie:
        all_headers["Cookie"] = cookie
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
    finally:
        conn.close()
    return response


def log_in(port: int, username: str, password: str = PASSWORD) -> str:
    """A session cookie for the user, through the login form."""
    page = request(port, "/dang-nhap/")
    csrf = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    response = request(port, "/dang-nhap/", cookie=f"csrftoken={csrf}", method="POST", body=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    cookies = response.getheader("Set-Cookie") or ""
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or not session:
        raise RuntimeError(f"Login of {username} failed ({response.status}).")
    return f"sessionid={session.group(1)}; csrftoken={csrf}"


def load(port: int, name: str, path: str, cookie: str, *, requests: int, concurrency: int, warmup: int,
         time_limit: float = 120, cpu_pids: list[int] | None = None, expect: int = 200) -> Result:
    """`requests` GETs from `concurrency` threads, after `warmup` unmeasured
    ones. Bounded: no request waits more than `time_limit` seconds and no new
    request starts after it; a timeout or a status other than `expect` is an error.
    With `cpu_pids`, the CPU those processes spent during the measured
    requests, per request."""
    deadline = time.monotonic() + time_limit
    for _ in range(warmup):
        if time.monotonic() > deadline:
            break
        try:
            request(port, path, cookie, timeout=time_limit)
        except OSError:
            pass
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + time_limit

    def worker():
        nonlocal errors
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                status = request(port, path, cookie, timeout=max(1.0, deadline - time.monotonic())).status
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += status != expect

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    cpu_before = cpu_ticks(cpu_pids) if cpu_pids else 0
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=time_limit + 5)
    wall = time.perf_counter() - started
    cpu_ms = None
    if cpu_pids and latencies:
        cpu_ms = (cpu_ticks(cpu_pids) - cpu_before) * 1000 / CLOCK_TICKS / len(latencies)
    if not latencies:
        return Result(name, 0, concurrency, float("nan"), float("nan"), 0.0, errors or 1, cpu_ms)
    return Result(name, len(latencies), concurrency, statistics.median(latencies), percentile95(latencies),
                  len(latencies) / wall, errors, cpu_ms)


def cold(port: int, name: str, path: str, cookie: str, url: str, *, samples: int) -> Result:
    """One request at a time right after a report changed, as after a
    submission or a review: the cached fragments miss and are rebuilt. Waits
    out the fingerprint's few seconds of trust (FINGERPRINT_SECONDS) first.
    The change is an UPDATE of updated_at in SQL (what the fingerprint reads)."""
    params, db = server_db(url)
    conn = psycopg2.connect(dbname=db, **params)
    conn.autocommit = True
    latencies, errors = [], 0
    for _ in range(samples):
        with conn.cursor() as cursor:
            cursor.execute("UPDATE reports_report SET updated_at = now() WHERE id = (SELECT max(id) FROM reports_report)")
        time.sleep(FINGERPRINT_WAIT)
        begin = time.perf_counter()
        errors += request(port, path, cookie).status != 200
        latencies.append((time.perf_counter() - begin) * 1000)
    conn.close()
    return Result(name, samples, 1, statistics.median(latencies), percentile95(latencies),
                  1000 / statistics.mean(latencies), errors)


def cpu_ticks(pids: list[int]) -> int:
    """utime + stime of the processes, in clock ticks (/proc/<pid>/stat);
    a process gone counts 0."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return total


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers under its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Gunicorn:
    """gunicorn serving the portal on 127.0.0.1:`port` with `workers` sync
    workers; with `config`, deploy/gunicorn.conf.py (the production timeout),
    never recycling a worker (max_requests 0) so the workers' CPU can be read."""

    def __init__(self, env: dict, *, port: int, workers: int, config: bool = False, log: Path | None = None):
        self.port, self.workers = port, workers
        command = [GUNICORN, "cchc_portal.wsgi"]
        if config:
            env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
                         "GUNICORN_MAX_REQUESTS": "0", "GUNICORN_ACCESS_LOG": "/dev/null"}
            command += ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        else:
            command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--worker-class", "sync"]
        command += ["--log-level", "warning"]
        try:
            request(port, "/healthz", timeout=2)
            raise SystemExit(f"Port {port} is already in use: stop that server or pass --port.")
        except OSError:
            pass
        output = open(log, "ab") if log else None  # open as long as the server runs
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=output,
                                        stderr=output)
        for _ in range(150):
            try:
                if request(port, "/healthz", timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not answer /healthz within 30 s")
        for _ in range(50):  # workers boot one after another
            if len(self.worker_pids()) >= workers:
                break
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
