"""Writes and date rules of the reporting calendar: the periods a year has,
each agency's deadline in a period (from the nearest rule set above it), what
a rule edit changes in open periods, and the yearly plan's deadline."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from agencies.tree import agencies_above_ids, agency_subtree_ids

from .calendar import is_working_day, period_bounds, period_label
from .dues import RuleBook, kinds_below
from .models import DueRule, PlanDeadline, ReportingChain, ReportingPeriod
from .signals import due_dates_changed


@transaction.atomic
def periods_ensure(*, year: int) -> list[ReportingPeriod]:
    """The periods that end in `year` (created once) of every active kind and
    of any kind a rule set asks for (monthly, where a province wants it).
    The rules and the year's periods are read once; only a missing period
    costs more (the daily sweep runs this with nothing to create)."""
    book = ReportingChain.objects.rulebook()
    existing = {(p.rule_id, p.end_month): p for p in ReportingPeriod.objects.filter(year=year)}
    periods = []
    for rule in book.period_rules:
        for end_month in rule.end_month_list():
            period = existing.get((rule.pk, end_month))
            if period is None:
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
            period.rule = rule  # the rule at hand: no query to read it again
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


def _drafts(periods: Iterable[ReportingPeriod], book: RuleBook) -> list[ReportingPeriod]:
    """The periods with the due date `book` gives them (unsaved copies): the
    province's date may move too (central set), and it caps the levels under it."""
    drafts = []
    for period in periods:
        draft = ReportingPeriod(pk=period.pk, rule=period.rule, year=period.year, end_month=period.end_month,
                                label=period.label, start=period.start, end=period.end)
        draft.due = book.province_due(draft)
        drafts.append(draft)
    return drafts


def _snapshot(chain: ReportingChain, book: RuleBook,
              periods: list[ReportingPeriod]) -> dict[tuple[int, str], tuple[ReportingPeriod, dt.date]]:
    owners = chain.owners(book)
    return {
        (period.pk, kind): (period, book.agency_due(period=draft, agency_kind=kind, owners=owners))
        for period, draft in zip(periods, _drafts(periods, book), strict=True)
        for kind in _kinds(chain)
    }


def due_snapshot(*, chain: ReportingChain, today: dt.date | None = None,
                 rules: list[DueRule] | None = None) -> dict[tuple[int, str], tuple[ReportingPeriod, dt.date]]:
    """The deadline each level under the chain's owner has in each open
    period: under the saved rules, or under `rules` as they would be saved."""
    book = ReportingChain.objects.rulebook(replace=(chain, rules) if rules is not None else None)
    return _snapshot(chain, book, list(open_periods(today=today)))


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


# --- previewing a rule edit before it is saved -----------------------------

# The reports app (above this one, hence names rather than imports) gives new
# dates to these reports when a rule edit reaches their period
# (reports_due_refresh); a report already sent keeps the date it was judged by.
REPORTS_MOVED = ("draft", "returned")
STALE_PREVIEW = ("Bộ quy định hoặc các kỳ đang mở đã thay đổi từ lúc xem trước (có người vừa sửa bộ quy định, "
                 "hoặc có kỳ vừa hết hạn). Chưa lưu gì: xem lại bảng dưới đây rồi xác nhận lần nữa.")


@dataclass
class PreviewRow:
    """One level's (or some units') deadline in one open period, before and
    after the edit, and the reports that would follow it."""

    period: ReportingPeriod
    agency_kind: str
    before: dt.date
    after: dt.date
    units: list[str] = field(default_factory=list)  # named when only these units of the level move so
    reports: int = 0
    submitted: int = 0  # sent already: they keep their date

    @property
    def level(self) -> str:
        return Agency.Kind(self.agency_kind).label

    @property
    def units_text(self) -> str:
        shown = ", ".join(self.units[:5])
        return shown + (f" và {len(self.units) - 5} đơn vị khác" if len(self.units) > 5 else "")


@dataclass
class RulePreview:
    """What saving a rule set as typed would change in open periods."""

    rows: list[PreviewRow]
    token: str  # says which rule set, periods and dates were shown; a confirmation must carry it
    today: dt.date

    def by_period(self) -> list[tuple[ReportingPeriod, list[PreviewRow]]]:
        grouped: dict[int, tuple[ReportingPeriod, list[PreviewRow]]] = {}
        for row in self.rows:
            grouped.setdefault(row.period.pk, (row.period, []))[1].append(row)
        return list(grouped.values())

    @property
    def reports(self) -> int:
        return sum(row.reports for row in self.rows)

    @property
    def submitted(self) -> int:
        return sum(row.submitted for row in self.rows)

    @property
    def moved(self) -> int:
        return self.reports - self.submitted


