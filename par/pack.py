"""The evidence pack (bộ hồ sơ minh chứng): one ZIP of a unit's year for the
graders, built by the worker (par.tasks.evidence_pack_task).

    00-muc-luc.pdf, 00-muc-luc.xlsx      the index: criterion, points, computation, file names
    01-ke-hoach/<nn>-KH-….pdf           the plans: the unit's own and those giving it tasks (signed copy if any)
    02-bao-cao/<nn>-<period>.pdf        its sent reports of the year
    03-minh-chung/<code>/<nn>-<name>    the evidence of each criterion, and the head's extra file

A file proving several criteria is stored once, under the first, and the
index lists it for each. Names are ASCII (folded Vietnamese) so every unzip
tool keeps them.

`pack_fingerprint` names the data a pack is built from; when it changes the
pack is stale and is built again on request."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from common.files import delete_on_commit, file_save, files_atomic
from common.text import file_name_part
from plans.documents.storage import plan_document_bytes, plan_document_filename, plan_signed_copy
from plans.selectors import plan_with_contents
from reports.models import Report, ReportLine

from .measures import plans_behind
from .models import Assessment, EvidencePack
from .pack_documents import IndexRow, PackIndex, index_pdf, index_xlsx, report_pdf
from .selectors import assessment_rows, evidence_tags, year_evidence
from .services import assessment_open

logger = logging.getLogger(__name__)

# By name: par.tasks imports this module.
PACK_TASK = "par.tasks.evidence_pack_task"
# A pack asked for again while queued or building is left to that build,
# unless the build has sat this long (a worker that died).
PACK_STUCK = dt.timedelta(minutes=20)
# Progress is saved once per this many files.
PROGRESS_EVERY = 4
# Already compressed: stored as they are, deflating them only costs time.
STORED_EXTENSIONS = {"pdf", "jpg", "jpeg", "png", "gif", "webp", "zip", "rar", "7z", "gz", "docx", "xlsx",
                     "pptx", "odt", "ods", "odp", "mp3", "mp4", "mov", "avi", "heic"}
CHUNK = 1024 * 1024

Status = EvidencePack.Status


class PackError(Exception):
    """A build that cannot finish, with the Vietnamese message the page shows."""


# Fingerprint ---------------------------------------------------------------------------


def pack_fingerprint(agency: Agency, year: int) -> str:
    """A short hash of everything the pack prints: the assessment and its
    items, the set's criteria, the unit's reports of the year (id, version,
    status), the evidence and the criteria it proves, the plans (id, version,
    signed copy). Eleven queries whatever the size.

    The assessment's `updated_at` is left out on purpose: opening a draft
    assessment saves it (its computed points brought up to date) even when
    nothing changed, which would make every pack of a draft stale at once;
    what the pack prints of it (status, totals, items) is in instead."""
    assessment = Assessment.objects.filter(agency=agency, year=year).first()
    data: dict = {"agency": [agency.pk, agency.name, agency.short_name, agency.place_name, agency.parent_id],
                  "year": year}
    if assessment is not None:
        data["assessment"] = [assessment.pk, assessment.status, str(assessment.self_total),
                              str(assessment.final_total), assessment.criteria_set_id,
                              assessment.criteria_set.title]
        data["items"] = list(assessment.items.order_by("pk").values_list(
            "pk", "criterion_id", "measured", "self_points", "appraised_points", "appraisal_comment", "note",
            "file", "computation"))
        data["criteria"] = list(assessment.criteria_set.criteria.order_by("pk").values_list(
            "pk", "parent_id", "position", "code", "title", "max_score", "tag_id"))
    data["reports"] = list(Report.objects.filter(agency=agency, period__year=year).order_by("pk")
                           .values_list("pk", "lock_version", "status"))
    evidence = year_evidence(agency_id=agency.pk, year=year)
    tags = evidence_tags(evidence)
    data["evidence"] = [[e.pk, e.sha256, sorted(tags[e.pk])] for e in evidence]
    data["plans"] = list(plans_behind(agency=agency, year=year).order_by("pk").values_list(
        "pk", "lock_version", "version", "signed_copy__sha256", "signed_copy__verified_ok"))
    text = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def pack_is_stale(pack: EvidencePack) -> bool:
    """Whether the pack's file (if any: none is stale too) was built from
    other data than the unit's now."""
    if not pack.file or not pack.fingerprint:
        return True
    return pack.fingerprint != pack_fingerprint(pack.agency, pack.year)


