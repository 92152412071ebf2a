"""The interop features of issue 15 on the national dataset: the REST API, the public register and its open data, and digital signatures.

    .venv/bin/python benchmarks/interop.py                       # builds cchc_bi_interop, drops it at the end
    .venv/bin/python benchmarks/interop.py --database-url postgres://postgres@127.0.0.1:5432/cchc_x --runs 3
    .venv/bin/python benchmarks/interop.py --quick               # tiny dataset on SQLite, 1 request per row

Without --database-url it builds a PostgreSQL database (demo + generate_scale
34 provinces, 3321 communes, 25 departments, 20 tasks: ~4,200 agencies, ~84,000
tasks, ~16,800 reports; dropped at the end unless --keep); with it, it migrates
that database and uses it. It WRITES: two API tokens (a reviewer at the first
generated province, a head at one of its communes, revoked afterwards), the
narrative of one draft report (PATCH under If-Match) and
benchmarks/render_documents.py's generated 16-page plan, issued (for the
signature rows).

Everything runs in this process with Django's test Client (no server, no
network): each row is --repeat requests, the first one counting its SQL
statements (CaptureQueriesContext) and not timed, the others timed; the row's
figure is their median. With --runs N everything is repeated and the table
gives the medians of the runs and the spread (min-max) of the first figure.

- API (/api/v1/, Bearer tokens from accounts.api_tokens.api_token_issue):
  reports list (50 and 500 a page) as the province reviewer and as the
  commune head, a report's detail, a PATCH of its narrative with If-Match,
  plans (500 a page), a plan's detail (one with 20 tasks, or the nearest), tasks
  (500 a page), the period summary of the province, and a full sync: every
  page of tasks and of reports the reviewer sees (seconds, pages, rows).
- Public register (anonymous): /cong-khai/, a search without diacritics, a
  plan page; the open-data files nhiem-vu.csv, nhiem-vu.json and ke-hoach.csv
  for the whole country, read as a stream: seconds, bytes, rows, and the peak
  of Python allocations while streaming (tracemalloc, a separate pass: it
  slows the code it watches) and the growth of the process's max RSS.
- Signatures: the issued 16-page plan's PDF signed with a test CA
  (nd30.tests.ca.build_ca, nd30.signing.pdf_sign) and verified (pdf_verify):
  ms, and the signed PDF's size against the unsigned one.

Load average at the start and the end (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import bench_environment, django_setup, load_average, scratch_database, scratch_database_drop  # noqa: E402
from national import Row, combine, table  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_bi_interop"
NATIONAL = {"provinces": 34, "communes": 3321, "departments": 25, "tasks": 20}
TINY = {"provinces": 1, "communes": 4, "departments": 2, "tasks": 2}
SEARCH = "tuyen truyen cai cach"  # no diacritics: the register folds them


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="use (and migrate) this database, with the national dataset, "
                                               f"instead of building {DEFAULT_DB.rsplit('/', 1)[1]}")
    parser.add_argument("--keep", action="store_true", help="keep the database built without --database-url")
    parser.add_argument("--runs", type=int, default=1, help="repeat everything; print medians and spread")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per row in each run")
    parser.add_argument("--sign-runs", type=int, default=3, help="signatures and verifications per run")
    parser.add_argument("--json", metavar="PATH", help="write every run's figures and the medians there")
    parser.add_argument("--quick", action="store_true",
                        help="tiny: 1 province on SQLite if no --database-url, 1 timed request per row")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8",
                        help="cache (throttle counters); '' for the local-memory cache")
    parser.add_argument("--skip", default="", help="comma-separated groups to leave out: api,sync,public,sign")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.sign_runs = 1, 1
    return args


def environment(url: str, args, workdir: Path) -> dict:
    return bench_environment(url, redis_url=args.redis_url, workdir=workdir, DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
                             LOG_LEVEL="ERROR", CACHE_KEY_PREFIX="cchc_bi", CELERY_TASK_ALWAYS_EAGER="true",
                             API_THROTTLE_RATE="1000000/min")


# --------------------------------------------------------------------------- the world


class World:
    """Who calls and on what: tokens, ids."""

    def __init__(self):
        from accounts.api_tokens import api_token_issue
        from agencies.models import Agency
        from reports.models import Report

        province = Agency.objects.filter(code__regex=r"^SCALE-P[0-9]+$").order_by("code").first()
        if province is None:
            raise SystemExit("No generated province (SCALE-P01): run manage.py generate_scale first.")
        self.province = province
        report = (Report.objects.filter(status=Report.Status.DRAFT, agency__kind=Agency.Kind.COMMUNE,
                                        agency__code__startswith=f"{province.code}-")
                  .order_by("pk").first())
        if report is None:
            report = (Report.objects.filter(status=Report.Status.DRAFT, agency__code__startswith=f"{province.code}-")
                      .order_by("pk").first())
        if report is None:
            raise SystemExit(f"No draft report under {province.code}.")
        self.report = report
        self.commune = report.agency
        self.tokens = []
        token, self.reviewer_key = api_token_issue(name="Đo hiệu năng (xem xét tỉnh)", agency=province,
                                                   roles=["reviewer"])
        self.tokens.append(token)
        token, self.head_key = api_token_issue(name="Đo hiệu năng (lãnh đạo xã)", agency=self.commune,
                                               roles=["head"])
        self.tokens.append(token)

    def close(self) -> None:
        """The benchmark's system accounts go (token, user, memberships)."""
        for token in self.tokens:
            user = token.user
            token.delete()
            user.memberships.all().delete()
            user.is_active = False
            user.save(update_fields=["is_active"])


