"""Reading follows the subtree (issue 13): every role at a unit reads the
reports the units under it have sent (submitted, returned, accepted), never
an unsent draft, and opens the summary of its unit; writing, reviewing,
recording and reminding stay where they were. A matrix of role x relation x
state, then the report list's read-only section, the pages and the summary."""

import pytest
from django.urls import reverse

from agencies.models import Membership
from agencies.permissions import can
from reports.models import Notice, Report
from reports.rules import (
    REPORT_EDIT,
    REPORT_RECORD,
    REPORT_REVIEW,
    REPORT_SUBMIT,
    REPORT_VIEW,
    SUMMARY_REMIND,
    SUMMARY_VIEW,
)
from reports.selectors import scope_agencies_for_summary
from reports.tests.factories import report_fill, report_sent
from reports.tests.test_reports import Q1, Q3, YEAR, line_post

Role = Membership.Role
Status = Report.Status
DRAFT, SUBMITTED, RETURNED, ACCEPTED = Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED
VIEW, EDIT, SUBMIT, REVIEW, RECORD = REPORT_VIEW, REPORT_EDIT, REPORT_SUBMIT, REPORT_REVIEW, REPORT_RECORD
ACTIONS = [VIEW, EDIT, SUBMIT, REVIEW, RECORD]

# Where the user's role sits, relative to the report's unit ("district").
RELATION_AGENCY = {"own": "district", "parent": "province", "sibling": "district2", "child": "commune"}
SENT = {SUBMITTED: {VIEW}, RETURNED: {VIEW}, ACCEPTED: {VIEW}}
NOTHING = {DRAFT: set(), SUBMITTED: set(), RETURNED: set(), ACCEPTED: set()}
# (role, relation) -> status -> the actions allowed.
EXPECTED = {
    (Role.DRAFTER, "own"): {DRAFT: {VIEW, EDIT}, SUBMITTED: {VIEW}, RETURNED: {VIEW, EDIT}, ACCEPTED: {VIEW}},
    (Role.DRAFTER, "parent"): {DRAFT: set(), **SENT},  # reads what was sent, never the draft
    (Role.DRAFTER, "sibling"): NOTHING,
    (Role.DRAFTER, "child"): NOTHING,  # never up
    (Role.HEAD, "own"): {DRAFT: {VIEW, EDIT, SUBMIT}, SUBMITTED: {VIEW}, RETURNED: {VIEW, EDIT, SUBMIT},
                         ACCEPTED: {VIEW}},
    (Role.HEAD, "parent"): {DRAFT: set(), **SENT},
    (Role.HEAD, "sibling"): NOTHING,
    (Role.HEAD, "child"): NOTHING,
    (Role.REVIEWER, "own"): {DRAFT: {VIEW, RECORD}, SUBMITTED: {VIEW, REVIEW}, RETURNED: {VIEW},
                             ACCEPTED: {VIEW}},
    (Role.REVIEWER, "parent"): {DRAFT: {VIEW, RECORD}, SUBMITTED: {VIEW, REVIEW}, RETURNED: {VIEW},
                                ACCEPTED: {VIEW}},
    (Role.REVIEWER, "sibling"): NOTHING,
    (Role.REVIEWER, "child"): NOTHING,
    (Role.ADMIN, "sibling"): {DRAFT: {VIEW, RECORD}, SUBMITTED: {VIEW}, RETURNED: {VIEW}, ACCEPTED: {VIEW}},
}


@pytest.mark.parametrize(("role", "relation"), sorted(EXPECTED))
def test_report_actions_by_role_relation_and_state(tree, world, make_user, role, relation):
    user = make_user("u", (tree[RELATION_AGENCY[relation]], role))
    period = world.periods[Q1]
    for status, allowed in EXPECTED[(role, relation)].items():
        report = Report(agency=tree["district"], period=period, due_date=period.end, status=status)
        granted = {action for action in ACTIONS if can(user, action, report)}
        assert granted == allowed, f"{role} at {relation} on a {status} report"


@pytest.mark.parametrize(("role", "relation", "view"), [
    (Role.DRAFTER, "own", True), (Role.HEAD, "own", True), (Role.REVIEWER, "own", True),
    (Role.DRAFTER, "parent", True), (Role.HEAD, "parent", True),
    (Role.HEAD, "sibling", False), (Role.HEAD, "child", False), (Role.REVIEWER, "child", False),
])
def test_the_summary_is_opened_from_the_unit_and_above_and_reminding_stays_with_reviewers(
        tree, world, make_user, role, relation, view):
    user = make_user("u", (tree[RELATION_AGENCY[relation]], role))
    assert can(user, SUMMARY_VIEW, tree["district"]) is view
    assert can(user, SUMMARY_REMIND, tree["district"]) is (role == Role.REVIEWER and view)


@pytest.fixture
def sent(world, tree, personas, neighbour):
    """Quý I: the commune accepted, the neighbour waiting for review, Phòng
    Nội vụ returned; every other report a draft."""
    commune, head2 = neighbour
    report_sent(report_fill(world.report(tree["commune"], Q1)), by=personas.head, accept_by=personas.reviewer)
    report_sent(report_fill(world.report(commune, Q1)), by=head2)
    report_sent(report_fill(world.report(tree["home_affairs"], Q1)), by=personas.admin, return_by=personas.reviewer)
    return world


def below_found(client, **params) -> list[Report]:
    response = client.get(reverse("reports:index"), params)
    assert response.status_code == 200
    return list(response.context["lists"]["found"].object_list)  # one page: fewer than 50 here