def pack_refresh(*, agency: Agency, year: int) -> EvidencePack | None:
    """The unit's pack as its page shows it (None: never asked for): one
    whose data changed since it was built is queued again. No e-mail for
    these: nobody asked."""
    pack = pack_get(agency, year)
    if pack is None or not pack.file or pack.status == Status.FAILED or pack_in_progress(pack):
        return pack
    if not pack_is_stale(pack):
        # Kept for the panel showing this pack next (pack_views.pack_state): not computed twice.
        setattr(pack, "checked_fresh", True)  # noqa: B010 (not a model field)
        return pack
    return pack_request(agency=agency, year=year, user=None)


def pack_in_progress(pack: EvidencePack, *, now: dt.datetime | None = None) -> bool:
    if pack.status not in (Status.QUEUED, Status.BUILDING):
        return False
    return pack.requested_at is not None and pack.requested_at > (now or timezone.now()) - PACK_STUCK


# Request -------------------------------------------------------------------------------


def pack_get(agency: Agency, year: int) -> EvidencePack | None:
    return EvidencePack.objects.select_related("agency").filter(agency=agency, year=year).first()


def pack_request(*, agency: Agency, year: int, user) -> EvidencePack:
    """Queue a build of the unit's pack (made on first request) and send it to
    the worker once committed. A pack already queued or building is left to
    that build. The caller has checked permission."""
    if not Assessment.objects.filter(agency=agency, year=year).exists():
        raise ValidationError(f"{agency.name} chưa có bản tự đánh giá năm {year}: chưa có gì để đóng gói.")
    try:
        with transaction.atomic():
            EvidencePack.objects.get_or_create(agency=agency, year=year)
    except IntegrityError:  # made by a request at the same moment
        pass
    with transaction.atomic():
        pack = EvidencePack.objects.select_for_update().get(agency=agency, year=year)
        if pack_in_progress(pack):
            return pack
        pack.status, pack.done_steps, pack.total_steps, pack.error = Status.QUEUED, 0, 0, ""
        pack.requested_by, pack.requested_at = user, timezone.now()
        pack.save(update_fields=["status", "done_steps", "total_steps", "error", "requested_by", "requested_at"])
        pack_id = pack.pk
        transaction.on_commit(lambda: current_app.send_task(PACK_TASK, args=[pack_id], ignore_result=True),
                              robust=True)
    return pack


# Contents ------------------------------------------------------------------------------


@dataclass
class Entry:
    """One file of the ZIP: its name there and how to get its bytes."""

    name: str
    read: Callable[[], bytes] | FieldFile  # bytes made on demand, or a stored file streamed


@dataclass
class PackContents:
    index: PackIndex
    entries: list[Entry] = field(default_factory=list)


def code_part(code: str) -> str:
    """ "1.4.2" stays "1.4.2"; anything else ASCII-safe ("Đ 1" -> "D-1")."""
    return ".".join(part for part in (file_name_part(p) for p in code.split(".")) if part) or "tc"


