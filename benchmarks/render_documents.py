"""How long the official documents take to make.

    .venv/bin/python benchmarks/render_documents.py [--runs N] [--configured-db]

Sets Django up itself on a throwaway SQLite database and media folder (or,
with --configured-db, on the configured database, where it adds demo data and
one generated plan). Loads the demo plans, adds a generated plan of about ten
pages with a 40-row appendix, then prints for each: median and max seconds of
the PDF (WeasyPrint) and DOCX (python-docx) renderers, page counts, the time of
`soffice --headless --convert-to pdf` on the same DOCX when LibreOffice is
installed (and PDF time / LibreOffice time), and the time of a second download
of an issued plan, served from storage. Goals: PDF at most half LibreOffice's
time, DOCX under 0.3 s, cached download well under 20 ms.
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())


def generated_plan():
    """Seed 003 grown to about ten pages of body and a 40-row appendix."""
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


def timed(function, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def pdf_pages(data: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def soffice_convert(docx: bytes, workdir: Path, runs: int) -> tuple[list[float], int] | None:
    soffice = shutil.which("soffice")
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

        has_soffice = shutil.which("soffice") is not None
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
            print("soffice not installed: no LibreOffice comparison and no DOCX page count")

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
