"""Deadlines as the authorities write them, in plain functions over rule
values (no queries): which rule applies to an agency, the date a rule gives
in a period, and the checks Nghị định 09/2019 asks of a set of rules.

The models load a `RuleBook` (one query per table); services, the model's
clean() and the admin all decide with the functions here, so they cannot
disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .calendar import add_working_days, is_working_day, period_bounds, period_label, working_day_before

FIXED_DAY = "fixed_day"
WORKING_DAYS = "working_days"
PROVINCE = "province"
MINISTRY = "ministry"

# Which levels an agency kind sends its report to (the tree decides which of
# them it actually has; a check compares with every possible one).
REPORTS_TO: dict[str, tuple[str, ...]] = {
    "commune": ("district", "province"),
    "office": ("district", "department", "province"),
    "unit": ("department", "district", "province"),
    "organization": ("district", "department", "province"),
    "district": ("province",),
    "department": ("province",),
    "province": ("ministry",),
    "central_unit": ("ministry",),
}


def kinds_below(kind: str) -> set[str]:
    """Every kind whose reports reach `kind`, directly or through others."""
    below: set[str] = set()
    changed = True
    while changed:
        changed = False
        for lower, uppers in REPORTS_TO.items():
            if lower not in below and (kind in uppers or below & set(uppers)):
                below.add(lower)
                changed = True
    return below


UNDER_PROVINCE = kinds_below(PROVINCE)


@dataclass(frozen=True)
class LegacyRule:
    """Today's behaviour where no rule set says anything: the province on
    the period kind's due day, other levels N working days after the cut-off
    (LevelDeadline)."""

    agency_kind: str
    mode: str
    due_day: int | None = None
    working_days: int | None = None
    cutoff_day: int | None = None
    period_rule_id: int | None = None


def fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def rule_cutoff(rule: Any, period: Any) -> dt.date:
    """The rule's own cut-off in the period's last month (0: the last day of
    the month before), or the period's."""
    if rule.cutoff_day is None:
        return period.end
    if rule.cutoff_day == 0:
        return period.end.replace(day=1) - dt.timedelta(days=1)
    return period.end.replace(day=rule.cutoff_day)


def rule_due(rule: Any, period: Any, *, public_holidays: bool = True) -> dt.date:
    """The date the rule gives, before any squeeze: a fixed day falling on a
    day off moves to the next working day (Bộ luật Dân sự, Điều 148)."""
    if rule.mode == WORKING_DAYS:
        return add_working_days(rule_cutoff(rule, period), rule.working_days or 1, public_holidays=public_holidays)
    due = period.end.replace(day=rule.due_day)
    while not is_working_day(due, public_holidays=public_holidays):
        due += dt.timedelta(days=1)
    return due


def describe(rule: Any) -> str:
    if rule.mode == WORKING_DAYS:
        return f"{rule.working_days} ngày làm việc sau ngày chốt"
    return f"ngày {rule.due_day:02d} tháng cuối kỳ"


@dataclass
class RuleBook:
    """Every active rule set, keyed by owner id (None: the central set)."""

    rules: dict[int | None, dict[tuple[int | None, str], Any]] = field(default_factory=dict)
    owner_names: dict[int | None, str] = field(default_factory=dict)
    level_days: dict[str, int] = field(default_factory=dict)
    province_due_days: dict[int, int] = field(default_factory=dict)
    period_rules: list[Any] = field(default_factory=list)  # the ReportingRules periods are made for

    def has_local_chains(self) -> bool:
        return any(owner is not None for owner in self.rules)

    def owners_for(self, ancestor_ids: Sequence[int]) -> list[int | None]:
        """The rule sets that speak for an agency whose ancestors (root first,
        the agency itself excluded) are given: nearest first, central last."""
        return [pk for pk in reversed(ancestor_ids) if pk in self.rules] + [None]

    def rule_for(self, *, owners: Iterable[int | None], period_rule_id: int, agency_kind: str) -> Any:
        """The nearest set's rule for the kind (its rule for this period kind
        before its rule for every kind), else today's behaviour."""
        for owner in owners:
            rules = self.rules.get(owner, {})
            rule = rules.get((period_rule_id, agency_kind)) or rules.get((None, agency_kind))
            if rule is not None:
                return rule
        if agency_kind == PROVINCE:
            return LegacyRule(PROVINCE, FIXED_DAY, due_day=self.province_due_days.get(period_rule_id, 20))
        return LegacyRule(agency_kind, WORKING_DAYS, working_days=self.level_days.get(agency_kind, 2))

    def province_due(self, period: Any) -> dt.date:
        """The period's own due date (ReportingPeriod.due): the central set's
        province rule, never less than one working day after the cut-off."""
        rule = self.rule_for(owners=[None], period_rule_id=period.rule_id, agency_kind=PROVINCE)
        return max(rule_due(rule, period), add_working_days(rule_cutoff(rule, period), 1))

    def agency_due(self, *, period: Any, agency_kind: str, owners: Iterable[int | None]) -> dt.date:
        """An agency's deadline in a period. The province is due on the
        period's date; a unit under it never after the working day before it
        (Tết can squeeze the levels together) and never less than one working
        day after its cut-off (Nghị định 09/2019)."""
        if agency_kind == PROVINCE:
            return period.due
        rule = self.rule_for(owners=owners, period_rule_id=period.rule_id, agency_kind=agency_kind)
        due = rule_due(rule, period)
        if agency_kind in UNDER_PROVINCE or isinstance(rule, LegacyRule):
            due = min(due, working_day_before(period.due))
        return max(due, add_working_days(rule_cutoff(rule, period), 1))


