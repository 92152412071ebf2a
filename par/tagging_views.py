"""The tagging pages: which PAR criteria a plan, its tasks, a report and its
evidence files prove. Who may tag: par/tag_rules.py. Whoever may read the
plan or the report sees the page (read only); only a tagger saves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.permissions import can
from plans.models import Plan
from plans.rules import PLAN_VIEW
from reports.models import Report
from reports.rules import REPORT_VIEW

from .tag_rules import PAR_TAG_PLAN, PAR_TAG_REPORT, PAR_TAG_TASK
from .tagging import plan_tagging, plan_tags_save, report_tagging, report_tags_save
from .tagging_forms import TaggingForm


@login_required
def plan_tags(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = request.user
    plan = Plan.objects.select_related("issuer").filter(pk=plan_id).first()
    if plan is None or not can(user, PLAN_VIEW, plan):
        raise Http404("Không tìm thấy kế hoạch.")
    data = plan_tagging(plan)
    may_plan = can(user, PAR_TAG_PLAN, plan)
    editable = {task.pk for task in data.tasks if can(user, PAR_TAG_TASK, task)}
    if request.method == "POST" and not (may_plan or editable):
        raise PermissionDenied("Bạn không có quyền gắn nhãn cho kế hoạch này.")
    rows = [("plan", plan.pk, "Nhãn của kế hoạch", data.plan_tags, may_plan)]
    rows += [("task", t.pk, f"Nhãn thêm của nhiệm vụ {n}", data.task_tags.get(t.pk, set()), t.pk in editable)
             for n, t in enumerate(data.tasks, start=1)]
    form = TaggingForm(request.POST if request.method == "POST" else None, tags=data.tags, rows=rows)
    if request.method == "POST":
        if form.is_valid():
            plan_tags_save(plan=plan, plan_tags=form.owners("plan").get(plan.pk) if may_plan else None,
                           task_tags=form.owners("task"))
            messages.success(request, "Đã lưu nhãn minh chứng Chỉ số CCHC của kế hoạch và các nhiệm vụ.")
            return redirect("par:tag_plan", plan.pk)
        messages.error(request, "Chưa lưu được: xem các ô báo lỗi bên dưới.")
    inherited = [t.name for t in data.tags if t.pk in data.plan_tags]
    context = {
        "plan": plan, "form": form, "tags": data.tags, "may_plan": may_plan, "may_save": may_plan or bool(editable),
        "plan_field": form.field("plan", plan.pk), "inherited": inherited,
        "task_rows": [(n, t, form.field("task", t.pk), t.pk in editable) for n, t in enumerate(data.tasks, start=1)],
    }
    return render(request, "par/tag_plan.html", context)


@login_required
def report_tags(request: HttpRequest, report_id: int) -> HttpResponse:
    user = request.user
    report = Report.objects.select_related("agency", "period").filter(pk=report_id).first()
    if report is None or not can(user, REPORT_VIEW, report):
        raise Http404("Không tìm thấy báo cáo.")
    may_tag = can(user, PAR_TAG_REPORT, report)
    if request.method == "POST" and not may_tag:
        raise PermissionDenied("Bạn không có quyền gắn nhãn cho báo cáo này.")
    data = report_tagging(report)
    rows = [("report", report.pk, "Nhãn của báo cáo", data.report_tags, may_tag)]
    rows += [("evidence", e.pk, f"Nhãn của tệp {e.original_name}", data.evidence_tags.get(e.pk, set()), may_tag)
             for e in data.evidence]
    form = TaggingForm(request.POST if request.method == "POST" else None, tags=data.tags, rows=rows)
    if request.method == "POST":
        if form.is_valid():
            report_tags_save(report=report, report_tags=form.owners("report")[report.pk],
                             evidence_tags=form.owners("evidence"))
            messages.success(request, "Đã lưu nhãn minh chứng Chỉ số CCHC của báo cáo và các tệp minh chứng.")
            return redirect("par:tag_report", report.pk)
        messages.error(request, "Chưa lưu được: xem các ô báo lỗi bên dưới.")
    context = {
        "report": report, "form": form, "may_tag": may_tag,
        "report_field": form.field("report", report.pk),
        "inherited": [t.name for t in data.tags if t.pk in data.inherited],
        "evidence_rows": [(e, form.field("evidence", e.pk)) for e in data.evidence],
    }
    return render(request, "par/tag_report.html", context)
