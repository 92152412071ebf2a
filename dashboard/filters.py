"""The dashboard's pickers and agency table: query-string filters (checked),
the period and plan choices, and one page of the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When

from agencies.models import Agency
from common.ids import parse_id
from common.text import fold
from plans.models import Plan
from reports.models import Report
from schedule.models import ReportingPeriod

from .cache import TREE_SECONDS, kept
from .figures import STATES, merged_note, period_reports, scope_reports, state_filters
from .scope import Node, scope_cte, scope_ids

SORTS = {
    "name": ["agency__name"],
    "kind": ["agency__kind", "agency__name"],
    "parent": ["agency__parent__name", "agency__name"],
    "status": ["state_rank", "agency__name"],
    "due": ["due_date", "agency__name"],
    "submitted": ["submitted_at", "agency__name"],
}
PAGE_SIZE = 50


@dataclass
class TableFilters:
    kind: str = ""
    parent: int | None = None
    status: str = ""
    q: str = ""
    sort: str = "status"

    @classmethod
    def from_query(cls, data) -> TableFilters:
        kind = data.get("kind", "")
        status = data.get("status", "")
        sort = data.get("sort", "status")
        parent = parse_id(data.get("parent"))
        return cls(
            kind=kind if kind in Agency.Kind.values else "",
            parent=parent,
            status=status if status in STATES or status in ("late", "on_time") else "",
            q=(data.get("q") or "").strip()[:100],
            sort=sort if sort.lstrip("-") in SORTS else "status",
        )

    def query(self, **changes) -> str:
        """The filters as a query string, for links that change one of them."""
        values = {"kind": self.kind, "parent": self.parent or "", "status": self.status, "q": self.q,
                  "sort": self.sort} | changes
        return urlencode({k: v for k, v in values.items() if v})


def _state_expressions(today: dt.date) -> tuple[Case, Case]:
    flags = state_filters(today)
    order = ["missing", "returned", "submitted", "pending", "accepted"]
    state = Case(*(When(flags[k], then=Value(k)) for k in order), default=Value("pending"))
    rank = Case(*(When(flags[k], then=Value(i)) for i, k in enumerate(order)), default=Value(9),
                output_field=IntegerField())
    return state, rank


def agency_rows(*, node: Node, period: ReportingPeriod, plan: Plan | None, filters: TableFilters,
                today: dt.date) -> QuerySet[Report]:
    """The expected reports in scope, filtered and sorted, with their state."""
    state, rank = _state_expressions(today)
    kind = Case(*(When(agency__kind=value, then=Value(label.split(" (")[0])) for value, label in Agency.Kind.choices),
                default=Value(""))
    qs = scope_reports(node, period.pk, plan).select_related(
        "agency", "agency__parent", "agency__successor", "period"
    ).annotate(
        state=state, state_rank=rank, kind_label=kind,
        # A unit others were merged into: its row may have to say whose figures it carries.
        has_predecessors=Exists(Agency.objects.filter(successor=OuterRef("agency_id"), is_active=False)),
    )
    if filters.kind:
        qs = qs.filter(agency__kind=filters.kind)
    if filters.parent:
        qs = qs.filter(agency__parent_id=filters.parent)
    if filters.status:
        qs = qs.filter(state_filters(today)[filters.status])
    if filters.q:
        qs = qs.filter(agency_id__in=_search(node, filters.q))
    desc = filters.sort.startswith("-")
    order = SORTS[filters.sort.lstrip("-")]
    return qs.order_by(*(F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True) for f in order[:1]),
                       *order[1:], "pk")


def merged_notes(*, node: Node, period: ReportingPeriod, plan: Plan | None,
                 agency_ids: list[int] | None = None) -> dict[int, str]:
    """For the units of the scope that others were merged into (all, or those
    of `agency_ids`): which merged units' reports of the period count with
    them, as the row says it ("gồm số liệu của: …"). One statement."""
    inner_sql, inner_params = period_reports(period, plan).values("agency_id").query.sql_with_params()
    cte, cte_params = scope_cte(node)
    table = connection.ops.quote_name(Agency._meta.db_table)
    only = f" AND s.via IN ({', '.join(['%s'] * len(agency_ids))})" if agency_ids else ""
    sql = (
        f"{cte} SELECT s.via, m.name, m.short_name, m.dissolved_on"
        f" FROM dash_scope s JOIN ({inner_sql}) f ON f.agency_id = s.id JOIN {table} m ON m.id = s.merged_unit"
        f" WHERE s.via IS NOT NULL{only} GROUP BY s.via, m.id, m.name, m.short_name, m.dissolved_on"
    )
    units: dict[int, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cte_params, *inner_params, *(agency_ids or [])])
        for via, name, short_name, day in cursor.fetchall():
            units.setdefault(via, []).append((short_name or name, day))
    return {pk: merged_note(names) for pk, names in units.items()}


def merged_away_note(agency: Agency) -> str:
    """What a historical unit's row says: where it went, and when."""
    if agency.is_active:
        return ""
    day = f" ({agency.dissolved_on:%d/%m/%Y})" if agency.dissolved_on else ""
    if agency.successor is None:
        return f"đã giải thể{day}"
    return f"đã sáp nhập vào {agency.successor.display_name}{day}"


