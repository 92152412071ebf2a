"""Report pages: thin views over reports/services.py and reports/selectors.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.services import record_event
from agencies.models import Agency
from agencies.permissions import can
from common.ids import parse_id
from common.text import file_name_part
from schedule.models import ReportingPeriod

from . import services
from .exports import summary_xlsx
from .forms import (
    EvidenceForm,
    NarrativeForm,
    NotificationPreferenceForm,
    RecordForm,
    ReportLineForm,
    ReviewForm,
    SignerForm,
)
from .models import Report, SummaryDocumentJob
from .rules import REPORT_EDIT, REPORT_RECORD, REPORT_REVIEW, REPORT_SUBMIT, SUMMARY_REMIND, SUMMARY_VIEW
from .selectors import (
    SUMMARY_MORE,
    evidence_response,
    narrative_groups,
    notification_preferences_for_user,
    notifications_for_user,
    period_summary,
    periods_recent,
    report_get_for_user,
    report_lists_for_user,
    scope_agencies_for_summary,
    summary_list_page,
    summary_report_count,
    year_to_date_before,
)
from .services import reminders_manual
from .services.bell import unread_forget
from .services.summary_jobs import summary_in_worker, summary_job_start


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "lists": report_lists_for_user(user=request.user, filters=query, page=request.GET.get("page")),
        "query": query.urlencode(),
        "summary_roots": scope_agencies_for_summary(user=request.user),
        "periods": periods_recent()[:8],
    }
    return render(request, "reports/report_index.html", context)


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, report_id=report_id)
    user = request.user
    may_edit, may_submit = can(user, REPORT_EDIT, report), can(user, REPORT_SUBMIT, report)
    lines = list(report.lines.all())
    post = request.POST if request.method == "POST" and may_edit else None
    before = year_to_date_before(report=report)
    line_forms = [ReportLineForm(post, line=line, year_to_date=before.get(line.pk)) for line in lines]
    narrative = NarrativeForm(post, initial={
        "lock_version": report.lock_version, "results": report.results,
        "shortcomings": report.shortcomings, "proposals": report.proposals,
    })
    evidence_form = EvidenceForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("save", "submit", "upload") and not may_edit:
        raise PermissionDenied
    if action == "upload":
        # Attaching a file also saves what was typed, so nothing is lost.
        evidence_form = EvidenceForm(request.POST, request.FILES)
    if action in ("save", "submit", "upload"):
        if action == "submit" and not may_submit:
            raise PermissionDenied("Chỉ lãnh đạo đơn vị nộp báo cáo.")
        if all(f.is_valid() for f in line_forms) and narrative.is_valid():
            draft = {"report": report, "lock_version": narrative.cleaned_data["lock_version"],
                     "lines": {f.line.pk: f.values() for f in line_forms}, "narrative": narrative.cleaned_data}
            try:
                if action == "upload" and evidence_form.is_valid():
                    # One transaction: a file that cannot be stored saves nothing.
                    services.report_save_with_evidence(
                        **draft, name=evidence_form.cleaned_data["file"].name,
                        content=evidence_form.cleaned_data["content"],
                        content_type=evidence_form.cleaned_data["content_type"], user=user,
                    )
                else:
                    services.report_save(**draft)
                if action == "submit":
                    services.report_submit(report=report, user=user)
            except services.StaleReportError as exc:
                narrative.add_error(None, str(exc))
            except ValidationError as exc:
                narrative.add_error(None, exc.messages)
            else:
                if action == "submit":
                    late = report.days_late
                    messages.success(request, "Đã nộp báo cáo." + (f" Nộp muộn {late} ngày so với hạn." if late else ""))
                elif action == "upload" and evidence_form.errors:
                    messages.error(request, "Đã lưu nháp; tệp chưa được đính kèm: " + " ".join(evidence_form.errors["file"]))
                elif action == "upload":
                    messages.success(request, f"Đã lưu nháp và đính kèm «{evidence_form.cleaned_data['file'].name}».")
                else:
                    messages.success(request, "Đã lưu nháp báo cáo.")
                return redirect("reports:detail", report.pk)
        else:
            messages.error(request, "Báo cáo chưa lưu: xem các ô báo lỗi bên dưới.")
    context = {
        "report": report,
        "line_forms": line_forms,
        "narrative": narrative,
        "evidence_form": evidence_form,
        "may_edit": may_edit,
        "may_submit": may_submit,
        "may_review": can(user, REPORT_REVIEW, report),
        "may_record": can(user, REPORT_RECORD, report),
        "review_form": ReviewForm(),
    }
    return render(request, "reports/report_detail.html", context)


def _errors_to_form(form, exc: ValidationError) -> None:
    """A service's refusal next to the field it names, or above the form."""
    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
        form.add_error(None, exc)
    else:
        form.add_error(None, exc.messages)


