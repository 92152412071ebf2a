"""Compliance dashboard: scope and drill-down, figures against the database,
the agency table (filters, search without diacritics, sort), XLSX and the
fragment cache, on a small district built for these tests (factories.py).
Query counts at national scale live with the generator, in
demo/tests/test_scale_queries.py."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.tests.factories import PASSWORD, AgencyFactory
from dashboard import filters as dashboard_filters
from dashboard.figures import STATES
from dashboard.filters import SORTS
from plans.tests.factories import plan_issued
from reports import services
from reports.models import Report, ReportFigure, ReportLine
from schedule.models import ReportingPeriod, ReportingRule

from .factories import HALF, Q1, Q3, expected_counts

# The dashboard keeps fragments in the cache; ids repeat between tests.
pytestmark = pytest.mark.usefixtures("empty_cache")

URL = reverse("dashboard:index")
XLSX = reverse("dashboard:xlsx")


def as_user(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def kpi(response):
    figures = response.context["figures"].kpi
    return {key: figures[key] for key in ("total", "accepted", "submitted", "returned", "missing", "pending",
                                          "on_time", "late")}


def table_codes(response):
    return [r.agency.code for r in response.context["table"].page.object_list]


# Access and scope ----------------------------------------------------------------------

def test_it_asks_anonymous_users_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response.url


def test_it_refuses_a_user_without_a_role(client, personas, make_user):
    make_user("nobody")
    assert client.login(username="nobody", password="pw-Test-123")  # make_user's password
    assert client.get(URL).status_code == 403
    assert client.get(XLSX).status_code == 403


def test_a_drafter_reads_their_units_subtree_and_opens_only_what_was_sent(client, world):
    # Reading follows the subtree for every role (issue 13): the district's drafter sees its units.
    q3 = world.period(Q3)
    response = as_user(client, "drafter").get(URL, {"period": q3.pk})
    node = response.context["node"]
    assert node.agency.code == "D" and node.subtree and not node.drafts
    assert kpi(response) == expected_counts(world.district_reports(Q3))
    # A unit's unsent draft is its working paper: no link to it, a link to every sent report.
    rows = response.content.decode().split('id="agency-table"')[1].split("</table>")[0]
    for report in world.district_reports(Q3):
        link = reverse("reports:detail", args=[report.pk])
        assert (f'href="{link}"' in rows) is (report.status != Report.Status.DRAFT), report.agency.code
    missing = world.district_reports(Q3).filter(status=Report.Status.DRAFT).first()
    assert client.get(reverse("reports:detail", args=[missing.pk])).status_code == 404
    # The reviewer of the same node opens every report, drafts too (a table cached apart).
    rows = as_user(client, "reviewer").get(URL, {"period": q3.pk}).content.decode()
    assert f'href="{reverse("reports:detail", args=[missing.pk])}"' in rows


def test_reviewer_sees_the_district_they_review(client, world):
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk})
    node = response.context["node"]
    assert node.agency.code == "D" and node.subtree
    assert kpi(response) == expected_counts(world.district_reports(Q3))
    assert kpi(response)["missing"] == 2 and kpi(response)["total"] == 6


def test_it_opens_on_the_last_period_past_its_deadline(client, world):
    today = timezone.localdate()
    expected = ReportingPeriod.objects.filter(start__lte=today, due__lt=today).order_by("-end").first()
    assert as_user(client, "reviewer").get(URL).context["period"] == expected


def test_reviewer_drills_into_a_unit_of_the_district(client, world):
    commune, district, q3 = world.tree["tv"], world.tree["district"], world.period(Q3)
    response = as_user(client, "reviewer").get(URL, {"agency": commune.pk, "period": q3.pk})
    node = response.context["node"]
    assert node.agency == commune and [a.code for a in node.trail] == ["D"]
    assert kpi(response) == expected_counts(Report.objects.filter(period=q3, agency=commune))
    # the breadcrumb back up
    assert f'href="?agency={district.pk}&period={q3.pk}">Ủy ban nhân dân huyện Một</a>' in response.content.decode()


# Above the district, beside it under the province, and in another province.
@pytest.mark.parametrize("key", ["province", "province_home_affairs", "ward2"])
def test_units_outside_the_scope_are_not_found(client, world, key):
    agency = world.tree[key]
    assert as_user(client, "reviewer").get(URL, {"agency": agency.pk}).status_code == 404


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_a_made_up_unit_is_not_found(client, world, value):
    assert as_user(client, "reviewer").get(URL, {"agency": value}).status_code == 404


def test_a_commune_head_sees_their_own_commune_and_not_its_neighbours(client, world):
    own, q3 = world.tree["vh"], world.period(Q3)
    response = as_user(client, "head2").get(URL, {"period": q3.pk})
    node = response.context["node"]
    assert node.agency == own and node.subtree
    assert kpi(response) == expected_counts(Report.objects.filter(period=q3, agency=own))
    other = world.tree["tv"]
    assert client.get(URL, {"agency": other.pk}).status_code == 404
    assert client.get(URL, {"agency": world.tree["district"].pk}).status_code == 404  # never up


def test_a_head_of_a_district_and_its_commune_sees_the_districts_subtree(client, world):
    # "head" leads xã Một and the district, but as head, not reviewer: xã Một
    # sits inside the district's subtree, so one top.
    q3 = world.period(Q3)
    response = as_user(client, "head").get(URL, {"period": q3.pk})
    node = response.context["node"]
    assert node.agency == world.tree["district"] and node.subtree and len(node.seeds) == 1
    assert kpi(response) == expected_counts(world.district_reports(Q3))
    assert client.get(URL, {"agency": world.tree["tv"].pk, "period": q3.pk}).status_code == 200
    assert client.get(URL, {"agency": world.tree["province"].pk}).status_code == 404


def test_admin_sees_every_tree(client, world):
    q3 = world.period(Q3)
    response = as_user(client, "admin").get(URL, {"period": q3.pk})
    node = response.context["node"]
    assert node.agency is None and len(node.seeds) == Agency.objects.filter(parent=None).count() == 2
    assert kpi(response) == expected_counts(Report.objects.filter(period=q3))


def test_the_navigation_shows_the_link_to_those_who_may_open_it(client, world):
    link = f'href="{URL}"'
    assert link in as_user(client, "reviewer").get(reverse("home")).content.decode()
    assert link in as_user(client, "head2").get(reverse("home")).content.decode()
    assert link in as_user(client, "drafter").get(reverse("home")).content.decode()
    world.province_reviewer.memberships.all().delete()  # a user without any role
    assert link not in as_user(client, world.province_reviewer.username).get(reverse("home")).content.decode()


# Figures -------------------------------------------------------------------------------

def test_trend_covers_the_periods_of_the_year_in_order(client, world):
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk})
    trend = response.context["figures"].trend
    assert [p.label for p, _ in trend] == ["Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"]
    for period, row in trend:
        assert {k: row[k] for k in expected_counts([])} == expected_counts(world.district_reports(period.label))
    half = dict(trend)[world.period(HALF)]
    assert (half["returned"], half["missing"]) == (1, 1)
    q1 = dict(trend)[world.period(Q1)]
    assert q1["late"] == 1 and q1["rates"]["accepted"] == 100.0


def test_outputs_add_up_the_lines_of_sent_reports(client, world):
    period = world.period(HALF)
    response = as_user(client, "reviewer").get(URL, {"period": period.pk})
    outputs = response.context["figures"].outputs
    lines = ReportLine.objects.filter(
        report__in=world.district_reports(HALF),
        report__status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
    ).select_related("task__channel", "task__area")
    assert outputs["total"]["tasks"] == len(lines) > 0
    assert outputs["total"]["progress"]["done"] == sum(line.state == "done" for line in lines)
    assert outputs["total"]["spent"] == sum(line.spent or 0 for line in lines)
    by_code = {code: total for code, _, total in outputs["counter_totals"]}
    # Like for like: a flow adds up the stretches inside the half year (Quý I's
    # and the half year's own), a stock counts the half year's reports only.
    sent = [Report.Status.SUBMITTED, Report.Status.ACCEPTED]
    figures = ReportFigure.objects.filter(line__report__agency__in=world.district_reports(HALF).values("agency"),
                                          line__report__status__in=sent)
    for code in by_code:
        flows = figures.filter(counter__code=code, counter__kind="flow",
                               line__report__period__in=[world.period(Q1), period])
        stocks = figures.filter(counter__code=code, counter__kind="stock", line__report__period=period)
        assert by_code[code] == sum(f.value for f in flows) + sum(f.value for f in stocks)
    assert sum(by_code.values()) > 0
    for row in outputs["channels"]:
        assert row["tasks"] == sum(line.task.channel.name == row["label"] for line in lines)


def test_a_plan_narrows_the_figures_to_the_agencies_and_tasks_it_assigns(client, world, personas):
    # A second district plan whose only task another office leads: its report
    # is in the period but not in the first plan's figures.
    other = AgencyFactory(code="D-VP", name="Văn phòng UBND huyện", parent=world.tree["district"])
    plan_issued(issuer=world.tree["district"], drafter=personas.drafter, head=personas.head, number=2,
                leads=[other], report_rules=ReportingRule.objects.filter(kind="quarter"))
    q3 = world.period(Q3)
    services.reports_ensure(period=q3)
    plan = world.plan
    response = as_user(client, "reviewer").get(URL, {"period": q3.pk, "plan": plan.pk})
    assert response.context["plan"] == plan
    owing = world.district_reports(Q3).filter(lines__task__plan=plan).distinct()
    assert owing.count() < world.district_reports(Q3).count()
    assert kpi(response) == expected_counts(owing)
    assert response.context["figures"].outputs["total"]["tasks"] == ReportLine.objects.filter(
        report__in=owing, task__plan=plan, report__status__in=["submitted", "accepted"]
    ).count()


def test_a_plan_from_outside_the_node_is_ignored(client, world):
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk, "plan": world.foreign_plan.pk})
    assert response.context["plan"] is None


def test_branches_roll_up_each_units_subtree(client, world):
    # Sở Nội vụ reviews the province: its districts are the branches.
    q3 = world.period(Q3)
    response = as_user(client, "province-reviewer").get(URL, {"period": q3.pk})
    branches = {b["name"]: b for b in response.context["figures"].branches}
    assert len(branches) == 2
    for district in Agency.objects.filter(code__in=["D", "D2"]):
        reports = Report.objects.filter(period=q3, agency__in=[district, *district.children.all()])
        row = branches[district.display_name]
        assert {k: row[k] for k in expected_counts([])} == expected_counts(reports)


# Agency table --------------------------------------------------------------------------

def test_missing_agencies_come_first(client, world):
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk})
    assert table_codes(response)[:2] == ["D-X", "D-TV"]
    body = response.content.decode()
    assert body.count("Chưa nộp (quá hạn)</span>") == 2
    for report in world.district_reports(Q3):
        assert reverse("reports:detail", args=[report.pk]) in body


@pytest.mark.parametrize("query, codes", [
    ("xa mot", ["D-X"]),
    ("TAN VIET", ["D-TV"]),
    ("Tân  Việt", ["D-TV"]),
    ("d-tckh", ["D-TCKH"]),
    ("xa", ["D-X", "D-TV", "D-VH"]),  # not thị trấn Ba
])
def test_search_ignores_diacritics_and_case(client, world, query, codes):
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk, "q": query, "sort": "name"})
    assert sorted(table_codes(response)) == sorted(codes)


def test_filters_by_kind_parent_and_state(client, world):
    as_user(client, "reviewer")
    q3 = world.period(Q3)
    communes = client.get(URL, {"period": q3.pk, "kind": "commune"})
    assert sorted(table_codes(communes)) == ["D-TT", "D-TV", "D-VH", "D-X"]
    district = world.tree["district"]
    by_parent = client.get(URL, {"period": q3.pk, "parent": district.pk})
    assert len(table_codes(by_parent)) == 6
    assert [a.pk for a in by_parent.context["table"].parents] == [district.pk]
    late = client.get(URL, {"period": world.period(Q1).pk, "status": "late"})
    assert table_codes(late) == ["D-TCKH"]
    assert "muộn 4 ngày" in late.content.decode()
    junk = client.get(URL, {"period": q3.pk, "kind": "x", "status": "x", "sort": "x", "parent": "x"})
    assert len(table_codes(junk)) == 6


def test_sorts_by_any_column_both_ways(client, world):
    as_user(client, "reviewer")
    q3 = world.period(Q3)
    names = [r.agency.name for r in world.district_reports(Q3).select_related("agency")]
    ascending = client.get(URL, {"period": q3.pk, "sort": "name"})
    descending = client.get(URL, {"period": q3.pk, "sort": "-name"})
    assert [r.agency.name for r in ascending.context["table"].page.object_list] == sorted(names)
    assert [r.agency.name for r in descending.context["table"].page.object_list] == sorted(names, reverse=True)
    for column in SORTS:
        assert client.get(URL, {"period": q3.pk, "sort": f"-{column}"}).status_code == 200


def test_htmx_redraws_only_the_table(client, world):
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk, "status": "missing"},
                                               HTTP_HX_REQUEST="true", HTTP_HX_TARGET="agency-table")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="agency-table">') and "<html" not in body
    assert "xã Một" in body and "Tân Việt" in body and "Vĩnh Hưng" not in body


def test_the_table_pages(client, world, monkeypatch):
    # Six rows on pages of four: what 126 agencies on pages of 50 exercise at
    # national scale (demo/tests/test_scale_queries.py).
    monkeypatch.setattr(dashboard_filters, "PAGE_SIZE", 4)
    response = as_user(client, "reviewer").get(URL, {"period": world.period(Q3).pk, "page": 1})
    assert len(response.context["table"].page.object_list) == dashboard_filters.PAGE_SIZE
    response = client.get(URL, {"period": world.period(Q3).pk, "page": 2})
    page = response.context["table"].page
    assert page.number == 2 and page.paginator.count == 6
    assert len(page.object_list) == 6 - dashboard_filters.PAGE_SIZE


# Export --------------------------------------------------------------------------------

def read_xlsx(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book["Đơn vị"].iter_rows(min_row=3, values_only=True))
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=3, values_only=True)}
    return rows, summary


def test_xlsx_has_every_row_and_the_counts_of_the_database(client, world):
    response = as_user(client, "reviewer").get(XLSX, {"period": world.period(Q3).pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows, summary = read_xlsx(response.content)
    expected = expected_counts(world.district_reports(Q3))
    assert len(rows) == expected["total"] == summary["Phải nộp"]
    states = [row[5] for row in rows]
    for key, (label, *_rest) in STATES.items():
        assert states.count(label) == expected[key] == summary[label]
    assert summary["Nộp muộn"] == expected["late"] and summary["Nộp đúng hạn"] == expected["on_time"]
    assert {row[1] for row in rows if row[5] == "Chưa nộp (quá hạn)"} == {"D-X", "D-TV"}
    assert all(row[9].startswith("http://testserver/reports/") for row in rows)


def test_xlsx_keeps_the_table_filters(client, world):
    response = as_user(client, "reviewer").get(XLSX, {"period": world.period(Q3).pk, "status": "missing"})
    rows, _ = read_xlsx(response.content)
    assert [row[1] for row in rows] == ["D-X", "D-TV"]


def test_xlsx_does_not_run_formulas_from_agency_names(client, world):
    Agency.objects.filter(code="D-TV").update(name="=HYPERLINK(\"http://evil\")")
    response = as_user(client, "reviewer").get(XLSX, {"period": world.period(Q3).pk})
    rows, _ = read_xlsx(response.content)
    assert "'=HYPERLINK(\"http://evil\")" in [row[2] for row in rows]


def test_xlsx_refuses_outsiders(client, world):
    assert as_user(client, "head2").get(XLSX, {"agency": world.tree["tv"].pk}).status_code == 404
    other_province = world.tree["province2"]
    assert as_user(client, "reviewer").get(XLSX, {"agency": other_province.pk}).status_code == 404


# Cache ---------------------------------------------------------------------------------

def test_a_review_shows_on_the_next_page(client, world, personas):
    as_user(client, "reviewer")
    q3 = world.period(Q3)
    accepted = expected_counts(world.district_reports(Q3))["accepted"]
    before = client.get(URL, {"period": q3.pk})
    assert f'data-kpi="accepted">{accepted}<' in before.content.decode()
    report = world.district_reports(Q3).filter(status=Report.Status.SUBMITTED).first()
    services.report_accept(report=report, user=personas.reviewer)
    after = client.get(URL, {"period": q3.pk})
    assert f'data-kpi="accepted">{accepted + 1}<' in after.content.decode()
    states = {r.agency.code: r.state for r in after.context["table"].page.object_list}
    assert states[report.agency.code] == "accepted"


def test_a_second_visit_is_served_from_the_cache(client, world):
    as_user(client, "reviewer")
    q3 = world.period(Q3)
    client.get(URL, {"period": q3.pk})
    with CaptureQueriesContext(connection) as warm:
        second = client.get(URL, {"period": q3.pk})
    assert not any("reports_reportline" in q["sql"] for q in warm.captured_queries)
    assert "data-kpi=\"missing\">2<" in second.content.decode()
