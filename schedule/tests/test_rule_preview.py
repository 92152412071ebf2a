"""Editing a rule set in admin: an edit that moves deadlines of open periods
is shown first (each open period's old and new dates, the reports that
follow) and saved only when confirmed; closed periods keep their dates, a
stale confirmation is refused, and bad input gets field errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles
from schedule.models import DueRule, PlanDeadline, ReportingChain, ReportingPeriod, ReportingRule
from schedule.services import STALE_PREVIEW, agency_due, periods_ensure, rules_preview, rules_save

FIXED = DueRule.Mode.FIXED_DAY
JAN_25 = dt.date(2026, 1, 25)  # Tháng 1/2026 (province due 20/01) is closed, Tết still ahead


def d(day: int, month: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def period(label: str) -> ReportingPeriod:
    return ReportingPeriod.objects.get(label=label)


def report(label: str, agency, status: str = "draft"):
    """A report of the reports app, reached through the period (schedule sits
    below reports and does not import it)."""
    found = period(label)
    return found.reports.create(agency=agency, status=status, due_date=agency_due(period=found, agency=agency))


def report_due(label: str, agency) -> dt.date:
    return period(label).reports.get(agency=agency).due_date


@pytest.fixture
def today(monkeypatch):
    """The calendar's today, moved by the test (the admin asks the clock)."""
    day = {"value": JAN_25}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day["value"])
    return day


@pytest.fixture
def world(tree, today):
    """The province asks its communes for monthly reports before the 15th
    (the central set's 20th for the province stays); a second commune under
    the district; reports in a closed month, in February (Tết) and Quý I."""
    province, commune = tree["province"], tree["commune"]
    commune2 = AgencyFactory(code="D-X2", parent=tree["district"], kind=Agency.Kind.COMMUNE,
                             name="Ủy ban nhân dân xã Hai", short_name="UBND xã Hai")
    chain = ReportingChain.objects.create(owner=province, name="Quy định của UBND tỉnh Thử")
    monthly = DueRule(period_rule=ReportingRule.objects.get(kind="month"), agency_kind="commune", mode=FIXED,
                      due_day=15)
    rules_save(chain=chain, rules=[monthly], today=JAN_25)
    periods_ensure(year=2026)
    report("Tháng 1/2026", commune)
    report("Tháng 2/2026", commune)
    report("Tháng 2/2026", commune2, status="submitted")
    report("Quý I/2026", commune)
    report("Quý I/2026", tree["district"])
    return {"chain": chain, "monthly": monthly, "commune": commune, "commune2": commune2, **tree}


def change_data(chain, *rules: dict, deadlines=()) -> dict:
    """The change form as the browser posts it; rows with an "id" first."""
    rules = sorted(rules, key=lambda r: "id" not in r)
    data = {
        "name": chain.name, "basis": chain.basis, "is_active": "on" if chain.is_active else "",
        "rules-TOTAL_FORMS": len(rules), "rules-INITIAL_FORMS": sum("id" in r for r in rules),
        "rules-MIN_NUM_FORMS": 0, "rules-MAX_NUM_FORMS": 1000,
        "plan_deadlines-TOTAL_FORMS": len(deadlines), "plan_deadlines-INITIAL_FORMS": sum("id" in p for p in deadlines),
        "plan_deadlines-MIN_NUM_FORMS": 0, "plan_deadlines-MAX_NUM_FORMS": 1000,
        "_save": "Lưu",
    }
    blank = {"period_rule": "", "cutoff_day": "", "due_day": "", "working_days": "", "mode": FIXED}
    for i, rule in enumerate(rules):
        data.update({f"rules-{i}-{name}": value for name, value in (blank | rule).items()})
        data[f"rules-{i}-chain"] = chain.pk
    for i, deadline in enumerate(deadlines):
        data.update({f"plan_deadlines-{i}-{name}": value for name, value in deadline.items()})
        data[f"plan_deadlines-{i}-chain"] = chain.pk
    return {k: v for k, v in data.items() if v is not None}


