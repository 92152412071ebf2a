"""The PAR Index of issue 16: the evidence pack of a commune and (the lead's section) the ranking page of a province.

    .venv/bin/python benchmarks/par.py                        # builds cchc_bi_par, drops it at the end
    .venv/bin/python benchmarks/par.py --database-url postgres://postgres@127.0.0.1:5432/cchc_x --runs 3
    .venv/bin/python benchmarks/par.py --quick                # 4 communes on SQLite, one build

Without --database-url it builds a PostgreSQL database (demo + generate_scale
with one province of 150 communes and 25 departments, 20 tasks each: the
province whose units the ranking page ranks); with it, it migrates that
database and uses it. It WRITES to the first generated commune that has a
report of the year: 40 evidence files of 10 MB in total (20 PNG-like files of
random bytes, 20 PDFs: random bytes after a PDF header, so neither
compresses) on one of its reports, sent if it was a draft, tagged as proving
the communication criterion; its self-assessment of the year (opened, so
computed); and its evidence pack.

Then every commune and department gets a self-assessment (two in three sent,
one in three appraised) and the ranking page of the province is timed with
the Django test client (goal: under 300 ms, the same queries for 25 units as
for 150).

The pack is built as the worker builds it: par.pack.pack_build in this
process (par.tasks.evidence_pack_task calls nothing else but the e-mail),
--runs times (3 by default); the table gives the median, the spread, the
ZIP's size and file count, and the queries of pack_fingerprint. Goal (issue
16): under 10 s.

Load average at the start and the end (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import bench_environment, django_setup, load_average, scratch_database, scratch_database_drop  # noqa: E402
from national import Row, table  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_bi_par"
PROVINCE = {"provinces": 1, "communes": 150, "departments": 25, "tasks": 20}
TINY = {"provinces": 1, "communes": 4, "departments": 2, "tasks": 2}
EVIDENCE_FILES = 40
EVIDENCE_BYTES = 10 * 1024 * 1024
PACK_GOAL_S = 10.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="use (and migrate) this database, with a generated province, "
                                               f"instead of building {DEFAULT_DB.rsplit('/', 1)[1]}")
    parser.add_argument("--keep", action="store_true", help="keep the database built without --database-url")
    parser.add_argument("--runs", type=int, default=3, help="pack builds; the table gives their median")
    parser.add_argument("--json", metavar="PATH", help="write the figures there")
    parser.add_argument("--profile", action="store_true",
                        help="one more build under cProfile: print its 20 costliest calls (cumulative)")
    parser.add_argument("--quick", action="store_true", help="tiny: 4 communes on SQLite if no --database-url, one build")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    return args


def environment(url: str, workdir: Path) -> dict:
    # The local-memory cache: nothing here is cached across processes.
    return bench_environment(url, redis_url="", workdir=workdir, DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
                             LOG_LEVEL="ERROR", CACHE_KEY_PREFIX="cchc_bi_par")


# --------------------------------------------------------------------------- the world


def evidence_files(count: int = EVIDENCE_FILES, total: int = EVIDENCE_BYTES) -> list[tuple[str, bytes, str]]:
    """(name, content, type): half PNG-like, half PDF, random bytes (incompressible, as photos and scans are)."""
    size = total // count
    files = []
    for number in range(count):
        if number % 2 == 0:
            head, name, kind = b"\x89PNG\r\n\x1a\n", f"Ảnh hoạt động tuyên truyền {number + 1:02d}.png", "image/png"
        else:
            head, name, kind = b"%PDF-1.4\n", f"Biên bản hội nghị số {number + 1:02d}.pdf", "application/pdf"
        files.append((name, head + os.urandom(size - len(head)), kind))
    return files


class World:
    """The commune whose pack is built, with its evidence and its self-assessment."""

    def __init__(self):
        from django.utils import timezone

        from agencies.models import Agency
        from par import services as par_services
        from par.defaults import DEFAULT_TAG
        from reports.models import Evidence, Report
        from reports.services import evidence_add

        province = Agency.objects.filter(code__regex=r"^SCALE-P[0-9]+$").order_by("code").first()
        if province is None:
            raise SystemExit("No generated province (SCALE-P01): run manage.py generate_scale first.")
        self.province = province
        open_states = [Report.Status.DRAFT, Report.Status.RETURNED]
        report = (Report.objects.filter(agency__kind=Agency.Kind.COMMUNE, agency__code__startswith=f"{province.code}-",
                                        status__in=open_states)
                  .select_related("agency", "period").order_by("period__end", "pk").first())
        if report is None:
            raise SystemExit(f"No open report of a commune under {province.code}.")
        self.commune, self.year = report.agency, report.period.year
        tag = par_services.tag_ensure(*DEFAULT_TAG)
        started = time.perf_counter()
        for name, content, kind in evidence_files():
            evidence = evidence_add(report=report, name=name, content=content, content_type=kind, user=None)
            tag.evidence.add(evidence)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED, submitted_at=timezone.now())
        self.evidence = Evidence.objects.filter(report__agency=self.commune, report__period__year=self.year)
        print(f"  {EVIDENCE_FILES} evidence files ({EVIDENCE_BYTES / 2**20:.0f} MB) on {report} "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        self.assessment = par_services.assessment_open(agency=self.commune, year=self.year)


# --------------------------------------------------------------------------- the evidence pack


def pack_rows(world: World, args) -> list[Row]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from par.models import EvidencePack
    from par.pack import pack_build, pack_fingerprint

    pack, _ = EvidencePack.objects.get_or_create(agency=world.commune, year=world.year)
    times = []
    for number in range(args.runs):
        started = time.perf_counter()
        status = pack_build(pack.pk)
        times.append(time.perf_counter() - started)
        pack.refresh_from_db()
        if status != EvidencePack.Status.READY:
            return [Row("evidence pack of a commune (40 files, 10 MB)", error=f"{status}: {pack.error}")]
        print(f"  pack build {number + 1}/{args.runs}: {times[-1]:.2f} s", flush=True)
    median = statistics.median(times)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(pack_build, pack.pk)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    with CaptureQueriesContext(connection) as queries:
        pack_fingerprint(world.commune, world.year)
    spread = f"  [s {min(times):.3g}-{max(times):.3g} over {len(times)} runs]" if len(times) > 1 else ""
    return [
        Row("evidence pack of a commune (40 files, 10 MB), pack_build as in the worker",
            {"s": median, "MB": pack.size / 2**20, "files": pack.files_count},
            f"{median:.2f} s, {pack.size / 2**20:.1f} MB, {pack.files_count} files{spread}",
            f"< {PACK_GOAL_S:.0f} s", median < PACK_GOAL_S),
        Row("pack fingerprint (is the pack stale?)", {"queries": len(queries)}, f"{len(queries)} queries"),
    ]


# --------------------------------------------------------------------------- the ranking page (the lead's)


RANKING_GOAL_MS = 300.0
RANKING_SAMPLES = 15


def ranking_world(world: World) -> tuple:
    """Every commune and department of the province with a self-assessment of
    the year (computed from its data), two in three sent, one in three
    appraised with one score lowered; and a reviewer of the whole province."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from agencies.models import Agency, Membership
    from par import services as par_services
    from par.models import Assessment

    units = list(Agency.objects.filter(code__startswith=f"{world.province.code}-",
                                       kind__in=[Agency.Kind.COMMUNE, Agency.Kind.DEPARTMENT]).order_by("code"))
    started = time.perf_counter()
    user, _ = get_user_model().objects.get_or_create(username="bench-par-reviewer")
    Membership.objects.get_or_create(user=user, agency=world.province, role=Membership.Role.REVIEWER)
    for number, unit in enumerate(units):
        assessment = par_services.assessment_open(agency=unit, year=world.year)
        if number % 3 == 2 or assessment.status != Assessment.Status.DRAFT:
            continue
        assessment = par_services.assessment_submit(assessment=assessment, user=user)
        if number % 3 == 0:
            first = assessment.items.order_by("pk").first()
            decisions = {first.pk: (Decimal(0), "Thiếu minh chứng.")} if first and first.self_points else {}
            par_services.assessment_appraise(assessment=assessment, user=user, decisions=decisions)
    communes = sum(1 for u in units if u.kind == Agency.Kind.COMMUNE)
    print(f"  {len(units)} self-assessments ({communes} communes) in {time.perf_counter() - started:.1f} s",
          flush=True)
    return user, communes


