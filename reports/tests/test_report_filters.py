"""The reviewer's report list: filters by period, state (the dashboard's
states), unit kind and name without diacritics; junk in the query string
never breaks the page; a fixed number of queries whatever the rows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.tests.factories import report_fill, report_sent
from reports.tests.test_reports import Q1, Q3, YEAR

URL = reverse("reports:index")
# Session and user, the user's scope (roles, reviewed subtree), the two review
# lists, the summary roots and periods, the filter's periods, the search's
# names, the count and the page, the menu's.
MAX_QUERIES = 14


def found(client, **params) -> list[Report]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return list(response.context["lists"]["found"].object_list)


@pytest.fixture
def reviewing(client, world, tree, personas, neighbour):
    """The reviewer signed in; Q1: the commune accepted, the neighbour waiting
    for review, Phòng Nội vụ returned; every other report a draft."""
    commune, head2 = neighbour
    report_sent(report_fill(world.report(tree["commune"], Q1)), by=personas.head, accept_by=personas.reviewer)
    report_sent(report_fill(world.report(commune, Q1)), by=head2)
    report_sent(report_fill(world.report(tree["home_affairs"], Q1)), by=personas.admin, return_by=personas.reviewer)
    personas.login(client, "reviewer")
    return world


def test_filters_by_period_and_unit_kind(client, reviewing, tree, neighbour):
    q1 = reviewing.periods[Q1]
    rows = found(client, period=q1.pk, kind="commune")
    assert {(r.period_id, r.agency_id) for r in rows} == {(q1.pk, tree["commune"].pk), (q1.pk, neighbour[0].pk)}
    assert {r.agency_id for r in found(client, kind="office")} == {tree["home_affairs"].pk}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("accepted", {("commune", Q1)}),
        ("submitted", {("neighbour", Q1)}),
        ("returned", {("home_affairs", Q1)}),
    ],
)
def test_filters_by_state(client, reviewing, tree, neighbour, state, expected):
    units = {tree["commune"].pk: "commune", neighbour[0].pk: "neighbour", tree["home_affairs"].pk: "home_affairs"}
    assert {(units[r.agency_id], r.period.label) for r in found(client, state=state)} == expected


def test_missing_is_a_draft_past_due_and_pending_one_still_due(client, reviewing):
    # Today is after Quý III's deadline (15/09/2026) and before the year's (December).
    missing, pending = found(client, state="missing"), found(client, state="pending")
    assert missing and pending
    assert all(r.status == "draft" for r in missing + pending)
    assert Q3 in {r.period.label for r in missing} and YEAR not in {r.period.label for r in missing}
    assert {r.period.label for r in pending} <= {YEAR, "6 tháng cuối năm 2026", "Quý IV/2026"}
    body = client.get(URL, {"state": "missing"}).content.decode()
    assert "Chưa nộp (quá hạn)" in body


@pytest.mark.parametrize("typed", ["xa mot", "XÃ MỘT", "Xa  Mot", "ủy ban nhân dân xã một"])
def test_search_by_name_with_or_without_diacritics(client, reviewing, tree, typed):
    rows = found(client, q=typed)
    assert rows and {r.agency_id for r in rows} == {tree["commune"].pk}


def test_search_folds_d_with_stroke(client, reviewing, tree):
    from agencies.models import Agency

    Agency.objects.filter(pk=tree["commune"].pk).update(name="Ủy ban nhân dân xã Đông Kết")
    assert {r.agency_id for r in found(client, q="dong ket")} == {tree["commune"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"period": "999999"}, {"period": "abc"}, {"period": "-1"}, {"kind": "zzz"}, {"state": "junk"},
        {"state": "missing'; DROP TABLE x;--"}, {"q": "x" * 5000}, {"q": "\x00"}, {"page": "abc"},
        {"page": "99999"}, {"page": "-3"}, {"period": "1.5", "kind": "", "state": "", "q": ""},
    ],
)
def test_bad_query_strings_do_not_break_the_list(client, reviewing, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert "Tra cứu báo cáo trong phạm vi" in response.content.decode()


def test_an_unknown_period_is_refused_by_its_field_and_ignored(client, reviewing):
    response = client.get(URL, {"period": "999999"})
    assert "period" in response.context["lists"]["search"].errors
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()  # next to the field
    assert len(response.context["lists"]["found"].object_list) == Report.objects.count()


def test_units_without_review_scope_or_units_below_see_no_search(client, world, personas, neighbour):
    # A commune's head (no unit under it); a district's head sees its units'
    # sent reports instead (reports/tests/test_read_scope.py).
    assert client.login(username=neighbour[1].username, password=personas.password)
    response = client.get(URL, {"state": "missing"})
    assert response.status_code == 200 and "found" not in response.context["lists"]
    assert "Tra cứu báo cáo trong phạm vi" not in response.content.decode()


def test_queries_do_not_grow_with_the_rows(client, reviewing, tree, django_assert_max_num_queries):
    from agencies.models import Agency
    from agencies.tests.factories import AgencyFactory

    q1 = reviewing.periods[Q1]
    params = {"period": q1.pk, "kind": "commune", "q": "xa"}
    found(client, **params)  # the roles and the bell cached, as on any later page
    with django_assert_max_num_queries(MAX_QUERIES) as two:
        assert len(found(client, **params)) == 2
    # 18 more communes of the district, each with its Quý I report (some sent, late, recorded).
    for index in range(18):
        agency = AgencyFactory(code=f"D-X{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE,
                               name=f"Ủy ban nhân dân xã Thêm {index}")
        Report.objects.create(agency=agency, period=q1, due_date=q1.end, status=("draft", "accepted")[index % 2],
                              submitted_at=None if index % 2 == 0 else timezone.now(), recorded=index % 4 == 1)
    with django_assert_max_num_queries(MAX_QUERIES) as twenty:
        assert len(found(client, **params)) == 20
    assert len(twenty.captured_queries) == len(two.captured_queries)