def next_period(period_rule: Any, *, today: dt.date, period_model: Any) -> Any:
    """The first period of the kind whose cut-off is today or later (unsaved)."""
    for year in (today.year, today.year + 1):
        for end_month in sorted(period_rule.end_month_list()):
            start, end = period_bounds(end_year=year, end_month=end_month, length_months=period_rule.length_months,
                                       cutoff_day=period_rule.cutoff_day)
            if end >= today:
                return period_model(rule=period_rule, year=year, end_month=end_month, start=start, end=end,
                                    label=period_label(period_rule.label, year=year, end_month=end_month),
                                    due=end)
    raise ValueError(period_rule)


def _level(kind: str) -> str:
    labels = {
        "ministry": "Bộ, cơ quan ngang bộ", "central_unit": "đơn vị thuộc Bộ", "province": "cấp tỉnh",
        "district": "cấp huyện", "commune": "cấp xã", "department": "sở, ban, ngành",
        "office": "phòng chuyên môn", "unit": "đơn vị sự nghiệp", "organization": "tổ chức ngoài hệ thống",
    }
    return labels.get(kind, kind)


def reports_to_from(links: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Who reports to whom as the tree has it ((child kind, parent kind) pairs),
    so an office under a district is not held to a department's date; the
    central levels (province and Vụ, Cục to the ministry) always count. An
    empty tree falls back to every possible link."""
    found: dict[str, set[str]] = {}
    for lower, upper in links:
        if lower != upper:
            found.setdefault(lower, set()).add(upper)
    if not found:
        return REPORTS_TO
    for lower in ("province", "central_unit"):
        found.setdefault(lower, set()).add(MINISTRY)
    return {lower: tuple(sorted(uppers)) for lower, uppers in found.items()}


def due_rules_errors(*, book: RuleBook, owner_id: int | None, owner_kind: str | None, owners: list[int | None],
                     changed: Iterable[Any], today: dt.date, period_model: Any,
                     reports_to: dict[str, tuple[str, ...]] = REPORTS_TO) -> list[str]:
    """Why a set of rules cannot stand, in Vietnamese, with the dates it would
    give for the next period: a due date less than one working day after the
    cut-off (Nghị định 09/2019), or a level due after the level it reports
    to. `book` already holds the rules as they would be saved; `owners` are
    the sets that speak for the owner's units (the owner first)."""
    errors: list[str] = []
    for rule in changed:
        errors += _rule_errors(book=book, rule=rule, owner_id=owner_id, owner_kind=owner_kind, owners=owners,
                               today=today, period_model=period_model, reports_to=reports_to)[:1]  # the next period says enough
    return list(dict.fromkeys(errors))


def _rule_errors(*, book: RuleBook, rule: Any, owner_id: int | None, owner_kind: str | None,
                 owners: list[int | None], today: dt.date, period_model: Any,
                 reports_to: dict[str, tuple[str, ...]]) -> list[str]:
    kind = rule.agency_kind
    if owner_id is not None and owner_kind and kind not in kinds_below(owner_kind):
        return [f"Bộ quy định của một đơn vị chỉ đặt hạn cho cấp dưới của đơn vị đó, không cho {_level(kind)}."]
    if rule.mode == FIXED_DAY and not rule.due_day or rule.mode == WORKING_DAYS and not rule.working_days:
        return []  # the field's own error says it
    period_rules = ([p for p in book.period_rules if p.pk == rule.period_rule_id]
                    if rule.period_rule_id else book.period_rules)
    periods = sorted((next_period(p, today=today, period_model=period_model) for p in period_rules),
                     key=lambda p: (p.end, p.rule.position))
    errors: list[str] = []
    for period in periods:
        cutoff, due = rule_cutoff(rule, period), rule_due(rule, period)
        # A fixed day on the cut-off is wrong even when a weekend moves it on.
        written = period.end.replace(day=rule.due_day) if rule.mode == FIXED_DAY else due
        if written <= cutoff or due < add_working_days(cutoff, 1):
            errors.append(
                f"Hạn của {_level(kind)} ({describe(rule)}) phải sau ngày chốt số liệu ít nhất một ngày "
                f"làm việc (Nghị định 09/2019/NĐ-CP): kỳ {period.label} sẽ chốt số liệu ngày {fmt(cutoff)} "
                f"mà hạn gửi là ngày {fmt(written)}."
            )
            continue
        pairs = [(kind, upper) for upper in reports_to.get(kind, ())]
        pairs += [(lower, kind) for lower, uppers in reports_to.items() if kind in uppers]
        for lower, upper in pairs:
            low = book.rule_for(owners=owners, period_rule_id=period.rule.pk, agency_kind=lower)
            high = book.rule_for(owners=owners, period_rule_id=period.rule.pk, agency_kind=upper)
            if isinstance(low, LegacyRule) and isinstance(high, LegacyRule):
                continue
            low_due, high_due = rule_due(low, period), rule_due(high, period)
            # A holiday week can push working-day counts past a fixed day (the
            # squeeze handles that); refuse only what is wrong in an ordinary week too.
            if low_due > high_due and (rule_due(low, period, public_holidays=False)
                                       > rule_due(high, period, public_holidays=False)):
                errors.append(
                    f"{_level(lower).capitalize()} không được có hạn sau cấp mình gửi báo cáo "
                    f"({_level(upper)}): kỳ {period.label} {_level(lower)} hạn ngày {fmt(low_due)}, "
                    f"{_level(upper)} hạn ngày {fmt(high_due)}."
                )
    return errors
