"""Writes and date rules of the reporting calendar: the periods a year has,
each agency's deadline in a period (from the nearest rule set above it), what
a rule edit changes in open periods, and the yearly plan's deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.tree import agencies_above_ids

from .calendar import is_working_day, period_bounds, period_label
from .dues import RuleBook, kinds_below
from .models import DueRule, PlanDeadline, ReportingChain, ReportingPeriod
from .signals import due_dates_changed


@transaction.atomic
def periods_ensure(*, year: int) -> list[ReportingPeriod]:
    """The periods that end in `year` (created once) of every active kind and
    of any kind a rule set asks for (monthly, where a province wants it)."""
    book = ReportingChain.objects.rulebook()
    periods = []
    for rule in book.period_rules:
        for end_month in rule.end_month_list():
            start, end = period_bounds(
                end_year=year, end_month=end_month, length_months=rule.length_months, cutoff_day=rule.cutoff_day
            )
            draft = ReportingPeriod(rule=rule, year=year, end_month=end_month, start=start, end=end)
            period, _ = ReportingPeriod.objects.get_or_create(
                rule=rule, year=year, end_month=end_month,
                defaults={
                    "label": period_label(rule.label, year=year, end_month=end_month),
                    "start": start, "end": end, "due": book.province_due(draft),
                },
            )
            periods.append(period)
    return periods


def agency_due_date(*, period: ReportingPeriod, agency_kind: str, level_days: dict[str, int]) -> dt.date:
    """Today's behaviour with no rule set: levels N working days after the
    cut-off, the province on the period's due date (see RuleBook.agency_due)."""
    return RuleBook(level_days=level_days).agency_due(period=period, agency_kind=agency_kind, owners=[None])


def _lineage(parent_id: int | None, parents: dict[int, int | None]) -> list[int]:
    """Ids above an agency, root first, from a parent map."""
    above: list[int] = []
    while parent_id is not None and len(above) < 64:
        above.append(parent_id)
        parent_id = parents.get(parent_id)
    return above[::-1]


def agency_due_dates(*, period: ReportingPeriod, agencies: Iterable[Agency],
                     book: RuleBook | None = None) -> dict[int, dt.date]:
    """Each agency's deadline in the period, from the nearest rule set above
    it (central last). A fixed number of queries whatever the count."""
    book = book or ReportingChain.objects.rulebook()
    agencies = list(agencies)
    parents: dict[int, int | None] = {}
    if book.has_local_chains():  # with only the central set nobody needs the tree
        above = agencies_above_ids(agency_ids=[a.pk for a in agencies])
        parents = dict(Agency.objects.filter(pk__in=above).values_list("pk", "parent_id"))
    return {
        agency.pk: book.agency_due(period=period, agency_kind=agency.kind,
                                   owners=book.owners_for(_lineage(agency.parent_id, parents)))
        for agency in agencies
    }


def agency_due(*, period: ReportingPeriod, agency: Agency) -> dt.date:
    return agency_due_dates(period=period, agencies=[agency])[agency.pk]


# --- rule edits and open periods -------------------------------------------

@dataclass(frozen=True)
class DueChange:
    """One level's deadline in one open period, before and after an edit."""

    period: ReportingPeriod
    agency_kind: str
    before: dt.date
    after: dt.date

    def __str__(self) -> str:
        kind = Agency.Kind(self.agency_kind).label
        return f"{self.period.label} – {kind}: {self.before:%d/%m/%Y} → {self.after:%d/%m/%Y}"


def open_periods(*, today: dt.date | None = None):
    """Periods still open: a period closes once its due date has passed, and
    then keeps its dates whatever the rules become."""
    return ReportingPeriod.objects.filter(due__gte=today or timezone.localdate()).select_related("rule")


def _kinds(chain: ReportingChain) -> list[str]:
    if chain.owner_id is None:
        return list(Agency.Kind.values)
    return [k for k in Agency.Kind.values if k in kinds_below(chain.owner.kind)]  # type: ignore[union-attr]


def due_snapshot(*, chain: ReportingChain, today: dt.date | None = None,
                 rules: list[DueRule] | None = None) -> dict[tuple[int, str], tuple[ReportingPeriod, dt.date]]:
    """The deadline each level under the chain's owner has in each open
    period: under the saved rules, or under `rules` as they would be saved."""
    book = ReportingChain.objects.rulebook(replace=(chain, rules) if rules is not None else None)
    owners = chain.owners(book)
    snapshot = {}
    for period in open_periods(today=today):
        # The province's date may move too (central set), and it caps the levels under it.
        draft = ReportingPeriod(pk=period.pk, rule=period.rule, year=period.year, end_month=period.end_month,
                                label=period.label, start=period.start, end=period.end)
        draft.due = book.province_due(draft)
        for kind in _kinds(chain):
            snapshot[(period.pk, kind)] = (period, book.agency_due(period=draft, agency_kind=kind, owners=owners))
    return snapshot


def due_changes(before: dict, after: dict) -> list[DueChange]:
    return [
        DueChange(period=period, agency_kind=key[1], before=before[key][1], after=new)
        for key, (period, new) in after.items()
        if key in before and before[key][1] != new
    ]