def original_part(name: str, *, max_stem: int = 80) -> str:
    """ "Ảnh hội nghị (1).JPG" -> "Anh-hoi-nghi-1.jpg"."""
    stem, ext = os.path.splitext(os.path.basename(name or ""))
    ext = file_name_part(ext).lower()
    if len(ext) > 10:
        stem, ext = name, ""
    stem = file_name_part(stem)[:max_stem].rstrip("-") or "tep"
    return f"{stem}.{ext}" if ext else stem


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def pack_contents(assessment: Assessment) -> PackContents:
    """What the pack holds and the index that lists it; reads a fixed number
    of queries (the documents' own renders aside)."""
    agency, year = assessment.agency, assessment.year
    rows = assessment_rows(assessment)
    entries: list[Entry] = []
    placed: dict[int, str] = {}  # evidence id -> its name in the ZIP
    folders: dict[str, int] = {}
    index_rows = []
    appraised = assessment.status == Assessment.Status.APPRAISED
    for row in rows:
        files: list[str] = []
        if not row.is_group:
            folder = f"03-minh-chung/{code_part(row.criterion.code)}"
            for evidence in row.evidence:
                if evidence.pk not in placed:
                    folders[folder] = folders.get(folder, 0) + 1
                    placed[evidence.pk] = f"{folder}/{folders[folder]:02d}-{original_part(evidence.original_name)}"
                    entries.append(Entry(placed[evidence.pk], evidence.file))
                files.append(placed[evidence.pk])
            item = row.item
            if item is not None and item.file:
                folders[folder] = folders.get(folder, 0) + 1
                name = f"{folder}/{folders[folder]:02d}-bo-sung-{original_part(item.file_name or item.file.name or '')}"
                entries.append(Entry(name, item.file))
                files.append(name)
        item = row.item
        computation = item.computation if item is not None else {}
        summary = computation.get("summary", "") if isinstance(computation, dict) else ""
        if item is not None and not summary:
            summary = "Đơn vị tự chấm, kèm tài liệu kiểm chứng." if row.criterion.measure == "manual" else ""
        index_rows.append(IndexRow(
            code=row.criterion.code, title=row.criterion.title, max_score=row.criterion.max_score,
            summary=summary, note=item.note if item is not None else "", self_points=row.self_points,
            appraised_points=row.points if appraised else None,
            comment=item.appraisal_comment if item is not None else "", files=files, is_group=row.is_group))

    plan_names = []
    plans = list(plan_with_contents().filter(pk__in=plans_behind(agency=agency, year=year).values("pk"))
                 .select_related("signed_copy").order_by("issue_date", "pk"))
    for number, plan in enumerate(plans, start=1):
        plan_signed_copy(plan)  # cached by select_related: the file name below asks no query
        name = f"01-ke-hoach/{number:02d}-{plan_document_filename(plan, 'pdf')}"
        plan_names.append(name)
        entries.append(Entry(name, partial(plan_document_bytes, plan=plan, fmt="pdf")))

    report_names = []
    reports = list(Report.objects.filter(agency=agency, period__year=year).exclude(status=Report.Status.DRAFT)
                   .select_related("period").prefetch_related(Prefetch(
                       "lines", queryset=ReportLine.objects.select_related("task").prefetch_related("figures")))
                   .order_by("period__end", "pk"))
    for number, report in enumerate(reports, start=1):
        name = f"02-bao-cao/{number:02d}-{file_name_part(report.period.label) or report.pk}.pdf"
        report_names.append(name)
        entries.append(Entry(name, partial(report_pdf, report, list(report.lines.all()), agency=agency)))

    criteria_set = assessment.criteria_set
    index = PackIndex(
        agency=agency, year=year, status=assessment.get_status_display(), self_total=assessment.self_total,
        final_total=assessment.final_total, max_total=criteria_set.max_total, set_title=criteria_set.title,
        rows=index_rows, plans=plan_names, reports=report_names, built_on=timezone.localdate())
    return PackContents(index=index, entries=entries)


# Build ---------------------------------------------------------------------------------


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if _extension(name) in STORED_EXTENSIONS else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write(archive: zipfile.ZipFile, entry: Entry) -> None:
    info = _zip_info(entry.name)
    if callable(entry.read):
        archive.writestr(info, entry.read())
        return
    field_file = entry.read
    assert isinstance(field_file, FieldFile) and field_file.name
    try:
        source = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError:
        raise PackError(f"Thiếu tệp «{entry.name.rpartition('/')[2]}» trong kho lưu trữ "
                        f"(tệp gốc {field_file.name}): báo quản trị hệ thống khôi phục tệp rồi tạo lại.") from None
    with source, archive.open(info, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, CHUNK)


def pack_file_name(pack: EvidencePack) -> str:
    """The name the download offers: "Ho-so-minh-chung-CCHC-2026-UBND-xa-Mot.zip"."""
    return f"Ho-so-minh-chung-CCHC-{pack.year}-{file_name_part(pack.agency.name)[:80]}.zip"


def _progress(pack_id: int, done: int) -> None:
    EvidencePack.objects.filter(pk=pack_id).update(done_steps=done)


