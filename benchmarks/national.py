"""Every measure of issue 17, side by side in one run, on PostgreSQL with the national dataset.

    .venv/bin/python benchmarks/national.py --database-url postgres://postgres@127.0.0.1:5432/cchc_x_nat
    .venv/bin/python benchmarks/national.py --runs 3 --json var/national.json   # medians and spread
    .venv/bin/python benchmarks/national.py --smoke                             # a tiny run, a few requests per row

Without --database-url it builds cchc_bench_national (demo + generate_scale, 34
provinces; dropped at the end unless --keep); with it, it migrates that
database and uses it. It WRITES to the database (a copy is what it is for:
`CREATE DATABASE x TEMPLATE cchc_national`): reviewers bench-r1, bench-r4 and
bench-r34 at 1, 4 and 34 province roots, a few submitted reports accepted (the
"changes"), the render benchmark's generated plan, and, for the summary rows
only, a national root SCALE-QG above the generated provinces with its reviewer
bench-qg (undone afterwards). The sweep's notices are deleted after each run.

It starts gunicorn (deploy/gunicorn.conf.py, --workers sync workers, no worker
recycling) and a Celery worker on 127.0.0.1, Redis database 10 (--redis-url)
for the cache and the broker, and prints one table with the goals of issue 17:

- minimal view (/healthz) and an empty signed-in page: req/s, p50/p95 (every
  row with a share-of-the-minimal-view goal measures /healthz again just before);
  the empty page is the 404 page of a signed-in user (the base layout and no
  content: no page renders only the layout), --empty-path to change it;
- dashboard national (scale-national) and province (scale-province), warm,
  and right after a change (a report accepted through reports.services, one
  request at a time after the fingerprint's 2 s), with the misses per change:
  counted from an X-Cache / X-Dashboard-Cache response header if the app sends
  one, otherwise guessed from latency (a request slower than 3x the warm p50
  after the change, among 2 x workers concurrent ones);
- plan list /plans/ for reviewers of 1, 4 and 34 provinces: req/s, p50/p95 and
  the gunicorn workers' CPU per request (/proc/<pid>/stat before and after);
- the whole daily reminder sweep: `benchmarks/reminders.py --database-url URL
  --json` if it offers those options (its JSON: seconds, statements,
  broker_messages), else `manage.py send_reminders` in a subprocess counting
  statements (connection.execute_wrapper) and messages published
  (before_task_publish) on a queue no worker reads;
- the generated 16-page plan of benchmarks/render_documents.py: a fresh PDF
  render, LibreOffice's DOCX -> PDF (n/a when not installed), and the draft's
  PDF download right after a save (plans.services.plan_update, then --settle s);
- the period summary of the national root: the page and its XLSX/DOCX/PDF; an
  answer that is a job (202, a redirect or an HTML page instead of the file)
  is polled until the file comes, within the row's time limit.

Every request and subprocess is bounded (--row-timeout, --export-timeout); a
row that fails prints its error and the run goes on. Load average at the start
and the end. Not part of `make test` (cchc_portal/tests/test_benchmark_harness.py
only checks that it imports and parses its options).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402 (the sibling module, found through the line above)
    FINGERPRINT_WAIT,
    PASSWORD,
    PYTHON,
    ROOT,
    Gunicorn,
    bench_environment,
    django_setup,
    load,
    load_average,
    log_in,
    percentile95,
    request,
    scratch_database,
    scratch_database_drop,
)

HERE = Path(__file__).resolve().parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_bench_national"
QUEUE = "cchc_bench"
SWEEP_QUEUE = "cchc_bench_sweep"  # no worker reads it: the sweep's messages are counted, then dropped
NATIONAL_ROOT = "SCALE-QG"
# The empty signed-in page: an unknown address for a signed-in user answers the
# 404 page, the base layout and nothing else (no page renders only the layout).
EMPTY_PAGE = "/khong-co-trang-nay/"
FILE_TYPES = ("application/pdf", "application/vnd.openxmlformats", "application/octet-stream")


@dataclass
class Row:
    """One line of the table: its figures, the goal and whether it was met
    (None: no goal on this row, or not measurable)."""

    name: str
    figures: dict[str, float | None] = field(default_factory=dict)
    text: str = ""  # the figures as printed
    goal: str = ""
    ok: bool | None = None
    error: str = ""


# --------------------------------------------------------------------------- setup


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="use (and migrate) this database, a clone of cchc_national, "
                                               f"instead of building {DEFAULT_DB.rsplit('/', 1)[1]}")
    parser.add_argument("--keep", action="store_true", help="keep the database built without --database-url")
    parser.add_argument("--runs", type=int, default=1, help="repeat everything; print medians and spread")
    parser.add_argument("--json", metavar="PATH", help="write every run's figures and the medians there")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny: 1 province built on SQLite if no --database-url, a few requests per row")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10",
                        help="cache and broker (one database; keys under the prefix cchc_bench); '' for none")
    parser.add_argument("--port", type=int, default=8798)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300, help="measured requests per fast row")
    parser.add_argument("--slow-requests", type=int, default=60, help="measured requests per plan-list row")
    parser.add_argument("--samples", type=int, default=10, help="changes per after-a-change row")
    parser.add_argument("--pdf-runs", type=int, default=3, help="renders per PDF row")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between a save and the PDF download")
    parser.add_argument("--row-timeout", type=float, default=90, help="seconds a load row may take")
    parser.add_argument("--export-timeout", type=float, default=150,
                        help="seconds the summary page or one export may take (polling included)")
    parser.add_argument("--empty-path", default=EMPTY_PAGE,
                        help="the 'empty signed-in page'")
    parser.add_argument("--skip", default="", help="comma-separated row groups to leave out: "
                                                   "pages,dashboard,lists,sweep,pdf,summary")
    parser.add_argument("--sweep-runner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pdf-runner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests, args.slow_requests, args.samples, args.pdf_runs = 10, 5, 2, 1
        args.concurrency, args.workers, args.row_timeout = 2, 2, 30
    return args


def environment(url: str, args, workdir: Path) -> dict:
    return bench_environment(url, redis_url=args.redis_url, workdir=workdir, CELERY_QUEUE=QUEUE)


def bench_users() -> dict[int, str]:
    """Reviewers of the first 1, 4 and 34 generated provinces (at the roots
    themselves: review_root_id keeps them), created once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.models import Agency, Membership

    roots = list(Agency.objects.filter(code__regex=r"^SCALE-P[0-9]+$").order_by("code"))
    hashed = make_password(PASSWORD)
    users = {}
    for count in (1, 4, 34):
        user, _ = get_user_model().objects.get_or_create(
            username=f"bench-r{count}", defaults={"first_name": f"Đo hiệu năng ({count} tỉnh)", "password": hashed})
        Membership.objects.bulk_create([Membership(user=user, agency=a, role=Membership.Role.REVIEWER)
                                        for a in roots[:count]], ignore_conflicts=True)
        users[count] = user.username
    return users


