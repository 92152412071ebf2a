"""Demo PAR Index material: the demo's 2026 plans tagged with the
communication criterion (so their tasks, reports and files prove it), and
the evidence a unit would have attached to its sent reports (a photo of the
notice board, the minutes of a meeting), so the self-assessment lists
evidence and the evidence pack has files to hand over.

Deterministic and idempotent: the files are drawn from the report, never
from today; nothing is added twice."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from common.files import file_save, files_atomic
from par.defaults import DEFAULT_TAG, TAGS
from par.services import tag_ensure
from plans.models import Plan
from reports.models import Evidence, Report

# Units whose sent reports carry demo evidence.
UNITS = ("HD-BG-KS", "HD-BG-VH", "HD-BG-HT", "HD-BG-TK", "HP-HB", "HP-LTN", "HP-XBG", "HP-SNV")


def _photo(text: str, seed: int) -> bytes:
    image = Image.new("RGB", (480, 320), (40 + seed * 37 % 160, 90, 140 + seed * 13 % 100))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(255, 255, 255), width=4)
    draw.text((40, 150), text.encode("ascii", "replace").decode(), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _minutes_pdf(title: str) -> bytes:
    """A one-page PDF (no text layer needed: the pack copies it as it is)."""
    image = Image.new("RGB", (595, 842), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((60, 80), title.encode("ascii", "replace").decode(), fill=(0, 0, 0))
    for y in range(140, 760, 24):
        draw.line((60, y, 535, y), fill=(200, 200, 200))
    out = io.BytesIO()
    image.save(out, format="PDF")
    return out.getvalue()


def _attach(report: Report, name: str, content: bytes, content_type: str) -> Evidence:
    evidence = Evidence(report=report, original_name=name, content_type=content_type, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=None)
    file_save(evidence.file, name, ContentFile(content))
    evidence.save()
    return evidence


def demo_par_load() -> int:
    """Returns how many evidence files were attached (0 once loaded)."""
    with files_atomic():  # one transaction; the files go if it rolls back
        return _load()


def _load() -> int:
    # The plans carry the tag of the tasks carried out (1.4.2): every file of
    # their reports proves it; the photos also prove the channels used (1.4.4).
    tag_ensure(*DEFAULT_TAG).plans.add(*Plan.objects.filter(status=Plan.Status.ISSUED, year_start__lte=2026,
                                                            year_end__gte=2026))
    photos = tag_ensure("tt-hinh-thuc", TAGS["tt-hinh-thuc"])
    sent = (Report.objects.filter(agency__code__in=UNITS, period__year=2026)
            .exclude(status=Report.Status.DRAFT).select_related("agency", "period").order_by("agency__code", "period__end"))
    if Evidence.objects.filter(report__in=sent).exists():
        return 0
    attached = 0
    for seed, report in enumerate(sent):
        place = report.agency.place_name or report.agency.code
        photo = _attach(report, f"Ảnh bảng tin CCHC {place} – {report.period.label.replace('/', '-')}.png",
                        _photo(f"{report.agency.code} {report.period.label}", seed), "image/png")
        photos.evidence.add(photo)
        _attach(report, f"Biên bản hội nghị tuyên truyền CCHC – {report.period.label.replace('/', '-')}.pdf",
                _minutes_pdf(f"Bien ban {report.agency.code} {report.period.label}"), "application/pdf")
        attached += 2
    return attached
