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
takes the lines."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from .models import Report, ReportFigure, ReportLine, ReportRollup, ReportRollupFigure

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