def fifth(world) -> dict:
    """«Báo cáo tháng và quý trước ngày 05 tháng cuối kỳ, số liệu đến hết tháng
    trước»: the monthly row changed, a quarterly row added."""
    return change_data(
        world["chain"],
        {"id": world["monthly"].pk, "period_rule": world["monthly"].period_rule_id, "agency_kind": "commune",
         "cutoff_day": 0, "due_day": 5},
        {"period_rule": ReportingRule.objects.get(kind="quarter").pk, "agency_kind": "commune", "cutoff_day": 0,
         "due_day": 5},
    )


def url(chain) -> str:
    return reverse("admin:schedule_reportingchain_change", args=[chain.pk])


def rows(response) -> list[tuple]:
    preview = response.context["preview"]
    return [(r.period.label, r.agency_kind, r.before, r.after, r.reports, r.submitted) for r in preview.rows]


def unchanged(world) -> None:
    """Nothing written: the rule rows and every report's date as before."""
    rule = DueRule.objects.get(pk=world["monthly"].pk)
    assert (rule.cutoff_day, rule.due_day) == (None, 15)
    assert world["chain"].rules.count() == 1
    assert report_due("Tháng 2/2026", world["commune"]) == d(23, 2)
    assert report_due("Quý I/2026", world["commune"]) == d(16, 3)


@pytest.fixture
def admin_client(client, personas):
    return personas.login(client, "admin")


def test_the_preview_lists_each_open_periods_old_and_new_dates_and_writes_nothing(admin_client, world):
    # The monthly rule gave February 23/02: the 15th is a Sunday and Tết
    # (16-20/02) follows. The province keeps the central 20th (not listed).
    response = admin_client.post(url(world["chain"]), fifth(world))
    assert response.status_code == 200
    assert response.templates[0].name == "admin/schedule/reportingchain/rule_preview.html"
    found = rows(response)
    assert found[:4] == [
        ("Tháng 2/2026", "commune", d(23, 2), d(5, 2), 2, 1),
        ("Tháng 3/2026", "commune", d(16, 3), d(5, 3), 0, 0),
        ("Quý I/2026", "commune", d(16, 3), d(5, 3), 1, 0),
        ("Tháng 4/2026", "commune", d(15, 4), d(6, 4), 0, 0),  # the 5th a Sunday
    ]
    labels = {row[0] for row in found}
    assert "Tháng 1/2026" not in labels  # closed
    assert {row[1] for row in found} == {"commune"}  # the district and the province keep theirs
    assert ("Quý III/2026", "commune", d(15, 9), d(7, 9), 0, 0) in found  # 05/09 a Saturday
    page = response.content.decode()
    for text in ("Tháng 2/2026", "23/02/2026", "05/02/2026", "các kỳ đã đóng (đã qua hạn tổng hợp) giữ nguyên hạn",
                 "Xác nhận áp dụng", "Quay lại sửa", 'name="rules-1-due_day" value="5"',
                 "Tổng cộng 3 báo cáo liên quan: 2 báo cáo chưa nộp (hoặc bị trả lại) nhận hạn mới, "
                 "1 báo cáo đã nộp giữ hạn cũ."):
        assert text in page
    unchanged(world)


