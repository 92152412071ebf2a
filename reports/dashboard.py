"""Reads for the compliance dashboard (/dashboard/): who reported, who is
late, what was done, for one node of the agency tree and one period.

Every figure is computed by the database: conditional counts and sums with
GROUP BY over the node's subtree. The subtree is a recursive CTE run inside
each statement (a walk down `parent_id` from the node), so no list of ids
travels between Python and the database and nothing loads the whole tree,
whatever the size of the country. What comes back to Python is already
aggregated (per period, kind, branch, area x channel) or one page of the
agency table.

The page shows these through cached template fragments whose keys hold a
fingerprint of the year's reports (count and latest update): every submit,
save, return and acceptance changes it, so a warm page costs the login, the
user's roles and no aggregate at all. DashboardFigures and AgencyTable compute
lazily, only when a fragment is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from functools import cached_property

import openpyxl
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.permissions import DASHBOARD_VIEW, SUMMARY_VIEW, can, review_root_id
from agencies.services import safe_cell
from cchc_portal.text import fold
from plans.models import Area, Channel, Plan

from .models import Report, ReportingPeriod, ReportLine

Status = Report.Status
Role = Membership.Role

# Where a report stands, as the dashboard tells it: every expected report is
# in exactly one of these, so they add up to the number expected.
# key: (label, Bootstrap colour, chart colour, short column title)
STATES = {
    "accepted": ("Đã tiếp nhận", "success", "#198754", "Tiếp nhận"),
    "submitted": ("Chờ xem xét", "primary", "#0d6efd", "Chờ xem xét"),
    "returned": ("Bị trả lại", "warning", "#e0a800", "Trả lại"),
    "missing": ("Chưa nộp (quá hạn)", "danger", "#dc3545", "Chưa nộp"),
    "pending": ("Chưa đến hạn", "secondary", "#adb5bd", "Chưa đến hạn"),
}
PROGRESS = {
    ReportLine.Progress.DONE: ("Hoàn thành", "#198754"),
    ReportLine.Progress.IN_PROGRESS: ("Đang triển khai", "#0dcaf0"),
    ReportLine.Progress.NOT_STARTED: ("Chưa triển khai", "#adb5bd"),
}
SORTS = {
    "name": ["agency__name"],
    "kind": ["agency__kind", "agency__name"],
    "parent": ["agency__parent__name", "agency__name"],
    "status": ["state_rank", "agency__name"],
    "due": ["due_date", "agency__name"],
    "submitted": ["submitted_at", "agency__name"],
}
PAGE_SIZE = 50
# Seconds a rendered part of the page is kept; the keys hold a fingerprint of
# the reports, so this only bounds how long an agency or plan edit takes to show.
CACHE_SECONDS = 300
# How long the fingerprint of the reports is trusted before it is read again:
# under load this saves a statement per page; a change shows within it.
FINGERPRINT_SECONDS = 2
# Periods, the tree above a unit and issued plans change rarely (yearly,
# by an administrator); read once a minute.
TREE_SECONDS = 60
TREND_LINES = [
    ("on_time", "Đúng hạn (%)", "#198754"),
    ("late", "Muộn (%)", "#fd7e14"),
    ("missing", "Chưa nộp, quá hạn (%)", "#dc3545"),
    ("accepted", "Đã tiếp nhận (%)", "#0b4f8a"),
]
# Report lines count as output once the report was sent: a draft's lines are
# pre-filled from the previous period and would count last quarter's work twice.
SENT = (Status.SUBMITTED, Status.ACCEPTED)
NO_ACCESS = "Bảng theo dõi dành cho cán bộ Nội vụ (trong phạm vi theo dõi) và lãnh đạo đơn vị."


# Scope -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seed:
    """A top of what the user sees: a whole subtree (reviewer, admin) or one agency (head)."""

    agency_id: int
    subtree: bool


@dataclass
class DashboardScope:
    seeds: list[Seed]
    head_ids: set[int]


@dataclass
class Node:
    """The unit the page is about: one agency, or (agency None) all the user's seeds."""

    seeds: list[Seed]
    agency: Agency | None = None
    subtree: bool = True
    trail: list[Agency] = field(default_factory=list)  # breadcrumb above the node, inside the scope
    lineage_ids: list[int] = field(default_factory=list)  # every unit above the node, root first

    @property
    def label(self) -> str:
        if self.agency is None:
            return f"Toàn bộ phạm vi theo dõi ({len(self.seeds)} đơn vị)"
        return self.agency.name

    @property
    def key(self) -> str:
        """What the node's figures depend on, for cache keys."""
        if self.agency is not None:
            return f"{self.agency.pk}{'' if self.subtree else 'o'}"
        return "top" + ",".join(f"{s.agency_id}{'' if s.subtree else 'o'}" for s in self.seeds)


