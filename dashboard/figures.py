"""The compliance dashboard's figures: who reported, who is late, what was
done, for one node of the agency tree and one period.

Every figure is computed by the database: conditional counts and sums with
GROUP BY over the node's subtree. The subtree is a recursive CTE run inside
each statement (a walk down `parent_id` from the node), so no list of ids
travels between Python and the database and nothing loads the whole tree,
whatever the size of the country. What comes back to Python is already
aggregated (per period, kind, branch, area x channel) or one page of the
agency table.

The page is kept whole in the cache under the version of its provinces'
reports (cache.py, reports/versions.py), so a warm page costs the login, the
user's roles and no aggregate at all. DashboardFigures and AgencyTable compute
lazily, only when the page is built. Figures by area x channel add up the
rollup of sent reports (reports/rollup.py), per province for whole trees.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from agencies.models import Agency
from common.text import fold
from plans.models import Area, Channel, Plan
from reports.figures import PROGRESS, channel_counters, counter_labels, rollup_totals
from reports.models import Report, ReportLine
from reports.states import STATES as REPORT_STATES
from reports.states import state_filters as report_state_filters
from schedule.models import ReportingPeriod

from .cache import rollup_roots
from .scope import Node, scope_cte, scope_ids

Status = Report.Status


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)

# The report states (reports/states.py) as the dashboard draws them:
# key: (label, Bootstrap colour, chart colour, short column title)
CHART = {
    "accepted": ("#198754", "Tiếp nhận"),
    "submitted": ("#0d6efd", "Chờ xem xét"),
    "returned": ("#e0a800", "Trả lại"),
    "missing": ("#dc3545", "Chưa nộp"),
    "pending": ("#adb5bd", "Chưa đến hạn"),
}
STATES = {key: (*REPORT_STATES[key], *CHART[key]) for key in REPORT_STATES}


def state_filters(today: dt.date) -> dict[str, Q]:
    """The report states, plus on time and late (by the local date, as Report.days_late counts)."""
    return report_state_filters(today) | {
        "on_time": Q(submitted_at__date__lte=F("due_date")),
        "late": Q(submitted_at__date__gt=F("due_date")),
    }


def state_counts(today: dt.date) -> dict:
    return {"total": Count("pk")} | {key: Count("pk", filter=q) for key, q in state_filters(today).items()}


def with_rates(row: dict) -> dict:
    total = row.get("total") or 0
    row["rates"] = {key: (100.0 * row.get(key, 0) / total if total else 0.0) for key in (*STATES, "on_time", "late")}
    return row


def scope_reports(node: Node, period_ids, plan: Plan | None) -> QuerySet[Report]:
    qs = Report.objects.filter(agency_id__in=scope_ids(node)).order_by()
    qs = qs.filter(period_id__in=period_ids) if isinstance(period_ids, list) else qs.filter(period_id=period_ids)
    if plan is not None:
        qs = qs.filter(Exists(ReportLine.objects.filter(report=OuterRef("pk"), task__plan=plan)))
    return qs


def period_reports(period: ReportingPeriod, plan: Plan | None) -> QuerySet[Report]:
    """The period's reports (with a line of `plan`), for statements that join them to the scope CTE."""
    inner = Report.objects.filter(period=period).order_by()
    if plan is not None:
        inner = inner.filter(Exists(ReportLine.objects.filter(report=OuterRef("pk"), task__plan=plan)))
    return inner


