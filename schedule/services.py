"""Writes and date rules of the reporting calendar: the periods a year has,
and each level's deadline in a period."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from agencies.models import Agency

from .calendar import add_working_days, period_bounds, period_label, province_due, working_day_before
from .models import ReportingPeriod, ReportingRule


@transaction.atomic
def periods_ensure(*, year: int) -> list[ReportingPeriod]:
    """The periods of every active rule that end in `year` (created once)."""
    periods = []
    for rule in ReportingRule.objects.filter(is_active=True):
        for end_month in rule.end_month_list():
            start, end = period_bounds(
                end_year=year, end_month=end_month, length_months=rule.length_months, cutoff_day=rule.cutoff_day
            )
            period, _ = ReportingPeriod.objects.get_or_create(
                rule=rule, year=year, end_month=end_month,
                defaults={
                    "label": period_label(rule.label, year=year, end_month=end_month),
                    "start": start, "end": end, "due": province_due(cutoff=end, due_day=rule.due_day),
                },
            )
            periods.append(period)
    return periods


def agency_due_date(*, period: ReportingPeriod, agency_kind: str, level_days: dict[str, int]) -> dt.date:
    """Communes first, consolidating units later, the province on the period's
    own due date: a lower level is never due later than the working day before
    the province (holidays can squeeze them together), and never less than one
    working day after the cut-off (Nghị định 09/2019)."""
    if agency_kind == Agency.Kind.PROVINCE:
        return period.due
    due = add_working_days(period.end, level_days.get(agency_kind, 2))
    latest = working_day_before(period.due)
    return max(min(due, latest), add_working_days(period.end, 1))
