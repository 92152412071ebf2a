"""The report endpoints answer as the OpenAPI schema says: each response,
allowed or refused, has a documented status and a body matching its
definition; every report write documents If-Match and its refusals."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.tests.report_helpers import Q1, api, media, neighbour, tag, world
from api.tests.schema_check import assert_matches_schema
from reports.tests.factories import PDF, report_fill, report_sent

__all__ = ["media", "neighbour", "world"]  # fixtures


@pytest.fixture
def schema(client, db):
    return client.get(reverse("api:schema"), {"format": "json"}).json()


def check(response, method: str = "GET") -> None:
    """The response's status is documented for its operation and its body matches (api/tests/schema_check.py)."""
    assert_matches_schema(response, method=method)


def test_report_responses_match_the_schema(tree, personas, world, settings):
    report = report_fill(world.report(tree["commune"], Q1))
    head, reviewer = api(personas.head), api(personas.reviewer)
    detail = reverse("api:report_detail", args=[report.pk])
    check(reviewer.get(reverse("api:report_list")))
    check(reviewer.get(reverse("api:report_list"), {"year": "abc"}))  # 400
    check(head.get(detail))
    check(api(personas.outsider).get(detail))  # 404
    check(api().get(detail))  # 401
    line = report.lines.first()

    def patch(client, url, body, **headers):
        return client.patch(url, body if isinstance(body, str) else json.dumps(body),
                            content_type="application/json", **headers)

    check(patch(head, detail, {"results": "x", "lines": [{"id": line.pk, "percent": 20}]},
                HTTP_IF_MATCH=tag(report)), "PATCH")
    check(patch(head, reverse("api:report_line", args=[report.pk, line.pk]), {"note": "n"},
                HTTP_IF_MATCH=tag(report)), "PATCH")
    check(patch(head, detail, {"results": 1, "lines": [{"id": line.pk, "percent": 500}]},
                HTTP_IF_MATCH=tag(report)), "PATCH")  # 400
    check(patch(head, detail, "{", HTTP_IF_MATCH=tag(report)), "PATCH")  # 400, malformed
    check(patch(head, detail, {}, HTTP_IF_MATCH='"0-0"'), "PATCH")  # 412
    check(patch(head, detail, {}), "PATCH")  # 428
    check(patch(reviewer, detail, {}, HTTP_IF_MATCH=tag(report)), "PATCH")  # 403
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    check(patch(head, detail, {"results": "x" * 200}, HTTP_IF_MATCH=tag(report)), "PATCH")  # 413
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
    evidence = reverse("api:report_evidence_list", args=[report.pk])
    check(head.post(evidence, {"file": SimpleUploadedFile("a.pdf", PDF)}, HTTP_IF_MATCH=tag(report)), "POST")
    check(head.post(evidence, {"file": SimpleUploadedFile("a.pdf", b"junk")}, HTTP_IF_MATCH=tag(report)), "POST")
    check(head.get(evidence))
    submit = reverse("api:report_submit", args=[report.pk])
    check(head.post(submit, HTTP_IF_MATCH=tag(report)), "POST")
    back = reverse("api:report_return", args=[report.pk])
    check(reviewer.post(back, {"comment": " "}, format="json", HTTP_IF_MATCH=tag(report)), "POST")  # 400
    check(reviewer.post(back, {"comment": "Sửa"}, format="json", HTTP_IF_MATCH=tag(report)), "POST")
    report_sent(report, by=personas.head)
    check(reviewer.post(reverse("api:report_accept", args=[report.pk]), HTTP_IF_MATCH=tag(report)), "POST")


def test_every_report_write_documents_if_match_and_its_refusals(schema):
    writes = [(path, method, op) for path, ops in schema["paths"].items() if path.startswith("/api/v1/reports/")
              for method, op in ops.items() if method in ("post", "patch", "delete")]
    assert len(writes) == 7
    for path, method, operation in writes:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "If-Match" in headers, (path, method)
        assert {"400", "401", "403", "404", "412", "413", "428"} <= set(operation["responses"]), (path, method)
        assert operation["summary"] and operation["tags"] == ["Báo cáo"]
