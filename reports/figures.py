"""The one aggregation of report lines: tasks, progress, money and counter
totals per group. The period summary (BC) adds up figures through it; the
compliance dashboard adds up the same figures from the rollup of sent
reports (reports/rollup.py, rollup_totals below), kept equal to it by
reports/tests/test_figures.py, so the two never disagree on a total.

Figures are like for like: each counter on its own, a flow (tin bài, băng
rôn) summed over the stretches that fall inside the period, a stock
("chuyên mục đang duy trì") taken from the period's own reports only. The
stretches of one unit's task never overlap (reports/services/reports.py),
so the 6-month total is Q1's stretch plus 15/03-14/06, never Q1 twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from plans.models import Channel, Counter
from schedule.models import ReportingPeriod

from .models import ReportFigure, ReportLine, ReportRollup, ReportRollupFigure, RootRollup

# Progress states in the order charts stack them: (label, chart colour).
PROGRESS = {
    ReportLine.Progress.DONE: ("Hoàn thành", "#198754"),
    ReportLine.Progress.IN_PROGRESS: ("Đang triển khai", "#0dcaf0"),
    ReportLine.Progress.NOT_STARTED: ("Chưa triển khai", "#adb5bd"),
}


def channel_counters(channels: Iterable[Channel]) -> dict[int, list[Counter]]:
    """Channel id -> its active counters, in order (channels prefetched with counter_set)."""
    return {c.pk: sorted((x for x in c.counter_set.all() if x.is_active), key=lambda x: (x.position, x.label))
            for c in channels}


def counter_labels(channels: Iterable[Channel]) -> dict[str, str]:
    """Counter code -> label over the channels' active counters, in channel then counter order."""
    labels: dict[str, str] = {}
    for counters in channel_counters(channels).values():
        for counter in counters:
            labels.setdefault(counter.code, counter.label)
    return labels


def stretches_inside(candidates: QuerySet[ReportLine], period: ReportingPeriod) -> QuerySet[ReportLine]:
    """The lines among `candidates` whose stretch lies inside `period`: the
    period's own lines and the earlier ones of the same year it contains."""
    return candidates.annotate(
        stretch_from=Coalesce("stretch_start", F("report__period__start"))
    ).filter(report__period__year=period.year, report__period__end__lte=period.end, stretch_from__gte=period.start,
             stretch_from__lte=F("report__period__end"))  # an empty stretch counts nothing


def _no_lines(by: tuple[str, ...], key: tuple, codes: list[str]) -> dict:
    """The row of a group that has figures but no line of its own (a flow
    from an earlier stretch): nothing counted yet but its counters."""
    return {k: v for k, v in zip(by, key, strict=True)} | {
        "tasks": 0, "percent": 0, "spent": 0, "progress": dict.fromkeys(PROGRESS, 0),
        "counters": dict.fromkeys(codes)}


def line_totals(lines: QuerySet[ReportLine], *, by: tuple[str, ...], codes: list[str],
                window: QuerySet[ReportLine] | None = None) -> list[dict]:
    """Per group of `by` values over `lines` (the period's own lines):
    "tasks" (lines), "progress" {state: lines}, "percent" (average), "spent"
    (đồng), and "counters" {code: total} for `codes` — flows summed over
    `window` (stretches_inside the period; the lines themselves if not
    given), stocks over `lines` only; None where nobody gave that counter."""
    progress = {f"p_{state}": Count("pk", filter=Q(state=state)) for state in PROGRESS}
    rows = {
        tuple(row[key] for key in by): {key: row[key] for key in by} | {
            "tasks": row["tasks"], "percent": row["percent"] or 0, "spent": row["spent"] or 0,
            "progress": {state: row[f"p_{state}"] for state in PROGRESS},
            "counters": dict.fromkeys(codes),
        }
        for row in lines.order_by().values(*by).annotate(
            tasks=Count("pk"), percent=Avg("percent"), spent=Sum("spent"), **progress)
    }
    line_keys = tuple(f"line__{key}" for key in by)
    sums = [
        (window if window is not None else lines, Counter.Kind.FLOW),
        (lines, Counter.Kind.STOCK),
    ]
    for source, kind in sums:
        figures = ReportFigure.objects.filter(line__in=source.values("pk"), counter__kind=kind, counter__code__in=codes)
        for row in figures.order_by().values(*line_keys, "counter__code").annotate(total=Sum("value")):
            key = tuple(row[k] for k in line_keys)
            group = rows.setdefault(key, _no_lines(by, key, codes))
            code = row["counter__code"]
            group["counters"][code] = (group["counters"][code] or 0) + row["total"]
    return list(rows.values())


