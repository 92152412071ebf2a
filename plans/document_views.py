"""Downloads of a plan as its official document (PDF, DOCX)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from accounts.services import record_event

from .documents.storage import FORMATS, plan_document_bytes, plan_document_filename
from .selectors import plan_get_for_user


def _download(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    response = HttpResponse(plan_document_bytes(plan=plan, fmt=fmt), content_type=FORMATS[fmt].content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=plan_document_filename(plan, fmt)
    )
    # Permission-checked content: no shared caches; drafts change between downloads.
    response["Cache-Control"] = "private, no-cache"
    record_event(request, "download_plan", plan)
    return response


@login_required
def plan_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _download(request, plan_id, "pdf")


@login_required
def plan_docx(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _download(request, plan_id, "docx")