def bench_users_active(active: bool) -> None:
    """The benchmark's own reviewers off during the sweep, which would tell
    them about every late report under them (not in the issue's figures)."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="bench-").update(is_active=active)


@contextlib.contextmanager
def national_root():
    """SCALE-QG above the generated provinces, reviewed by bench-qg, for the
    summary rows only: every other row sees the tree as generated."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.models import Agency, Membership

    root, _ = Agency.objects.get_or_create(code=NATIONAL_ROOT, defaults={
        "name": "Bộ Nội vụ (dữ liệu đo hiệu năng)", "short_name": "Bộ Nội vụ", "kind": Agency.Kind.MINISTRY,
        "abbreviation": "BNV"})
    provinces = list(Agency.objects.filter(code__regex=r"^SCALE-P[0-9]+$", parent=None))
    for province in provinces:
        province.parent = root
        province.save(update_fields=["parent"])
    user, _ = get_user_model().objects.get_or_create(
        username="bench-qg", defaults={"first_name": "Đo hiệu năng (toàn quốc)", "password": make_password(PASSWORD)})
    user.is_active = True
    user.save(update_fields=["is_active"])
    Membership.objects.get_or_create(user=user, agency=root, role=Membership.Role.REVIEWER)
    try:
        yield root, user.username
    finally:
        Membership.objects.filter(user=user).delete()
        for province in provinces:
            province.parent = None
            province.save(update_fields=["parent"])


# --------------------------------------------------------------------------- rows


