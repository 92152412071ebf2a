"""How long the official documents take to make.

    .venv/bin/python benchmarks/render_documents.py [--runs N] [--configured-db]

Sets Django up itself on a throwaway SQLite database and media folder (or,
with --configured-db, on the configured database, where it adds demo data and
one generated plan). Loads the demo plans, adds a generated draft of 16 pages
with a 40-row appendix, then prints for each: median and max seconds of the
PDF (WeasyPrint, body and appendix joined) and DOCX (python-docx) renderers,
page counts, the time of LibreOffice's `--headless --convert-to pdf` on the
same DOCX when installed (a new process each time: cold), and PDF time /
LibreOffice time. Then, for the 16-page draft side by side: a fresh PDF in one
pass (as before the split), body and appendix one after the other and in two
processes (as two workers make them), the appendix alone (a task edited), a
download after a save once the worker has made the file (view, permission
check, storage read), one before the worker ran, and LibreOffice cold; and
the second download of an issued plan. Goals: a fresh 16-page PDF at most
half LibreOffice's time, a download after a save under 50 ms, DOCX under 0.3 s.
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED_TITLE = "Tuyên truyền cải cách hành chính (kế hoạch sinh ra để đo thời gian)"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="renders per document (default 5)")
    parser.add_argument("--configured-db", action="store_true", help="use the configured database")
    return parser.parse_args()


def setup_django(workdir: Path, configured_db: bool) -> None:
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not configured_db:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    # The saves below enqueue the worker's PDF task: to a queue no worker reads.
    os.environ["CELERY_QUEUE"] = "benchmark-render-documents"
    os.environ["CELERY_BROKER_DIR"] = str(workdir / "broker")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())


def generated_plan():
    """Seed 003 grown to 16 pages: 9 of body and a 40-row appendix of 7."""
    from demo.loader import load_json
    from plans.models import Plan
    from plans.services import plan_create_from_data

    existing = Plan.objects.filter(title=GENERATED_TITLE).first()
    if existing:
        return existing
    data = copy.deepcopy(load_json("plan_003.json"))
    data["title"] = GENERATED_TITLE
    data["content"] = data["content"] * 2
    data["channels"] = data["channels"] * 2
    tasks = data["tasks"]
    data["tasks"] = [copy.deepcopy(tasks[i % len(tasks)]) for i in range(40)]
    return plan_create_from_data(data=data)


def timed(function, runs: int, cpu: list[float] | None = None) -> tuple[list[float], object]:
    """Wall-clock seconds of each run (and this process's CPU seconds into `cpu`)."""
    times, result = [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return times, result


def pdf_pages(data: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def libreoffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def soffice_convert(docx: bytes, workdir: Path, runs: int) -> tuple[list[float], int] | None:
    soffice = libreoffice()
    if not soffice:
        return None
    source = workdir / "lo" / "plan.docx"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(docx)
    command = [
        soffice,
        f"-env:UserInstallation=file://{workdir / 'lo-profile'}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(source.parent),
        str(source),
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        times.append(time.perf_counter() - start)
    return times, pdf_pages(source.with_suffix(".pdf").read_bytes())


def cached_download(plan, runs: int) -> list[float]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("plans:pdf", args=[plan.pk])
    assert client.get(url).status_code == 200  # renders and stores
    times = []
    for _ in range(max(runs, 20)):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def spread(times: list[float], unit: float = 1.0, fmt: str = "6.3f") -> str:
    return (f"{format(statistics.median(times) * unit, fmt)} "
            f"({format(min(times) * unit, fmt).strip()}-{format(max(times) * unit, fmt).strip()})")


def _render_part(html: str) -> bytes:
    from nd30.pdf import html_to_pdf

    return html_to_pdf(html)


def sixteen_pages(plan_id: int, workdir: Path, runs: int) -> None:
    """The generated draft, every way its PDF is made, in one run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from plans.documents.docx import plan_docx_render
    from plans.documents.pdf import APPENDIX, BODY, plan_pdf_join, plan_pdf_parts, plan_pdf_render_single
    from plans.models import Plan
    from plans.selectors import plan_with_contents
    from plans.services import plan_update
    from plans.tasks import plan_pdf_prepare_task

    plan = plan_with_contents().get(pk=plan_id)
    parts = {part.name: part for part in plan_pdf_parts(plan)}
    runs = max(runs, 3)
    load_before = os.getloadavg()
    single_cpu, body_cpu, appendix_cpu, read_cpu, worker_cpu, miss_cpu = [], [], [], [], [], []
    single_times, single = timed(lambda: plan_pdf_render_single(plan=plan), runs, single_cpu)
    body_times, body = timed(lambda: _render_part(parts[BODY].html), runs, body_cpu)
    appendix_times, appendix = timed(lambda: _render_part(parts[APPENDIX].html), runs, appendix_cpu)
    join_times, joined = timed(lambda: plan_pdf_join([body, appendix]), runs)
    serial = [b + a + j for b, a, j in zip(body_times, appendix_times, join_times, strict=True)]
    # Two warm processes, as two Celery workers each making one part.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_render_part, [parts[BODY].html, parts[APPENDIX].html]))

        def parallel():
            made = list(pool.map(_render_part, [parts[BODY].html, parts[APPENDIX].html]))
            return plan_pdf_join(made)

        parallel_times, _ = timed(parallel, runs)

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("plans:pdf", args=[plan_id])

    def save(n: int) -> Plan:
        row = Plan.objects.get(pk=plan_id)
        fields = {"title": f"{GENERATED_TITLE}, lần sửa {n}", "kind": row.kind, "year_start": row.year_start,
                  "year_end": row.year_end}
        basis = [{"id": ref.pk, "verb": ref.verb, "text": ref.text} for ref in row.basis_references.all()]
        return plan_update(plan=row, lock_version=row.lock_version, fields=fields, basis=basis)

    worker_times, read_times, miss_times = [], [], []
    assert client.get(url).status_code == 200  # both parts stored: each save below changes the body only
    for n in range(runs):
        row = save(2 * n + 1)
        start, start_cpu = time.perf_counter(), time.process_time()
        plan_pdf_prepare_task(plan_id, row.lock_version, BODY)  # the worker, both parts in turn
        plan_pdf_prepare_task(plan_id, row.lock_version, APPENDIX)
        worker_times.append(time.perf_counter() - start)
        worker_cpu.append(time.process_time() - start_cpu)
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            read_times.append(time.perf_counter() - start)
            read_cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200
        save(2 * n + 2)  # the worker has not run: the download makes the changed part (the body)
        start, start_cpu = time.perf_counter(), time.process_time()
        assert client.get(url).status_code == 200
        miss_times.append(time.perf_counter() - start)
        miss_cpu.append(time.process_time() - start_cpu)

    pages = pdf_pages(joined)
    assert pages == pdf_pages(single), "the joined parts must have the pages of one pass"
    print(f"\n16-page draft ({pages} pages, {len(plan.tasks.all())} appendix rows, {pdf_pages(body)} + "
          f"{pdf_pages(appendix)}): seconds, median (min-max) of {runs}; CPU: this process's CPU time; "
          f"load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after on {os.cpu_count()} cores")
    print(f"  {'fresh PDF, one pass (before the split)':<58} {spread(single_times)}  CPU {spread(single_cpu)}")
    print(f"  {'fresh PDF, body then appendix, joined':<58} {spread(serial)}")
    print(f"  {'  body part':<58} {spread(body_times)}  CPU {spread(body_cpu)}")
    print(f"  {'  appendix part (all a task edit makes again)':<58} {spread(appendix_times)}  CPU {spread(appendix_cpu)}")
    print(f"  {'  join (pypdf)':<58} {spread(join_times)}")
    print(f"  {'fresh PDF, body ‖ appendix in 2 processes, joined':<58} {spread(parallel_times)}")
    print(f"  {'worker after a save (the changed part, join, store)':<58} {spread(worker_times)}  "
          f"CPU {spread(worker_cpu)}")
    print(f"  {'download after a save, worker done (ms)':<58} {spread(read_times, 1000, '6.1f')}  "
          f"CPU {spread(read_cpu, 1000, '6.1f')}")
    print(f"  {'download after a save, worker not run (renders the body)':<58} {spread(miss_times)}  "
          f"CPU {spread(miss_cpu)}")
    converted = soffice_convert(plan_docx_render(plan=plan), workdir, runs) if libreoffice() else None
    if converted:
        lo_times, _ = converted
        lo = statistics.median(lo_times)
        print(f"  {'LibreOffice cold DOCX→PDF':<58} {spread(lo_times)}")
        for label, times in (("one pass", single_times), ("joined parts", serial), ("2 processes", parallel_times)):
            print(f"  {'fresh / LibreOffice, ' + label:<58} {statistics.median(times) / lo:6.2f}  (goal ≤ 0.5)")
    else:
        print(f"  {'LibreOffice cold DOCX→PDF':<58} not installed")


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    try:
        setup_django(workdir, args.configured_db)
        from plans.documents.docx import plan_docx_render
        from plans.documents.pdf import plan_pdf_render
        from plans.models import Plan
        from plans.selectors import plan_with_contents

        generated = generated_plan()
        demo = plan_with_contents().exclude(pk=generated.pk).order_by("pk")
        plans = [(f"{p.issuer.code} {p.year_start}", p) for p in demo]
        plans.append(("generated", plan_with_contents().get(pk=generated.pk)))
        # Warm up: the first render of a process loads fonts and parses the CSS.
        plan_pdf_render(plan=plans[0][1])
        plan_docx_render(plan=plans[0][1])

        has_soffice = libreoffice() is not None
        if has_soffice:  # the first start creates the LibreOffice profile
            soffice_convert(plan_docx_render(plan=plans[0][1]), workdir, 1)
        print(f"{args.runs} runs per document; seconds (median / max)")
        header = f"{'plan':<15} {'PDF s':>13} {'pages':>5}  {'DOCX s':>13} {'pages':>5}"
        if has_soffice:
            header += f"  {'soffice s':>13}  {'PDF/LO':>6}"
        print(header)
        for name, plan in plans:
            pdf_times, pdf = timed(lambda plan=plan: plan_pdf_render(plan=plan), args.runs)
            docx_times, docx = timed(lambda plan=plan: plan_docx_render(plan=plan), args.runs)
            line = (
                f"{name:<15} {statistics.median(pdf_times):6.3f} / {max(pdf_times):5.3f} {pdf_pages(pdf):>5}  "
                f"{statistics.median(docx_times):6.3f} / {max(docx_times):5.3f}"
            )
            converted = soffice_convert(docx, workdir, min(args.runs, 3)) if has_soffice else None
            if converted:
                lo_times, lo_pages = converted
                ratio = statistics.median(pdf_times) / statistics.median(lo_times)
                line += (
                    f" {lo_pages:>5}  {statistics.median(lo_times):6.3f} / {max(lo_times):5.3f}  {ratio:6.2f}"
                )
            else:
                line += f" {'n/a':>5}"
            print(line)
        if not has_soffice:
            print("LibreOffice not installed (no `libreoffice` or `soffice`): no comparison and no DOCX page count")
        sixteen_pages(generated.pk, workdir, args.runs)

        issued = Plan.objects.filter(status=Plan.Status.ISSUED).order_by("pk").first()
        times = cached_download(issued, args.runs)
        print(
            f"cached PDF download of issued plan {issued.reference} (view, permission check, storage read): "
            f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
