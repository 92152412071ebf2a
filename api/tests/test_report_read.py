"""Reading reports through the API: the list agrees with can() for every
persona (a unit its own drafts, the reviewer its scope, the units above what
was sent), filters for an incremental sync, the detail with its lines,
figures, narrative, evidence and events, ETag, and a fixed number of
queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from agencies.permissions import can
from agencies.tests.factories import user_with_roles
from api.tests.report_helpers import (
    HALF,
    Q1,
    Q3,
    YEAR,
    api,
    commune_drafter,
    detail_url,
    media,
    neighbour,
    world,
)
from reports import services
from reports.models import Report, ReportLine
from reports.rules import REPORT_VIEW
from reports.tests.factories import PDF, report_fill, report_sent

__all__ = ["commune_drafter", "media", "neighbour", "world"]  # fixtures

LIST = reverse("api:report_list")


def _ids(client, **params) -> list[int]:
    ids, page = [], 1
    while True:
        response = client.get(LIST, {**params, "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids
        page += 1


@pytest.fixture
def sent(world, tree, personas, neighbour):
    """The commune's Q1 accepted, its half-year submitted; the neighbour's Q1 returned."""
    q1 = report_sent(report_fill(world.report(tree["commune"], Q1)), by=personas.head, accept_by=personas.reviewer)
    half = report_sent(report_fill(world.report(tree["commune"], HALF)), by=personas.head)
    commune2, head2 = neighbour
    returned = report_sent(report_fill(world.report(commune2, Q1)), by=head2, return_by=personas.reviewer)
    return {"accepted": q1, "submitted": half, "returned": returned}


@pytest.mark.parametrize("persona", ["drafter", "head", "reviewer", "outsider", "admin", "head2", "cdrafter"])
def test_the_list_holds_exactly_what_can_view_allows(tree, personas, neighbour, commune_drafter, sent, persona):
    user = {"head2": neighbour[1], "cdrafter": commune_drafter}.get(persona) or getattr(personas, persona)
    expected = sorted(r.pk for r in Report.objects.all() if can(user, REPORT_VIEW, r))
    assert _ids(api(user), page_size=7) == expected
    if persona == "drafter":  # the district's drafter: what the units below sent, never their drafts
        assert expected and not Report.objects.filter(pk__in=expected, status=Report.Status.DRAFT).exists()
    if persona == "outsider":
        assert expected == []


def test_a_unit_merged_into_a_headed_unit_is_listed_as_can_says(tree, personas, world, neighbour):
    commune2, head2 = neighbour
    commune2.is_active, commune2.successor = False, tree["commune"]
    commune2.dissolved_on = dt.date(2025, 7, 1)
    commune2.save()
    head = user_with_roles("chead", (tree["commune"], Membership.Role.HEAD))
    expected = sorted(r.pk for r in Report.objects.all() if can(head, REPORT_VIEW, r))
    assert set(Report.objects.filter(agency=commune2).values_list("pk", flat=True)) <= set(expected)
    assert _ids(api(head)) == expected


def test_anonymous_callers_are_refused(world, tree):
    report = world.report(tree["commune"], Q1)
    for url in (LIST, detail_url(report), reverse("api:report_evidence_list", args=[report.pk])):
        response = api().get(url)
        assert response.status_code in (401, 403)
        assert response.json()["detail"]


def test_filters_for_an_incremental_sync(tree, personas, world, sent):
    client = api(personas.reviewer)
    q1 = world.periods[Q1]
    assert set(_ids(client, period=q1.pk)) == set(Report.objects.filter(period=q1).values_list("pk", flat=True))
    assert _ids(client, status="submitted") == [sent["submitted"].pk]
    assert set(_ids(client, agency=tree["commune"].pk)) == set(
        Report.objects.filter(agency=tree["commune"]).values_list("pk", flat=True))
    assert len(_ids(client, year=2026)) == Report.objects.count()
    assert _ids(client, year=2027) == []
    later = timezone.now() + dt.timedelta(seconds=1)
    Report.objects.filter(pk=sent["returned"].pk).update(updated_at=later + dt.timedelta(minutes=5))
    assert _ids(client, updated_since=later.isoformat()) == [sent["returned"].pk]


@pytest.mark.parametrize(("name", "value"), [
    ("year", "abc"), ("year", "9" * 30), ("period", "-1"), ("period", "1.5"), ("agency", str(2**63)),
    ("status", "lost"), ("updated_since", "31/02/2026"), ("page", "999"), ("page_size", "abc"),
])
def test_a_bad_filter_is_a_400_naming_it(personas, world, name, value):
    response = api(personas.reviewer).get(LIST, {name: value})
    if name in ("page", "page_size"):
        assert response.status_code in (200, 404)
        return
    assert response.status_code == 400, response.content
    assert name in response.json()


def test_the_detail_prints_lines_figures_narrative_evidence_and_events(tree, personas, world, sent):
    report = sent["accepted"]
    response = api(personas.reviewer).get(detail_url(report))
    assert response.status_code == 200
    body = response.json()
    report.refresh_from_db()
    assert response["ETag"] == f'"{report.pk}-{report.lock_version}"' and body["lock_version"] == report.lock_version
    assert body["status"] == "accepted" and body["agency"]["id"] == tree["commune"].pk
    assert body["results"] == report.results and body["period"]["label"] == Q1
    assert len(body["lines"]) == report.lines.count() == 2
    line = body["lines"][0]
    db_line = ReportLine.objects.get(pk=line["id"])
    assert line["task_id"] == db_line.task_id and line["state"] == db_line.state
    assert line["percent"] == db_line.percent and line["spent"] == db_line.spent
    assert line["figures"] and {f["counter"] for f in line["figures"]} <= {c["code"] for c in line["counters"]}
    assert all(f["value"] == 3 for f in line["figures"])
    assert [e["kind"] for e in body["events"]] == ["submitted", "accepted"]
    assert body["events"][0]["user"] == personas.head.get_full_name() or personas.head.username
    assert body["permissions"] == {"edit": False, "submit": False, "review": False}


def test_evidence_is_listed_and_downloaded_through_the_api_with_the_same_scope(tree, personas, world, neighbour):
    report = world.report(tree["commune"], Q1)
    evidence = services.evidence_add(report=report, name="minh-chung.pdf", content=PDF,
                                     content_type="application/pdf", user=personas.head)
    body = api(personas.head).get(detail_url(report)).json()
    assert body["evidence"][0] | {"download_url": ""} == {
        "id": evidence.pk, "name": "minh-chung.pdf", "size": len(PDF), "content_type": "application/pdf",
        "uploaded_at": body["evidence"][0]["uploaded_at"], "download_url": ""}
    url = body["evidence"][0]["download_url"]
    assert url.endswith(reverse("api:report_evidence", args=[report.pk, evidence.pk]))
    response = api(personas.head).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert api(neighbour[1]).get(url).status_code == 404  # another commune
    assert api(personas.outsider).get(url).status_code == 404
    assert api(personas.drafter).get(url).status_code == 404  # a draft stays with its unit
    listed = api(personas.reviewer).get(reverse("api:report_evidence_list", args=[report.pk]))
    assert [e["id"] for e in listed.json()] == [evidence.pk]


def test_a_draft_is_not_found_above_its_unit_nor_in_another_agency(tree, personas, world, neighbour):
    report = world.report(tree["commune"], Q1)
    for user in (personas.drafter, personas.outsider, neighbour[1]):
        response = api(user).get(detail_url(report))
        assert response.status_code == 404
        assert response.json()["detail"] == "Không tìm thấy, hoặc bạn không có quyền xem."
    assert api(personas.head).get(detail_url(report)).status_code == 200
    assert api(personas.reviewer).get(detail_url(report)).status_code == 200


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_detail_cost_the_same_number_of_queries_whatever_the_rows(tree, personas, world, neighbour):
    client = api(personas.reviewer)
    client.get(LIST)  # the caller's scope cached, as for every later request
    few = _count(client, f"{LIST}?period={world.periods[Q1].pk}")
    many = _count(client, LIST)
    assert Report.objects.count() > Report.objects.filter(period=world.periods[Q1]).count()
    assert few == many
    small = world.report(tree["commune"], Q3)  # no figures, no file, no event
    large = report_fill(world.report(tree["commune"], YEAR))
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        services.evidence_add(report=large, name=name, content=PDF + name.encode(), content_type="application/pdf",
                              user=personas.head)
    report_sent(large, by=personas.head, return_by=personas.reviewer)  # two events
    _count(client, detail_url(small))
    assert _count(client, detail_url(small)) == _count(client, detail_url(large))
