"""The one aggregation of report lines: tasks, progress, money and counter
totals per group, in a single GROUP BY statement. The period summary (BC)
and the compliance dashboard both add up figures through it, so the two
can never disagree on a total."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Avg, BigIntegerField, Count, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from plans.models import Channel

from .models import ReportLine

# Progress states in the order charts stack them: (label, chart colour).
PROGRESS = {
    ReportLine.Progress.DONE: ("Hoàn thành", "#198754"),
    ReportLine.Progress.IN_PROGRESS: ("Đang triển khai", "#0dcaf0"),
    ReportLine.Progress.NOT_STARTED: ("Chưa triển khai", "#adb5bd"),
}


def counter_labels(channels: Iterable[Channel]) -> dict[str, str]:
    """Counter code -> label over the channels, the first channel's label winning."""
    labels: dict[str, str] = {}
    for channel in channels:
        for counter in channel.counters or []:
            labels.setdefault(counter["code"], counter["label"])
    return labels


def line_totals(lines: QuerySet[ReportLine], *, by: tuple[str, ...], codes: list[str]) -> list[dict]:
    """Per group of `by` values: "tasks" (lines), "progress" {state: lines},
    "percent" (average), "spent" (đồng) and "counters" {code: sum} for `codes`,
    None where no line of the group gives that counter."""
    progress = {f"p_{state}": Count("pk", filter=Q(state=state)) for state in PROGRESS}
    counters = {
        f"c{i}": Sum(Cast(KeyTextTransform(code, "counters"), BigIntegerField())) for i, code in enumerate(codes)
    }
    rows = lines.order_by().values(*by).annotate(
        tasks=Count("pk"), percent=Avg("percent"), spent=Sum("spent"), **progress, **counters
    )
    return [
        {key: row[key] for key in by}
        | {
            "tasks": row["tasks"],
            "percent": row["percent"] or 0,
            "spent": row["spent"] or 0,
            "progress": {state: row[f"p_{state}"] for state in PROGRESS},
            "counters": {code: row[f"c{i}"] for i, code in enumerate(codes)},
        }
        for row in rows
    ]