def _by_branch(node: Node, period: ReportingPeriod, plan: Plan | None, today: dt.date) -> list[dict]:
    """Status counts per branch. The ORM writes the per-report flags (it knows
    each database's time zone functions); the outer statement joins them to
    the scope CTE and groups by branch. A unit merged in counts in its
    successor's branch; `merged` counts those reports (not a branch's own: a
    drill-down into a successor has its predecessors as branches, each
    saying which unit it went into)."""
    if not node.subtree:
        return []
    flags = state_filters(today)
    inner = period_reports(period, plan).annotate(
        **{f"f_{k}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField()) for k, q in flags.items()}
    ).values("agency_id", *(f"f_{k}" for k in flags))
    inner_sql, inner_params = inner.query.sql_with_params()
    cte, cte_params = scope_cte(node)
    table = _qn(Agency._meta.db_table)
    sums = ", ".join(f"SUM(f.{_qn('f_' + k)})" for k in flags)
    sql = (
        f"{cte} SELECT b.id, b.name, b.short_name, b.kind, b.dissolved_on, h.name, h.short_name, COUNT(*),"
        f" SUM(CASE WHEN s.via IS NOT NULL AND s.merged_unit <> s.branch THEN 1 ELSE 0 END), {sums}"
        f" FROM dash_scope s JOIN ({inner_sql}) f ON f.agency_id = s.id JOIN {table} b ON b.id = s.branch"
        f" LEFT JOIN {table} h ON h.id = b.successor_id AND b.is_active = %s"
        f" GROUP BY b.id, b.name, b.short_name, b.kind, b.dissolved_on, h.name, h.short_name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, cte_params + list(inner_params) + [False])
        rows = cursor.fetchall()
    node_pk = node.agency.pk if node.agency else None
    branches = []
    for pk, name, short_name, kind, dissolved_on, heir, heir_short, total, merged, *values in rows:
        if pk == node_pk:
            continue  # the node's own report is in the agency table
        row = {"id": pk, "name": short_name or name, "kind": kind, "total": total, "merged": int(merged or 0),
               "note": f"đã sáp nhập vào {heir_short or heir} ({dissolved_on:%d/%m/%Y})" if heir else ""}
        row.update(zip(flags, (int(v or 0) for v in values), strict=True))
        branches.append(with_rates(row))
    branches.sort(key=lambda r: (-(r["rates"]["missing"] + r["rates"]["returned"]), fold(r["name"])))
    return branches


def merged_note(units: list[tuple[str, dt.date | None]]) -> str:
    """"gồm số liệu của: A, B (sáp nhập 01/07/2025)": the units merged into a
    row's unit, grouped by the day they were merged."""
    by_day: dict[dt.date | None, list[str]] = {}
    for name, day in units:
        by_day.setdefault(day, []).append(name)
    parts = [", ".join(sorted(names, key=fold)) + (f" (sáp nhập {day:%d/%m/%Y})" if day else "")
             for day, names in sorted(by_day.items(), key=lambda item: item[0] or dt.date.min)]
    return "gồm số liệu của: " + "; ".join(parts)


def _branch_notes(node: Node, period: ReportingPeriod, plan: Plan | None, branches: list[dict]) -> None:
    """Say on each branch row whose figures include units merged into it
    which they are: by name those merged into the branch's unit itself, as a
    count those merged into units under it. One statement, run only when a
    row has such figures."""
    wanted = {b["id"]: b for b in branches if b["merged"] and not b["note"]}
    if not wanted:
        return
    inner_sql, inner_params = period_reports(period, plan).values("agency_id").query.sql_with_params()
    cte, cte_params = scope_cte(node)
    table = _qn(Agency._meta.db_table)
    counted = f"FROM dash_scope s JOIN ({inner_sql}) f ON f.agency_id = s.id"
    sql = (
        f"{cte} SELECT s.branch, m.name, m.short_name, m.dissolved_on, 1 {counted}"
        f" JOIN {table} m ON m.id = s.merged_unit WHERE s.via = s.branch"
        f" GROUP BY s.branch, m.id, m.name, m.short_name, m.dissolved_on"
        f" UNION ALL SELECT s.branch, NULL, NULL, NULL, COUNT(DISTINCT s.merged_unit) {counted}"
        f" WHERE s.via IS NOT NULL AND s.via <> s.branch GROUP BY s.branch"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, cte_params + list(inner_params) * 2)
        rows = cursor.fetchall()
    named: dict[int, list[tuple[str, dt.date | None]]] = {}
    further: dict[int, int] = {}
    for branch, name, short_name, day, count in rows:
        if name is not None:
            named.setdefault(branch, []).append((short_name or name, day))
        else:
            further[branch] = count
    for pk, row in wanted.items():
        parts = [merged_note(named[pk])] if pk in named else []
        if further.get(pk):
            parts.append(f"gồm số liệu của {further[pk]} đơn vị đã sáp nhập vào đơn vị trực thuộc")
        row["note"] = "; ".join(parts)


def _outputs(node: Node, period: ReportingPeriod, plan: Plan | None) -> dict:
    """Task completion and counter totals by CCHC area and channel, from sent
    reports: GROUP BY (area, channel) over their rollup (reports/rollup.py),
    at most areas x channels rows."""
    areas = list(Area.objects.order_by("position", "name"))
    channels = list(Channel.objects.prefetch_related("counter_set").order_by("position", "name"))
    counters_of = channel_counters(channels)
    labels = counter_labels(channels)
    codes = list(labels)
    rows = rollup_totals(agencies=scope_ids(node), roots=rollup_roots(node), period=period,
                         plan_id=plan.pk if plan else None, codes=codes)

    def bucket(label: str) -> dict:
        return {"label": label, "tasks": 0, "percent_sum": 0.0, "spent": 0,
                "progress": dict.fromkeys(PROGRESS, 0), "counters": dict.fromkeys(codes, 0), "by_channel": {}}

    by_area = {a.pk: bucket(a.name) for a in areas}
    by_channel = {c.pk: bucket(c.name) | {"codes": [x.code for x in counters_of[c.pk]]} for c in channels}
    other_area, other_channel = bucket("Chưa phân lĩnh vực"), bucket("Chưa xác định hình thức")
    total = bucket("Tổng cộng")
    primary = {c.pk: (counters_of[c.pk][0].code if counters_of[c.pk] else None) for c in channels}
    for row in rows:
        area = by_area.get(row["area_id"], other_area)
        channel = by_channel.get(row["channel_id"], other_channel)
        for target in (area, channel, total):
            target["tasks"] += row["tasks"]
            target["percent_sum"] += row["percent_sum"]
            target["spent"] += row["spent"]
            for state in PROGRESS:
                target["progress"][state] += row["progress"][state]
            for code in codes:
                target["counters"][code] += row["counters"][code] or 0
        # The stacked chart adds each channel's first counter (its "products").
        code = primary.get(row["channel_id"])
        if code:
            area["by_channel"][row["channel_id"]] = (
                area["by_channel"].get(row["channel_id"], 0) + (row["counters"][code] or 0)
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


def period_counts(*, node: Node, period: ReportingPeriod, plan: Plan | None, today: dt.date) -> dict:
    """The period's counts and rates for the node (one statement)."""
    row = scope_reports(node, period.pk, plan).aggregate(**state_counts(today))
    return with_rates(row)


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
        rows = scope_reports(self.node, [p.pk for p in self.year_periods], self.plan).values("period_id")
        return {row["period_id"]: with_rates(row) for row in rows.annotate(**state_counts(self.today))}

    @cached_property
    def trend(self) -> list[tuple[ReportingPeriod, dict]]:
        """The year's periods in order, for the trend line."""
        return [(p, self._trend_rows[p.pk]) for p in self.year_periods if p.pk in self._trend_rows]

    @cached_property
    def kpi(self) -> dict:
        return self._trend_rows.get(self.period.pk) or with_rates(
            {"total": 0} | dict.fromkeys((*STATES, "on_time", "late"), 0)
        )

    @cached_property
    def by_kind(self) -> list[dict]:
        kinds = {value: label.split(" (")[0] for value, label in Agency.Kind.choices}
        rows = scope_reports(self.node, self.period.pk, self.plan).values("agency__kind").annotate(**state_counts(self.today))
        return sorted(
            (with_rates(row | {"name": kinds.get(row["agency__kind"], row["agency__kind"])}) for row in rows),
            key=lambda r: -r["total"],
        )

    @cached_property
    def branches(self) -> list[dict]:
        """Units under the node that have units of their own, or units merged
        into them (the others are rows of the agency table)."""
        return [b for b in _by_branch(self.node, self.period, self.plan, self.today) if b["total"] > 1 or b["merged"]]

    @cached_property
    def branch_rows(self) -> list[dict]:
        """The branches, each saying which merged units its figures include (the table under the chart)."""
        _branch_notes(self.node, self.period, self.plan, self.branches)
        return self.branches

    @cached_property
    def outputs(self) -> dict:
        return _outputs(self.node, self.period, self.plan)
