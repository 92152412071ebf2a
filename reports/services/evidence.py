"""Evidence files of a report: stored once per content, only while the report is open."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from ..models import Evidence, Report
from .reports import ensure_open


@transaction.atomic
def evidence_add(*, report: Report, name: str, content: bytes, content_type: str, user) -> Evidence:
    ensure_open(report)
    digest = hashlib.sha256(content).hexdigest()
    duplicate = report.evidence.filter(sha256=digest).first()
    if duplicate is not None:  # a double-click or the same file twice: keep one
        return duplicate
    evidence = Evidence(
        report=report, original_name=name[:255], content_type=content_type, size=len(content), sha256=digest,
        uploaded_by=user,
    )
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, report: Report, evidence: Evidence) -> None:
    ensure_open(report)
    if evidence.report_id != report.pk:
        raise ValidationError("Tệp không thuộc báo cáo này.")
    evidence.file.delete(save=False)
    evidence.delete()
