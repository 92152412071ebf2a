"""The rollup of sent reports: each report's lines added up per plan, area,
channel and stretch start (ReportRollup), with its counters' totals
(ReportRollupFigure), so the dashboard's area x channel figures add up a
few rows per report instead of every line, task and figure.

A report's lines cannot change while it is sent (submitted or accepted:
services.reports.ensure_open), so its rows are written once when it is
sent (report_submit, report_record) and removed when it is returned;
accepting changes no figure. Keeping the stretch start in the key keeps the
windowed flows exact (reports/figures.py): a 6-month total takes the rows
of Q1's report whose stretch starts inside the half-year, as line_totals
takes the lines.

A second level adds these up per tree root (RootRollup: a province's whole
scope, as the dashboard's scope CTE takes it in, merged units included) per
period, kept with the report's: the national and province dashboards read a
few hundred rows. It is built on one shape of the agency tree (`tree_state`
checksums it); after a tree edit the dashboard adds up the reports' rollup
until `roots_rebuild` has run (the dashboard's warm task starts it)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from agencies.models import Agency
from agencies.tree import branch_scope_cte

from .models import (
    Report,
    ReportFigure,
    ReportLine,
    ReportRollup,
    ReportRollupFigure,
    RootRollup,
    RootRollupTree,
)

SENT = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
# Rollup row fields taken from a line's report and task, in key order.
KEY = {
    "report_id": "report_id", "agency_id": "report__agency_id", "period_id": "report__period_id",
    "year": "report__period__year", "period_end": "report__period__end", "plan_id": "task__plan_id",
    "area_id": "task__area_id", "channel_id": "task__channel_id", "stretch_from": "stretch_from",
}
BATCH = 2000


def rollup_refresh(report_ids: Iterable[int], *, models=None) -> int:
    """Write the rollup of these reports anew: rows for those sent, none for
    the others. `models`: (Report, ReportLine, ReportFigure, ReportRollup,
    ReportRollupFigure), the historical ones in a migration. Five statements
    per BATCH reports; returns the rows written."""
    report_model, line_model, figure_model, rollup_model, rollup_figure_model = models or (
        Report, ReportLine, ReportFigure, ReportRollup, ReportRollupFigure)
    ids = sorted(set(report_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rollup_model.objects.filter(report_id__in=chunk).delete()
        lines = line_model.objects.filter(report_id__in=chunk, report__status__in=SENT).annotate(
            stretch_from=Coalesce("stretch_start", F("report__period__start")))
        progress = {state: Count("pk", filter=Q(state=state)) for state in ("done", "in_progress", "not_started")}
        rows = [
            rollup_model(**{field: row[source] for field, source in KEY.items()}, tasks=row["n"],
                         percent_sum=row["percent_total"] or 0, spent=row["spent_total"] or 0,
                         **{state: row[state] for state in progress})
            for row in lines.order_by().values(*KEY.values()).annotate(
                n=Count("pk"), percent_total=Sum("percent"), spent_total=Sum("spent"), **progress)
        ]
        rollup_model.objects.bulk_create(rows)
        by_key = {tuple(getattr(r, field) for field in KEY): r.pk for r in rows}
        line_keys = {field: f"line__{source}" for field, source in KEY.items()} | {"stretch_from": "line_stretch_from"}
        figures = figure_model.objects.filter(line__report_id__in=chunk, line__report__status__in=SENT).annotate(
            line_stretch_from=Coalesce("line__stretch_start", F("line__report__period__start")))
        totals = [
            rollup_figure_model(rollup_id=by_key[tuple(row[k] for k in line_keys.values())],
                                counter_id=row["counter_id"], total=row["value_total"])
            for row in figures.order_by().values(*line_keys.values(), "counter_id").annotate(value_total=Sum("value"))
        ]
        rollup_figure_model.objects.bulk_create(totals)
        written += len(rows)
    return written


def rollup_fill(*, models=None) -> int:
    """The rollup of every sent report (the migration that adds the table,
    a dataset loaded around the services)."""
    report_model = (models or (Report,))[0]
    ids = list(report_model.objects.filter(status__in=SENT).values_list("pk", flat=True))
    return rollup_refresh(ids, models=models)


@dataclass(frozen=True)
class TreeState:
    """The agency tree as the root rollups see it: its checksum, each unit's
    root, and the pairs of roots whose scopes share units (a unit merged
    from one tree into another counts in both)."""

    stamp: str
    root_of: dict[int, int]
    sharing: frozenset[frozenset[int]]


def tree_state() -> TreeState:
    """One statement over the agencies (id, parent, successor, active)."""
    rows = list(Agency.objects.order_by("pk").values_list("pk", "parent_id", "successor_id", "is_active"))
    parent = {pk: parent_id for pk, parent_id, _, _ in rows}
    successor = {pk: succ for pk, _, succ, _ in rows if succ}
    root_of: dict[int, int] = {}
    for pk in parent:
        path: list[int] = []
        node = pk
        while node not in root_of and parent.get(node) and len(path) < 64:
            path.append(node)
            node = parent[node]
        top = root_of.get(node, node)
        for step in [*path, node]:
            root_of[step] = top
    sharing = set()
    for pk in successor:
        roots, node, seen = {root_of[pk]}, pk, set()
        while node in successor and node not in seen:
            seen.add(node)
            node = successor[node]
            roots.add(root_of.get(node, node))
        if len(roots) > 1:
            sharing |= {frozenset((a, b)) for a in roots for b in roots if a != b}
    stamp = hashlib.sha256(repr(rows).encode()).hexdigest()
    return TreeState(stamp=stamp, root_of=root_of, sharing=frozenset(sharing))


def _root_scope(root: int) -> RawSQL:
    cte, params = branch_scope_cte(seeds=[(root, True)], start_depth=0, name="rollup_scope")
    return RawSQL(f"{cte} SELECT id FROM rollup_scope", params)


ROOT_KEY = ("period_id", "year", "period_end", "plan_id", "area_id", "channel_id", "stretch_from")
ROOT_SUMS = ("tasks", "done", "in_progress", "not_started", "percent_sum", "spent")


def _root_rows(root: int, period_ids: list[int] | None) -> list[RootRollup]:
    """A root's rollup rows from its units' reports (all periods, or these).
    Only plans issued by a root keep their id (the plans the dashboard can
    filter whole trees by: dashboard/filters.py plan_choices); the units'
    own plans add up together under none."""
    scope = _root_scope(root)
    own = ReportRollup.objects.filter(agency_id__in=scope)
    figures = ReportRollupFigure.objects.filter(rollup__agency_id__in=_root_scope(root))
    if period_ids is not None:
        own, figures = own.filter(period_id__in=period_ids), figures.filter(rollup__period_id__in=period_ids)
    key = [k for k in ROOT_KEY if k != "plan_id"]
    own = own.annotate(root_plan=Case(When(plan__issuer__parent__isnull=True, then=F("plan_id")), default=None))
    rows = [RootRollup(root_id=root, plan_id=row.pop("root_plan"), **row)
            for row in own.order_by().values(*key, "root_plan").annotate(**{name: Sum(name) for name in ROOT_SUMS})]
    figures = figures.annotate(root_plan=Case(When(rollup__plan__issuer__parent__isnull=True, then=F("rollup__plan_id")),
                                              default=None))
    rows += [RootRollup(root_id=root, plan_id=row["root_plan"], counter_id=row["counter_id"], total=row["value"],
                        **{k: row[f"rollup__{k}"] for k in key})
             for row in figures.order_by().values(*(f"rollup__{k}" for k in key), "root_plan", "counter_id")
             .annotate(value=Sum("total"))]
    return rows


def roots_refresh(*, agency_ids: Iterable[int], period_id: int) -> None:
    """The root rollups of the period written anew for the trees these
    units count in (their own and those they were merged into)."""
    state = tree_state()
    roots = set()
    for pk in agency_ids:
        roots.add(state.root_of.get(pk, pk))
        roots |= {r for pair in state.sharing if state.root_of.get(pk) in pair for r in pair}
    for root in sorted(roots):
        RootRollup.objects.filter(root_id=root, period_id=period_id).delete()
        RootRollup.objects.bulk_create(_root_rows(root, [period_id]))


@transaction.atomic
def roots_rebuild() -> str:
    """Every root's rollup built anew on the tree as it is; returns its stamp."""
    state = tree_state()
    RootRollup.objects.all().delete()
    for root in sorted(set(state.root_of.values())):
        RootRollup.objects.bulk_create(_root_rows(root, None), batch_size=BATCH)
    RootRollupTree.objects.all().delete()
    RootRollupTree.objects.create(stamp=state.stamp)
    return state.stamp