def _timed(client, url: str) -> tuple[list[float], int, int]:
    """(milliseconds per request, queries of the last one, bytes of the last one), after one warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(RANKING_SAMPLES):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, len(queries), len(response.content)


def ranking_rows(world: World, args) -> list[Row]:
    """The ranking page of the province's communes (goal: under 300 ms with
    a fixed number of queries), its XLSX, and the same page with a tenth of
    the units: the queries must not grow with them."""
    from django.test import Client

    from agencies.models import Agency

    user, communes = ranking_world(world)
    client = Client()
    client.force_login(user)
    base = f"/chi-so-cchc/xep-hang/?nam={world.year}&goc={world.province.pk}"
    rows = []
    times, queries, size = _timed(client, base + "&cap=commune")
    median = statistics.median(times)
    spread = f"[{min(times):.0f}-{max(times):.0f} ms over {len(times)}]"
    rows.append(Row(f"ranking page, {communes} communes of a province", {"ms": median, "queries": queries},
                    f"{median:.0f} ms {spread}, {queries} queries, {size / 1024:.0f} KiB",
                    f"< {RANKING_GOAL_MS:.0f} ms", median < RANKING_GOAL_MS))
    times, xlsx_queries, size = _timed(client, base.replace("xep-hang/", "xep-hang/xlsx") + "&cap=commune")
    rows.append(Row("ranking XLSX, the same communes", {"ms": statistics.median(times), "queries": xlsx_queries},
                    f"{statistics.median(times):.0f} ms, {xlsx_queries} queries, {size / 1024:.0f} KiB"))
    times, dept_queries, _ = _timed(client, base + "&cap=department")
    departments = Agency.objects.filter(code__startswith=f"{world.province.code}-", kind=Agency.Kind.DEPARTMENT).count()
    rows.append(Row(f"ranking page, {departments} departments (queries as for {communes} communes)",
                    {"ms": statistics.median(times), "queries": dept_queries},
                    f"{statistics.median(times):.0f} ms, {dept_queries} queries", "same queries",
                    dept_queries == queries))
    return rows


# --------------------------------------------------------------------------- main


def main(argv=None) -> None:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-par-"))
    url, env, built, load_start = scratch_database(
        database_url=args.database_url, tiny=args.quick, default_url=DEFAULT_DB, workdir=workdir,
        sizes=TINY if args.quick else PROVINCE, environment=lambda url: environment(url, workdir))
    django_setup(env)
    from django.db import connections

    started = time.monotonic()
    rows: list[Row] = []
    try:
        world = World()
        rows += pack_rows(world, args)
        rows += ranking_rows(world, args)
    finally:
        connections.close_all()
        scratch_database_drop(url, built=built, keep=args.keep, workdir=workdir)
    load_end = load_average()
    print(f"\nIn-process; {os.cpu_count()} CPUs shared with PostgreSQL; load average {load_start} at start, "
          f"{load_end} at end; {time.monotonic() - started:.0f} s measuring")
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "database": re.sub(r"//[^@]*@", "//", url),
            "load_average": {"start": load_start, "end": load_end}, "runs": args.runs,
            "rows": [asdict(r) for r in rows],
        }, ensure_ascii=False, indent=1))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