def fmt_load(result, ceiling: float | None = None) -> tuple[dict, str]:
    figures = {"req_s": result.rate, "p50_ms": result.p50, "p95_ms": result.p95, "errors": result.errors,
               "requests": result.requests}
    text = f"{result.rate:6.1f} req/s  p50 {result.p50:6.1f}  p95 {result.p95:6.1f} ms"
    if ceiling:
        figures["pct_min"] = 100 * result.rate / ceiling
        text += f"  = {figures['pct_min']:.0f}% of min's {ceiling:.0f}"
    if result.cpu_ms is not None:
        figures["cpu_ms"] = result.cpu_ms
        text += f"  CPU {result.cpu_ms:5.1f} ms/req"
    if result.errors:
        text += f"  {result.errors} err/{result.requests}"
    return figures, text


def load_row(name, port, path, cookie, args, *, warmup, slow=False, share=None, cpu_pids=None, expect=200) -> Row:
    """A load row; with `share`, the minimal view is measured again just
    before it (the machine is shared: its ceiling moves) and the row must
    reach that share of its requests/s."""
    ceiling = None
    if share is not None:
        ceiling = load(port, "minimal view", "/healthz", "", requests=args.requests, concurrency=args.concurrency,
                       warmup=args.workers, time_limit=args.row_timeout).rate or None
    result = load(port, name, path, cookie, requests=args.slow_requests if slow else args.requests,
                  concurrency=args.concurrency, warmup=warmup, time_limit=args.row_timeout, cpu_pids=cpu_pids,
                  expect=expect)
    figures, text = fmt_load(result, ceiling)
    row = Row(name, figures, text)
    if share is not None and ceiling:
        figures["min_req_s"] = ceiling
        row.goal, row.ok = f">= {share:.0%} of min req/s", result.rate >= share * ceiling and not result.errors
    if not result.requests:
        row.error = "no request answered in time"
    return row


def change_report() -> None:
    """A change as the application makes it: a submitted report of the first
    province accepted by its reviewer (reports.services: events, notices,
    whatever invalidation the dashboard hooks there)."""
    from django.contrib.auth import get_user_model

    from reports.models import Report
    from reports.services import report_accept

    report = (Report.objects.filter(status=Report.Status.SUBMITTED, agency__code__startswith="SCALE-P01-")
              .order_by("pk").first())
    if report is None:
        report = Report.objects.filter(status=Report.Status.SUBMITTED).order_by("pk").first()
    if report is None:
        raise RuntimeError("no submitted report left to accept")
    report_accept(report=report, user=get_user_model().objects.get(username="scale-province"),
                  comment="Đo hiệu năng")


def cache_header(response) -> str | None:
    for name in ("X-Cache", "X-Dashboard-Cache"):
        value = response.getheader(name)
        if value:
            return value.lower()
    return None