def pack_build(pack_id: int) -> str:
    """Build the pack's ZIP in a temporary file, then store it in place of the
    old one: ready, with its size, file count and fingerprint. A failure
    leaves the old file (if any) and no half file, and says why in
    Vietnamese; a database error propagates (the task retries)."""
    pack = EvidencePack.objects.select_related("agency__parent").filter(pk=pack_id).first()
    if pack is None:
        return "gone"
    agency, year = pack.agency, pack.year
    EvidencePack.objects.filter(pk=pack.pk).update(status=Status.BUILDING, done_steps=0, total_steps=0, error="")
    handle, temp_path = tempfile.mkstemp(prefix="cchc-pack-", suffix=".zip")
    os.close(handle)
    try:
        if Assessment.objects.filter(agency=agency, year=year, status=Assessment.Status.DRAFT).exists():
            # A draft's points follow the data: brought up to date as its page would.
            assessment_open(agency=agency, year=year)
        # Taken before reading: a change made during the build leaves the pack stale, never wrongly fresh.
        fingerprint = pack_fingerprint(agency, year)
        assessment = (Assessment.objects.select_related("criteria_set", "agency__parent")
                      .filter(agency=agency, year=year).first())
        if assessment is None:
            raise PackError(f"{agency.name} chưa có bản tự đánh giá năm {year}.")
        contents = pack_contents(assessment)
        total = len(contents.entries) + 2
        EvidencePack.objects.filter(pk=pack.pk).update(total_steps=total)
        with zipfile.ZipFile(temp_path, "w", allowZip64=True) as archive:
            archive.writestr(_zip_info("00-muc-luc.pdf"), index_pdf(contents.index))
            archive.writestr(_zip_info("00-muc-luc.xlsx"), index_xlsx(contents.index))
            done = 2
            _progress(pack.pk, done)
            for entry in contents.entries:
                _write(archive, entry)
                done += 1
                if done % PROGRESS_EVERY == 0:
                    _progress(pack.pk, done)
        size = os.path.getsize(temp_path)
        with files_atomic():
            pack = EvidencePack.objects.select_for_update().select_related("agency").get(pk=pack.pk)
            old = pack.file.name
            with open(temp_path, "rb") as stored:
                file_save(pack.file, f"{year}-{file_name_part(agency.code) or agency.pk}.zip", File(stored))
            if old and old != pack.file.name:
                delete_on_commit(pack.file.storage, old)
            pack.status, pack.done_steps, pack.total_steps = Status.READY, total, total
            pack.size, pack.files_count, pack.fingerprint = size, total, fingerprint
            pack.built_at, pack.error = timezone.now(), ""
            pack.save(update_fields=["file", "status", "done_steps", "total_steps", "size", "files_count",
                                     "fingerprint", "built_at", "error"])
    except (OperationalError, InterfaceError):
        raise
    except PackError as problem:
        _failed(pack.pk, str(problem))
        return Status.FAILED
    except Exception:
        logger.exception("Evidence pack %s failed", pack.pk)
        _failed(pack.pk, "Không tạo được bộ hồ sơ do lỗi hệ thống (đã ghi nhật ký). Hãy thử lại sau; "
                         "nếu vẫn lỗi, báo quản trị hệ thống.")
        return Status.FAILED
    finally:
        try:
            os.unlink(temp_path)
        except FileNotFoundError:
            pass
    return Status.READY


def _failed(pack_id: int, message: str) -> None:
    EvidencePack.objects.filter(pk=pack_id).update(status=Status.FAILED, error=message[:2000])


# Mail ----------------------------------------------------------------------------------


def pack_ready_mail(pack_id: int) -> bool:
    """Tell the requester the pack is ready, with the link to download it.
    False when there is no one to tell."""
    pack = EvidencePack.objects.select_related("agency", "requested_by").filter(pk=pack_id).first()
    if pack is None or pack.status != Status.READY or pack.requested_by is None or not pack.requested_by.email:
        return False
    title = f"Bộ hồ sơ minh chứng Chỉ số CCHC năm {pack.year} của {pack.agency.name} đã sẵn sàng"
    url = settings.SITE_URL.rstrip("/") + reverse("par:pack_download", args=[pack.agency_id, pack.year])
    built = timezone.localtime(pack.built_at) if pack.built_at else None
    context = {
        "title": title,
        "body": "Máy chủ đã tạo xong bộ hồ sơ minh chứng (mục lục PDF và XLSX, kế hoạch, báo cáo và tệp minh "
                "chứng theo từng tiêu chí). Đăng nhập Cổng để tải về.",
        "rows": [
            {"label": "Đơn vị", "value": pack.agency.name},
            {"label": "Năm đánh giá", "value": str(pack.year)},
            {"label": "Số tệp", "value": str(pack.files_count)},
            {"label": "Dung lượng", "value": size_text(pack.size)},
            {"label": "Tạo lúc", "value": f"{built:%H:%M %d/%m/%Y}" if built else ""},
        ],
        "action": "Tải bộ hồ sơ",
        "url": url,
    }
    message = EmailMultiAlternatives(
        subject=title, body=render_to_string("emails/reminder-body-text.txt", context),
        to=[pack.requested_by.email],
        headers={"Message-ID": f"<pack-{pack.pk}-{pack.fingerprint}@cchc-portal>"},
    )
    message.attach_alternative(render_to_string("emails/reminder-body-html.html", context), "text/html")
    message.send()
    return True


def size_text(size: int) -> str:
    """1.5 MB -> "1,5 MB" (decimal comma)."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} byte"

