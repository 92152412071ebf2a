"""The reporting calendar: default rules (data, editable in admin) and the
date arithmetic that turns them into periods and deadlines.

Bộ Nội vụ's guidance on periodic CCHC reports does not use calendar quarters:
figures are cut on the 14th, so Quý I runs 15/12 (previous year) to 14/03,
6 tháng 15/12 - 14/06, Quý III 15/06 - 14/09, năm 15/12 - 14/12, each due at
province level by the 20th of the period's last month. Lower levels report
earlier, counted in working days after the cut-off (Nghị định 09/2019/NĐ-CP
wants at least one), skipping weekends and Vietnamese public holidays, Tết
included, from the `holidays` package.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# kind: (label, end months, length in months, position)
DEFAULT_RULES = {
    "month": ("Tháng {month}/{year}", "1,2,3,4,5,6,7,8,9,10,11,12", 1, 1),
    "quarter": ("Quý {roman}/{year}", "3,9", 3, 2),
    "half_year": ("6 tháng đầu năm {year}", "6", 6, 3),
    "year": ("Năm {year}", "12", 12, 4),
}
# Working days after the cut-off, by agency kind: communes first, then the
# units that consolidate them, the province last (its own due day, the 20th).
DEFAULT_LEVEL_DAYS = {
    "commune": 1,
    "unit": 2,
    "office": 2,
    "organization": 2,
    "department": 2,
    "district": 3,
}


def calendar_defaults_ensure(rule_model, level_model) -> None:
    """Fill an empty calendar; rows an admin edited are left alone."""
    for kind, (label, end_months, length, position) in DEFAULT_RULES.items():
        rule_model.objects.get_or_create(
            kind=kind,
            defaults={"label": label, "end_months": end_months, "length_months": length, "position": position,
                      "is_active": kind != "month"},
        )
    for kind, days in DEFAULT_LEVEL_DAYS.items():
        level_model.objects.get_or_create(agency_kind=kind, defaults={"working_days": days})


@lru_cache(maxsize=32)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=[year - 1, year, year + 1])


def is_working_day(day: dt.date, *, public_holidays: bool = True) -> bool:
    """The package's own rule: a weekday that is no holiday, or a weekend day
    the Government moved work to (make-up Saturdays, e.g. 26/04/2025 for
    02/05/2025, are listed in `weekend_workdays`). Without public holidays:
    only weekends count, for checks that must not trip over one year's Tết."""
    if not public_holidays:
        return day.weekday() < 5
    return bool(_holidays(day.year).is_working_day(day))


def add_working_days(day: dt.date, count: int, *, public_holidays: bool = True) -> dt.date:
    """The `count`-th working day after `day`."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, public_holidays=public_holidays):
            count -= 1
    return day


def working_day_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def period_bounds(*, end_year: int, end_month: int, length_months: int, cutoff_day: int) -> tuple[dt.date, dt.date]:
    """(first day, cut-off day) of the period ending in end_month/end_year."""
    start_year, start_month = _month_shift(end_year, end_month, -length_months)
    return dt.date(start_year, start_month, cutoff_day + 1), dt.date(end_year, end_month, cutoff_day)


def province_due(*, cutoff: dt.date, due_day: int) -> dt.date:
    """The province's deadline: due_day of the cut-off month, moved to the
    next working day when it falls on a weekend or holiday (Bộ luật Dân sự,
    Điều 148), and never less than one working day after the cut-off."""
    due = cutoff.replace(day=due_day)
    while not is_working_day(due):
        due += dt.timedelta(days=1)
    return max(due, add_working_days(cutoff, 1))


def period_label(template: str, *, year: int, end_month: int) -> str:
    quarter = (end_month - 1) // 3 + 1
    return template.format(year=year, month=end_month, roman=ROMAN.get(quarter, str(quarter)))