@pytest.mark.parametrize("persona", ["drafter", "head"])
def test_a_district_role_lists_exactly_what_its_units_sent(client, sent, tree, personas, neighbour, persona):
    user = getattr(personas, persona)
    personas.login(client, persona)
    response = client.get(reverse("reports:index"))
    body = response.content.decode()
    assert "Báo cáo đã gửi của các đơn vị cấp dưới" in body and 'id="below-note"' in body
    assert "Chờ xem xét trong phạm vi" not in body  # no reviewer's lists
    listed = {r.pk for r in below_found(client)}
    own = set(Membership.objects.filter(user=user).values_list("agency_id", flat=True))
    readable = {r.pk for r in Report.objects.all() if can(user, REPORT_VIEW, r) and r.agency_id not in own}
    assert listed == readable
    # The neighbour's and Phòng Nội vụ's Quý I (and xã Một's for the drafter, who does not head it).
    expected = {sent.report(neighbour[0], Q1).pk, sent.report(tree["home_affairs"], Q1).pk}
    if persona == "drafter":
        expected.add(sent.report(tree["commune"], Q1).pk)
    assert listed == expected
    assert {r.status for r in Report.objects.filter(pk__in=listed)} <= {SUBMITTED, RETURNED, ACCEPTED}


def test_the_section_filters_like_the_reviewers_without_the_states_of_a_draft(client, sent, neighbour, personas):
    personas.login(client, "head")
    assert [r.agency_id for r in below_found(client, state="submitted")] == [neighbour[0].pk]
    # Unsent drafts are not read from above: no state only a draft is in.
    response = client.get(reverse("reports:index"), {"state": "missing"})
    assert "state" in response.context["lists"]["search"].errors
    assert "Chưa nộp (quá hạn)" not in response.content.decode().split('id="report-search"')[1].split("</form>")[0]


def test_a_district_head_opens_a_communes_sent_report_read_only(client, sent, neighbour, personas):
    report = sent.report(neighbour[0], Q1)
    personas.login(client, "head")
    url = reverse("reports:detail", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not any(page.context[key] for key in ("may_edit", "may_submit", "may_review", "may_record"))
    response = client.post(url, line_post(report, action="save", results="Sửa từ cấp trên"))
    assert response.status_code == 403
    assert client.post(reverse("reports:review", args=[report.pk]), {"decision": "accept"}).status_code == 403
    report.refresh_from_db()
    assert report.status == SUBMITTED and report.results != "Sửa từ cấp trên"
    # The neighbour's unsent year report is its working paper.
    draft = sent.report(neighbour[0], YEAR)
    assert client.get(reverse("reports:detail", args=[draft.pk])).status_code == 404


def test_a_commune_reads_nothing_of_its_district_or_neighbours(client, sent, tree, neighbour, personas):
    assert client.login(username=neighbour[1].username, password=personas.password)
    for report in (sent.report(tree["commune"], Q1), sent.report(tree["home_affairs"], Q1)):
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_a_district_head_opens_the_districts_summary_without_reminding(client, sent, tree, personas, neighbour):
    period = sent.periods[Q3]  # past its due date: the units' drafts are missing
    url = reverse("reports:summary", args=[period.pk])
    personas.login(client, "head")
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["root"] == tree["district"]
    assert response.context["missing"] and not response.context["may_remind"]
    assert reverse("reports:summary_remind", args=[period.pk]) not in body and "ghi nhận bản giấy" not in body
    missing = response.context["missing"][0]
    assert client.post(reverse("reports:summary_remind", args=[period.pk]),
                       {"report": [missing.pk]}).status_code == 403
    assert not Notice.objects.filter(kind="manual").exists()
    client.logout()
    personas.login(client, "reviewer")
    body = client.get(url).content.decode()
    assert reverse("reports:summary_remind", args=[period.pk]) in body and "ghi nhận bản giấy" in body


def test_summary_roots_are_review_roots_and_units_with_units_under_them(tree, world, personas, neighbour):
    assert scope_agencies_for_summary(user=personas.drafter) == [tree["district"]]
    assert scope_agencies_for_summary(user=personas.head) == [tree["district"]]  # not xã Một: nothing under it
    assert scope_agencies_for_summary(user=personas.reviewer) == [tree["district"]]
    assert scope_agencies_for_summary(user=neighbour[1]) == []


def test_the_section_costs_the_same_queries_whatever_the_units(client, sent, tree, personas,
                                                                django_assert_max_num_queries):
    from agencies.models import Agency
    from agencies.tests.factories import AgencyFactory

    personas.login(client, "head")
    q1 = sent.periods[Q1]
    # The user, roles, the units below, the filter's periods, the count and
    # the page, the summary roots (roles again) and periods, the menu's roles
    # and bell, the four own lists, the recent periods: 15, as a reviewer's 14.
    below_found(client)  # the roles and the bell cached, as on any later page
    with django_assert_max_num_queries(15) as few:
        assert len(below_found(client)) == 2
    for index in range(12):
        agency = AgencyFactory(code=f"D-X{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE)
        Report.objects.create(agency=agency, period=q1, due_date=q1.end, status=(DRAFT, ACCEPTED)[index % 2])
    with django_assert_max_num_queries(15) as many:
        assert len(below_found(client)) == 2 + 6
    assert len(many.captured_queries) == len(few.captured_queries)