@login_required
def report_record(request: HttpRequest, report_id: int) -> HttpResponse:
    """A reviewer (or an admin) enters a report the unit sent on paper."""
    report = report_get_for_user(user=request.user, report_id=report_id, action=REPORT_RECORD)
    post = request.POST if request.method == "POST" else None
    before = year_to_date_before(report=report)
    line_forms = [ReportLineForm(post, line=line, year_to_date=before.get(line.pk)) for line in report.lines.all()]
    form = RecordForm(post, initial={
        "lock_version": report.lock_version, "results": report.results,
        "shortcomings": report.shortcomings, "proposals": report.proposals,
    })
    if post is not None:
        if all([form.is_valid(), *(f.is_valid() for f in line_forms)]):
            try:
                services.report_record(
                    report=report, user=request.user, submitted_on=form.cleaned_data["submitted_on"],
                    lock_version=form.cleaned_data["lock_version"],
                    lines={f.line.pk: f.values() for f in line_forms}, narrative=form.cleaned_data,
                )
            except services.StaleReportError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                late = report.days_late
                messages.success(request, "Đã ghi nhận báo cáo nộp ngoài cổng: "
                                 + (f"nộp muộn {late} ngày so với hạn." if late else "nộp đúng hạn."))
                return redirect("reports:detail", report.pk)
        messages.error(request, "Chưa ghi nhận được báo cáo: xem các ô báo lỗi bên dưới.")
    context = {"report": report, "form": form, "line_forms": line_forms, "may_edit": True}
    return render(request, "reports/report_record.html", context)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, report_id: int, evidence_id: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, report_id=report_id, action=REPORT_EDIT)
    services.evidence_delete(report=report, evidence=get_object_or_404(report.evidence.all(), pk=evidence_id))
    messages.success(request, "Đã xóa tệp minh chứng.")
    return redirect("reports:detail", report.pk)


@login_required
def evidence_download(request: HttpRequest, report_id: int, evidence_id: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, report_id=report_id)
    evidence = get_object_or_404(report.evidence.all(), pk=evidence_id)
    try:
        response = evidence_response(evidence)
    except FileNotFoundError:
        return render(request, "reports/evidence_missing.html", {"report": report, "evidence": evidence}, status=404)
    record_event(request, "download_evidence", evidence)
    return response


@login_required
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, report_id=report_id, action=REPORT_REVIEW)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("reports:detail", report.pk)
    line_comments = {
        line.pk: request.POST.get(f"lc-{line.pk}", "") for line in report.lines.all()
    }
    try:
        if form.cleaned_data["decision"] == "accept":
            services.report_accept(report=report, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, "Đã tiếp nhận báo cáo.")
        else:
            services.report_return(report=report, user=request.user, comment=form.cleaned_data["comment"],
                                   line_comments=line_comments)
            messages.success(request, "Đã trả lại báo cáo cho đơn vị.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports:detail", report.pk)


def _summary_root(request: HttpRequest) -> Agency:
    roots = scope_agencies_for_summary(user=request.user)
    chosen = request.GET.get("agency", "")
    if chosen and parse_id(chosen) is None:
        raise Http404("Không tìm thấy đơn vị.")
    if chosen:
        root = get_object_or_404(Agency, pk=chosen)
    elif roots:
        root = roots[0]
    else:
        raise PermissionDenied("Báo cáo tổng hợp dành cho cán bộ Nội vụ và cán bộ của đơn vị có đơn vị trực thuộc.")
    if not can(request.user, SUMMARY_VIEW, root):
        raise PermissionDenied("Đơn vị này ngoài phạm vi bạn theo dõi.")
    return root