def _counters(codes: list[str]) -> list[tuple[int, str, str]]:
    """(id, code, kind) of the counters of `codes`: the figure statements
    filter and group by counter id rather than join the counters, a join
    the planner misjudges at national scale (a nested loop over every
    figure: 50 ms against 10 on the root rollup)."""
    return list(Counter.objects.filter(code__in=codes).values_list("pk", "code", "kind")) if codes else []


def rollup_totals(*, agencies, period: ReportingPeriod, plan_id: int | None, codes: list[str],
                  roots: list[int] | None = None) -> list[dict]:
    """line_totals by (area_id, channel_id) over the sent reports of
    `agencies` (ids or a subquery) for `period` (and one plan), read from
    the rollup (reports/rollup.py): four statements over a few rows per
    report, or per root when `roots` (whole trees whose scopes share no
    unit) stand for `agencies`. The same figures, and "percent_sum" (the
    lines' exact sum of percents) beside "percent"."""
    lines: QuerySet
    figures: QuerySet
    if roots is not None:
        mine = Q(root_id__in=roots)
        lines, figures = RootRollup.objects.filter(mine, counter__isnull=True), RootRollup.objects.filter(mine)
        prefix = ""
    else:
        mine = Q(agency_id__in=agencies)
        lines, figures = ReportRollup.objects.filter(mine), ReportRollupFigure.objects.all()
        prefix = "rollup__"
    if plan_id is not None:
        lines = lines.filter(plan_id=plan_id)
    sums = {str(state): Sum(state) for state in PROGRESS}
    rows: dict[tuple, dict] = {}
    grouped: Any = lines.filter(period_id=period.pk).order_by().values("area_id", "channel_id").annotate(
        n=Sum("tasks"), percents=Sum("percent_sum"), money=Sum("spent"), **sums)
    for row in grouped:
        rows[(row["area_id"], row["channel_id"])] = {
            "area_id": row["area_id"], "channel_id": row["channel_id"], "tasks": row["n"],
            "percent": row["percents"] / row["n"] if row["n"] else 0, "percent_sum": row["percents"],
            "spent": row["money"] or 0, "progress": {state: row[state] for state in PROGRESS},
            "counters": dict.fromkeys(codes)}
    scope = Q(root_id__in=roots) if roots is not None else Q(rollup__agency_id__in=agencies)
    if plan_id is not None:
        scope &= Q(**{f"{prefix}plan_id": plan_id})
    window = Q(**{f"{prefix}year": period.year, f"{prefix}period_end__lte": period.end,
                  f"{prefix}stretch_from__gte": period.start, f"{prefix}stretch_from__lte": F(f"{prefix}period_end")})
    own = Q(**{f"{prefix}period_id": period.pk})
    counters = _counters(codes)
    code_of = {pk: code for pk, code, _ in counters}
    for where, kind in ((window, Counter.Kind.FLOW), (own, Counter.Kind.STOCK)):
        ids = [pk for pk, _, of_kind in counters if of_kind == kind]
        if not ids:
            continue
        found = figures.filter(scope, where, counter_id__in=ids)
        for row in found.order_by().values(f"{prefix}area_id", f"{prefix}channel_id", "counter_id").annotate(
                amount=Sum("total")):
            key = (row[f"{prefix}area_id"], row[f"{prefix}channel_id"])
            group = rows.setdefault(key, _no_lines(("area_id", "channel_id"), key, codes) | {"percent_sum": 0})
            code = code_of[row["counter_id"]]
            group["counters"][code] = (group["counters"][code] or 0) + row["amount"]
    return list(rows.values())


def line_totals_joined(lines: QuerySet[ReportLine], *, by: tuple[str, ...], codes: list[str],
                       window: QuerySet[ReportLine] | None = None) -> list[dict]:
    """line_totals' rows, the same totals, with the figures summed from the
    lines' side (lines joined to their figures in one pass) rather than
    through `line IN (subquery)`, which the planner misjudges at national
    scale: 100,000 figures looked up one by one, 0.5 s a statement against
    under 0.1 s. For the period summary, which groups every unit's lines."""
    rows = line_totals(lines, by=by, codes=[], window=window)  # no codes: no figure statement
    for row in rows:
        row["counters"] = dict.fromkeys(codes)
    groups = {tuple(row[key] for key in by): row for row in rows}
    sums = [
        (window if window is not None else lines, Counter.Kind.FLOW),
        (lines, Counter.Kind.STOCK),
    ]
    for source, kind in sums:
        figures = source.filter(figures__counter__kind=kind, figures__counter__code__in=codes)
        for row in figures.order_by().values(*by, "figures__counter__code").annotate(total=Sum("figures__value")):
            key = tuple(row[k] for k in by)
            group = groups.setdefault(key, _no_lines(by, key, codes))
            code = row["figures__counter__code"]
            group["counters"][code] = (group["counters"][code] or 0) + row["total"]
    return list(groups.values())
