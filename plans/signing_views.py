"""The signed copy (bản ký số) of an issued plan: upload one signed outside
the portal, or have the portal sign with the agency's certificate; and a
page that checks the signature of any PDF (nothing stored)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import record_event

from . import services
from .documents.storage import plan_signed_copy
from .forms import SignatureCheckForm, SignedCopyForm
from .rules import PLAN_SIGN
from .selectors import plan_get_for_user


def _warn_signer(request: HttpRequest, plan, copy) -> None:
    warning = services.signer_warning(plan, copy)
    if warning:
        messages.warning(request, warning)


@login_required
def plan_signed_copy_upload(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The upload form (the head of the issuer, an issued plan); a refused
    file is shown back with the reason under the field, nothing stored."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_SIGN)
    form = SignedCopyForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                copy = services.plan_signed_copy_upload(plan=plan, user=request.user,
                                                        data=form.cleaned_data["file"].read())
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                record_event(request, AuditEvent.Action.UPLOAD_SIGNED_PLAN, plan)
                messages.success(request, "Đã lưu bản ký số: chữ ký số hợp lệ, bản này được dùng khi tải kế hoạch.")
                _warn_signer(request, plan, copy)
                return redirect("plans:detail", plan.pk)
        status = 400
    signed_copy = plan_signed_copy(plan)
    context = {"plan": plan, "form": form, "signed_copy": signed_copy,
               "sign_question": plan_sign_question(plan, signed_copy),
               "signer_warning": services.signer_warning(plan, signed_copy),
               "sign_available": services.plan_sign_available(plan)}
    return render(request, "plans/plan_signed_copy.html", context, status=status)


def plan_sign_question(plan, signed_copy) -> str:
    """The question before the portal signs (the dialog, or the page
    without JavaScript): replacing a signed copy is said so."""
    question = "Cổng ký số bản PDF của kế hoạch bằng chứng thư số của đơn vị"
    if signed_copy is None:
        return question + "? Bản ký số trở thành bản chính thức: mọi lượt tải PDF của kế hoạch nhận bản này."
    who = signed_copy.signer_organisation or signed_copy.signer_name
    when = timezone.localtime(signed_copy.signed_at).strftime("%d/%m/%Y %H:%M") if signed_copy.signed_at else ""
    return (question + f"? Bản ký số hiện tại (ký bởi {who}{', lúc ' + when if when else ''}) sẽ bị thay bằng "
            "bản mới và không còn được dùng khi tải kế hoạch.")


@login_required
def plan_sign(request: HttpRequest, plan_id: int) -> HttpResponse:
    """«Ký số bằng chứng thư của đơn vị». GET: the question (behind the
    dialog of the plan's pages); POST: the portal signs its PDF."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_SIGN)
    if request.method != "POST":
        return render(request, "plans/confirm.html", {
            "plan": plan, "title": "Ký số bằng chứng thư của đơn vị", "button": "Ký số",
            "question": plan_sign_question(plan, plan_signed_copy(plan)), "danger": False,
            "back": reverse("plans:detail", args=[plan.pk]),
        })
    try:
        copy = services.plan_sign_with_agency_certificate(plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:signed_copy", plan.pk)
    record_event(request, AuditEvent.Action.SIGN_PLAN, plan)
    messages.success(request, "Đã ký số kế hoạch bằng chứng thư của đơn vị.")
    _warn_signer(request, plan, copy)
    return redirect("plans:detail", plan.pk)


@login_required
def signature_check(request: HttpRequest) -> HttpResponse:
    """«Kiểm tra chữ ký số»: any signed-in user checks a PDF's signature
    against the portal's trust roots; the file is not kept."""
    form = SignatureCheckForm(request.POST or None, request.FILES or None)
    check = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check = services.signature_check(form.cleaned_data["file"].read())
        else:
            status = 400
    return render(request, "plans/signature_check.html", {"form": form, "check": check}, status=status)