def _search(node: Node, q: str) -> list[int]:
    """Agencies of the scope whose name or code contains every word, with or
    without diacritics (one query for the names; folding happens here since
    neither database folds Vietnamese the same way)."""
    words = fold(q).split()
    names = Agency.objects.filter(pk__in=scope_ids(node)).values_list("pk", "name", "short_name", "code")
    return [pk for pk, name, short, code in names if all(w in fold(f"{name} {short} {code}") for w in words)]


def parent_choices(*, node: Node, period: ReportingPeriod) -> list[Agency]:
    """Units above the agencies that owe this period's reports, for the filter."""
    parents = scope_reports(node, period.pk, None).values("agency__parent_id")
    return list(Agency.objects.filter(pk__in=parents).only("id", "name", "short_name").order_by("name"))


def plan_choices(*, node: Node, period: ReportingPeriod) -> list[Plan]:
    """Issued plans covering the period's year from the node and the units
    above it: the plans whose tasks the node's agencies carry out."""
    issuers = [*node.lineage_ids, node.agency.pk] if node.agency else [s.agency_id for s in node.seeds]
    plans = Plan.objects.filter(status=Plan.Status.ISSUED, issuer_id__in=issuers, year_start__lte=period.year,
                                year_end__gte=period.year)
    # Only what the picker prints: a plan row carries its whole text.
    plans = plans.select_related("issuer").only("number", "number_text", "symbol", "issuer__name", "issuer__short_name")
    return kept(f"plans:{period.year}:{issuers}", TREE_SECONDS,
                 lambda: list(plans.order_by("issuer__name", "number")))


def dashboard_periods(*, today: dt.date) -> list[ReportingPeriod]:
    return kept(f"periods:{today}", TREE_SECONDS,
                 lambda: list(ReportingPeriod.objects.filter(start__lte=today).order_by("-end", "-pk")))


def default_period(periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """The last period whose deadline has passed: the one to chase."""
    return next((p for p in periods if p.due < today), periods[0] if periods else None)


class AgencyTable:
    """One page of the agency table and the choices of its filters, computed on first use."""

    def __init__(self, *, node: Node, period: ReportingPeriod, plan: Plan | None, filters: TableFilters,
                 today: dt.date, page_number):
        self.node, self.period, self.plan, self.filters, self.today = node, period, plan, filters, today
        self.page_number = page_number

    @cached_property
    def page(self) -> Page:
        rows = agency_rows(node=self.node, period=self.period, plan=self.plan, filters=self.filters,
                           today=self.today)
        page = Paginator(rows, PAGE_SIZE).get_page(self.page_number)
        successors = [r.agency_id for r in page.object_list if r.has_predecessors]
        notes = merged_notes(node=self.node, period=self.period, plan=self.plan,
                             agency_ids=successors) if successors else {}
        for report in page.object_list:  # what the status badge prints
            report.state_label, report.state_tone = STATES[report.state][:2]
            report.merged_note = merged_away_note(report.agency) or notes.get(report.agency_id, "")
        return page

    @cached_property
    def parents(self) -> list[Agency]:
        return parent_choices(node=self.node, period=self.period)
