"""The compliance dashboard: thin views over scope, figures, filters and exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.services import record_event
from common.text import file_name_part

from .exports import dashboard_xlsx
from .figures import period_counts
from .pages import ASKED, dashboard_page, page_setup
from .scope import NO_ACCESS, Node, dashboard_node, dashboard_scope_for_user


def _node(request: HttpRequest) -> Node:
    """The node of the page: the user's scope, the unit asked for (?agency=), checked."""
    scope = dashboard_scope_for_user(user=request.user)
    if scope is None:
        raise PermissionDenied(NO_ACCESS)
    return dashboard_node(user=request.user, scope=scope, agency_id=request.GET.get("agency"))


def _asked(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in ASKED if request.GET.get(key)}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    node = _node(request)
    # Sorting, filtering and paging redraw the table alone.
    table_only = request.htmx.target == "agency-table"
    page = dashboard_page(node=node, query=_asked(request), today=timezone.localdate(), table_only=table_only)
    if table_only:
        return HttpResponse(page.html)
    return render(request, "dashboard/dashboard.html", {"node": node, "page": page})


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    setup = page_setup(node=_node(request), query=_asked(request), today=timezone.localdate())
    node, period, plan, today = setup["node"], setup["period"], setup["plan"], setup["today"]
    if period is None:
        raise Http404("Chưa có kỳ báo cáo nào.")
    content = dashboard_xlsx(
        node=node, period=period, plan=plan, filters=setup["filters"], today=today,
        kpi=period_counts(node=node, period=period, plan=plan, today=today),
        link=lambda report: request.build_absolute_uri(reverse("reports:detail", args=[report.pk])),
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    where = file_name_part(str(node.agency)) if node.agency else "toan-bo-pham-vi"
    response["Content-Disposition"] = f'attachment; filename="Theo-doi-{file_name_part(period.label)}-{where}.xlsx"'
    record_event(request, "export_xlsx", f"Theo dõi {period} · {node.agency or 'toàn bộ phạm vi'}")
    return response
