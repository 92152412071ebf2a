"""Celery tasks of plans: thin entry points that take ids and call the documents' services."""

from celery import current_app, shared_task
from django.db import InterfaceError, OperationalError

from .services.drafting import PDF_PREPARE_EXPIRES, PDF_PREPARE_TASK


@shared_task(name=PDF_PREPARE_TASK, autoretry_for=(OperationalError, InterfaceError), retry_backoff=30,
             max_retries=3, ignore_result=True)
def plan_pdf_prepare_task(plan_id: int, lock_version: int | None = None, part: str | None = None) -> list[str]:
    """After a save: make the draft's PDF so that its next download is a
    storage read. Skipped when the plan was saved again since (`lock_version`
    given and no longer current: that save sent its own task), issued (its
    files are kept by version, plans/documents/storage.py) or thrown away. With both
    parts to make, the appendix goes to another worker process."""
    from .documents.pdf import APPENDIX, BODY
    from .documents.storage import draft_missing_parts, draft_pdf_prepare
    from .models import Plan
    from .selectors import plan_with_contents

    gone = (Plan.Status.ISSUED, Plan.Status.DELETED)
    plan = plan_with_contents().filter(pk=plan_id).exclude(status__in=gone).first()
    if plan is None or (lock_version is not None and plan.lock_version != lock_version):
        return []
    if part is None and len(draft_missing_parts(plan=plan)) > 1:
        current_app.send_task(PDF_PREPARE_TASK, args=[plan_id, lock_version, APPENDIX], expires=PDF_PREPARE_EXPIRES,
                              ignore_result=True)
        part = BODY
    return draft_pdf_prepare(plan=plan, only=part)