def _book_as_saved(chain: ReportingChain, rules: list[DueRule]) -> RuleBook:
    book = ReportingChain.objects.rulebook(replace=(chain, rules))
    if not chain.is_active:  # switched off (or deleted): the sets above speak again
        book.rules.pop(chain.owner_id, None)
    return book


def _chain_state(chain: ReportingChain) -> list:
    """The rule set as saved now, to tell whether it changed since a preview."""
    if chain.pk is None:
        return ["new", chain.owner_id]
    return [
        list(ReportingChain.objects.filter(pk=chain.pk).values_list("name", "owner_id", "basis", "is_active")),
        list(DueRule.objects.filter(chain_id=chain.pk).order_by("pk").values_list(
            "pk", "period_rule_id", "agency_kind", "cutoff_day", "mode", "due_day", "working_days")),
        list(PlanDeadline.objects.filter(chain_id=chain.pk).order_by("pk").values_list(
            "pk", "agency_kind", "day", "month")),
    ]


def rules_preview(*, chain: ReportingChain, rules: list[DueRule], today: dt.date | None = None) -> RulePreview:
    """What saving `rules` as the chain's whole set (and the chain as it is
    typed: switched off, or new) would change in open periods, writing
    nothing: each level's date before and after, and the reports of each
    period whose date moves (counted per unit, so a unit under a nearer rule
    set of its own is named apart or not counted at all). A fixed number of
    queries whatever the number of reports."""
    today = today or timezone.localdate()
    periods = list(open_periods(today=today))
    books = ReportingChain.objects.rulebook(), _book_as_saved(chain, rules)
    before, after = (_snapshot(chain, book, periods) for book in books)
    rows: dict[tuple, PreviewRow] = {}  # (period, level, before, after)
    for (pk, kind), (period, new) in after.items():
        old = before[(pk, kind)][1]
        if old != new:
            rows[(pk, kind, old, new)] = PreviewRow(period, kind, old, new)
    level_rows = set(rows)

    by_pk = {period.pk: period for period in periods}
    # One filter() call, so the conditions and the columns share one join to the reports.
    where = Q(pk__in=by_pk, reports__agency__kind__in=_kinds(chain))
    if chain.owner_id is not None:
        where &= Q(reports__agency_id__in=agency_subtree_ids(agency_ids=[chain.owner_id]))
    found = list(ReportingPeriod.objects.filter(where).order_by()
                 .values_list("pk", "reports__status", "reports__agency__kind", "reports__agency__parent_id",
                              "reports__agency__short_name", "reports__agency__name"))
    parents: dict[int, int | None] = {}
    if any(book.has_local_chains() for book in books):
        above = agencies_above_ids(agency_ids=[row[3] for row in found if row[3]])
        parents = dict(Agency.objects.filter(pk__in=above).values_list("pk", "parent_id"))
    drafts = [{draft.pk: draft for draft in _drafts(periods, book)} for book in books]
    dates: dict[tuple, list[dt.date]] = {}  # per period, level and the sets that speak for the unit
    for period_id, status, kind, parent_id, short_name, name in found:
        lineage = _lineage(parent_id, parents)
        owners = [book.owners_for(lineage) for book in books]
        key = (period_id, kind, *map(tuple, owners))
        if key not in dates:
            dates[key] = [book.agency_due(period=drafts[i][period_id], agency_kind=kind, owners=owners[i])
                          for i, book in enumerate(books)]
        old, new = dates[key]
        if old == new:
            continue
        row_key = (period_id, kind, old, new)
        if row_key not in rows:
            rows[row_key] = PreviewRow(by_pk[period_id], kind, old, new)
        row = rows[row_key]
        row.reports += 1
        row.submitted += status not in REPORTS_MOVED
        if row_key not in level_rows:
            row.units.append(short_name or name)

    order = {pk: i for i, pk in enumerate(by_pk)}
    ranked = sorted(rows.values(), key=lambda r: (order[r.period.pk], Agency.Kind.values.index(r.agency_kind),
                                                  bool(r.units), r.before, r.after))
    for row in ranked:
        row.units.sort()
    shown = [(r.period.pk, r.agency_kind, r.before, r.after, r.units) for r in ranked]
    token = hashlib.sha256(repr([_chain_state(chain), [(p.pk, p.due) for p in periods], shown]).encode())
    return RulePreview(rows=ranked, token=token.hexdigest()[:40], today=today)


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
