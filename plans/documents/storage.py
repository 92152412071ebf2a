"""The one entry point for a plan's file: render it, or serve the stored copy.

An issued plan never changes, so its PDF and DOCX are rendered once and kept
in default_storage under a name made of id, version and number; every later
download reads the file.

A draft's (or submitted plan's) PDF is kept too, under names made of what it
prints: each part (body, appendix) under the digest of its HTML, the joined
file under the digest of both. A download builds the HTML (a few ms, no
WeasyPrint) and reads the file of that digest, so a copy made before a change
is never served; the worker makes the file after each save (plans/tasks.py),
and a download that finds none makes the missing parts itself. DOCX of a
draft is made on each request (python-docx is fast)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from common.files import storage_walk
from common.text import file_name_part
from plans.models import Plan, PlanSignedCopy

from .pdf import PdfPart, pdf_part_render, plan_pdf_join, plan_pdf_parts


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


logger = logging.getLogger(__name__)

STORED_PREFIX = "documents/plans/"


def stored_name(plan: Plan, fmt: str) -> str:
    return f"{STORED_PREFIX}{plan.pk}-v{plan.version}-{plan.number}.{FORMATS[fmt].extension}"


def stored_names() -> list[str]:
    """The stored files issued plans name (for the orphan sweep): every
    other file under documents/plans/ belongs to no plan any more."""
    issued = Plan.objects.filter(status=Plan.Status.ISSUED).only("pk", "version", "number")
    return [stored_name(plan, fmt) for plan in issued for fmt in FORMATS]


SIGNED_PREFIX = "documents/plan-signed/"


def signed_copy_names() -> list[str]:
    """For the orphan sweep: the signed copies plans name."""
    return list(PlanSignedCopy.objects.values_list("file", flat=True))


def plan_signed_copy(plan: Plan) -> PlanSignedCopy | None:
    """The issued plan's verified signed copy (bản ký số), if any: read once
    per Plan instance (the reverse one-to-one is cached on it, and
    select_related("signed_copy") makes it free)."""
    if plan.status != Plan.Status.ISSUED:
        return None
    try:
        copy = plan.signed_copy
    except PlanSignedCopy.DoesNotExist:
        return None
    return copy if copy.verified_ok else None


def _signed_copy_known(plan: Plan) -> bool:
    """Whether the plan has a signed copy, from what is cached on the
    instance only (no query)."""
    if plan.status != Plan.Status.ISSUED or not Plan.signed_copy.is_cached(plan):
        return False
    return plan_signed_copy(plan) is not None


def plan_document_bytes(*, plan: Plan, fmt: str, signed: bool = True) -> bytes:
    """The file of `plan` in `fmt` ("pdf" or "docx"). The caller has checked
    permission; `plan` comes from plan_get_for_user / plan_with_contents.
    An issued plan's PDF is its signed copy when it has one that verified
    (the official copy), unless `signed=False` (the portal's own PDF, the
    one that gets signed)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown document format: {fmt}")
    if plan.status != Plan.Status.ISSUED:
        return draft_pdf_bytes(plan=plan) if fmt == "pdf" else _render(plan, fmt)
    if signed and fmt == "pdf":
        copy = plan_signed_copy(plan)
        if copy is not None:
            try:
                with copy.file.open("rb") as stored:
                    return stored.read()
            except FileNotFoundError:
                # Lost from storage (the orphan sweep reports it as missing):
                # the portal's PDF rather than an error page.
                logger.error("Signed copy %s of plan %s is missing from storage", copy.file.name, plan.pk)
    name = stored_name(plan, fmt)
    # Not made yet, or lost (a restore without media, an orphan sweep, a
    # bucket emptied): it is derived data, so it is made again.
    data = _stored(name)
    if data is None:
        data = _render(plan, fmt)
        _store(name, data)
    return data


