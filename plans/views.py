from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .layout import date_line, letterhead, plan_basis_paragraph, plan_layout, plan_recipients
from .selectors import plan_get_for_user, plan_list_for_user


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plan_list_for_user(user=request.user)
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    return render(request, "plans/plan_list.html", {"page": page})


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    letterhead_parent, letterhead_lines = letterhead(plan)
    context = {
        "plan": plan,
        "letterhead_parent": letterhead_parent,
        "letterhead_lines": letterhead_lines,
        "date_line": date_line(plan),
        "basis": plan_basis_paragraph(plan),
        "sections": plan_layout(plan),
        "recipients": plan_recipients(plan),
        "signer_authority": [line for line in plan.signer_authority.splitlines() if line.strip()],
        "tasks": plan.tasks.all(),
        "tasks_budget": sum(task.budget or 0 for task in plan.tasks.all()),
    }
    return render(request, "plans/plan_detail.html", context)