SUMMARY_ROWS = 50  # units the page lists per table; the rest on the «xem tiếp» page


@login_required
def summary(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    root = _summary_root(request)
    context = period_summary(period=period, root=root, rows=SUMMARY_ROWS)
    context["unit_rows"] = dict(list(context["by_agency"].items())[:SUMMARY_ROWS])
    context["unit_heading"] = "Tỉnh, thành phố" if context["national"] else "Đơn vị"
    if context["counts"]["units"] > SUMMARY_ROWS:
        context["more_units"] = f"{reverse('reports:summary_more', args=[period.pk, 'units'])}?agency={root.pk}"
    context["roots"] = scope_agencies_for_summary(user=request.user)
    context["signer_form"] = SignerForm(request.GET, root=root)
    # Heads and drafters above the units read the summary; reminding is the reviewers'.
    context["may_remind"] = can(request.user, SUMMARY_REMIND, root)
    context["in_worker"] = summary_in_worker(reports=context["counts"]["reports"])
    return render(request, "reports/summary.html", context)


@login_required
def summary_more(request: HttpRequest, period_id: int, part: str) -> HttpResponse:
    """«Xem tiếp»: every unit of one of the summary's lists, a page at a time."""
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    root = _summary_root(request)
    context = {"period": period, "root": root, "part": part, "root_pk": str(root.pk)}
    if part == "units":
        summary = period_summary(period=period, root=root, rows=0)
        context |= {"title": "Theo đơn vị", "rows": summary["by_agency"], "totals": summary["totals"],
                    "counter_labels": summary["counter_labels"], "national": summary["national"]}
    else:
        context |= {"title": SUMMARY_MORE[part],
                    "found": summary_list_page(period=period, root=root, part=part, page=request.GET.get("page"))}
        if part == "told":
            context["narrative_groups"] = narrative_groups(list(context["found"].object_list))
    return render(request, "reports/summary_more.html", context)


def summary_file_name(period: ReportingPeriod, root, prefix: str = "BC-tong-hop") -> str:
    """ "BC-tong-hop-Quy-III-2026-So-Noi-vu-Hai-Phong": what the file is, not ids."""
    return f"{prefix}-{file_name_part(period.label)}-{file_name_part(str(root))}"


def _document_response(content: bytes, file_format: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCUMENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{file_name}.{file_format}"'
    return response


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _too_large_for_request(request: HttpRequest, period: ReportingPeriod, root: Agency) -> HttpResponse:
    messages.info(request, "Báo cáo tổng hợp này lớn: bấm nút tạo tệp trên trang, hệ thống sẽ tạo và báo khi xong.")
    return redirect(f"{reverse('reports:summary', args=[period.pk])}?agency={root.pk}")


@login_required
def summary_document_download(request: HttpRequest, period_id: int, file_format: str) -> HttpResponse:
    """The BC of the period, PDF or DOCX, for the reviewer to sign and send.
    A large one is built by the worker (summary_job_create) instead."""
    from .documents import summary_docx_render, summary_pdf_render

    period = get_object_or_404(ReportingPeriod, pk=period_id)
    root = _summary_root(request)
    if summary_in_worker(reports=summary_report_count(period=period, root=root)):
        return _too_large_for_request(request, period, root)
    summary = period_summary(period=period, root=root)
    signer = SignerForm(request.GET, root=root).values()
    if file_format == "pdf":
        content = summary_pdf_render(summary=summary, signer=signer)
    else:
        content = summary_docx_render(summary=summary, signer=signer)
    response = _document_response(content, file_format, summary_file_name(period, root))
    record_event(request, "download_summary", f"{period} · {root}")
    return response


@login_required
def summary_export(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    root = _summary_root(request)
    if summary_in_worker(reports=summary_report_count(period=period, root=root)):
        return _too_large_for_request(request, period, root)
    response = _document_response(summary_xlsx(period_summary(period=period, root=root)), "xlsx", summary_file_name(period, root, prefix="Tong-hop"))
    record_event(request, "export_xlsx", f"Tổng hợp {period} · {root}")
    return response


@login_required
@require_POST
def summary_job_create(request: HttpRequest, period_id: int, file_format: str) -> HttpResponse:
    """Ask the worker for a large summary's BC or XLSX; then its progress page."""
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    root = _summary_root(request)
    signer = SignerForm(request.POST, root=root).values() if file_format != "xlsx" else {}
    job = summary_job_start(user=request.user, period=period, root=root, file_format=file_format, signer=signer)
    return redirect("reports:summary_job", job.pk)


def _summary_job(request: HttpRequest, job_id: int) -> SummaryDocumentJob:
    """The user's own job, on a unit they may still read the summary of; 404 otherwise."""
    job = get_object_or_404(SummaryDocumentJob.objects.select_related("period", "agency"), pk=job_id,
                            user=request.user)
    if not can(request.user, SUMMARY_VIEW, job.agency):
        raise Http404("Không tìm thấy yêu cầu.")
    return job


@login_required
def summary_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """How far the worker is; static/js/summary_job.js polls summary_job_status."""
    return render(request, "reports/summary_job.html", {"job": _summary_job(request, job_id)})


@login_required
def summary_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _summary_job(request, job_id)
    return JsonResponse({"status": job.status, "progress": job.progress, "step": job.step,
                         "download": reverse("reports:summary_job_download", args=[job.pk])
                         if job.status == SummaryDocumentJob.Status.DONE else ""})


@login_required
def summary_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _summary_job(request, job_id)
    if job.status != SummaryDocumentJob.Status.DONE or not job.file.name:
        raise Http404("Tệp chưa sẵn sàng.")
    try:
        stored = job.file.storage.open(job.file.name, "rb")
    except FileNotFoundError:
        raise Http404("Tệp không còn: hãy tạo lại.") from None
    prefix = "Tong-hop" if job.file_format == "xlsx" else "BC-tong-hop"
    response = FileResponse(stored, as_attachment=True, content_type=DOCUMENT_TYPES[job.file_format],
                            filename=f"{summary_file_name(job.period, job.agency, prefix=prefix)}.{job.file_format}")
    if job.file_format == "xlsx":
        record_event(request, "export_xlsx", f"Tổng hợp {job.period} · {job.agency}")
    else:
        record_event(request, "download_summary", f"{job.period} · {job.agency}")
    return response


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = notifications_for_user(user=request.user)
    return render(request, "reports/notification_list.html", {"notifications": notifications})


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Per topic: bell and e-mail, or the bell only. Only the user's own."""
    email = notification_preferences_for_user(user=request.user)
    form = NotificationPreferenceForm(request.POST if request.method == "POST" else None, email=email)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(user=request.user, email=form.email())
        messages.success(request, "Đã lưu tùy chọn nhận thông báo.")
        return redirect("reports:notification_preferences")
    return render(request, "reports/notification_preferences.html", {"form": form})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (id posted) or all of the user's as read."""
    mine = request.user.notifications.filter(read_at__isnull=True)
    if parse_id(request.POST.get("id")) is not None:
        mine = mine.filter(pk=parse_id(request.POST["id"]))
    elif request.POST.get("id"):
        mine = mine.none()
    if mine.update(read_at=timezone.now()):
        unread_forget(user_ids=[request.user.pk])
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("reports:notifications")


@login_required
@require_POST
def summary_remind(request: HttpRequest, period_id: int) -> HttpResponse:
    """A reviewer's reminder to chosen agencies; once per report per day."""
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    root = _summary_root(request)
    if not can(request.user, SUMMARY_REMIND, root):
        raise PermissionDenied("Chỉ cán bộ Nội vụ của đơn vị gửi nhắc được.")
    ids = [pk for pk in map(parse_id, request.POST.getlist("report")) if pk is not None]
    reports = [
        r for r in Report.objects.filter(pk__in=ids, period=period, status__in=["draft", "returned"])
        .select_related("agency", "period")
        if can(request.user, SUMMARY_REMIND, r.agency)
    ]
    sent, skipped = reminders_manual(reports=reports)
    note = f" {skipped} đơn vị đã được nhắc hôm nay nên không gửi lại." if skipped else ""
    messages.success(request, f"Đã gửi nhắc {sent} đơn vị.{note}")
    return redirect(f"{reverse('reports:summary', args=[period.pk])}?agency={root.pk}")
