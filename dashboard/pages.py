"""The dashboard's page content for a node and a query string: built by the
view, or by the warm task after a change, and kept whole in the cache
(cache.py). What the viewer sees depends only on the node (built from their
roles by scope.py) and the query, never on the request itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string

from agencies.models import Agency
from reports.versions import warm_started, warming

from .cache import claim, node_roots, page_cached, page_key, recipes, remember, reports_fingerprint
from .charts import chart_data
from .deadlines import PlanDues
from .figures import STATES, DashboardFigures
from .filters import AgencyTable, TableFilters, dashboard_periods, default_period, plan_choices
from .scope import Node

# The query string's parameters the page reads (the key holds these only).
ASKED = ("agency", "period", "plan", "kind", "parent", "status", "q", "sort", "page")
# Pages the warm task builds again: a node and its period or plan, no table filter.
WARMED = {"agency", "period", "plan"}
SORT_TITLES = {"name": "Đơn vị", "kind": "Loại", "parent": "Cấp trên", "status": "Trạng thái", "due": "Hạn nộp",
               "submitted": "Ngày nộp"}


@dataclass(frozen=True)
class Page:
    html: str
    has_period: bool  # the page draws charts (their scripts are loaded)


def _pick(items, raw):
    """The item whose pk was asked for, if it is one of the allowed ones."""
    return next((item for item in items if str(item.pk) == (raw or "")), None)


def page_setup(*, node: Node, query: dict[str, str], today: dt.date) -> dict:
    """Period and plan from the query string, checked."""
    periods = dashboard_periods(today=today)
    period = _pick(periods, query.get("period")) or default_period(periods, today)
    plans = plan_choices(node=node, period=period) if period else []
    return {
        "node": node,
        "today": today,
        "periods": periods,
        "period": period,
        "plans": plans,
        "plan": _pick(plans, query.get("plan")),
        "filters": TableFilters.from_query(query),
        # Set when the page was drilled into (?agency=), kept by every link.
        "agency_param": node.agency.pk if query.get("agency") and node.agency else None,
    }


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


def page_context(*, node: Node, query: dict[str, str], today: dt.date) -> dict:
    """What the page's templates draw; the figures are computed as they are read."""
    setup = page_setup(node=node, query=query, today=today)
    base = _base_query(setup)
    filters = setup["filters"]
    context = setup | {
        "states": STATES, "kinds": Agency.Kind.choices, "base_query": base,
        "table_query": "&".join(q for q in (base, filters.query()) if q),
        "sort_headers": [
            {"title": title, "aria": _aria(filters.sort, column),
             "query": "&".join(q for q in (base, filters.query(sort=f"-{column}" if filters.sort == column else column))
                               if q)}
            for column, title in SORT_TITLES.items()
        ],
    }
    period, plan = setup["period"], setup["plan"]
    if period is None:
        return context
    figures = DashboardFigures(node=node, period=period, periods=setup["periods"], plan=plan, today=today)
    return context | {
        "figures": figures,
        "chart_numbers": lambda: chart_data(figures),
        "table": AgencyTable(node=node, period=period, plan=plan, filters=filters, today=today,
                             page_number=query.get("page")),
        # Reviewers follow next year's plan of the units they watch (the year after the period's).
        "plan_dues": PlanDues(node=node, year=period.year + 1, today=today) if node.subtree else None,
    }


def _keys(*, node: Node, query: dict[str, str], today: dt.date, table_only: bool) -> tuple[list[int], str, str, str]:
    """(roots, page key, key of its latest build, fingerprint)."""
    roots = node_roots(node)
    fingerprint = reports_fingerprint(roots=roots, today=today)
    return (roots, page_key(node=node, query=query, table_only=table_only, fingerprint=fingerprint),
            page_key(node=node, query=query, table_only=table_only, fingerprint=""), fingerprint)


def dashboard_page(*, node: Node, query: dict[str, str], today: dt.date, table_only: bool = False,
                   claimed: bool = False) -> Page:
    """The page's content (or its agency table alone), from the cache when
    the reports of its provinces have not changed since it was built.
    `claimed`: the caller has claimed the build (the warm task)."""
    query = {k: v for k, v in query.items() if k in ASKED and v}
    roots, key, latest, fingerprint = _keys(node=node, query=query, today=today, table_only=table_only)

    def build() -> Page:
        context = page_context(node=node, query=query, today=today)
        template = "dashboard/partials/table.html" if table_only else "dashboard/partials/page.html"
        if not table_only and set(query) <= WARMED:
            remember(roots=roots, recipe=(node, tuple(sorted(query.items()))))
        return Page(render_to_string(template, context), has_period=context["period"] is not None)

    return page_cached(key, build, latest=latest, fingerprint=fingerprint, claimed=claimed,
                       warming=lambda: warming(roots))


def dashboard_warm(root_ids: list[int], *, today: dt.date) -> int:
    """Make sure the pages last built for these provinces are in the cache
    again (their reports changed): each built here unless a viewer was
    quicker. All are claimed first, so a viewer arriving meanwhile gets the
    page's latest build rather than build it too. Returns how many pages."""
    pages = recipes(root_ids)
    claimed = []
    for node, asked in pages:
        query = dict(asked)
        _, key, _, _ = _keys(node=node, query=query, today=today, table_only=False)
        if cache.get(key) is None and claim(key):
            claimed.append((node, query))
    warm_started(root_ids)
    for node, query in claimed:
        dashboard_page(node=node, query=query, today=today, claimed=True)
    return len(pages)
