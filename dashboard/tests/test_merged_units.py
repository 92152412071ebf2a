"""A unit merged into one of the scope's units from elsewhere counts on the
dashboard as it does in the summary (BC): the two never disagree. Per branch
it counts once, under its successor (and the successor's ancestors), and the
rows say so; its reports are read through the successor (drill-down)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.tests.factories import PASSWORD
from dashboard.figures import _by_branch
from reports.models import Report
from reports.selectors import period_summary
from reports.tests.factories import report_fill, report_sent, report_world

from .factories import HALF, Q1, expected_counts

pytestmark = pytest.mark.usefixtures("empty_cache")

URL = reverse("dashboard:index")
XLSX = reverse("dashboard:xlsx")
Role = Membership.Role


def as_user(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def test_a_unit_merged_in_from_another_branch_counts_on_the_dashboard_and_in_the_summary(client, tree, personas,
                                                                                      empty_cache):
    world = report_world(tree=tree, personas=personas, leads=("commune", "district2"))
    merged = world.report(tree["district2"], Q1)
    report_sent(report_fill(merged, count=6), by=personas.outsider, accept_by=personas.admin)
    own = world.report(tree["commune"], Q1)
    report_sent(report_fill(own, count=4), by=personas.head, accept_by=personas.reviewer)
    Agency.objects.filter(pk=tree["district2"].pk).update(is_active=False, dissolved_on=dt.date(2026, 7, 1),
                                                         successor=tree["district"])

    personas.login(client, "reviewer")
    response = client.get(reverse("dashboard:index"), {"period": world.periods[Q1].pk})
    kpi = response.context["figures"].kpi
    assert kpi["total"] >= 2 and kpi["accepted"] == 2  # the merged unit's accepted report is in
    outputs = response.context["figures"].outputs
    summary = period_summary(period=world.periods[Q1], root=tree["district"])
    assert summary["totals"]["counters"] == {code: total for code, _, total in outputs["counter_totals"] if total}


# Roll-up per branch, marks and drill-down across a merger ---------------------------------
# The factory world (factories.py): xã Hai (D2-X, under the sibling district)
# merged on 01/07/2026 into xã Tân Việt (D-TV, under the district). Its
# Quý I/2026 report (the sibling district's plan; still a draft, so missing)
# counts under xã Tân Việt, in the district's branch, never in the sibling's.

MERGED_ON = dt.date(2026, 7, 1)


def merge_commune2(world):
    Agency.objects.filter(pk=world.tree["commune2"].pk).update(is_active=False, dissolved_on=MERGED_ON,
                                                                successor=world.tree["tv"])


def all_branches(response):
    """Every branch row, those the page leaves to the agency table included."""
    figures = response.context["figures"]
    return {b["id"]: b for b in _by_branch(figures.node, figures.period, figures.plan, figures.today)}


def test_a_merged_units_report_counts_once_in_its_successors_branch(client, world):
    merge_commune2(world)
    q1, tree = world.period(Q1), world.tree
    moved = Report.objects.get(period=q1, agency=tree["commune2"])
    response = as_user(client, "province-reviewer").get(URL, {"period": q1.pk})
    kpi, branches = response.context["figures"].kpi, all_branches(response)
    own = Report.objects.filter(period=q1, agency=tree["province"]).count()
    assert sum(b["total"] for b in branches.values()) + own == kpi["total"] == Report.objects.filter(period=q1).count()
    district = list(world.district_reports(Q1)) + [moved]
    assert {k: branches[tree["district"].pk][k] for k in expected_counts([])} == expected_counts(district)
    assert branches[tree["district"].pk]["merged"] == 1
    sibling = Report.objects.filter(period=q1, agency=tree["district2"])
    assert {k: branches[tree["district2"].pk][k] for k in expected_counts([])} == expected_counts(sibling)
    # The district's row says a unit was merged into one of its units.
    row = next(b for b in response.context["figures"].branch_rows if b["id"] == tree["district"].pk)
    assert row["note"] == "gồm số liệu của 1 đơn vị đã sáp nhập vào đơn vị trực thuộc"

    # One level down, the successor's own row names it.
    response = client.get(URL, {"period": q1.pk, "agency": tree["district"].pk})
    rows = {b["id"]: b for b in response.context["figures"].branch_rows}
    tv = rows[tree["tv"].pk]
    expected = expected_counts(Report.objects.filter(period=q1, agency__in=[tree["tv"], tree["commune2"]]))
    assert {k: tv[k] for k in expected} == expected and tv["total"] == 2
    assert tv["note"] == "gồm số liệu của: Ủy ban nhân dân xã Hai (sáp nhập 01/07/2026)"
    table = response.content.decode().split('id="table-branches"')[1].split("</table>")[0]
    assert "gồm số liệu của: Ủy ban nhân dân xã Hai (sáp nhập 01/07/2026)" in table


def test_the_agency_table_marks_the_merged_unit_and_its_successor(client, world):
    merge_commune2(world)
    q1 = world.period(Q1)
    response = as_user(client, "reviewer").get(URL, {"period": q1.pk})
    assert response.context["figures"].kpi["total"] == len(world.district_reports(Q1)) + 1
    notes = {r.agency.code: r.merged_note for r in response.context["table"].page.object_list}
    assert notes["D2-X"] == "đã sáp nhập vào Ủy ban nhân dân xã Tân Việt (01/07/2026)"
    assert notes["D-TV"] == "gồm số liệu của: Ủy ban nhân dân xã Hai (sáp nhập 01/07/2026)"
    assert {code for code, note in notes.items() if note} == {"D2-X", "D-TV"}
    body = response.content.decode()
    assert body.count('class="small text-muted merged-note"') >= 2
    # The XLSX says the same in its last column.
    book = openpyxl.load_workbook(io.BytesIO(client.get(XLSX, {"period": q1.pk}).content))
    rows = {row[1]: row[10] for row in book["Đơn vị"].iter_rows(min_row=3, values_only=True)}
    assert rows["D2-X"] == notes["D2-X"] and rows["D-TV"] == notes["D-TV"] and rows["D-VH"] in (None, "")


def test_a_period_without_the_merged_units_reports_marks_nothing(client, world):
    # Only the sibling district's plan asks xã Hai for reports: none in the six months.
    merge_commune2(world)
    response = as_user(client, "reviewer").get(URL, {"period": world.period(HALF).pk})
    assert not any(r.merged_note for r in response.context["table"].page.object_list)
    assert not any(b["note"] for b in response.context["figures"].branch_rows)


def test_a_successors_reviewer_drills_into_the_merged_unit_through_its_successor(client, world):
    merge_commune2(world)
    q1, tree = world.period(Q1), world.tree
    response = as_user(client, "reviewer").get(URL, {"period": q1.pk, "agency": tree["commune2"].pk})
    assert response.status_code == 200
    node = response.context["node"]
    assert node.agency == tree["commune2"] and node.subtree and node.successor == tree["tv"]
    assert [a.code for a in node.trail] == ["D", "D-TV"]  # the breadcrumb runs through the successor
    assert response.context["figures"].kpi["total"] == 1
    body = response.content.decode()
    assert 'id="node-merged">đã sáp nhập vào Ủy ban nhân dân xã Tân Việt từ 01/07/2026<' in body
    report = Report.objects.get(period=q1, agency=tree["commune2"])
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200


def test_the_successors_head_and_the_old_parents_read_the_merged_unit_and_others_do_not(client, world, make_user):
    merge_commune2(world)
    tree = world.tree
    make_user("head-tv", (tree["tv"], Role.HEAD))
    assert client.login(username="head-tv", password="pw-Test-123")  # make_user's password
    response = client.get(URL, {"agency": tree["commune2"].pk})
    # Reading follows the subtree: the merged unit's, as every node's.
    assert response.status_code == 200 and response.context["node"].subtree
    # The head of the sibling district reads it too: the unit still sits in
    # its old place in the tree (as the sibling district's reviewers read it).
    assert as_user(client, "outsider").get(URL, {"agency": tree["commune2"].pk}).status_code == 200
    # A head of another commune does not.
    assert as_user(client, "head2").get(URL, {"agency": tree["commune2"].pk}).status_code == 404
