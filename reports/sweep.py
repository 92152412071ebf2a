"""The daily sweep, the orchestrator of reporting: make sure the current
periods and their expected reports exist, then record and enqueue every
notice due today (reports' deadlines and returns, next year's plan's
deadline, plan moves whose notices were missed), and re-enqueue any whose
e-mail has not gone out. Run by Celery
beat (reports/tasks.py) and `manage.py send_reminders`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from schedule.models import ReportingPeriod
from schedule.services import periods_ensure

from .services.notices import (
    DueNotice,
    notices_due,
    notices_record,
    notices_requeue,
    plan_moves_close,
    plan_moves_missed,
    plan_notices_due,
)
from .services.reports import reports_ensure


@dataclass
class SweepResult:
    due: list[DueNotice] = field(default_factory=list)
    created: int = 0
    requeued: int = 0


def reminders_sweep(*, today: dt.date | None = None, dry_run: bool = False) -> SweepResult:
    """The daily job: make sure the current periods' reports exist, then
    record and enqueue every notice due today (about reports, about next
    year's plan to the units that owe it, and any plan move told of by no
    notice yet), and re-enqueue any notice whose
    e-mail has not gone out (a worker that died, a broker that was down)."""
    today = today or timezone.localdate()
    if not dry_run:
        for year in (today.year, today.year + 1):
            periods_ensure(year=year)
        for period in ReportingPeriod.objects.filter(start__lte=today, due__gte=today - dt.timedelta(days=120)):
            reports_ensure(period=period)
    moves = plan_moves_missed(today=today)
    result = SweepResult(due=notices_due(today=today) + plan_notices_due(today=today) + moves)
    if dry_run:
        return result
    result.created = len(notices_record(due=result.due))
    plan_moves_close(transitions=list({d.move.transition.pk: d.move.transition for d in moves if d.move}.values()))
    result.requeued = notices_requeue(today=today)
    return result