def client(key: str | None = None):
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {key}") if key else Client()


class Statements:
    """SQL statements run inside the block, counted with connection.execute_wrapper
    (CaptureQueriesContext reads connection.queries, which each request resets)."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._wrapper = connection.execute_wrapper(self._counted)
        self._wrapper.__enter__()
        return self

    def _counted(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def measured(name: str, call, repeat: int, *, expect: int = 200) -> tuple[Row, object]:
    """A row: the first call counts its statements (not timed), `repeat`
    more are timed; figures: median ms, min, max, statements, bytes."""
    with Statements() as queries:
        response = call()
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    if response.status_code != expect:
        raise RuntimeError(f"HTTP {response.status_code}: {body[:200]!r}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        again = call()
        if again.streaming:
            b"".join(again.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
        if again.status_code != expect:
            raise RuntimeError(f"HTTP {again.status_code} on a repeat")
    ms = statistics.median(times)
    figures = {"ms": ms, "statements": queries.count, "bytes": len(body)}
    text = f"{ms:8.1f} ms (min {min(times):.1f}, max {max(times):.1f}, n={len(times)})  " \
           f"{queries.count:3d} statements  {len(body) / 1024:8.1f} KiB"
    return Row(name, figures, text), response


def count_rows(response) -> int | None:
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    return len(data["results"]) if isinstance(data, dict) and "results" in data else None


# --------------------------------------------------------------------------- rows


def api_rows(world: World, args) -> list[Row]:
    from django.db.models import Count

    from plans.models import Task

    reviewer, head = client(world.reviewer_key), client(world.head_key)
    rows = []

    def get(c, path):
        return lambda: c.get(path)

    for who, c in (("province reviewer", reviewer), ("commune head", head)):
        for size in (50, 500):
            row, response = measured(f"API reports ?page_size={size}, {who}",
                                     get(c, f"/api/v1/reports/?page_size={size}"), args.repeat)
            row.figures["rows"] = count_rows(response)
            row.text += f"  {row.figures['rows']} rows"
            rows.append(row)
    path = f"/api/v1/reports/{world.report.pk}/"
    row, response = measured("API report detail (head)", get(head, path), args.repeat)
    rows.append(row)

    def patch():
        current = head.get(path)
        return head.patch(path, data=json.dumps({"results": f"Đo hiệu năng {time.time_ns()}"}),
                          content_type="application/json", HTTP_IF_MATCH=current["ETag"])

    row, _ = measured("API PATCH narrative with If-Match (a GET for the ETag + the PATCH)", patch, args.repeat)
    rows.append(row)
    row, response = measured("API plans ?page_size=500 (reviewer)", get(reviewer, "/api/v1/plans/?page_size=500"),
                             args.repeat)
    row.figures["rows"] = count_rows(response)
    row.text += f"  {row.figures['rows']} rows"
    rows.append(row)
    plan_ids = [item["id"] for item in json.loads(response.content)["results"]]
    counts = dict(Task.objects.filter(plan_id__in=plan_ids).values_list("plan_id").annotate(n=Count("id")))
    # A commune's plan with its 20-task appendix (generate_scale --tasks=20), else the nearest size.
    plan_id = min(counts, key=lambda k: (abs(counts[k] - 20), k)) if counts else None
    if plan_id:
        row, _ = measured(f"API plan detail ({counts[plan_id]} tasks)", get(reviewer, f"/api/v1/plans/{plan_id}/"),
                          args.repeat)
        rows.append(row)
    row, response = measured("API tasks ?page_size=500 (reviewer)", get(reviewer, "/api/v1/tasks/?page_size=500"),
                             args.repeat)
    row.figures["rows"] = count_rows(response)
    row.text += f"  {row.figures['rows']} rows"
    rows.append(row)
    row, _ = measured(f"API period summary of {world.province.code}",
                      get(reviewer, f"/api/v1/periods/{world.report.period_id}/summary/{world.province.pk}/"),
                      args.repeat)
    rows.append(row)
    return rows


def sync_rows(world: World, args) -> list[Row]:
    """A full sync as another system does it: every page of 500, following `next`."""
    reviewer = client(world.reviewer_key)
    rows = []
    total = {"seconds": 0.0, "pages": 0, "rows": 0, "statements": 0}
    for what in ("tasks", "reports"):
        url, pages, count, statements = f"/api/v1/{what}/?page_size=500", 0, 0, 0
        start = time.perf_counter()
        while url:
            with Statements() as queries:
                response = reviewer.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code} on {url}")
            data = json.loads(response.content)
            pages, count, statements = pages + 1, count + len(data["results"]), statements + queries.count
            url = data.get("next")
            if url:
                url = re.sub(r"^https?://[^/]+", "", url)
        seconds = time.perf_counter() - start
        figures = {"seconds": seconds, "pages": pages, "rows": count, "statements": statements}
        for key in total:
            total[key] += figures[key]
        rows.append(Row(f"full sync: all {what} (reviewer, 500/page)", figures,
                        f"{seconds:7.2f} s  {pages} pages  {count} rows  {statements} statements  "
                        f"{1000 * seconds / max(pages, 1):.0f} ms/page"))
    rows.append(Row("full sync: tasks + reports", total,
                    f"{total['seconds']:7.2f} s  {total['pages']} pages  {total['rows']} rows  "
                    f"{total['statements']} statements"))
    return rows


def public_rows(args, *, memory: bool) -> list[Row]:
    from plans.public import public_plans

    anonymous = client()
    rows = []
    row, _ = measured("public register /cong-khai/ (page 1)", lambda: anonymous.get("/cong-khai/"), args.repeat)
    rows.append(row)
    row, _ = measured(f"public register search ?q={SEARCH}",
                      lambda: anonymous.get("/cong-khai/", {"q": SEARCH}), args.repeat)
    rows.append(row)
    plan = public_plans().order_by("-pk").first()
    if plan is not None:
        row, _ = measured("public plan page", lambda: anonymous.get(f"/cong-khai/ke-hoach/{plan.pk}/"), args.repeat)
        rows.append(row)
    for name in ("nhiem-vu.csv", "nhiem-vu.json", "ke-hoach.csv"):
        rows.append(open_data_row(anonymous, f"/cong-khai/du-lieu-mo/{name}", memory=memory))
    return rows


def stream(anonymous, path: str) -> tuple[float, int, int, int]:
    """Seconds, bytes, lines and chunks of one streamed download, read chunk by chunk."""
    start = time.perf_counter()
    response = anonymous.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}")
    size = lines = chunks = 0
    for chunk in (response.streaming_content if response.streaming else [response.content]):
        size += len(chunk)
        lines += chunk.count(b"\n")
        chunks += 1
    return time.perf_counter() - start, size, lines, chunks


def open_data_row(anonymous, path: str, *, memory: bool) -> Row:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, size, lines, chunks = stream(anonymous, path)
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    # CSV: a header line, then a row a line (a newline inside a field would add one: none in
    # the generated data). JSON lines or an array: one object a line, less the brackets.
    rows = lines - 1 if path.endswith(".csv") else max(lines - 2, 0) if size and path.endswith(".json") else lines
    figures = {"seconds": seconds, "bytes": size, "rows": rows, "chunks": chunks, "max_rss_growth_kib": rss_growth}
    text = f"{seconds:7.2f} s  {size / 1024 / 1024:7.2f} MiB  ~{rows} rows  {chunks} chunks  " \
           f"max RSS +{rss_growth / 1024:.1f} MiB"
    if memory:
        tracemalloc.start()
        stream(anonymous, path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures["traced_peak_mib"] = peak / 1024 / 1024
        text += f"  peak traced {peak / 1024 / 1024:.1f} MiB"
    return Row(f"open data {path.rsplit('/', 1)[1]} (whole country)", figures, text)


def issued_plan():
    """render_documents.py's generated 16-page plan, issued (once)."""
    import render_documents

    from plans.models import Plan

    plan = render_documents.generated_plan()
    if plan.status != Plan.Status.ISSUED:
        # Issued without the workflow's steps (its services check roles and steps the
        # benchmark has no use for): the PDF is what matters here.
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ISSUED)
        plan.refresh_from_db()
    return plan