def _kept(key: str, seconds: int, compute):
    """`compute()` kept in the cache for a few seconds: for facts that change
    rarely (periods, the tree, issued plans) and are read on every page."""
    key = "dashboard:" + hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _nested_seed_ids(seeds: list[Seed]) -> set[int]:
    """Seeds that sit inside another seed's subtree (one query walking up)."""
    subtree_ids = [s.agency_id for s in seeds if s.subtree]
    if len(seeds) < 2 or not subtree_ids:
        return set()
    table = _qn(Agency._meta.db_table)
    seed_marks = ", ".join(["%s"] * len(seeds))
    root_marks = ", ".join(["%s"] * len(subtree_ids))
    sql = (
        f"WITH RECURSIVE up(seed, id) AS ("
        f" SELECT a.id, a.parent_id FROM {table} a WHERE a.id IN ({seed_marks}) AND a.parent_id IS NOT NULL"
        f" UNION ALL SELECT up.seed, a.parent_id FROM {table} a JOIN up ON a.id = up.id"
        f" WHERE a.parent_id IS NOT NULL)"
        f" SELECT DISTINCT seed FROM up WHERE id IN ({root_marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [s.agency_id for s in seeds] + subtree_ids)
        return {row[0] for row in cursor.fetchall()}


def dashboard_scope_for_user(*, user) -> DashboardScope | None:
    """Who may open the dashboard and what they see: reviewers their review
    subtree (SUMMARY_VIEW: a Nội vụ office reviews its parent's), system
    administrators every tree, heads their own agency. None: no access.
    One query for the roles, one more for admins or several tops."""
    if not user.is_authenticated or not user.is_active:
        return None
    # Prefetched onto the user, so the navigation bar's role check reuses it.
    prefetch_related_objects([user], Prefetch("memberships", queryset=Membership.objects.annotate(
        home=F("agency__is_home_affairs"), parent_id=F("agency__parent_id"))))
    memberships = list(user.memberships.all())
    if user.is_superuser or any(m.role == Role.ADMIN for m in memberships):
        tops = Agency.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True)
        return DashboardScope(seeds=[Seed(pk, True) for pk in tops], head_ids=set())
    reviewed = {review_root_id(m.agency_id, m.home, m.parent_id) for m in memberships if m.role == Role.REVIEWER}
    heads = {m.agency_id for m in memberships if m.role == Role.HEAD}
    seeds = [Seed(pk, True) for pk in sorted(reviewed)] + [Seed(pk, False) for pk in sorted(heads - reviewed)]
    if not seeds:
        return None
    nested = _kept(f"nested:{seeds}", TREE_SECONDS, lambda: _nested_seed_ids(seeds))
    return DashboardScope(seeds=[s for s in seeds if s.agency_id not in nested], head_ids=heads)


def _lineage(agency_id: int) -> list[Agency]:
    return _kept(f"lineage:{agency_id}", TREE_SECONDS, lambda: _lineage_query(agency_id))


def _lineage_query(agency_id: int) -> list[Agency]:
    """The agency and every unit above it, root first (one query walking up)."""
    table = _qn(Agency._meta.db_table)
    sql = (
        f"WITH RECURSIVE up(id, depth) AS (SELECT id, 0 FROM {table} WHERE id = %s"
        f" UNION ALL SELECT a.parent_id, up.depth + 1 FROM {table} a JOIN up ON a.id = up.id"
        f" WHERE a.parent_id IS NOT NULL AND up.depth < 64)"
        f" SELECT a.* FROM {table} a JOIN up ON a.id = up.id ORDER BY up.depth DESC"
    )
    return list(Agency.objects.raw(sql, [agency_id]))


