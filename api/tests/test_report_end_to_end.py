"""Issue 15's «done when» for reports: a system account (an API token holding
a head's role at a commune) files the commune's Q1 report through the API
(lines, figures, narrative, evidence, submit) and the reviewer sees it
submitted on the web pages; a token without the right role or scope gets
403/404 and writes nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_issue
from accounts.models import AuditEvent
from api.tests.report_helpers import Q1, media, neighbour, world
from reports.models import Evidence, Report, ReportEvent, ReportFigure
from reports.tests.factories import PDF

__all__ = ["media", "neighbour", "world"]  # fixtures


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def tokens(tree, personas, neighbour):
    """The e-office system of the commune (drafter and head), a drafting-only
    token of the same commune, and the neighbour commune's system."""
    issue = api_token_issue
    return {
        "commune": issue(name="Hệ thống QLVB xã Một", agency=tree["commune"], roles=["drafter", "head"],
                         created_by=personas.admin),
        "drafter": issue(name="Phần mềm nhập liệu xã Một", agency=tree["commune"], roles=["drafter"],
                         created_by=personas.admin),
        "neighbour": issue(name="Hệ thống QLVB xã Hai", agency=neighbour[0], roles=["drafter", "head"],
                           created_by=personas.admin),
    }


def _state(report: Report) -> tuple:
    report.refresh_from_db()
    return (report.lock_version, report.status, report.results,
            sorted(ReportFigure.objects.filter(line__report=report).values_list("line_id", "counter_id", "value")),
            report.evidence.count(), ReportEvent.objects.filter(report=report).count())


def test_a_system_account_files_the_communes_q1_report_and_the_reviewer_sees_it(
        client, tree, personas, world, tokens):
    token, key = tokens["commune"]
    api = bearer(key)
    q1 = world.periods[Q1]
    # Find the report as another system would: by unit, year and period.
    listed = api.get(reverse("api:report_list"), {"agency": tree["commune"].pk, "year": 2026, "period": q1.pk})
    assert listed.status_code == 200, listed.content
    [row] = listed.json()["results"]
    assert row["status"] == "draft"
    url = reverse("api:report_detail", args=[row["id"]])
    detail = api.get(url)
    body, etag = detail.json(), detail["ETag"]
    assert body["permissions"] == {"edit": True, "submit": True, "review": False}
    lines = []
    for line in body["lines"]:
        figures = [{"counter": c["code"], "value": 40 + n, "approximate": False, "note": ""}
                   for n, c in enumerate(line["counters"])]
        lines.append({"id": line["id"], "state": "done", "percent": 100, "spent": 3_000_000,
                      "note": "Đã thực hiện qua trang thông tin điện tử xã.", "figures": figures})
    assert any(line["figures"] for line in lines)
    saved = api.patch(url, json.dumps({"results": "Đăng 40 tin bài về CCHC.", "shortcomings": "",
                                       "proposals": "Tập huấn kỹ năng viết tin.", "lines": lines}),
                      content_type="application/json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200, saved.content
    uploaded = api.post(reverse("api:report_evidence_list", args=[row["id"]]),
                        {"file": SimpleUploadedFile("bien-ban-Q1.pdf", PDF)}, HTTP_IF_MATCH=saved["ETag"])
    assert uploaded.status_code == 201, uploaded.content
    submitted = api.post(reverse("api:report_submit", args=[row["id"]]), HTTP_IF_MATCH=uploaded["ETag"])
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"

    report = Report.objects.get(pk=row["id"])
    assert report.status == Report.Status.SUBMITTED and report.results == "Đăng 40 tin bài về CCHC."
    assert report.lines.filter(state="done", percent=100).count() == len(lines)
    assert ReportFigure.objects.filter(line__report=report, value__gte=40).count() == sum(
        len(line["figures"]) for line in lines)
    assert Evidence.objects.get(report=report).original_name == "bien-ban-Q1.pdf"
    event = ReportEvent.objects.get(report=report)
    assert event.kind == "submitted" and event.user == token.user
    logged = AuditEvent.objects.filter(action="api_write")
    assert logged.count() == 3 and {e.api_token_id for e in logged} == {token.pk}

    # The reviewer's web pages: waiting for review in the list, submitted on the detail page.
    personas.login(client, "reviewer")
    index = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in index
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Chờ xem xét" in html and "Đăng 40 tin bài về CCHC." in html and "bien-ban-Q1.pdf" in html
    assert 'name="decision"' in html  # the review form is offered


def test_a_token_without_the_role_or_the_scope_writes_nothing(tree, personas, world, tokens, neighbour):
    report = world.report(tree["commune"], Q1)
    before = _state(report)
    etag = f'"{report.pk}-{report.lock_version}"'
    # A drafting-only system of the commune edits, but may not submit.
    drafter = bearer(tokens["drafter"][1])
    refused = drafter.post(reverse("api:report_submit", args=[report.pk]), HTTP_IF_MATCH=etag)
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert _state(report) == before
    # Another commune's system sees neither the report nor its files.
    other = bearer(tokens["neighbour"][1])
    for response in (
        other.get(reverse("api:report_detail", args=[report.pk])),
        other.patch(reverse("api:report_detail", args=[report.pk]), json.dumps({"results": "x"}),
                    content_type="application/json", HTTP_IF_MATCH=etag),
        other.post(reverse("api:report_submit", args=[report.pk]), HTTP_IF_MATCH=etag),
        other.post(reverse("api:report_evidence_list", args=[report.pk]),
                   {"file": SimpleUploadedFile("a.pdf", PDF)}, HTTP_IF_MATCH=etag),
    ):
        assert response.status_code == 404, response.content
    assert report.pk not in [r["id"] for r in other.get(reverse("api:report_list")).json()["results"]]
    # Nor may a unit's system review its own report.
    commune = bearer(tokens["commune"][1])
    assert commune.post(reverse("api:report_submit", args=[report.pk]), HTTP_IF_MATCH=etag).status_code == 200
    report.refresh_from_db()
    before = _state(report)
    response = commune.post(reverse("api:report_accept", args=[report.pk]),
                            HTTP_IF_MATCH=f'"{report.pk}-{report.lock_version}"')
    assert response.status_code == 403
    assert _state(report) == before
    assert AuditEvent.objects.filter(action="api_write").count() == 1  # the one submission