def after_change_row(name, port, cookie, args, *, warm_p50: float | None, goal: bool) -> Row:
    """After each change: one request (its latency is the sample), then as
    many at once as there are workers, to find the workers that miss too.
    Samples stop after 2 x --row-timeout."""
    latencies, misses, errors, by_header = [], [], 0, False
    deadline = time.monotonic() + 2 * args.row_timeout
    for _ in range(args.samples):
        if time.monotonic() > deadline:
            break
        change_report()
        time.sleep(FINGERPRINT_WAIT)
        begin = time.perf_counter()
        first = request(port, "/dashboard/", cookie, timeout=args.row_timeout)
        latencies.append((time.perf_counter() - begin) * 1000)
        errors += first.status != 200
        answers: list[tuple[float, str | None]] = []
        lock = threading.Lock()

        def one(answers=answers, lock=lock):
            t0 = time.perf_counter()
            try:
                response = request(port, "/dashboard/", cookie, timeout=args.row_timeout)
                header = cache_header(response)
            except OSError:
                header = None
            with lock:
                answers.append(((time.perf_counter() - t0) * 1000, header))

        threads = [threading.Thread(target=one, daemon=True) for _ in range(args.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.row_timeout)
        first_header = cache_header(first)
        if first_header is not None:
            by_header = True
            misses.append(("miss" in first_header) + sum("miss" in (h or "") for _, h in answers))
        elif warm_p50:
            # No header: a request is taken for a miss when it is slower than
            # 3x the warm median, or than half the first request if that one missed.
            slow = 3 * warm_p50
            if latencies[-1] > slow:
                slow = max(slow, latencies[-1] / 2)
            misses.append((latencies[-1] > 3 * warm_p50) + sum(ms > slow for ms, _ in answers))
    p50, p95 = statistics.median(latencies), percentile95(latencies)
    figures = {"p95_ms": p95, "p50_ms": p50, "errors": errors, "samples": len(latencies)}
    text = f"1 at a time, n={len(latencies)}: p50 {p50:6.1f}  p95 {p95:6.1f} ms"
    if misses:
        figures["misses_per_change"] = statistics.median(misses)
        text += f"; misses/change {statistics.median(misses):.0f} (max {max(misses)}, " \
                f"{'header' if by_header else 'guessed by latency'})"
    row = Row(name, figures, text)
    if goal:
        row.goal = "p95 < 150 ms, 1 miss per change"
        row.ok = p95 < 150 and not errors and (not misses or max(misses) <= 1)
    return row


def plan_list_rows(port, args, users: dict[int, str], server: Gunicorn) -> list[Row]:
    rows = []
    pids = server.worker_pids()
    for count, username in users.items():
        cookie = log_in(port, username)
        rows.append(load_row(f"plan list, reviewer of {count} province(s)", port, "/plans/", cookie, args,
                             warmup=args.workers, slow=True, cpu_pids=pids))
    first, last = rows[0].figures.get("cpu_ms"), rows[-1].figures.get("cpu_ms")
    if first and last:
        growth = 100 * (last / first - 1)
        rows[-1].figures["cpu_growth_pct"] = growth
        rows[-1].text += f"  ({growth:+.0f}% vs 1)"
        rows[-1].goal, rows[-1].ok = "CPU/req 1 -> 34 grows < 20%", growth < 20
    return rows


def reminders_interface() -> str | None:
    """How benchmarks/reminders.py takes --database-url and --json (the
    stable interface): "flag" (JSON on stdout), "path" (--json PATH), or None."""
    try:
        out = subprocess.run([PYTHON, str(HERE / "reminders.py"), "--help"], capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    if "--database-url" not in out or "--json" not in out:
        return None
    return "path" if re.search(r"--json[ =][A-Z_]+", out) else "flag"


def last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    start = text.find("{")
    if start >= 0:
        return json.loads(text[start:])
    raise ValueError("no JSON in the output")


def pick(data: dict, *names):
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return None


def sweep_row(url: str, env: dict, args) -> Row:
    from reports.models import Notice, Notification, SweepRun

    before = {model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
              for model in (Notification, Notice, SweepRun)}
    def reset():  # the next sweep finds the same notices due
        for model, pk in before.items():
            model.objects.filter(pk__gt=pk).delete()

    bench_users_active(False)
    try:
        data, how = None, ""
        interface = reminders_interface()
        if interface:
            how = "benchmarks/reminders.py --json"
            out_file = Path(tempfile.mkdtemp(prefix="cchc-bench-sweep-")) / "reminders.json"
            command = [PYTHON, str(HERE / "reminders.py"), "--database-url", url, "--json"]
            done = subprocess.run(command + ([str(out_file)] if interface == "path" else []), cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=900)
            try:
                data = json.loads(out_file.read_text()) if interface == "path" else last_json(done.stdout)
                for nested in ("first", "sweep", "medians"):  # the first sweep of the day, if grouped
                    if isinstance(data.get(nested), dict):
                        data = data[nested]
                        break
                if pick(data, "seconds", "sweep_seconds", "whole_sweep_seconds") is None:
                    raise ValueError(f"no seconds in {sorted(data)}")
            except (OSError, ValueError) as exc:
                how = f"reminders.py unreadable ({str(exc)[:40]}), so send_reminders in-process"
                data = None
                reset()
            shutil.rmtree(out_file.parent, ignore_errors=True)
        if data is None:
            how = how or "manage.py send_reminders, in-process counts"
            done = subprocess.run([PYTHON, str(Path(__file__).resolve()), "--sweep-runner"], cwd=ROOT,
                                  env=env | {"CELERY_QUEUE": SWEEP_QUEUE}, capture_output=True, text=True, timeout=900)
            if done.returncode:
                raise RuntimeError(f"sweep runner failed: {done.stderr.strip().splitlines()[-1:]}")
            data = last_json(done.stdout)
    finally:
        bench_users_active(True)
        reset()
    seconds = pick(data, "seconds", "sweep_seconds", "whole_sweep_seconds")
    statements = pick(data, "statements", "sweep_statements", "queries")
    messages = pick(data, "broker_messages", "messages")
    figures = {"seconds": seconds, "statements": statements, "broker_messages": messages,
               "notices": pick(data, "notices", "created")}
    text = (f"{seconds:6.2f} s  {statements} statements  {messages} broker messages  "
            f"{figures['notices']} notices  [{how}]")
    ok = None
    if None not in (seconds, statements, messages):
        ok = seconds < 5 and statements < 100 and messages < 50
    return Row("whole daily reminder sweep", figures, text, "< 5 s, < 100 statements, < 50 messages", ok)


def sweep_runner() -> None:
    """In the subprocess: the whole sweep as the daily job runs it, timed,
    its statements and broker messages counted; JSON on stdout."""
    django_setup({})
    from celery.signals import before_task_publish
    from django.core.management import call_command
    from django.db import connection

    from reports.models import Notice

    statements, messages = [0], [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    def published(**kwargs):
        messages[0] += 1

    before_task_publish.connect(published, weak=False)
    notices = Notice.objects.count()
    connection.ensure_connection()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        call_command("send_reminders", stdout=io.StringIO())
        seconds = time.perf_counter() - started
    created = Notice.objects.count() - notices
    queued = None
    if os.environ.get("REDIS_URL"):  # drop what no worker will read
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        keys = list(client.scan_iter(f"{SWEEP_QUEUE}*"))
        queued = sum(client.llen(k) for k in keys if client.type(k) == b"list")
        if keys:
            client.delete(*keys)
    print(json.dumps({"seconds": seconds, "statements": statements[0], "broker_messages": messages[0],
                      "notices": created, "queued": queued}))


def pdf_runner(runs: int, settle: float) -> None:
    """In the subprocess: render_documents.py's generated plan (made once in
    this database), a fresh PDF render, LibreOffice on its DOCX, and the
    draft's download right after a save; JSON on stdout."""
    django_setup({})
    import render_documents
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from plans.documents.docx import plan_docx_render
    from plans.documents.pdf import plan_pdf_render
    from plans.selectors import plan_with_contents
    from plans.services.drafting import plan_update

    generated = render_documents.generated_plan()
    plan = plan_with_contents().get(pk=generated.pk)
    plan_pdf_render(plan=plan)  # the first render of a process loads fonts and parses the CSS
    times, pdf = render_documents.timed(lambda: plan_pdf_render(plan=plan_with_contents().get(pk=generated.pk)), runs)
    out: dict = {"pdf_s": statistics.median(times), "pdf_max_s": max(times), "pages": render_documents.pdf_pages(pdf),
                 "plan": generated.pk}
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-lo-"))
    try:
        docx = plan_docx_render(plan=plan)
        if shutil.which("soffice"):
            render_documents.soffice_convert(docx, workdir, 1)  # the first start makes the profile
            lo_times, _ = render_documents.soffice_convert(docx, workdir, max(1, min(runs, 3)))
            out["libreoffice_s"] = statistics.median(lo_times)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("plans:pdf", args=[generated.pk])
    downloads = []
    for _ in range(max(runs, 3)):
        plan = plan_with_contents().get(pk=generated.pk)
        basis = [{"id": r.pk, "verb": r.verb, "text": r.text} for r in plan.basis_references.all()]
        plan_update(plan=plan, lock_version=plan.lock_version, fields={"title": plan.title}, basis=basis)
        time.sleep(settle)
        started = time.perf_counter()
        response = client.get(url)
        downloads.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"download answered {response.status_code}")
    out["after_save_s"] = statistics.median(downloads)
    print(json.dumps(out))


def pdf_rows(env: dict, args) -> list[Row]:
    done = subprocess.run([PYTHON, str(Path(__file__).resolve()), "--pdf-runner", "--pdf-runs", str(args.pdf_runs),
                           "--settle", str(args.settle)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    if done.returncode:
        raise RuntimeError(f"PDF runner failed: {done.stderr.strip().splitlines()[-1:]}")
    data = last_json(done.stdout)
    fresh = Row(f"plan PDF, fresh render ({data['pages']} pages)", {"seconds": data["pdf_s"], "pages": data["pages"]},
                f"{data['pdf_s']:6.3f} s (max {data['pdf_max_s']:.3f})", "<= 0.5x LibreOffice")
    lo = data.get("libreoffice_s")
    if lo:
        ratio = data["pdf_s"] / lo
        fresh.figures["x_libreoffice"] = ratio
        fresh.text += f"  = {ratio:.2f}x LibreOffice"
        fresh.ok = ratio <= 0.5
        office = Row("LibreOffice cold DOCX -> PDF", {"seconds": lo}, f"{lo:6.3f} s")
    else:
        office = Row("LibreOffice cold DOCX -> PDF", {"seconds": None}, "n/a (not installed)")
    saved = Row("draft PDF download after a save", {"ms": data["after_save_s"] * 1000},
                f"{data['after_save_s'] * 1000:7.1f} ms (save, {args.settle:.0f} s, download)", "< 50 ms",
                data["after_save_s"] < 0.05)
    return [fresh, office, saved]


def fetch_file(port: int, path: str, cookie: str, limit: float) -> tuple[float, float, int, int, bool]:
    """GET `path` until a file (or an error) comes: seconds to the first
    answer, seconds to the file, status, bytes, whether it was a job. A
    large summary's download sends the user back to the summary page, whose
    form asks the worker (POST .../build/<format>): then that job is
    followed through its status until its file can be downloaded."""
    started = time.perf_counter()
    deadline = time.monotonic() + limit
    response = request(port, path, cookie, timeout=limit)
    first = time.perf_counter() - started
    kind = response.getheader("Content-Type") or ""
    if response.status == 200 and (kind.startswith(FILE_TYPES) or "spreadsheet" in kind):
        return first, first, response.status, len(response.body), False
    if response.status not in (301, 302, 303):
        return first, first, response.status, len(response.body), False
    # The summary page: its build form, with the CSRF token of the page.
    split = urllib.parse.urlsplit(path)
    page = request(port, urllib.parse.urlsplit(response.getheader("Location")).path + "?" + split.query, cookie,
                   timeout=limit)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if not token:
        raise RuntimeError("the summary page offers no build form")
    base, file_format = split.path.rsplit("/", 1)
    build = f"{base}/build/{file_format}?{split.query}"
    asked = time.perf_counter()
    answer = request(port, build, cookie, method="POST",
                     body=urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode()}),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Referer": f"http://127.0.0.1:{port}{build}"}, timeout=limit)
    first = time.perf_counter() - asked
    job_page = urllib.parse.urlsplit(answer.getheader("Location") or "").path
    if answer.status != 302 or "/jobs/" not in job_page:
        return first, time.perf_counter() - started, answer.status, len(answer.body), True
    while time.monotonic() < deadline:
        status = json.loads(request(port, job_page + "status", cookie, timeout=10).body)
        if status["download"]:
            got = request(port, status["download"], cookie, timeout=limit)
            return first, time.perf_counter() - asked, got.status, len(got.body), True
        if status["status"] == "failed":
            return first, time.perf_counter() - asked, 500, 0, True
        time.sleep(0.5)
    raise TimeoutError(f"no file after {limit:.0f} s (job {job_page})")


def summary_rows(port: int, args) -> list[Row]:
    from reports.models import Report
    from schedule.models import ReportingPeriod

    period = (ReportingPeriod.objects.filter(due__lt=dt.date.today(), pk__in=Report.objects.values("period_id"))
              .order_by("-due").first())
    if period is None:
        raise RuntimeError("no closed reporting period with reports")
    rows = []
    with national_root() as (root, username):
        cookie = log_in(port, username)
        base = f"/reports/summary/{period.pk}/"
        query = f"?agency={root.pk}"
        for label, path, goal in (
            ("page", base + query, "< 1 s"),
            ("XLSX", base + "xlsx" + query, ""),
            ("DOCX", base + "docx" + query, "in the worker, with progress"),
            ("PDF", base + "pdf" + query, "in the worker, with progress"),
        ):
            name = f"national summary {label} ({period.label})"
            asked = time.perf_counter()
            try:
                if label == "page":  # HTML is the answer here, not a job's progress
                    started = time.perf_counter()
                    page = request(port, path, cookie, timeout=args.export_timeout)
                    first = total = time.perf_counter() - started
                    status, size, job = page.status, len(page.body), False
                else:
                    first, total, status, size, job = fetch_file(port, path, cookie, args.export_timeout)
            except (OSError, TimeoutError) as exc:
                elapsed = time.perf_counter() - asked
                error = f"no answer within {args.export_timeout:.0f} s" if "timed out" in str(exc) else \
                    f"{str(exc)[:50]} after {elapsed:.0f} s"
                if 115 < elapsed < args.export_timeout:  # deploy/gunicorn.conf.py's timeout is 120 s
                    error += " (gunicorn's worker timeout)"
                rows.append(Row(name, {"seconds": None}, "", goal, False if goal else None, error[:110]))
                continue
            figures = {"seconds": total, "first_answer_s": first, "status": status, "bytes": size, "job": job}
            text = f"{total:7.2f} s  HTTP {status}  {size / 1e6:6.2f} MB"
            if job:
                text += f"  (job: answered in {first:.2f} s)"
            if status >= 500 and total > 115:  # deploy/gunicorn.conf.py's timeout is 120 s
                text += "  (gunicorn's worker timeout)"
            row = Row(name, figures, text, goal)
            if label == "page":
                row.ok = status == 200 and total < 1
            elif goal:
                row.ok = job and status == 200 and first < 1
            rows.append(row)
    return rows


# --------------------------------------------------------------------------- one run


def one_run(url: str, env: dict, args, server: Gunicorn, users: dict[int, str]) -> list[Row]:
    port, skip = args.port, set(filter(None, args.skip.split(",")))
    rows: list[Row] = []

    def attempt(name: str, make):
        started = time.monotonic()
        try:
            made = make()
            rows.extend(made if isinstance(made, list) else [made])
        except Exception as exc:  # a failing row is printed, the run goes on
            rows.append(Row(name, error=f"{type(exc).__name__}: {exc}"[:120]))
        print(f"  {name}: {time.monotonic() - started:.0f} s", flush=True)

    warm = 3 * args.workers
    rows.append(load_row("minimal view /healthz", port, "/healthz", "", args, warmup=warm))
    national = province = None
    if "pages" not in skip:
        attempt("empty signed-in page", lambda: load_row(
            f"empty signed-in page {args.empty_path}", port, args.empty_path, log_in(port, "scale-province"), args,
            warmup=warm, share=0.5, expect=404 if args.empty_path == EMPTY_PAGE else 200))
    if "dashboard" not in skip:
        national, province = log_in(port, "scale-national"), log_in(port, "scale-province")
        attempt("dashboard national, warm", lambda: load_row(
            "dashboard national, warm", port, "/dashboard/", national, args, warmup=warm, share=0.4))
        attempt("dashboard province, warm", lambda: load_row(
            "dashboard province, warm", port, "/dashboard/", province, args, warmup=warm, share=0.4))
        warm_p50 = {r.name: r.figures.get("p50_ms") for r in rows}
        attempt("dashboard national, after a change", lambda: after_change_row(
            "dashboard national, after a change", port, national, args,
            warm_p50=warm_p50.get("dashboard national, warm"), goal=True))
        attempt("dashboard province, after a change", lambda: after_change_row(
            "dashboard province, after a change", port, province, args,
            warm_p50=warm_p50.get("dashboard province, warm"), goal=False))
    if "lists" not in skip:
        attempt("plan lists", lambda: plan_list_rows(port, args, users, server))
    if "sweep" not in skip:
        attempt("reminder sweep", lambda: sweep_row(url, env, args))
    if "pdf" not in skip:
        attempt("plan PDF", lambda: pdf_rows(env, args))
    if "summary" not in skip:
        attempt("national summary", lambda: summary_rows(port, args))
    return rows


# --------------------------------------------------------------------------- the table


def combine(runs: list[list[Row]]) -> list[Row]:
    """Per row, the median of every figure over the runs, the spread (min-max)
    of its first figure, and pass when most runs passed."""
    if len(runs) == 1:
        return runs[0]
    combined = []
    for rows in zip(*runs, strict=False):
        first = rows[0]
        figures: dict[str, float | None] = {}
        for key in first.figures:
            values = [r.figures.get(key) for r in rows if isinstance(r.figures.get(key), int | float)]
            figures[key] = statistics.median(values) if values else None
        main = next(iter(first.figures), None)
        values = [r.figures[main] for r in rows if main and isinstance(r.figures.get(main), int | float)]
        spread = f"  [{main} {min(values):.4g}-{max(values):.4g} over {len(values)} runs]" if values else ""
        oks = [r.ok for r in rows if r.ok is not None]
        text = median_text(figures) or first.text
        combined.append(Row(first.name, figures, text + spread, first.goal,
                            None if not oks else sum(oks) > len(oks) / 2,
                            "; ".join(sorted({r.error for r in rows if r.error}))))
    return combined


def median_text(figures: dict) -> str:
    """The medians of a row's figures, named."""
    parts = []
    for key, value in figures.items():
        if isinstance(value, float):
            parts.append(f"{key} {value:.4g}")
        elif value is not None:
            parts.append(f"{key} {value}")
    return "medians: " + ", ".join(parts) if parts else ""


def table(rows: list[Row]) -> str:
    """Measure | figures | goal | pass/FAIL/—/ERROR, columns as wide as their longest cell."""
    cells = [("measure", "figures", "goal", "result")]
    for row in rows:
        verdict = "ERROR" if row.error and not row.text else ("—" if row.ok is None else ("pass" if row.ok else "FAIL"))
        text = row.text.strip()
        if row.error:
            text = (text + "  " if text else "") + f"error: {row.error}"
        cells.append((row.name, text, row.goal, verdict))
    widths = [max(len(cell[i]) for cell in cells) for i in range(3)]
    return "\n".join(f"{a:{widths[0]}}  {b:{widths[1]}}  {c:{widths[2]}}  {d}" for a, b, c, d in cells)


# --------------------------------------------------------------------------- main


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.sweep_runner:
        return sweep_runner()
    if args.pdf_runner:
        return pdf_runner(args.pdf_runs, args.settle)
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-national-"))
    url, env, built, load_start = scratch_database(
        database_url=args.database_url, tiny=args.smoke, default_url=DEFAULT_DB, workdir=workdir,
        sizes=({"provinces": 1, "communes": 4, "departments": 2, "tasks": 2} if args.smoke else
               {"provinces": 34, "communes": 3321, "departments": 25, "tasks": 20}),
        environment=lambda url: environment(url, args, workdir))
    django_setup(env)
    users = bench_users()
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", QUEUE, "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server_log = Path(tempfile.gettempdir()) / f"cchc-bench-gunicorn-{os.getpid()}.log"
    server = Gunicorn(env, port=args.port, workers=args.workers, config=True, log=server_log)
    runs: list[list[Row]] = []
    try:
        for number in range(args.runs):
            print(f"run {number + 1}/{args.runs} (load average {load_average()}):", flush=True)
            runs.append(one_run(url, env, args, server, users))
    finally:
        server.stop()
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        from django.db import connections

        connections.close_all()
        scratch_database_drop(url, built=built, keep=args.keep, workdir=workdir)
    load_end = load_average()
    rows = combine(runs)
    print(f"\n{args.runs} run(s){', medians' if args.runs > 1 else ''}; gunicorn {args.workers} sync workers, "
          f"client: Python threads, {args.concurrency} concurrent; {os.cpu_count()} CPUs shared by client, "
          f"server, worker and PostgreSQL; load average {load_start} at start, {load_end} at end")
    print(table(rows))
    if server_log.stat().st_size:
        print(f"gunicorn's messages (worker timeouts, tracebacks): {server_log}")
    else:
        server_log.unlink()
    if args.json:
        Path(args.json).write_text(json.dumps({
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": re.sub(r"//[^@]*@", "//", url),
            "load_average": {"start": load_start, "end": load_end}, "workers": args.workers,
            "runs": [[asdict(r) for r in run] for run in runs], "medians": [asdict(r) for r in rows],
        }, ensure_ascii=False, indent=1))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
