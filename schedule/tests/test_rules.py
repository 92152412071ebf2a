"""Reporting rules as the authorities write them: the central set, a
province's own rules for its units, the checks of Nghị định 09/2019, rule
edits reaching open periods only, and the yearly plan's deadline."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory
from schedule.models import DueRule, PlanDeadline, ReportingChain, ReportingPeriod, ReportingRule
from schedule.services import (
    agency_due_dates,
    open_periods_affected,
    periods_ensure,
    plan_deadline,
    rules_save,
)

FIXED, WORKING = DueRule.Mode.FIXED_DAY, DueRule.Mode.WORKING_DAYS
JAN_2026 = dt.date(2026, 1, 10)


def d(day: int, month: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def kind(value: str) -> ReportingRule:
    return ReportingRule.objects.get(kind=value)


def period(label: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(label=label)


def province_rules(province, *rules: DueRule, today=JAN_2026) -> ReportingChain:
    chain = ReportingChain.objects.create(owner=province, name="Quy định của UBND tỉnh Thử")
    rules_save(chain=chain, rules=list(rules), today=today)
    return chain


def dues(label: str, *agencies) -> list[dt.date]:
    found = agency_due_dates(period=period(label), agencies=agencies)
    return [found[a.pk] for a in agencies]


@pytest.fixture
def other_commune(db):
    """A commune of another province, which has no rules of its own."""
    province = AgencyFactory(code="P2", kind=Agency.Kind.PROVINCE, name="Ủy ban nhân dân tỉnh Khác")
    return AgencyFactory(code="P2-X", parent=province, kind=Agency.Kind.COMMUNE, name="Ủy ban nhân dân xã Khác")


def test_the_central_set_is_seeded_so_nothing_moves(tree):
    central = ReportingChain.objects.get(owner=None)
    assert {(r.agency_kind, r.mode, r.due_day or r.working_days) for r in central.rules.all()} == {
        ("province", FIXED, 20), ("ministry", FIXED, 25), ("commune", WORKING, 1), ("unit", WORKING, 2),
        ("office", WORKING, 2), ("organization", WORKING, 2), ("department", WORKING, 2), ("district", WORKING, 3),
    }
    periods_ensure(year=2026)
    # Quý I/2026: cut-off Saturday 14/03, the province on Friday 20/03.
    assert period("Quý I/2026").due == d(20, 3)
    assert dues("Quý I/2026", tree["commune"], tree["home_affairs"], tree["district"], tree["province"]) == [
        d(16, 3), d(17, 3), d(18, 3), d(20, 3)]


def test_a_province_rule_for_its_communes_and_the_central_20th_coexist(tree, other_commune):
    # "UBND cấp xã gửi báo cáo quý trước ngày 05 tháng cuối quý (số liệu đến hết
    # tháng trước), báo cáo tháng trước ngày 15."
    province_rules(
        tree["province"],
        DueRule(period_rule=kind("quarter"), agency_kind="commune", cutoff_day=0, mode=FIXED, due_day=5),
        DueRule(period_rule=kind("month"), agency_kind="commune", mode=FIXED, due_day=15),
    )
    labels = [p.label for p in periods_ensure(year=2026)]
    assert "Tháng 2/2026" in labels  # the province asks for monthly reports, so months are made
    commune, district, province = tree["commune"], tree["district"], tree["province"]
    # Quý I: the commune by Thursday 05/03 (cut-off 28/02); the district and
    # the province keep the central rules; another province's commune too.
    assert dues("Quý I/2026", commune, district, province, other_commune) == [d(5, 3), d(18, 3), d(20, 3), d(16, 3)]
    # Quý III: cut-off 31/08 (a day off given for Saturday 22/08), the 5th a Saturday: Monday 07/09.
    assert dues("Quý III/2026", commune, province) == [d(7, 9), d(21, 9)]
    # February and Tết (16-20/02): the 15th is a Sunday, the next working day is
    # 23/02, which is the province's date too; nobody is squeezed before the cut-off.
    assert dues("Tháng 2/2026", commune, district, province) == [d(23, 2), d(23, 2), d(23, 2)]
    assert dues("Tháng 3/2026", commune, province) == [d(16, 3), d(20, 3)]
    # The year's other kinds keep the central commune rule.
    assert dues("6 tháng đầu năm 2026", commune) == [d(15, 6)]


def test_the_government_rule_the_25th(tree):
    ministry = AgencyFactory(code="BNV", kind=Agency.Kind.MINISTRY, name="Bộ Nội vụ")
    periods_ensure(year=2026)
    assert dues("Quý I/2026", ministry, tree["province"]) == [d(25, 3), d(20, 3)]
    # The 20th moved to the 26th would put the province after the Government's 25th.
    central = ReportingChain.objects.get(owner=None)
    rules = list(central.rules.all())
    rule = next(r for r in rules if r.agency_kind == "province")
    rule.due_day = 26
    assert central.rules_errors(rules=rules, changed=[rule], today=JAN_2026) == [
        "Cấp tỉnh không được có hạn sau cấp mình gửi báo cáo (Bộ, cơ quan ngang bộ): kỳ Quý I/2026 cấp tỉnh hạn "
        "ngày 26/03/2026, Bộ, cơ quan ngang bộ hạn ngày 25/03/2026."]
    with pytest.raises(ValidationError):
        rule.full_clean()  # the model says so too, for the next period from today


@pytest.mark.parametrize("due_day, cutoff, due", [(5, "14/03/2026", "05/03/2026"), (14, "14/03/2026", "14/03/2026")])
def test_a_due_day_on_or_before_the_cutoff_is_refused_with_its_dates(tree, due_day, cutoff, due):
    chain = ReportingChain.objects.create(owner=tree["province"], name="Quy định của tỉnh")
    rule = DueRule(chain=chain, period_rule=kind("quarter"), agency_kind="commune", mode=FIXED, due_day=due_day)
    errors = chain.rules_errors(rules=[rule], changed=[rule], today=JAN_2026)
    assert errors == [
        f"Hạn của cấp xã (ngày {due_day:02d} tháng cuối kỳ) phải sau ngày chốt số liệu ít nhất một ngày làm việc "
        f"(Nghị định 09/2019/NĐ-CP): kỳ Quý I/2026 sẽ chốt số liệu ngày {cutoff} mà hạn gửi là ngày {due}."
    ]
    with pytest.raises(ValidationError):
        rule.full_clean()
    with pytest.raises(ValidationError):
        rules_save(chain=chain, rules=[rule], today=JAN_2026)
    assert not chain.rules.exists()
    # The day after the cut-off is enough (Monday 16/03 after Saturday 14/03).
    rule.due_day = 15
    assert chain.rules_errors(rules=[rule], changed=[rule], today=JAN_2026) == []


def test_a_lower_level_due_after_the_level_it_reports_to_is_refused(tree):
    chain = ReportingChain.objects.create(owner=tree["province"], name="Quy định của tỉnh")
    late_district = DueRule(chain=chain, agency_kind="district", mode=FIXED, due_day=22)
    assert chain.rules_errors(rules=[late_district], changed=[late_district], today=JAN_2026) == [
        "Cấp huyện không được có hạn sau cấp mình gửi báo cáo (cấp tỉnh): kỳ Quý I/2026 cấp huyện hạn ngày "
        "23/03/2026, cấp tỉnh hạn ngày 20/03/2026."
    ]
    # Two rows of the same set: the commune after its district.
    commune = DueRule(chain=chain, agency_kind="commune", mode=FIXED, due_day=19)
    district = DueRule(chain=chain, agency_kind="district", mode=FIXED, due_day=18)
    errors = chain.rules_errors(rules=[commune, district], changed=[commune, district], today=JAN_2026)
    assert errors == ["Cấp xã không được có hạn sau cấp mình gửi báo cáo (cấp huyện): kỳ Quý I/2026 cấp xã hạn "
                      "ngày 19/03/2026, cấp huyện hạn ngày 18/03/2026."]
    # A province's set speaks only for the units below it.
    own = DueRule(chain=chain, agency_kind="province", mode=FIXED, due_day=18)
    assert chain.rules_errors(rules=[own], changed=[own], today=JAN_2026) == [
        "Bộ quy định của một đơn vị chỉ đặt hạn cho cấp dưới của đơn vị đó, không cho cấp tỉnh."]


def test_tet_squeezing_working_days_past_a_fixed_day_is_not_refused(tree):
    # Monthly, February 2026: the district's 3 working days after the cut-off end
    # on 25/02, after the province's 23/02, only because of Tết; the squeeze
    # puts it on the province's date, and the rule stands.
    chain = ReportingChain.objects.create(owner=tree["province"], name="Quy định của tỉnh")
    rule = DueRule(chain=chain, period_rule=kind("month"), agency_kind="district", mode=WORKING, working_days=3)
    assert chain.rules_errors(rules=[rule], changed=[rule], today=d(20, 1)) == []


def test_editing_a_rule_changes_open_periods_only(tree):
    periods_ensure(year=2026)
    central = ReportingChain.objects.get(owner=None)
    today = d(1, 4)  # Quý I/2026 (due 20/03) is closed
    rules = list(central.rules.all())
    for rule in rules:
        if rule.agency_kind == "province":
            rule.due_day = 18
    preview = open_periods_affected(chain=central, rules=rules, today=today)
    province_changes = {(c.period.label, c.before, c.after) for c in preview if c.agency_kind == "province"}
    assert province_changes == {
        ("6 tháng đầu năm 2026", d(22, 6), d(18, 6)),
        ("Quý III/2026", d(21, 9), d(18, 9)),
        ("Năm 2026", d(21, 12), d(18, 12)),
    }
    assert str(next(c for c in preview if c.period.label == "Quý III/2026" and c.agency_kind == "province")) == (
        "Quý III/2026 – Tỉnh/Thành phố (UBND cấp tỉnh): 21/09/2026 → 18/09/2026")
    assert period("Quý III/2026").due == d(21, 9)  # a preview writes nothing

    changes = rules_save(chain=central, rules=rules, today=today)
    assert {(c.period.label, c.agency_kind, c.after) for c in changes} == {
        (c.period.label, c.agency_kind, c.after) for c in preview}
    assert period("Quý I/2026").due == d(20, 3)
    assert [period(p).due for p in ("6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026")] == [
        d(18, 6), d(18, 9), d(18, 12)]
    assert dues("Quý III/2026", tree["province"]) == [d(18, 9)]


def test_the_yearly_plan_deadline(tree, other_commune):
    # Nobody asks for one yet.
    assert plan_deadline(year=2027, agency=tree["commune"]) is None
    chain = ReportingChain.objects.create(owner=tree["province"], name="Quy định của tỉnh")
    PlanDeadline.objects.create(chain=chain, day=20, month=11)  # every unit below the province
    central = ReportingChain.objects.get(owner=None)
    PlanDeadline.objects.create(chain=central, agency_kind="province", day=15, month=12)
    assert plan_deadline(year=2027, agency=tree["commune"]) == d(20, 11)  # a Friday
    assert plan_deadline(year=2027, agency=tree["district"]) == d(20, 11)
    assert plan_deadline(year=2027, agency=tree["province"]) == d(15, 12)
    assert plan_deadline(year=2027, agency=other_commune) is None
    # 20/11/2027 is a Saturday: the next working day.
    assert plan_deadline(year=2028, agency=tree["commune"]) == dt.date(2027, 11, 22)
    with pytest.raises(ValidationError):
        PlanDeadline(chain=chain, agency_kind="commune", day=30, month=2).full_clean()
