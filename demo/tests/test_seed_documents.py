"""The real seed plans printed, for people to look at: page one and the
appendix of seeds 003 and 000 saved as PNG next to the PDF, to compare with
nd30-format.md. The plan tests check the printing itself on small plans; this
keeps the pictures of the real documents, so it loads the demo."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from demo.loader import seed_plans
from plans.documents.pdf import plan_pdf_render
from plans.selectors import plan_with_contents
from plans.tests.test_documents import pdf_pages

pytestmark = pytest.mark.django_db

SEEDS = {"000": "TTH", "003": "HD-BG"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Rendered:
    pdf: bytes


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> dict[str, Rendered]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        seeds = seed_plans()
        result = {
            seed: Rendered(pdf=plan_pdf_render(plan=plan_with_contents().get(pk=seeds[code].pk)))
            for seed, code in SEEDS.items()
        }
        transaction.set_rollback(True)
    return result


def test_page_one_and_an_appendix_page_are_saved_as_png_for_review(rendered):
    """test-artifacts/plan-<seed>-page<n>.png, for a person to compare with nd30-format.md."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    for seed in ("003", "000"):
        pdf = ARTIFACTS / f"plan-{seed}.pdf"
        pdf.write_bytes(rendered[seed].pdf)
        texts = pdf_pages(rendered[seed].pdf)
        pages = [1] + [n for n, t in enumerate(texts, start=1) if t.startswith("Phụ lục")]
        for page in pages:
            prefix = ARTIFACTS / f"plan-{seed}-page{page}"
            command = ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(page), "-l", str(page)]
            subprocess.run([*command, pdf, prefix], check=True)
            assert prefix.with_suffix(".png").stat().st_size > 10_000