def _stored(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        return None


def _store(name: str, data: bytes) -> None:
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another request or worker stored the same file first; keep one copy.
        default_storage.delete(saved)


# A draft's PDF ---------------------------------------------------------------------

DRAFTS_PREFIX = "documents/plan-drafts/"
# Files of a plan's earlier versions are removed when a new one is stored,
# unless this recent: another process may be making the file they belong to.
KEEP_RECENT = dt.timedelta(minutes=2)


def _draft_folder(plan_id: int) -> str:
    return f"{DRAFTS_PREFIX}{plan_id}"


def part_name(plan_id: int, part: PdfPart) -> str:
    return f"{_draft_folder(plan_id)}/{part.name}-{part.digest}.pdf"


def draft_pdf_name(plan_id: int, parts: list[PdfPart]) -> str:
    digest = hashlib.sha256(" ".join(part.digest for part in parts).encode()).hexdigest()[:32]
    return f"{_draft_folder(plan_id)}/plan-{digest}.pdf"


def _part_bytes(plan_id: int, part: PdfPart) -> bytes:
    name = part_name(plan_id, part)
    data = _stored(name)
    if data is None:
        data = pdf_part_render(part)
        _store(name, data)
    return data


def _join_and_store(plan_id: int, parts: list[PdfPart], datas: list[bytes]) -> bytes:
    name = draft_pdf_name(plan_id, parts)
    data = plan_pdf_join(datas)
    _store(name, data)
    _forget_older(plan_id, keep={name, *(part_name(plan_id, part) for part in parts)})
    return data


def _forget_older(plan_id: int, keep: set[str]) -> None:
    """Remove the files of the plan's earlier versions (derived data)."""
    now = timezone.now()
    for name in storage_walk(default_storage, _draft_folder(plan_id)):
        if name in keep:
            continue
        try:
            modified = default_storage.get_modified_time(name)
            if timezone.is_naive(modified):
                modified = timezone.make_aware(modified, dt.UTC)
            if now - modified >= KEEP_RECENT:
                default_storage.delete(name)
        except FileNotFoundError:
            continue


def draft_pdf_bytes(*, plan: Plan) -> bytes:
    """The PDF of a plan not issued yet: the stored file of what it prints
    now, else made from its stored or newly rendered parts (and kept)."""
    parts = plan_pdf_parts(plan)
    data = _stored(draft_pdf_name(plan.pk, parts))
    if data is not None:
        return data
    return _join_and_store(plan.pk, parts, [_part_bytes(plan.pk, part) for part in parts])


def draft_pdf_prepare(*, plan: Plan, only: str | None = None) -> list[str]:
    """Make and keep the draft PDF of `plan` as it is now, for the worker
    after a save: nothing when its file exists. `only`: make that part alone
    (two workers, one part each), else every missing one; the file is joined
    by whichever finds all parts stored once its own is. Returns the parts
    it rendered."""
    parts = plan_pdf_parts(plan)
    if default_storage.exists(draft_pdf_name(plan.pk, parts)):
        return []
    datas: dict[str, bytes | None] = {}
    for part in parts:
        name = part_name(plan.pk, part)
        if only in (None, part.name) and not default_storage.exists(name):
            datas[part.name] = pdf_part_render(part)
            _store(name, datas[part.name])
    rendered = list(datas)
    # Read the others only now: a part stored meanwhile by another worker is seen.
    for part in parts:
        if part.name not in datas:
            datas[part.name] = _stored(part_name(plan.pk, part))
    if all(datas[part.name] is not None for part in parts):
        _join_and_store(plan.pk, parts, [datas[part.name] for part in parts])  # type: ignore[misc]
    return rendered


def draft_missing_parts(*, plan: Plan) -> list[str]:
    """The parts of the plan's current PDF that no file holds yet."""
    parts = plan_pdf_parts(plan)
    if default_storage.exists(draft_pdf_name(plan.pk, parts)):
        return []
    return [part.name for part in parts if not default_storage.exists(part_name(plan.pk, part))]


def draft_stored_names() -> list[str]:
    """For the orphan sweep: the stored draft files of plans not issued
    (those of an issued, deleted or thrown-away plan belong to no one)."""
    gone = (Plan.Status.ISSUED, Plan.Status.DELETED)
    drafts = {str(pk) for pk in Plan.objects.exclude(status__in=gone).values_list("pk", flat=True)}
    names = []
    for name in storage_walk(default_storage, DRAFTS_PREFIX):
        folder = name[len(DRAFTS_PREFIX):].partition("/")[0]
        if folder in drafts:
            names.append(name)
    return names


def plan_document_filename(plan: Plan, fmt: str) -> str:
    """ "KH-255-KH-UBND-2020.pdf" once numbered, "KH-du-thao-UBND-huyen-Binh-Giang-2025.pdf"
    before: what the file is, never an internal id, and a different name for
    each year's plan. "KH-255-KH-UBND-2020-ky-so.pdf" for the signed copy,
    when the plan instance already knows it has one (plan_document_bytes
    looked, or select_related("signed_copy")): no query here."""
    extension = FORMATS[fmt].extension
    years = file_name_part(plan.years_label)
    if plan.number is None:
        return f"KH-du-thao-{file_name_part(str(plan.issuer))}-{years}.{extension}"
    signed = "-ky-so" if fmt == "pdf" and _signed_copy_known(plan) else ""
    return f"KH-{plan.number:02d}-{file_name_part(plan.symbol)}-{years}{signed}.{extension}"