def dashboard_node(*, user, scope: DashboardScope, agency_id: str | None) -> Node:
    """The node asked for (?agency=), checked on the object: 404 outside the scope."""
    if not agency_id:
        if len(scope.seeds) == 1:
            seed = scope.seeds[0]
            lineage = _lineage(seed.agency_id)
            return Node(seeds=scope.seeds, agency=lineage[-1], subtree=seed.subtree,
                        lineage_ids=[a.pk for a in lineage[:-1]])
        return Node(seeds=scope.seeds)
    try:
        pk = int(agency_id)
    except ValueError:
        raise Http404("Không tìm thấy đơn vị.") from None
    lineage = _lineage(pk)
    if not lineage:
        raise Http404("Không tìm thấy đơn vị.")
    agency = lineage[-1]
    if not can(user, DASHBOARD_VIEW, agency):
        raise Http404("Đơn vị này ngoài phạm vi bạn theo dõi.")
    # Reviewers see the unit's subtree; a head sees their own agency alone.
    subtree = can(user, SUMMARY_VIEW, agency)
    seed_ids = {s.agency_id for s in scope.seeds}
    above = lineage[:-1]
    start = next((i for i, a in enumerate(above) if a.pk in seed_ids), len(above))
    return Node(seeds=scope.seeds, agency=agency, subtree=subtree, trail=above[start:],
                lineage_ids=[a.pk for a in above])


def _scope_cte(node: Node) -> tuple[str, list]:
    """WITH RECURSIVE dash_scope(id, branch, depth, descend): every agency of
    the node's scope and the branch it rolls up into (the node's child it sits
    under; for several seeds, the seed)."""
    table = _qn(Agency._meta.db_table)
    if node.agency is not None:
        seeds, depth = [(node.agency.pk, node.subtree)], 0
    else:
        seeds, depth = [(s.agency_id, s.subtree) for s in node.seeds], 1
    all_ids = [pk for pk, _ in seeds]
    subtree_ids = [pk for pk, subtree in seeds if subtree] or [0]
    sql = (
        f"WITH RECURSIVE dash_scope(id, branch, depth, descend) AS ("
        f" SELECT id, id, {depth}, CASE WHEN id IN ({', '.join(['%s'] * len(subtree_ids))}) THEN 1 ELSE 0 END"
        f" FROM {table} WHERE id IN ({', '.join(['%s'] * len(all_ids))})"
        f" UNION ALL SELECT a.id, CASE WHEN s.depth = 0 THEN a.id ELSE s.branch END, s.depth + 1, 1"
        f" FROM {table} a JOIN dash_scope s ON a.parent_id = s.id WHERE s.descend = 1 AND s.depth < 64)"
    )
    return sql, subtree_ids + all_ids


def _scope_ids(node: Node) -> RawSQL:
    cte, params = _scope_cte(node)
    return RawSQL(f"{cte} SELECT id FROM dash_scope", params)


# Figures -----------------------------------------------------------------------------

def _state_filters(today: dt.date) -> dict[str, Q]:
    late = Q(submitted_at__date__gt=F("due_date"))  # the local date, as Report.days_late counts
    return {
        "accepted": Q(status=Status.ACCEPTED),
        "submitted": Q(status=Status.SUBMITTED),
        "returned": Q(status=Status.RETURNED),
        "missing": Q(status=Status.DRAFT, due_date__lt=today),
        "pending": Q(status=Status.DRAFT, due_date__gte=today),
        "on_time": Q(submitted_at__date__lte=F("due_date")),
        "late": late,
    }


def _counts(today: dt.date) -> dict:
    return {"total": Count("pk")} | {key: Count("pk", filter=q) for key, q in _state_filters(today).items()}


def _with_rates(row: dict) -> dict:
    total = row.get("total") or 0
    row["rates"] = {key: (100.0 * row.get(key, 0) / total if total else 0.0) for key in (*STATES, "on_time", "late")}
    return row


def _reports(node: Node, period_ids, plan: Plan | None) -> QuerySet[Report]:
    qs = Report.objects.filter(agency_id__in=_scope_ids(node)).order_by()
    qs = qs.filter(period_id__in=period_ids) if isinstance(period_ids, list) else qs.filter(period_id=period_ids)
    if plan is not None:
        qs = qs.filter(Exists(ReportLine.objects.filter(report=OuterRef("pk"), task__plan=plan)))
    return qs


