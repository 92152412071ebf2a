"""Next year's plan on the dashboard: the units in scope that owe one (as the
plan list decides it for drafters), their deadline from the nearest rule set,
and whether each issued it on time, late or not yet; one statement whatever
the number of units."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from agencies.models import Agency
from agencies.tests.factories import PASSWORD, AgencyFactory
from dashboard.deadlines import plan_dues
from dashboard.scope import dashboard_node, dashboard_scope_for_user
from plans.selectors import plan_deadline_status
from plans.tests.factories import plan_issued
from schedule.models import PlanDeadline, ReportingChain

pytestmark = pytest.mark.usefixtures("empty_cache")

URL = reverse("dashboard:index")
NOV_20, NOV_10 = dt.date(2026, 11, 20), dt.date(2026, 11, 10)  # a Friday, a Tuesday


@pytest.fixture
def deadlines(tree):
    """The province asks every unit below it for next year's plan by 20/11;
    the district asks its communes by 10/11."""
    province, _ = ReportingChain.objects.get_or_create(owner=tree["province"], defaults={"name": "Tỉnh Thử"})
    PlanDeadline.objects.create(chain=province, agency_kind="", month=11, day=20)
    district, _ = ReportingChain.objects.get_or_create(owner=tree["district"], defaults={"name": "Huyện Một"})
    PlanDeadline.objects.create(chain=district, agency_kind=Agency.Kind.COMMUNE, month=11, day=10)


def reviewer_node(user):
    return dashboard_node(user=user, scope=dashboard_scope_for_user(user=user), agency_id=None)


def issue_2027(issuer, personas, day, number=1):
    return plan_issued(issuer=issuer, drafter=personas.head, head=personas.head, year=2027, issue_date=day,
                       number=number)


def test_each_unit_gets_the_deadline_its_rule_set_gives_and_its_status(tree, personas, deadlines):
    issue_2027(tree["district"], personas, dt.date(2026, 11, 18))
    late = issue_2027(tree["commune"], personas, dt.date(2026, 11, 12))
    dues = plan_dues(node=reviewer_node(personas.reviewer), year=2027, today=dt.date(2026, 11, 25))
    by_code = {Agency.objects.get(pk=u.agency_id).code: u for u in dues["units"]}
    assert {code: (u.deadline, u.status, u.days) for code, u in by_code.items()} == {
        "D-NV": (NOV_20, "overdue", 5),  # every kind, from the province's set
        "D-X": (NOV_10, "late", 2),  # the district's own set for communes
        "D": (NOV_20, "on_time", 0),
    }
    assert [u.status for u in dues["units"]] == ["overdue", "late", "on_time"]  # the most urgent first
    assert dues["counts"] == {"overdue": 1, "due": 0, "late": 1, "on_time": 1} and dues["total"] == 3
    assert by_code["D-X"].plan.pk == late.pk and by_code["D-X"].plan.reference == late.reference
    # The same deadlines and lateness as the drafters' reminder on the plan list.
    for code in by_code:
        status = plan_deadline_status(agency=Agency.objects.get(code=code), year=2027, today=dt.date(2026, 11, 25))
        assert status["deadline"] == by_code[code].deadline and status["late_days"] == (
            by_code[code].days if by_code[code].status == "late" else 0)
    # Before the deadline: days left.
    early = plan_dues(node=reviewer_node(personas.reviewer), year=2027, today=dt.date(2026, 11, 15))
    assert [(u.status, u.days) for u in early["units"] if u.issued_on is None] == [("due", 5)]


def test_no_rule_no_card_and_units_no_rule_names_owe_nothing(tree, personas):
    node = reviewer_node(personas.reviewer)
    assert plan_dues(node=node, year=2027, today=dt.date(2026, 11, 25)) is None
    district, _ = ReportingChain.objects.get_or_create(owner=tree["district"], defaults={"name": "Huyện Một"})
    PlanDeadline.objects.create(chain=district, agency_kind=Agency.Kind.COMMUNE, month=11, day=10)
    cache.clear()
    dues = plan_dues(node=node, year=2027, today=dt.date(2026, 11, 25))
    assert [Agency.objects.get(pk=u.agency_id).code for u in dues["units"]] == ["D-X"] and dues["total"] == 1
    # A unit merged away owes nothing any more.
    Agency.objects.filter(pk=tree["commune"].pk).update(is_active=False, dissolved_on=dt.date(2026, 7, 1))
    assert plan_dues(node=node, year=2027, today=dt.date(2026, 11, 25))["total"] == 0


def test_the_central_set_applies_last(tree, personas, deadlines, make_user):
    central, _ = ReportingChain.objects.get_or_create(owner=None, defaults={"name": "Trung ương"})
    PlanDeadline.objects.create(chain=central, agency_kind=Agency.Kind.PROVINCE, month=12, day=15)
    admin_node = reviewer_node(personas.admin)
    dues = plan_dues(node=admin_node, year=2027, today=dt.date(2026, 11, 25), limit=50)
    deadlines_by = {Agency.objects.get(pk=u.agency_id).code: u.deadline for u in dues["units"]}
    # The province's own set is for the units below it: the province answers to the central one.
    assert deadlines_by["P"] == dt.date(2026, 12, 15)
    assert deadlines_by["D2"] == NOV_20 and deadlines_by["D-X"] == NOV_10


def test_the_statement_count_does_not_grow_with_the_units(tree, personas, deadlines, django_assert_num_queries):
    node = reviewer_node(personas.reviewer)
    with django_assert_num_queries(2):  # the rule sets' deadlines (kept a minute), the units
        small = plan_dues(node=node, year=2027, today=dt.date(2026, 11, 25))
    for n in range(40):
        commune = AgencyFactory(code=f"D-N{n}", parent=tree["district"], kind=Agency.Kind.COMMUNE)
        if n % 4 == 0:
            issue_2027(commune, personas, dt.date(2026, 11, 9))
    cache.clear()
    with django_assert_num_queries(2):
        large = plan_dues(node=node, year=2027, today=dt.date(2026, 11, 25))
    assert large["total"] == small["total"] + 40 and large["counts"]["on_time"] == 10
    assert len(large["units"]) == 15  # the card lists the most urgent; the counts cover all


def test_the_card_shows_the_units_of_the_viewers_subtree(client, world, deadlines, personas):
    issue_2027(world.tree["district"], personas, dt.date(2026, 11, 18), number=99)
    assert client.login(username="reviewer", password=PASSWORD)
    q3 = world.period("Quý III/2026")
    body = client.get(URL, {"period": q3.pk}).content.decode()
    card = body.split('id="plan-dues"')[1].split("</table>")[0]
    assert "Ban hành kế hoạch năm 2027" in card and "Ban hành đúng hạn: 1" in card
    assert 'data-status="on_time"' in card and "20/11/2026" in card and "99/KH-UBND</a> ngày 18/11/2026" in card
    client.logout()
    # A commune's head: their own commune's plan, the only unit of its subtree (issue 13: reading follows it).
    assert client.login(username="head2", password=PASSWORD)
    card = client.get(URL, {"period": q3.pk}).content.decode().split('id="plan-dues"')[1].split("</table>")[0]
    assert "(1 đơn vị phải ban hành" in card and "Chưa ban hành, quá hạn: 1" in card
    assert "Vĩnh Hưng" in card and "99/KH-UBND" not in card


def test_nested_rule_sets_give_every_unit_the_plan_lists_deadline(tree, personas, deadlines):
    """Three levels of rule sets (central, province, district, a unit's own set
    for its subunits), kind-specific and for every kind, on a deeper tree:
    every unit's deadline is the one the plan list gives its drafters, and
    the units no set asks are left out."""
    central, _ = ReportingChain.objects.get_or_create(owner=None, defaults={"name": "Trung ương"})
    PlanDeadline.objects.create(chain=central, agency_kind="", month=12, day=15)
    PlanDeadline.objects.create(chain=central, agency_kind=Agency.Kind.DISTRICT, month=12, day=1)
    PlanDeadline.objects.create(chain=ReportingChain.objects.get(owner=tree["province"]),
                                agency_kind=Agency.Kind.COMMUNE, month=11, day=5)
    ward = AgencyFactory(code="D-X-1", parent=tree["commune"], kind=Agency.Kind.COMMUNE)
    office = AgencyFactory(code="D-X-2", parent=tree["commune"], kind=Agency.Kind.OFFICE)
    AgencyFactory(code="D-X-1-A", parent=ward, kind=Agency.Kind.OFFICE)
    AgencyFactory(code="D2-X", parent=tree["district2"], kind=Agency.Kind.COMMUNE)
    commune_set = ReportingChain.objects.create(owner=tree["commune"], name="Xã Một")
    PlanDeadline.objects.create(chain=commune_set, agency_kind=Agency.Kind.OFFICE, month=10, day=30)
    issue_2027(office, personas, dt.date(2026, 11, 2))
    today = dt.date(2026, 11, 25)
    dues = plan_dues(node=reviewer_node(personas.admin), year=2027, today=today, limit=100)
    got = {u.agency_id: (u.deadline, u.status) for u in dues["units"]}
    expected = {}
    for agency in Agency.objects.filter(is_active=True):
        status = plan_deadline_status(agency=agency, year=2027, today=today)
        if status and status["deadline"]:
            expected[agency.pk] = status["deadline"]
    assert {pk: deadline for pk, (deadline, _) in got.items()} == expected
    codes = {Agency.objects.get(pk=pk).code: value for pk, value in got.items()}
    assert codes["D-X-2"] == (dt.date(2026, 10, 30), "late")  # the commune's own set for its offices
    assert codes["D-X-1-A"][0] == dt.date(2026, 10, 30)  # two levels down: the commune's set still the nearest
    assert codes["D-X-1"][0] == NOV_10 and codes["D2-X"][0] == dt.date(2026, 11, 5)
    assert codes["D"][0] == codes["D2"][0] == NOV_20 and codes["P"][0] == dt.date(2026, 12, 15)
    assert dues["total"] == len(expected) == sum(dues["counts"].values())