def test_confirming_applies_to_open_periods_only(admin_client, world):
    data = fifth(world)
    preview = admin_client.post(url(world["chain"]), data).context["preview"]
    response = admin_client.post(url(world["chain"]), data | {"_confirm": "1", "_preview_token": preview.token},
                                 follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:schedule_reportingchain_changelist")
    assert "Đã áp dụng cho các kỳ đang mở" in response.content.decode()
    assert {(r.period_rule.kind, r.cutoff_day, r.due_day) for r in world["chain"].rules.all()} == {
        ("month", 0, 5), ("quarter", 0, 5)}
    commune = world["commune"]
    assert report_due("Tháng 2/2026", commune) == d(5, 2)
    assert report_due("Quý I/2026", commune) == d(5, 3)
    assert report_due("Tháng 2/2026", world["commune2"]) == d(23, 2)  # sent: keeps the date it was judged by
    assert report_due("Tháng 1/2026", commune) == d(15, 1)  # closed: keeps its date
    assert report_due("Quý I/2026", world["district"]) == d(18, 3)
    assert period("Tháng 1/2026").due == d(20, 1)


def test_going_back_keeps_what_was_typed(admin_client, world):
    response = admin_client.post(url(world["chain"]), fifth(world) | {"_back": "1"})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/change_form.html"
    page = response.content.decode()
    assert 'name="rules-1-due_day" value="5"' in page and 'name="rules-0-cutoff_day" value="0"' in page
    assert "errornote" not in page
    unchanged(world)


@pytest.mark.parametrize("change", ["rule set", "period closed", "forged token"])
def test_a_stale_confirmation_is_refused_and_shown_again(admin_client, world, today, change):
    data = fifth(world)
    token = admin_client.post(url(world["chain"]), data).context["preview"].token
    if change == "rule set":  # someone else saved the set meanwhile
        DueRule.objects.filter(pk=world["monthly"].pk).update(due_day=16)
    elif change == "period closed":
        today["value"] = d(24, 2)  # Tháng 2/2026 (due 23/02) closed meanwhile
    else:
        token = "x" * 40
    response = admin_client.post(url(world["chain"]), data | {"_confirm": "1", "_preview_token": token})
    assert response.status_code == 200
    assert STALE_PREVIEW in response.content.decode()
    preview = response.context["preview"]
    assert preview.token != token
    assert ("Tháng 2/2026" in {r.period.label for r in preview.rows}) == (change != "period closed")
    assert world["chain"].rules.count() == 1
    assert report_due("Tháng 2/2026", world["commune"]) == d(23, 2)
    assert report_due("Quý I/2026", world["commune"]) == d(16, 3)
    # Confirming the preview shown again goes through.
    response = admin_client.post(url(world["chain"]), data | {"_confirm": "1", "_preview_token": preview.token})
    assert response.status_code == 302
    assert report_due("Quý I/2026", world["commune"]) == d(5, 3)


def test_an_edit_that_moves_no_open_date_saves_at_once(admin_client, world):
    # A new name and a plan deadline: no report date moves.
    data = change_data(
        world["chain"],
        {"id": world["monthly"].pk, "period_rule": world["monthly"].period_rule_id, "agency_kind": "commune",
         "due_day": 15},
        deadlines=[{"agency_kind": "", "day": 20, "month": 11}],
    ) | {"name": "Quy định mới"}
    response = admin_client.post(url(world["chain"]), data, follow=True)
    assert response.redirect_chain
    assert "Hạn của các kỳ đang mở không thay đổi." in response.content.decode()
    assert ReportingChain.objects.get(pk=world["chain"].pk).name == "Quy định mới"
    assert PlanDeadline.objects.get(chain=world["chain"]).day == 20


def test_deleting_a_row_and_switching_a_set_off_are_previewed_too(admin_client, world):
    chain, monthly = world["chain"], world["monthly"]
    monthly.cutoff_day, monthly.due_day = 0, 5
    rules_save(chain=chain, rules=[monthly], today=JAN_25)
    assert report_due("Tháng 2/2026", world["commune"]) == d(5, 2)
    row = {"id": monthly.pk, "period_rule": monthly.period_rule_id, "agency_kind": "commune", "cutoff_day": 0,
           "due_day": 5}
    # The row deleted: the communes are back on the central rule, one working
    # day after the 14th (Tết: 23/02).
    deleted = rows(admin_client.post(url(chain), change_data(chain, row | {"DELETE": "on"})))
    assert deleted[:2] == [("Tháng 2/2026", "commune", d(5, 2), d(23, 2), 2, 1),
                           ("Tháng 3/2026", "commune", d(5, 3), d(16, 3), 0, 0)]
    # Switched off: the same as deleting every row.
    switched_off = rows(admin_client.post(url(chain), change_data(chain, row) | {"is_active": ""}))
    assert switched_off == deleted
    assert ReportingChain.objects.get(pk=chain.pk).is_active
    assert DueRule.objects.filter(pk=monthly.pk).exists()
    assert report_due("Tháng 2/2026", world["commune"]) == d(5, 2)


def test_deleting_the_set_shows_what_moves_then_applies_to_open_periods(admin_client, world):
    chain, monthly = world["chain"], world["monthly"]
    monthly.cutoff_day, monthly.due_day = 0, 5
    rules_save(chain=chain, rules=[monthly], today=JAN_25)
    delete = reverse("admin:schedule_reportingchain_delete", args=[chain.pk])
    page = admin_client.get(delete)
    assert rows(page)[0] == ("Tháng 2/2026", "commune", d(5, 2), d(23, 2), 2, 1)
    assert "Các kỳ đã đóng giữ nguyên hạn" in page.content.decode()
    assert ReportingChain.objects.get(pk=chain.pk).is_active  # the page changed nothing
    # Tháng 1 (closed) was due on the 5th under the set: it keeps that date.
    period("Tháng 1/2026").reports.filter(agency=world["commune"]).update(due_date=d(5, 1))
    response = admin_client.post(delete, {"post": "yes"}, follow=True)
    assert "Đã áp dụng cho các kỳ đang mở" in response.content.decode()
    assert not ReportingChain.objects.filter(pk=chain.pk).exists()
    assert report_due("Tháng 2/2026", world["commune"]) == d(23, 2)
    assert report_due("Tháng 1/2026", world["commune"]) == d(5, 1)


def test_a_new_set_is_previewed_before_it_is_created(admin_client, tree, today):
    periods_ensure(year=2026)
    report("Quý I/2026", tree["commune"])
    quarter = ReportingRule.objects.get(kind="quarter").pk
    data = {
        "name": "Quy định của UBND tỉnh Thử", "owner": tree["province"].pk, "basis": "", "is_active": "on",
        "rules-TOTAL_FORMS": 1, "rules-INITIAL_FORMS": 0, "rules-MIN_NUM_FORMS": 0, "rules-MAX_NUM_FORMS": 1000,
        "rules-0-period_rule": quarter, "rules-0-agency_kind": "commune", "rules-0-mode": FIXED,
        "rules-0-cutoff_day": 0, "rules-0-due_day": 5, "rules-0-working_days": "",
        "plan_deadlines-TOTAL_FORMS": 0, "plan_deadlines-INITIAL_FORMS": 0, "plan_deadlines-MIN_NUM_FORMS": 0,
        "plan_deadlines-MAX_NUM_FORMS": 1000,
    }
    add = reverse("admin:schedule_reportingchain_add")
    response = admin_client.post(add, data)
    assert rows(response)[0] == ("Quý I/2026", "commune", d(16, 3), d(5, 3), 1, 0)
    assert not ReportingChain.objects.filter(owner=tree["province"]).exists()
    response = admin_client.post(add, data | {"_confirm": "1", "_preview_token": response.context["preview"].token})
    assert response.status_code == 302
    assert report_due("Quý I/2026", tree["commune"]) == d(5, 3)


def test_units_under_a_nearer_set_of_their_own_are_counted_apart(tree, today):
    """The district has its own rule for its communes (the 17th): a province
    edit does not move them; an earlier central date for the province
    squeezes them differently from the other communes, and the preview names
    them. (rules_preview says what a set would give; the admin also checks it.)"""
    district_chain = ReportingChain.objects.create(owner=tree["district"], name="Quy định của huyện")
    rules_save(chain=district_chain, rules=[DueRule(agency_kind="commune", mode=FIXED, due_day=17)], today=JAN_25)
    other = AgencyFactory(code="D2-X", parent=tree["district2"], kind=Agency.Kind.COMMUNE,
                          name="Ủy ban nhân dân xã Ba", short_name="UBND xã Ba")
    periods_ensure(year=2026)
    report("Quý I/2026", tree["commune"])
    report("Quý I/2026", other)
    province = ReportingChain(owner=tree["province"], name="Quy định của tỉnh")
    preview = rules_preview(chain=province, rules=[DueRule(agency_kind="commune", mode=FIXED, due_day=17)])
    quarter = [r for r in preview.rows if r.period.label == "Quý I/2026"]
    assert [(r.agency_kind, r.before, r.after, r.reports, r.units) for r in quarter] == [
        ("commune", d(16, 3), d(17, 3), 1, [])]  # xã Ba only: xã Một follows its district's set

    central = ReportingChain.objects.get(owner=None)
    rules = list(central.rules.all())
    for rule in rules:
        if rule.agency_kind == "province":
            rule.due_day = 17
    quarter = [(r.agency_kind, r.before, r.after, r.reports, r.units)
               for r in rules_preview(chain=central, rules=rules).rows if r.period.label == "Quý I/2026"]
    # Xã Ba (one working day after the cut-off, 16/03) keeps its date; xã
    # Một's 17th must now be a working day before the province's 17/03.
    assert ("province", d(20, 3), d(17, 3), 0, []) in quarter
    assert ("commune", d(17, 3), d(16, 3), 1, ["Ủy ban nhân dân xã Một"]) in quarter
    assert not [row for row in quarter if row[0] == "commune" and not row[4]]


def test_the_preview_takes_a_fixed_number_of_queries(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rules_preview(chain=world["chain"], rules=[DueRule(agency_kind="commune", mode=FIXED, due_day=5,
                                                               cutoff_day=0)])
        return len(queries)

    few = count()
    for n in range(20):
        commune = AgencyFactory(code=f"X{n}", parent=world["district"], kind=Agency.Kind.COMMUNE)
        report("Quý I/2026", commune)
        report("Tháng 3/2026", commune)
    assert count() == few <= 18


@pytest.mark.parametrize("who", ["anonymous", "head", "staff", "admin role without model rights"])
def test_only_admins_may_preview_or_confirm(client, world, personas, who):
    if who == "head":
        personas.login(client, "head")
    elif who == "staff":
        client.force_login(user_with_roles("staff", (world["district"], Membership.Role.REVIEWER), is_staff=True))
    elif who == "admin role without model rights":
        client.force_login(user_with_roles("sysadmin", (world["province"], Membership.Role.ADMIN), is_staff=True))
    data = fifth(world)
    response = client.post(url(world["chain"]), data | {"_confirm": "1", "_preview_token": "x"})
    if who == "admin role without model rights":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    unchanged(world)


@pytest.mark.parametrize("bad, field, message", [
    ({"rules-0-due_day": "abc"}, "due_day", "Nhập một số nguyên."),
    ({"rules-0-due_day": "99"}, "due_day", "Nhập ngày trong tháng từ 1 đến 28"),
    ({"rules-0-cutoff_day": "-1"}, "cutoff_day", "Nhập ngày từ 0 (ngày cuối tháng trước) đến 28."),
    ({"rules-0-mode": "bogus"}, "mode", "không phải là một trong các lựa chọn"),
    ({"rules-0-agency_kind": "galaxy"}, "agency_kind", "không phải là một trong các lựa chọn"),
    ({"rules-0-period_rule": "999999"}, "period_rule", "không phải là một trong các lựa chọn"),
    ({"rules-0-mode": "working_days", "rules-0-working_days": "0"}, "working_days", "Ít nhất 1 ngày làm việc"),
    ({"rules-0-mode": "working_days", "rules-0-working_days": "32767"}, "working_days", "Tối đa 60 ngày làm việc."),
    ({"rules-0-due_day": ""}, "due_day", "Nhập ngày hạn trong tháng cuối kỳ."),
    ({"plan_deadlines-TOTAL_FORMS": 1, "plan_deadlines-0-day": 30, "plan_deadlines-0-month": 2,
      "plan_deadlines-0-agency_kind": ""}, None, "Ngày tháng không hợp lệ."),
])
def test_crafted_bad_values_get_field_errors_and_no_preview(admin_client, world, bad, field, message):
    for confirm in ({}, {"_confirm": "1", "_preview_token": "forged"}):
        response = admin_client.post(url(world["chain"]), fifth(world) | bad | confirm)
        assert response.status_code == 200
        assert response.templates[0].name == "admin/change_form.html"
        page = response.content.decode()
        assert message in page
        if field:  # next to the field, on its row
            assert field in response.context["inline_admin_formsets"][0].formset.forms[0].errors
            assert f'id="id_rules-0-{field}_error"' in page
        unchanged(world)


def test_a_crafted_post_without_the_rows_or_with_another_sets_row_is_no_500(admin_client, world):
    central_rule = ReportingChain.objects.get(owner=None).rules.first()
    data = fifth(world)
    data["rules-0-id"] = central_rule.pk  # a row of another set
    assert admin_client.post(url(world["chain"]), data).status_code == 200
    data = {k: v for k, v in fifth(world).items() if not k.startswith("rules-")}
    response = admin_client.post(url(world["chain"]), data)
    assert response.status_code == 200
    assert "ManagementForm" in response.content.decode() or "bị thiếu" in response.content.decode()
    unchanged(world)
    assert DueRule.objects.filter(pk=central_rule.pk, chain__owner=None).exists()
