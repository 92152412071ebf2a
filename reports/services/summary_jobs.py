"""Summary documents built by the worker: a national BC runs to hundreds of
pages and a minute of layout, past any request's timeout (gunicorn's 120 s,
a proxy's 60 s). The summary page asks for one (summary_job_start), the
worker builds it (summary_job_build, from reports.tasks.summary_document_task)
and moves the job's progress along; the page polls it and offers the file."""

from __future__ import annotations

import logging

from celery import current_app
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from common.files import file_save, files_atomic

from ..models import SummaryDocumentJob
from ..selectors import period_summary

logger = logging.getLogger(__name__)

# By name: reports.tasks imports this module, so importing it here would make a cycle.
SUMMARY_DOCUMENT_TASK = "reports.tasks.summary_document_task"

# Above this many reports in the period the BC and the XLSX go to the worker;
# a province (some 130 units) still downloads at once.
SUMMARY_SYNC_REPORTS = 400

Job = SummaryDocumentJob


def summary_in_worker(*, reports: int) -> bool:
    """Whether the files of a summary of this many reports are built by the worker."""
    return reports > SUMMARY_SYNC_REPORTS


def summary_job_start(*, user, period, root, file_format: str, signer: dict[str, str]) -> SummaryDocumentJob:
    """A job for the worker, sent once the row is committed. The user's
    earlier jobs for the same summary and format go (their files after the
    commit): one file per thing asked for."""
    earlier = Job.objects.filter(user=user, period=period, agency=root, file_format=file_format)
    for old in earlier.exclude(status=Job.Status.RUNNING):
        old.delete()  # the post_delete signal removes its file after the commit
    job = Job.objects.create(user=user, period=period, agency=root, file_format=file_format, signer=signer,
                             step="Đang chờ máy chủ xử lý")
    transaction.on_commit(
        lambda: current_app.send_task(SUMMARY_DOCUMENT_TASK, args=[job.pk], ignore_result=True), robust=True)
    return job


def _progress(job: SummaryDocumentJob):
    def progress(percent: int, step: str) -> None:
        Job.objects.filter(pk=job.pk).update(progress=min(percent, 99), step=step)
    return progress


def summary_job_build(*, job_id: int) -> str:
    """Build the job's file and store it; the job says how far it got. A job
    already done (a redelivered message) is left as it is; a database error
    propagates (the task retries), any other failure marks the job failed."""
    from ..documents import summary_docx_render, summary_pdf_render  # WeasyPrint loads on the worker only
    from ..exports import summary_xlsx

    job = Job.objects.select_related("period", "agency").filter(pk=job_id).first()
    if job is None or job.status == Job.Status.DONE:
        return "gone" if job is None else job.status
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=5, step="Đang tổng hợp số liệu")
    progress = _progress(job)
    try:
        summary = period_summary(period=job.period, root=job.agency)
        progress(30, "Đã tổng hợp số liệu")
        if job.file_format == Job.Format.PDF:
            content = summary_pdf_render(summary=summary, signer=job.signer, progress=progress)
        elif job.file_format == Job.Format.DOCX:
            content = summary_docx_render(summary=summary, signer=job.signer, progress=progress)
        else:
            content = summary_xlsx(summary)
        progress(95, "Đang lưu tệp")
        # The download names the file (reports.views.summary_file_name); storage needs only to be unique.
        name = f"{job.pk}-{job.period_id}-{job.agency_id}.{job.file_format}"
        with files_atomic():
            file_save(job.file, name, ContentFile(content))
            job.status, job.progress, job.step, job.finished_at = Job.Status.DONE, 100, "Đã xong", timezone.now()
            job.save(update_fields=["file", "status", "progress", "step", "finished_at"])
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        logger.exception("Summary job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, step="Không tạo được tệp",
                                             error=str(exc)[:255], finished_at=timezone.now())
        return Job.Status.FAILED
    return Job.Status.DONE