def _by_branch(node: Node, period: ReportingPeriod, plan: Plan | None, today: dt.date) -> list[dict]:
    """Status counts per branch. The ORM writes the per-report flags (it knows
    each database's time zone functions); the outer statement joins them to
    the scope CTE and groups by branch."""
    if not node.subtree:
        return []
    inner = Report.objects.filter(period=period).order_by()
    if plan is not None:
        inner = inner.filter(Exists(ReportLine.objects.filter(report=OuterRef("pk"), task__plan=plan)))
    flags = _state_filters(today)
    inner = inner.annotate(
        **{f"f_{k}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField()) for k, q in flags.items()}
    ).values("agency_id", *(f"f_{k}" for k in flags))
    inner_sql, inner_params = inner.query.sql_with_params()
    cte, cte_params = _scope_cte(node)
    table = _qn(Agency._meta.db_table)
    sums = ", ".join(f"SUM(f.{_qn('f_' + k)})" for k in flags)
    sql = (
        f"{cte} SELECT b.id, b.name, b.short_name, b.kind, COUNT(*), {sums}"
        f" FROM dash_scope s JOIN ({inner_sql}) f ON f.agency_id = s.id JOIN {table} b ON b.id = s.branch"
        f" GROUP BY b.id, b.name, b.short_name, b.kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, cte_params + list(inner_params))
        rows = cursor.fetchall()
    node_pk = node.agency.pk if node.agency else None
    branches = []
    for pk, name, short_name, kind, total, *values in rows:
        if pk == node_pk:
            continue  # the node's own report is in the agency table
        row = {"id": pk, "name": short_name or name, "kind": kind, "total": total}
        row.update(zip(flags, (int(v or 0) for v in values), strict=True))
        branches.append(_with_rates(row))
    branches.sort(key=lambda r: (-(r["rates"]["missing"] + r["rates"]["returned"]), fold(r["name"])))
    return branches


def _counter_labels(channels: list[Channel]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for channel in channels:
        for counter in channel.counters or []:
            labels.setdefault(counter["code"], counter["label"])
    return labels


def _outputs(node: Node, period: ReportingPeriod, plan: Plan | None) -> dict:
    """Task completion and counter totals by CCHC area and channel, from sent
    reports: one GROUP BY (area, channel) statement, at most areas x channels rows."""
    areas = list(Area.objects.order_by("position", "name"))
    channels = list(Channel.objects.order_by("position", "name"))
    labels = _counter_labels(channels)
    codes = list(labels)
    lines = ReportLine.objects.filter(
        report__period=period, report__agency_id__in=_scope_ids(node), report__status__in=SENT
    ).order_by()
    if plan is not None:
        lines = lines.filter(task__plan=plan)
    progress = {f"p_{state}": Count("pk", filter=Q(state=state)) for state in PROGRESS}
    counters = {
        f"c{i}": Sum(Cast(KeyTextTransform(code, "counters"), BigIntegerField())) for i, code in enumerate(codes)
    }
    rows = lines.values("task__area_id", "task__channel_id").annotate(
        tasks=Count("pk"), percent=Avg("percent"), spent=Sum("spent"), **progress, **counters
    )

    def bucket(label: str) -> dict:
        return {"label": label, "tasks": 0, "percent_sum": 0.0, "spent": 0,
                "progress": dict.fromkeys(PROGRESS, 0), "counters": dict.fromkeys(codes, 0), "by_channel": {}}

    by_area = {a.pk: bucket(a.name) for a in areas}
    by_channel = {c.pk: bucket(c.name) | {"codes": [x["code"] for x in c.counters or []]} for c in channels}
    other_area, other_channel = bucket("Chưa phân lĩnh vực"), bucket("Chưa xác định hình thức")
    total = bucket("Tổng cộng")
    primary = {c.pk: (c.counters[0]["code"] if c.counters else None) for c in channels}
    for row in rows:
        area = by_area.get(row["task__area_id"], other_area)
        channel = by_channel.get(row["task__channel_id"], other_channel)
        for target in (area, channel, total):
            target["tasks"] += row["tasks"]
            target["percent_sum"] += (row["percent"] or 0) * row["tasks"]
            target["spent"] += row["spent"] or 0
            for state in PROGRESS:
                target["progress"][state] += row[f"p_{state}"]
            for i, code in enumerate(codes):
                target["counters"][code] += row[f"c{i}"] or 0
        # The stacked chart adds each channel's first counter (its "products").
        code = primary.get(row["task__channel_id"])
        if code:
            area["by_channel"][row["task__channel_id"]] = (
                area["by_channel"].get(row["task__channel_id"], 0) + (row[f"c{codes.index(code)}"] or 0)
            )
    area_rows = [*by_area.values(), *([other_area] if other_area["tasks"] else [])]
    channel_rows = [*by_channel.values(), *([other_channel] if other_channel["tasks"] else [])]
    for row in (*area_rows, *channel_rows, total):
        row["percent"] = row["percent_sum"] / row["tasks"] if row["tasks"] else 0.0
        row["done_rate"] = 100.0 * row["progress"][ReportLine.Progress.DONE] / row["tasks"] if row["tasks"] else 0.0
    for row in area_rows:
        row["product_cells"] = [row["by_channel"].get(pk, 0) for pk in primary if primary[pk]]
        row["products"] = sum(row["product_cells"])
    for row in channel_rows:
        row["figures"] = [(labels[c], row["counters"][c]) for c in row.get("codes", []) if c in labels]
    return {
        "areas": area_rows,
        "channels": channel_rows,
        "total": total,
        "counter_totals": [(code, labels[code], total["counters"][code]) for code in codes],
        "primary": [(c.pk, c.name, labels.get(primary[c.pk], "")) for c in channels if primary[c.pk]],
    }


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
        try:
            parent = int(data.get("parent") or 0) or None
        except ValueError:
            parent = None
        return cls(
            kind=kind if kind in Agency.Kind.values else "",
            parent=parent,
            status=status if status in STATES or status in ("late", "on_time") else "",
            q=(data.get("q") or "").strip()[:100],
            sort=sort if sort.lstrip("-") in SORTS else "status",
        )

    def query(self, **changes) -> str:
        """The filters as a query string, for links that change one of them."""
        from urllib.parse import urlencode

        values = {"kind": self.kind, "parent": self.parent or "", "status": self.status, "q": self.q,
                  "sort": self.sort} | changes
        return urlencode({k: v for k, v in values.items() if v})


def _state_expressions(today: dt.date) -> tuple[Case, Case]:
    flags = _state_filters(today)
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
    qs = _reports(node, period.pk, plan).select_related("agency", "agency__parent", "period").annotate(
        state=state, state_rank=rank, kind_label=kind
    )
    if filters.kind:
        qs = qs.filter(agency__kind=filters.kind)
    if filters.parent:
        qs = qs.filter(agency__parent_id=filters.parent)
    if filters.status:
        qs = qs.filter(_state_filters(today)[filters.status])
    if filters.q:
        qs = qs.filter(agency_id__in=_search(node, filters.q))
    desc = filters.sort.startswith("-")
    order = SORTS[filters.sort.lstrip("-")]
    return qs.order_by(*(F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True) for f in order[:1]),
                       *order[1:], "pk")


def _search(node: Node, q: str) -> list[int]:
    """Agencies of the scope whose name or code contains every word, with or
    without diacritics (one query for the names; folding happens here since
    neither database folds Vietnamese the same way)."""
    words = fold(q).split()
    names = Agency.objects.filter(pk__in=_scope_ids(node)).values_list("pk", "name", "short_name", "code")
    return [pk for pk, name, short, code in names if all(w in fold(f"{name} {short} {code}") for w in words)]


def parent_choices(*, node: Node, period: ReportingPeriod) -> list[Agency]:
    """Units above the agencies that owe this period's reports, for the filter."""
    parents = _reports(node, period.pk, None).values("agency__parent_id")
    return list(Agency.objects.filter(pk__in=parents).only("id", "name", "short_name").order_by("name"))


def plan_choices(*, node: Node, period: ReportingPeriod) -> list[Plan]:
    """Issued plans covering the period's year from the node and the units
    above it: the plans whose tasks the node's agencies carry out."""
    issuers = [*node.lineage_ids, node.agency.pk] if node.agency else [s.agency_id for s in node.seeds]
    plans = Plan.objects.filter(status=Plan.Status.ISSUED, issuer_id__in=issuers, year_start__lte=period.year,
                                year_end__gte=period.year)
    # Only what the picker prints: a plan row carries its whole text.
    plans = plans.select_related("issuer").only("number", "symbol", "issuer__name", "issuer__short_name")
    return _kept(f"plans:{period.year}:{issuers}", TREE_SECONDS,
                 lambda: list(plans.order_by("issuer__name", "number")))


def dashboard_periods(*, today: dt.date) -> list[ReportingPeriod]:
    return _kept(f"periods:{today}", TREE_SECONDS,
                 lambda: list(ReportingPeriod.objects.filter(start__lte=today).order_by("-end", "-pk")))


def default_period(periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """The last period whose deadline has passed: the one to chase."""
    return next((p for p in periods if p.due < today), periods[0] if periods else None)


def period_counts(*, node: Node, period: ReportingPeriod, plan: Plan | None, today: dt.date) -> dict:
    """The period's counts and rates for the node (one statement)."""
    row = _reports(node, period.pk, plan).aggregate(**_counts(today))
    return _with_rates(row)


class DashboardFigures:
    """The numbers of the charts and their tables for one node, period and
    plan. Each part is computed on first use, so a page served from the
    fragment cache runs none of these statements."""

    def __init__(self, *, node: Node, period: ReportingPeriod, periods: list[ReportingPeriod], plan: Plan | None,
                 today: dt.date):
        self.node, self.period, self.plan, self.today = node, period, plan, today
        self.year_periods = sorted((p for p in periods if p.year == period.year), key=lambda p: (p.end, p.rule_id))

    @cached_property
    def _trend_rows(self) -> dict[int, dict]:
        rows = _reports(self.node, [p.pk for p in self.year_periods], self.plan).values("period_id")
        return {row["period_id"]: _with_rates(row) for row in rows.annotate(**_counts(self.today))}

    @cached_property
    def trend(self) -> list[tuple[ReportingPeriod, dict]]:
        """The year's periods in order, for the trend line."""
        return [(p, self._trend_rows[p.pk]) for p in self.year_periods if p.pk in self._trend_rows]

    @cached_property
    def kpi(self) -> dict:
        return self._trend_rows.get(self.period.pk) or _with_rates(
            {"total": 0} | dict.fromkeys((*STATES, "on_time", "late"), 0)
        )

    @cached_property
    def by_kind(self) -> list[dict]:
        kinds = {value: label.split(" (")[0] for value, label in Agency.Kind.choices}
        rows = _reports(self.node, self.period.pk, self.plan).values("agency__kind").annotate(**_counts(self.today))
        return sorted(
            (_with_rates(row | {"name": kinds.get(row["agency__kind"], row["agency__kind"])}) for row in rows),
            key=lambda r: -r["total"],
        )

    @cached_property
    def branches(self) -> list[dict]:
        """Units under the node that have units of their own (the others are rows of the agency table)."""
        return [b for b in _by_branch(self.node, self.period, self.plan, self.today) if b["total"] > 1]

    @cached_property
    def outputs(self) -> dict:
        return _outputs(self.node, self.period, self.plan)

    @cached_property
    def charts(self) -> dict:
        return chart_data(self)


def chart_data(figures: DashboardFigures) -> dict:
    """The numbers the charts draw (static/js/dashboard.js), the same as the tables."""
    states = [{"key": k, "label": label, "color": color} for k, (label, _, color, _) in STATES.items()]
    outputs = figures.outputs
    # Periods still open are left out of the line: their rates are not comparable yet.
    trend = [(p, row) for p, row in figures.trend if p.due < figures.today or p == figures.period]
    palette = ["#0b4f8a", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6a4c93", "#1982c4", "#8ac926",
               "#ff595e", "#6c757d", "#b5838d", "#264653"]
    return {
        "states": states,
        "branches": {"labels": [b["name"] for b in figures.branches],
                     "series": {k: [b[k] for b in figures.branches] for k in STATES}},
        "kinds": {"labels": [r["name"] for r in figures.by_kind],
                  "series": {k: [r[k] for r in figures.by_kind] for k in STATES}},
        "trend": {
            "labels": [p.label for p, _ in trend],
            "series": [
                {"label": label, "color": color, "data": [round(r["rates"][key], 1) for _, r in trend]}
                for key, label, color in TREND_LINES
            ],
        },
        "progress": {
            "labels": [a["label"] for a in outputs["areas"]],
            "series": [{"label": label, "color": color, "data": [a["progress"][state] for a in outputs["areas"]]}
                       for state, (label, color) in PROGRESS.items()],
        },
        "channels": {
            "labels": [c["label"] for c in outputs["channels"]],
            "series": [{"label": "Tỷ lệ hoàn thành (%)", "color": "#198754",
                        "data": [round(c["done_rate"], 1) for c in outputs["channels"]]}],
        },
        "products": {
            "labels": [a["label"] for a in outputs["areas"]],
            "series": [
                {"label": name, "color": palette[i % len(palette)],
                 "data": [a["by_channel"].get(pk, 0) for a in outputs["areas"]]}
                for i, (pk, name, _) in enumerate(outputs["primary"])
            ],
        },
    }


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
        return Paginator(rows, PAGE_SIZE).get_page(self.page_number)

    @cached_property
    def parents(self) -> list[Agency]:
        return parent_choices(node=self.node, period=self.period)


def reports_fingerprint(*, periods: list[ReportingPeriod], today: dt.date) -> str:
    """Part of the dashboard's cache keys: it changes when a report of these
    periods is created, deleted, saved, submitted or reviewed (every service
    saves Report.updated_at; bulk_create fills it too), and every day, since
    "missing" depends on the date. One statement on the period index, read at
    most every FINGERPRINT_SECONDS per process. Agency and plan edits are not
    seen: CACHE_SECONDS bounds those."""
    ids = [p.pk for p in periods]

    def read() -> str:
        row = Report.objects.filter(period_id__in=ids).aggregate(n=Count("pk"), last=Max("updated_at"))
        return f"{row['n']}-{row['last'].timestamp() if row['last'] else 0}"

    return f"{today:%Y%m%d}-" + _kept(f"fingerprint:{ids}", FINGERPRINT_SECONDS, read)


# Export ------------------------------------------------------------------------------

XLSX_HEADER = ["STT", "Mã đơn vị", "Đơn vị", "Loại đơn vị", "Cấp trên", "Trạng thái", "Hạn nộp", "Ngày nộp",
               "Số ngày muộn", "Báo cáo"]


def dashboard_xlsx(*, node: Node, period: ReportingPeriod, plan: Plan | None, filters: TableFilters,
                   kpi: dict, today: dt.date, link) -> bytes:
    """The agency table (every row, the same filters and order) and the period's
    counts. `link(report)` gives the report page's address."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Đơn vị")
    sheet.append([safe_cell(f"Tình hình báo cáo {period.label} – {node.label}")])
    sheet.append(XLSX_HEADER)
    kinds = dict(Agency.Kind.choices)
    rows = agency_rows(node=node, period=period, plan=plan, filters=filters, today=today)
    for number, report in enumerate(rows.iterator(chunk_size=2000), start=1):
        agency = report.agency
        submitted = report.submitted_at
        sheet.append([safe_cell(v) for v in (
            number, agency.code, agency.name, kinds.get(agency.kind, agency.kind),
            agency.parent.name if agency.parent else "", STATES[report.state][0], report.due_date,
            timezone.localtime(submitted).replace(tzinfo=None) if submitted else None,
            report.days_late or None, link(report),
        )])
    summary = book.create_sheet("Tổng hợp")
    summary.append([safe_cell(f"{period.label} – {node.label}")])
    summary.append(["Chỉ tiêu", "Số báo cáo", "Tỷ lệ (%)"])
    summary.append(["Phải nộp", kpi["total"], 100.0 if kpi["total"] else 0.0])
    for key, label in (("on_time", "Nộp đúng hạn"), ("late", "Nộp muộn"),
                       *((k, STATES[k][0]) for k in STATES)):
        summary.append([label, kpi[key], round(kpi["rates"][key], 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