def open_periods_affected(*, chain: ReportingChain, rules: list[DueRule],
                          today: dt.date | None = None) -> list[DueChange]:
    """What saving `rules` as the chain's whole set would change, open
    periods only (for showing before the edit is applied)."""
    return due_changes(due_snapshot(chain=chain, today=today), due_snapshot(chain=chain, today=today, rules=rules))


@transaction.atomic
def rule_apply(*, chain: ReportingChain, today: dt.date | None = None,
               before: dict | None = None) -> list[DueChange]:
    """Carry the chain's saved rules into open periods: their province date
    (ReportingPeriod.due) and, through `due_dates_changed`, the reports app's
    rows. Closed periods are not touched. Returns the changes against
    `before` (a due_snapshot taken before saving), if given."""
    book = ReportingChain.objects.rulebook()
    periods = list(open_periods(today=today))
    for period in periods:
        due = book.province_due(period)
        if due != period.due:
            period.due = due
            period.save(update_fields=["due"])
    due_dates_changed.send(sender=ReportingChain, period_ids=[p.pk for p in periods], owner_id=chain.owner_id)
    if before is None:
        return []
    return due_changes(before, due_snapshot(chain=chain, today=today))


@transaction.atomic
def rules_save(*, chain: ReportingChain, rules: list[DueRule], today: dt.date | None = None) -> list[DueChange]:
    """Replace the chain's rules with `rules` (checked as a whole), apply them
    to open periods and return what changed."""
    for rule in rules:
        rule.chain = chain
    errors = chain.rules_errors(rules=rules, changed=rules, today=today)
    if errors:
        raise ValidationError(errors)
    before = due_snapshot(chain=chain, today=today)
    chain.rules.exclude(pk__in=[r.pk for r in rules if r.pk]).delete()
    for rule in rules:
        rule.save()
    return rule_apply(chain=chain, today=today, before=before)


# --- the yearly plan's own deadline ----------------------------------------

def plan_deadline(*, year: int, agency: Agency) -> dt.date | None:
    """The date by which the agency must issue its plan for `year` (e.g.
    20/11 of the year before), from the nearest rule set above it that says
    so (its rule for the agency's kind before its rule for every kind);
    moved to the next working day when it falls on a day off. None: no set
    asks for one."""
    return plan_deadlines(year=year, agencies=[agency]).get(agency.pk)


def plan_deadlines(*, year: int, agencies: Iterable[Agency]) -> dict[int, dt.date]:
    """plan_deadline for many agencies (agency id -> date; agencies no set
    asks are left out), in a fixed number of queries whatever the count: the
    deadlines, and the tree above the agencies only when a province's own set
    has one. For the daily reminders to every unit."""
    agencies = list(agencies)
    deadlines: dict[int | None, dict[str, PlanDeadline]] = {}
    for deadline in PlanDeadline.objects.filter(chain__is_active=True).select_related("chain"):
        deadlines.setdefault(deadline.chain.owner_id, {})[deadline.agency_kind] = deadline
    parents: dict[int, int | None] = {}
    if agencies and any(owner is not None for owner in deadlines):
        above = agencies_above_ids(agency_ids=[a.pk for a in agencies])
        parents = dict(Agency.objects.filter(pk__in=above).values_list("pk", "parent_id"))
    days: dict[int, dt.date] = {}  # per PlanDeadline row: a few rows serve every agency

    def day_of(row: PlanDeadline) -> dt.date:
        if row.pk not in days:
            day = dt.date(year - 1, row.month, row.day)
            while not is_working_day(day):
                day += dt.timedelta(days=1)
            days[row.pk] = day
        return days[row.pk]

    found: dict[int, dt.date] = {}
    for agency in agencies:
        above_ids = _lineage(agency.parent_id, parents)
        for owner in [pk for pk in reversed(above_ids) if pk in deadlines] + [None]:
            rows = deadlines.get(owner, {})
            row = rows.get(agency.kind) or rows.get("")
            if row is not None:
                found[agency.pk] = day_of(row)
                break
    return found


def stretch_start(*, period: ReportingPeriod, rules) -> dt.date:
    """The first day whose activity a report for `period` counts, when the
    task also reports on `rules` (its plan's period kinds): the day after the
    latest of those periods that ends earlier in the same year, else the
    period's start. Fixed by the calendar, whatever order reports are made
    in, so stretches never overlap: the 6-month report counts 15/03-14/06
    after Quý I, the year report 15/09-14/12 after Quý III. Of two periods
    ending on the same day (Tháng 3 and Quý I), the shorter counts the days
    and the longer gets an empty stretch (a start after its end)."""
    start = period.start
    for rule in rules:
        for end_month in rule.end_month_list():
            other_start, other_end = period_bounds(
                end_year=period.year, end_month=end_month, length_months=rule.length_months,
                cutoff_day=rule.cutoff_day,
            )
            if other_end < period.end:
                start = max(start, other_end + dt.timedelta(days=1))
            elif other_end == period.end and rule.length_months < period.rule.length_months:
                return period.end + dt.timedelta(days=1)
    return start
