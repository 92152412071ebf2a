"""Evidence files of a report: stored once per content, only while the report is open.

A file is stored before its row is committed and deleted again if the
transaction rolls back (common.files.files_atomic); a deleted row's file goes
once the delete is committed. Storage is Django's default storage: local
disk, or S3-compatible object storage when configured."""

from __future__ import annotations

import hashlib
import logging
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from common.files import bounded_filename, file_save, files_atomic

from ..models import Evidence, Report
from .reports import ensure_open, report_save

logger = logging.getLogger(__name__)

ORIGINAL_NAME_MAX_LENGTH = Evidence._meta.get_field("original_name").max_length or 255
STORAGE_FAILED = "Chưa lưu được tệp minh chứng vào kho lưu trữ; chưa có gì được ghi. Xin thử lại sau ít phút."


def evidence_add(*, report: Report, name: str, content: bytes, content_type: str, user) -> Evidence:
    """Attach a file to an open report; the same content twice is kept once.
    A file that cannot be stored raises ValidationError and writes nothing."""
    with files_atomic():
        ensure_open(report)
        digest = hashlib.sha256(content).hexdigest()
        duplicate = report.evidence.filter(sha256=digest).first()
        if duplicate is not None:  # a double-click or the same file twice: keep one
            return duplicate
        evidence = Evidence(
            report=report, original_name=bounded_filename(name, max_chars=ORIGINAL_NAME_MAX_LENGTH, max_bytes=4 * 255),
            content_type=content_type, size=len(content), sha256=digest, uploaded_by=user,
        )
        try:
            file_save(evidence.file, os.path.basename(name) or "tep", ContentFile(content))
        except OSError as exc:  # disk full, object storage unreachable, a name the storage refuses
            logger.exception("Evidence of report %s not stored", report.pk)
            raise ValidationError(STORAGE_FAILED) from exc
        evidence.save()
        return evidence


def report_save_with_evidence(*, report: Report, lock_version: int, lines: dict[int, dict], narrative: dict,
                              name: str, content: bytes, content_type: str, user) -> Evidence:
    """Save the draft and attach a file as one transaction: if the file
    cannot be stored, the draft is not saved either (nothing half-written)."""
    with files_atomic():
        report_save(report=report, lock_version=lock_version, lines=lines, narrative=narrative)
        return evidence_add(report=report, name=name, content=content, content_type=content_type, user=user)


@transaction.atomic
def evidence_delete(*, report: Report, evidence: Evidence) -> None:
    """Delete the row; its file goes once the delete is committed (the
    post_delete receiver in reports/apps.py, which covers every way a row
    goes: this service, the admin, its report deleted)."""
    ensure_open(report)
    if evidence.report_id != report.pk:
        raise ValidationError("Tệp không thuộc báo cáo này.")
    evidence.delete()
