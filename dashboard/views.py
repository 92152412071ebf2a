"""The compliance dashboard: thin views over scope, figures, filters and exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.services import record_event
from agencies.models import Agency
from common.text import file_name_part

from .cache import CACHE_SECONDS, reports_fingerprint
from .charts import chart_data
from .deadlines import PlanDues
from .exports import dashboard_xlsx
from .figures import STATES, DashboardFigures, period_counts
from .filters import AgencyTable, TableFilters, dashboard_periods, default_period, plan_choices
from .scope import NO_ACCESS, dashboard_node, dashboard_scope_for_user


def _pick(items, raw):
    """The item whose pk was asked for, if it is one of the allowed ones."""
    return next((item for item in items if str(item.pk) == (raw or "")), None)


def _setup(request: HttpRequest) -> dict:
    """Scope, node, period and plan from the query string, checked."""
    scope = dashboard_scope_for_user(user=request.user)
    if scope is None:
        raise PermissionDenied(NO_ACCESS)
    node = dashboard_node(user=request.user, scope=scope, agency_id=request.GET.get("agency"))
    today = timezone.localdate()
    periods = dashboard_periods(today=today)
    period = _pick(periods, request.GET.get("period")) or default_period(periods, today)
    plans = plan_choices(node=node, period=period) if period else []
    return {
        "node": node,
        "today": today,
        "periods": periods,
        "period": period,
        "plans": plans,
        "plan": _pick(plans, request.GET.get("plan")),
        "filters": TableFilters.from_query(request.GET),
        # Set when the page was drilled into (?agency=), kept by every link.
        "agency_param": node.agency.pk if request.GET.get("agency") and node.agency else None,
    }


SORT_TITLES = {"name": "Đơn vị", "kind": "Loại", "parent": "Cấp trên", "status": "Trạng thái", "due": "Hạn nộp",
               "submitted": "Ngày nộp"}


def _aria(sort: str, column: str) -> str:
    return "ascending" if sort == column else "descending" if sort == f"-{column}" else "none"


def _base_query(setup: dict) -> str:
    """Node, period and plan as a query string: the part every link keeps."""
    parts = []
    if setup["agency_param"]:
        parts.append(f"agency={setup['agency_param']}")
    if setup["period"]:
        parts.append(f"period={setup['period'].pk}")
    if setup["plan"]:
        parts.append(f"plan={setup['plan'].pk}")
    return "&".join(parts)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    base = _base_query(setup)
    filters = setup["filters"]
    context = setup | {
        "states": STATES, "kinds": Agency.Kind.choices, "base_query": base,
        "table_query": "&".join(q for q in (base, filters.query()) if q),
        "sort_headers": [
            {"title": title, "aria": _aria(filters.sort, column),
             "query": "&".join(q for q in (base, filters.query(sort=f"-{column}" if filters.sort == column else column)) if q)}
            for column, title in SORT_TITLES.items()
        ],
    }
    period = setup["period"]
    if period is None:
        return render(request, "dashboard/dashboard.html", context)
    node, plan, today = setup["node"], setup["plan"], setup["today"]
    year = [p for p in setup["periods"] if p.year == period.year]
    # The heavy parts are cached fragments keyed by this fingerprint; the
    # objects below compute their figures only when a fragment is missing.
    figures = DashboardFigures(node=node, period=period, periods=setup["periods"], plan=plan, today=today)
    context |= {
        "fingerprint": reports_fingerprint(periods=year, today=today),
        "cache_seconds": CACHE_SECONDS,
        "page_number": request.GET.get("page") or "1",
        "figures": figures,
        # Called by the template inside the cached fragment only.
        "chart_numbers": lambda: chart_data(figures),
        "table": AgencyTable(node=node, period=period, plan=plan, filters=filters, today=today,
                                       page_number=request.GET.get("page")),
        # Reviewers follow next year's plan of the units they watch (the year after the period's).
        "plan_dues": PlanDues(node=node, year=period.year + 1, today=today) if node.subtree else None,
    }
    if request.htmx.target == "agency-table":
        # Sorting, filtering and paging redraw the table alone.
        return render(request, "dashboard/partials/table.html", context)
    return render(request, "dashboard/dashboard.html", context)


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
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