def sign_rows(args) -> list[Row]:
    import pypdf

    from nd30.signing import pdf_sign, pdf_verify
    from nd30.tests.ca import NOW, build_ca
    from plans.documents.pdf import plan_pdf_render

    plan = issued_plan()
    pdf = plan_pdf_render(plan=plan)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    ca = build_ca()
    pkcs12 = ca.pkcs12(ca.leaf())
    signed, sign_ms, verify_ms = b"", [], []
    for _ in range(args.sign_runs):
        start = time.perf_counter()
        signed = pdf_sign(pdf, pkcs12=pkcs12, passphrase=b"mat-khau-thu", organisation="UBND tỉnh Hải Dương",
                          when=NOW, anchor=plan.signer_name or None)
        sign_ms.append((time.perf_counter() - start) * 1000)
    for _ in range(args.sign_runs):
        start = time.perf_counter()
        check = pdf_verify(signed, trust_roots=[ca.root.pem])
        verify_ms.append((time.perf_counter() - start) * 1000)
        if not check.ok:
            raise RuntimeError(f"the signature does not verify: {check.summary()}")
    growth = len(signed) - len(pdf)
    return [
        Row(f"sign the issued plan's PDF ({pages} pages)",
            {"ms": statistics.median(sign_ms), "unsigned_bytes": len(pdf), "signed_bytes": len(signed),
             "growth_bytes": growth},
            f"{statistics.median(sign_ms):8.1f} ms (min {min(sign_ms):.1f}, max {max(sign_ms):.1f}, "
            f"n={len(sign_ms)})  {len(pdf) / 1024:.1f} KiB -> {len(signed) / 1024:.1f} KiB "
            f"(+{growth / 1024:.1f} KiB, +{100 * growth / len(pdf):.1f}%)"),
        Row("verify the signed PDF", {"ms": statistics.median(verify_ms)},
            f"{statistics.median(verify_ms):8.1f} ms (min {min(verify_ms):.1f}, max {max(verify_ms):.1f}, "
            f"n={len(verify_ms)})"),
    ]


