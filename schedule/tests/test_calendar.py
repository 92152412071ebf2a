import datetime as dt

import pytest

from schedule.calendar import add_working_days, is_working_day, period_bounds, province_due
from schedule.models import ReportingPeriod
from schedule.services import periods_ensure


def test_quarter_one_runs_from_mid_december_to_the_fourteenth_of_march():
    assert period_bounds(end_year=2026, end_month=3, length_months=3, cutoff_day=14) == (
        dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    assert period_bounds(end_year=2026, end_month=6, length_months=6, cutoff_day=14) == (
        dt.date(2025, 12, 15), dt.date(2026, 6, 14))
    assert period_bounds(end_year=2026, end_month=9, length_months=3, cutoff_day=14) == (
        dt.date(2026, 6, 15), dt.date(2026, 9, 14))


def test_working_days_skip_weekends_and_tet():
    assert not is_working_day(dt.date(2026, 2, 17))  # Mùng 1 Tết Bính Ngọ
    assert not is_working_day(dt.date(2026, 9, 2))  # Quốc khánh
    assert is_working_day(dt.date(2026, 2, 23))
    # Saturday 14/02/2026, then Tết from 16 to 20/02: the first working day is 23/02.
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 23)


def test_province_deadline_keeps_a_working_day_after_the_cutoff():
    assert province_due(cutoff=dt.date(2026, 3, 14), due_day=20) == dt.date(2026, 3, 20)
    assert province_due(cutoff=dt.date(2026, 2, 14), due_day=16) == dt.date(2026, 2, 23)


@pytest.mark.django_db
def test_periods_come_from_the_calendar_data():
    periods = periods_ensure(year=2026)
    assert [p.label for p in periods] == ["Quý I/2026", "Quý III/2026", "6 tháng đầu năm 2026", "Năm 2026"]
    assert periods_ensure(year=2026) == periods  # created once
    assert ReportingPeriod.objects.count() == 4
    year = ReportingPeriod.objects.get(label="Năm 2026")
    assert (year.start, year.end, year.due) == (dt.date(2025, 12, 15), dt.date(2026, 12, 14), dt.date(2026, 12, 21))


def test_a_make_up_saturday_is_a_working_day():
    # 02/05/2025 was given off against work on Saturday 26/04/2025, and
    # 31/08/2026 against Saturday 22/08/2026 (the `holidays` package lists both).
    assert is_working_day(dt.date(2025, 4, 26))
    assert not is_working_day(dt.date(2025, 5, 2))
    assert is_working_day(dt.date(2026, 8, 22))
    assert not is_working_day(dt.date(2026, 8, 31))
    assert not is_working_day(dt.date(2026, 8, 29))  # an ordinary Saturday
    # Friday 21/08/2026 + 1 working day is that Saturday, not Monday 24/08.
    assert add_working_days(dt.date(2026, 8, 21), 1) == dt.date(2026, 8, 22)
