"""The home page: «Việc cần làm» per role, each block with its count, its
first rows, a link to the whole list, and "Không có việc nào" when empty;
a fixed number of queries whatever the data."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from agencies.tests.factories import user_with_roles
from plans import services as plan_services
from plans.models import Plan
from plans.tests.factories import plan_draft
from reports.models import Report
from reports.tests.factories import report_fill, report_sent, report_world

TODAY = timezone.localdate()
Q1, HALF, Q3 = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026"


@pytest.fixture(autouse=True)
def _today_when_the_test_runs():
    """TODAY as the page reads it: when the test runs, not when the module
    was collected (a run crossing midnight in Hà Nội saw the page one day ahead)."""
    global TODAY
    TODAY = timezone.localdate()


@pytest.fixture
def day(tree, personas):
    """A working day: on the district, a draft submitted (awaiting the head),
    one returned with a reason and one still a draft; the commune's Q1
    report returned, its half-year report overdue, its Q3 report due in 5
    days; Phòng Nội vụ's Q1 report submitted (awaiting the reviewer)."""
    world = report_world(tree=tree, personas=personas, leads=("commune", "commune", "home_affairs"))
    district, year = tree["district"], TODAY.year + 1
    waiting = plan_draft(issuer=district, year=year, title="Kế hoạch chờ duyệt")
    plan_services.plan_submit(plan=waiting, user=personas.drafter)
    returned = plan_draft(issuer=district, year=year, title="Kế hoạch bị trả lại")
    plan_services.plan_submit(plan=returned, user=personas.drafter)
    plan_services.plan_return(plan=returned, user=personas.head, comment="Bổ sung kinh phí cho nhiệm vụ 2.")
    plan_draft(issuer=district, year=year, title="Kế hoạch đang soạn")
    commune = tree["commune"]
    report_sent(report_fill(world.report(commune, Q1)), by=personas.head, return_by=personas.reviewer)
    Report.objects.filter(pk=world.report(commune, HALF).pk).update(due_date=TODAY - dt.timedelta(days=3))
    Report.objects.filter(pk=world.report(commune, Q3).pk).update(due_date=TODAY + dt.timedelta(days=5))
    Report.objects.filter(agency=commune, period__start__gt=TODAY - dt.timedelta(days=400)).exclude(
        period__label__in=[Q1, HALF, Q3]).update(status=Report.Status.ACCEPTED)
    report_sent(report_fill(world.report(tree["home_affairs"], Q1)), by=personas.admin)
    return world


def blocks(html: str) -> dict[str, int]:
    """{block title: count} as the page shows them."""
    return {title: int(count) for title, count in re.findall(
        r'id="todo-[a-z-]+-title">\s*<span>([^<]+)</span>\s*<span[^>]*>(\d+)', html)}


def block(html: str, key: str) -> str:
    start = html.index(f'id="todo-{key}"')
    return html[start:html.index("</section>", start)]


def home(client, personas, who) -> str:
    personas.login(client, who)
    return client.get(reverse("home")).content.decode()


def test_the_head_sees_what_awaits_approval_and_the_units_reports(client, day, personas, tree):
    html = home(client, personas, "head")
    assert blocks(html) == {"Kế hoạch chờ bạn phê duyệt": 1, "Báo cáo bị trả lại": 1,
                            "Báo cáo quá hạn chưa nộp": 1, "Báo cáo đến hạn": 1, "Hạn sắp tới": 1}
    waiting = Plan.objects.get(title="Kế hoạch chờ duyệt")
    approve = block(html, "plans-to-approve")
    assert f'href="/plans/{waiting.pk}/"' in approve and "Kế hoạch chờ duyệt (Ủy ban nhân dân huyện Một" in approve
    assert f'href="/plans/?status=submitted&amp;issuer={tree["district"].pk}"' not in approve  # heads two units
    assert 'href="/plans/?status=submitted"' in approve
    assert 'href="/reports/#qua-han"' in block(html, "reports-overdue")
    due = day.report(tree["commune"], Q3)
    assert f"Hạn {due.due_date:%d/%m/%Y} · còn 5 ngày" in block(html, "reports-due")
    assert "Bạn có 4 việc cần làm." in html


def test_the_drafter_sees_the_returned_plan_with_its_reason(client, day, personas, tree):
    html = home(client, personas, "drafter")
    assert blocks(html) == {"Kế hoạch bị trả lại": 1, "Báo cáo bị trả lại": 0, "Báo cáo quá hạn chưa nộp": 0,
                            "Báo cáo đến hạn": 0, "Dự thảo kế hoạch đang soạn": 1, "Hạn sắp tới": 0}
    returned = block(html, "plans-returned")
    assert "Lý do: Bổ sung kinh phí cho nhiệm vụ 2." in returned
    assert f"Bị trả lại ngày {TODAY:%d/%m/%Y} bởi Người dùng head" in returned
    assert f'href="/plans/?status=returned&amp;issuer={tree["district"].pk}"' in returned
    assert "Không có việc nào." in block(html, "reports-overdue")
    assert "Kế hoạch chờ bạn phê duyệt" not in html  # not a head


def test_the_reviewer_sees_what_awaits_review(client, day, personas):
    html = home(client, personas, "reviewer")
    assert blocks(html) == {"Báo cáo chờ bạn xem xét": 1}
    review = block(html, "reports-to-review")
    report = day.report(day.plan.issuer.children.get(is_home_affairs=True), Q1)
    assert f'href="/reports/{report.pk}/"' in review and "Quý I/2026 – Phòng Nội vụ" in review
    assert 'href="/reports/?state=submitted#report-search"' in review