def one_run(world: World, args, number: int) -> list[Row]:
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    rows: list[Row] = []
    groups = [("api", lambda: api_rows(world, args)), ("sync", lambda: sync_rows(world, args)),
              ("public", lambda: public_rows(args, memory=number == 0)), ("sign", lambda: sign_rows(args))]
    for name, make in groups:
        if name in skip:
            continue
        try:
            made = make()
            rows += made
            for row in made:
                print(f"  {row.name}: {row.text.strip()}", flush=True)
        except Exception as exc:  # a group that fails prints its error; the run goes on
            rows += [Row(f"{name} (group)", error=f"{type(exc).__name__}: {str(exc)[:200]}")]
    return rows


# --------------------------------------------------------------------------- main


def main(argv=None) -> None:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-interop-"))
    url, env, built, load_start = scratch_database(
        database_url=args.database_url, tiny=args.quick, default_url=DEFAULT_DB, workdir=workdir,
        sizes=TINY if args.quick else NATIONAL, environment=lambda url: environment(url, args, workdir))
    django_setup(env)
    from django.db import connections

    started = time.monotonic()
    runs: list[list[Row]] = []
    world = None
    try:
        world = World()
        for number in range(args.runs):
            print(f"run {number + 1}/{args.runs} (load average {load_average()})", flush=True)
            runs.append(one_run(world, args, number))
    finally:
        if world is not None:
            world.close()
        connections.close_all()
        scratch_database_drop(url, built=built, keep=args.keep, workdir=workdir)
    load_end = load_average()
    rows = combine(runs)
    print(f"\n{args.runs} run(s){', medians' if args.runs > 1 else ''} of {args.repeat} timed request(s) per row, "
          f"in-process (Django test Client, no server); {os.cpu_count()} CPUs shared with PostgreSQL; "
          f"load average {load_start} at start, {load_end} at end; {time.monotonic() - started:.0f} s measuring")
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": re.sub(r"//[^@]*@", "//", url),
            "load_average": {"start": load_start, "end": load_end}, "repeat": args.repeat,
            "runs": [[asdict(r) for r in run] for run in runs], "medians": [asdict(r) for r in rows],
        }, ensure_ascii=False, indent=1))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
