"""The one entry point for a plan's file: render it, or serve the stored copy.

An issued plan never changes, so its PDF and DOCX are rendered once and kept
in default_storage under a name made of id, version and number; every later
download reads the file. Drafts (and submitted plans, still editable on
return) are rendered on each request, as they change between two downloads."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.text import file_name_part
from plans.models import Plan


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


FORMATS = {
    "pdf": Format("pdf", "application/pdf"),
    "docx": Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def _render(plan: Plan, fmt: str) -> bytes:
    # Imported here: WeasyPrint and python-docx load only when a file is made.
    if fmt == "pdf":
        from .pdf import plan_pdf_render

        return plan_pdf_render(plan=plan)
    from .docx import plan_docx_render

    return plan_docx_render(plan=plan)


STORED_PREFIX = "documents/plans/"


def stored_name(plan: Plan, fmt: str) -> str:
    return f"{STORED_PREFIX}{plan.pk}-v{plan.version}-{plan.number}.{FORMATS[fmt].extension}"


def stored_names() -> list[str]:
    """The stored files issued plans name (for the orphan sweep): every
    other file under documents/plans/ belongs to no plan any more."""
    issued = Plan.objects.filter(status=Plan.Status.ISSUED).only("pk", "version", "number")
    return [stored_name(plan, fmt) for plan in issued for fmt in FORMATS]


def plan_document_bytes(*, plan: Plan, fmt: str) -> bytes:
    """The file of `plan` in `fmt` ("pdf" or "docx"). The caller has checked
    permission; `plan` comes from plan_get_for_user / plan_with_contents."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown document format: {fmt}")
    if plan.status != Plan.Status.ISSUED:
        return _render(plan, fmt)
    name = stored_name(plan, fmt)
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        # Not made yet, or lost (a restore without media, an orphan sweep, a
        # bucket emptied): it is derived data, so it is made again.
        pass
    data = _render(plan, fmt)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another request stored the same file first; keep one copy.
        default_storage.delete(saved)
    return data


def plan_document_filename(plan: Plan, fmt: str) -> str:
    """ "KH-255-KH-UBND-2020.pdf" once numbered, "KH-du-thao-UBND-huyen-Binh-Giang-2025.pdf"
    before: what the file is, never an internal id, and a different name for
    each year's plan."""
    extension = FORMATS[fmt].extension
    years = file_name_part(plan.years_label)
    if plan.number is None:
        return f"KH-du-thao-{file_name_part(str(plan.issuer))}-{years}.{extension}"
    return f"KH-{plan.number:02d}-{file_name_part(plan.symbol)}-{years}.{extension}"