def test_an_outsider_has_nothing_to_do_and_a_user_without_roles_is_told(client, day, personas, make_user):
    html = home(client, personas, "outsider")
    assert set(blocks(html).values()) == {0}
    assert html.count("Không có việc nào.") == len(blocks(html))
    assert "Hiện không có việc nào cần bạn xử lý." in html
    client.force_login(make_user("newcomer"))
    html = client.get(reverse("home")).content.decode()
    assert blocks(html) == {} and "Tài khoản chưa có vai trò nào cần xử lý việc." in html


def test_next_years_plan_deadline_is_among_the_next_deadlines(client, day, personas, tree):
    from schedule.models import PlanDeadline, ReportingChain

    chain, _ = ReportingChain.objects.get_or_create(owner=tree["province"], defaults={"name": "Tỉnh Thử"})
    deadline = TODAY + dt.timedelta(days=10)
    PlanDeadline.objects.create(chain=chain, agency_kind="", month=deadline.month, day=deadline.day)
    html = home(client, personas, "drafter")
    deadlines = block(html, "deadlines")
    assert f"Ban hành Kế hoạch năm {TODAY.year + 1} – Ủy ban nhân dân huyện Một" in deadlines


def _more(tree, personas, world, count):
    """`count` more units under the district, each with a head, a drafter, a
    submitted and a returned plan and reports of every state."""
    from agencies.tests.factories import AgencyFactory
    from reports.services import reports_ensure

    for index in range(count):
        unit = AgencyFactory(code=f"D-M{index}", parent=tree["district"], kind="commune")
        for role in (Membership.Role.HEAD, Membership.Role.DRAFTER):
            Membership.objects.create(user=personas.head if role == Membership.Role.HEAD else personas.drafter,
                                      agency=unit, role=role)
        for status in ("submitted", "returned", "draft"):
            plan = plan_draft(issuer=unit, leads=[unit], year=TODAY.year + 1)
            if status != "draft":
                plan_services.plan_submit(plan=plan, user=personas.drafter)
            if status == "returned":
                plan_services.plan_return(plan=plan, user=personas.head, comment=f"Sửa lần {index}.")
        Membership.objects.create(user=user_with_roles(f"rv{index}"), agency=unit, role=Membership.Role.REVIEWER)
    issued = plan_draft(issuer=tree["district"], leads=list(tree["district"].children.filter(code__startswith="D-M")),
                        year=2026)
    issued.report_rules.set(world.plan.report_rules.all())
    plan_services.plan_submit(plan=issued, user=personas.drafter)
    plan_services.plan_issue(plan=issued, user=personas.head, number=99, issue_date=dt.date(2026, 1, 9),
                             signer_authority="TM.", signer_position="CHỦ TỊCH", signer_name="A")
    for period in world.periods.values():
        reports_ensure(period=period)
    for number, report in enumerate(Report.objects.filter(agency__code__startswith="D-M", status="draft")):
        if number % 3 == 0:
            report_sent(report, by=personas.head)
        elif number % 3 == 1:
            report_sent(report, by=personas.head, return_by=personas.reviewer)


@pytest.mark.parametrize("who", ["head", "drafter", "reviewer"])
def test_the_page_takes_a_fixed_number_of_queries(client, day, personas, tree, who, django_assert_max_num_queries):
    personas.login(client, who)
    with django_assert_max_num_queries(16) as small:
        client.get(reverse("home"))
    _more(tree, personas, day, count=6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    if who == "head":
        assert blocks(html)["Kế hoạch chờ bạn phê duyệt"] == 7
    elif who == "drafter":
        assert blocks(html)["Kế hoạch bị trả lại"] == 7 and blocks(html)["Dự thảo kế hoạch đang soạn"] == 7
        assert html.count("Lý do: ") == 5  # the first five rows, each with its reason
    else:
        assert blocks(html)["Báo cáo chờ bạn xem xét"] > 1


def test_an_overdue_plan_deadline_is_work_to_do_not_a_date_to_come(client, day, personas, tree):
    from schedule.models import PlanDeadline, ReportingChain

    chain, _ = ReportingChain.objects.get_or_create(owner=tree["province"], defaults={"name": "Tỉnh Thử"})
    from schedule.calendar import is_working_day

    # Next year's plan was due in this year, on a working day at least three
    # days ago (a deadline on a day off moves to the next working day).
    deadline = TODAY - dt.timedelta(days=3)
    while deadline.year == TODAY.year and not is_working_day(deadline):
        deadline -= dt.timedelta(days=1)
    if deadline.year < TODAY.year:
        return  # early January: no working day of this year has passed yet
    PlanDeadline.objects.create(chain=chain, agency_kind="", month=deadline.month, day=deadline.day)
    html = home(client, personas, "drafter")
    overdue = block(html, "plans-overdue")
    assert f"Ban hành Kế hoạch năm {TODAY.year + 1} – Ủy ban nhân dân huyện Một" in overdue
    assert f"quá hạn {(TODAY - deadline).days} ngày" in overdue
    assert "Ban hành Kế hoạch" not in block(html, "deadlines")
    # Counted with the returned plan: two things to do.
    assert "Bạn có 2 việc cần làm." in html
