"""The daily sweep, the orchestrator of reporting: make sure the current
periods and their expected reports exist, then record and enqueue every
notice due today (reports' deadlines and returns, next year's plan's
deadline, plan moves whose notices were missed), and re-enqueue any whose
e-mail has not gone out. Run by Celery
beat (reports/tasks.py) and `manage.py send_reminders`; each run is recorded
(SweepRun), so a day whose sweep died midway is run again by the hourly
catch-up, and the health check tells how old the last one is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from schedule.services import periods_ensure

from .models import SweepRun
from .services.notices import (
    DueNotice,
    notices_due,
    notices_record,
    notices_requeue,
    plan_moves_close,
    plan_moves_missed,
    plan_notices_due,
)
from .services.reports import reports_ensure_current


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
    run = None if dry_run else SweepRun.objects.create(day=today)
    if not dry_run:
        for year in (today.year, today.year + 1):
            periods_ensure(year=year)
        # Issuing a plan makes its reports; this finds what is still missing
        # (one anti-join a period) and makes only that.
        reports_ensure_current(today=today)
    moves = plan_moves_missed(today=today)
    result = SweepResult(due=notices_due(today=today) + plan_notices_due(today=today) + moves)
    if dry_run:
        return result
    result.created = len(notices_record(due=result.due))
    plan_moves_close(transitions=list({d.move.transition.pk: d.move.transition for d in moves if d.move}.values()))
    result.requeued = notices_requeue()
    assert run is not None
    SweepRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), created=result.created,
                                              requeued=result.requeued)
    return result


def reminders_sweep_catch_up(*, now: dt.datetime | None = None) -> SweepResult | None:
    """Run today's sweep if it is due (REMINDER_HOUR has passed) and no run
    of today's finished: the database died midway, or beat was down at the
    hour. Safe to run any number of times: a notice recorded before is
    skipped (its unique key). None when there was nothing to catch up."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.REMINDER_HOUR:
        return None
    if SweepRun.objects.filter(day=local.date(), finished_at__isnull=False).exists():
        return None
    return reminders_sweep(today=local.date())
