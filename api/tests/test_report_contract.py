"""The report endpoints answer as the OpenAPI schema says: each response of
an allowed caller validated against the schema's own response definition
(drf-spectacular's OpenAPI 3.0 `nullable` read as JSON Schema's null type),
and every report operation documents its refusals."""

import json

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.tests.report_helpers import Q1, api, media, neighbour, tag, world
from reports.tests.factories import PDF, report_fill, report_sent

__all__ = ["media", "neighbour", "world"]  # fixtures


def _json_schema(node):
    """OpenAPI 3.0 to JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [{k: v for k, v in node.items()}, {"type": "null"}]}
    return node


@pytest.fixture
def schema(client, db):
    document = client.get(reverse("api:schema"), {"format": "json"}).json()
    return document


def check(schema: dict, path: str, method: str, response) -> None:
    operation = schema["paths"][path][method]
    answer = operation["responses"][str(response.status_code)]
    definition = answer["content"]["application/json"]["schema"]
    resolver_root = {"components": _json_schema(schema["components"]), **_json_schema(definition)}
    jsonschema.validate(response.json(), resolver_root)


def test_report_responses_match_the_schema(schema, tree, personas, world):
    report = report_fill(world.report(tree["commune"], Q1))
    head, reviewer = api(personas.head), api(personas.reviewer)
    check(schema, "/api/v1/reports/", "get", reviewer.get(reverse("api:report_list")))
    detail = "/api/v1/reports/{report_id}/"
    check(schema, detail, "get", head.get(reverse("api:report_detail", args=[report.pk])))
    line = report.lines.first()
    patched = head.patch(reverse("api:report_detail", args=[report.pk]),
                         json.dumps({"results": "x", "lines": [{"id": line.pk, "percent": 20}]}),
                         content_type="application/json", HTTP_IF_MATCH=tag(report))
    check(schema, detail, "patch", patched)
    check(schema, "/api/v1/reports/{report_id}/lines/{line_id}/", "patch",
          head.patch(reverse("api:report_line", args=[report.pk, line.pk]), json.dumps({"note": "n"}),
                     content_type="application/json", HTTP_IF_MATCH=tag(report)))
    uploaded = head.post(reverse("api:report_evidence_list", args=[report.pk]),
                         {"file": SimpleUploadedFile("a.pdf", PDF)}, HTTP_IF_MATCH=tag(report))
    check(schema, "/api/v1/reports/{report_id}/evidence/", "post", uploaded)
    check(schema, "/api/v1/reports/{report_id}/evidence/", "get",
          head.get(reverse("api:report_evidence_list", args=[report.pk])))
    bad = head.patch(reverse("api:report_detail", args=[report.pk]), json.dumps({"results": 1}),
                     content_type="application/json", HTTP_IF_MATCH=tag(report))
    assert bad.status_code == 400
    for code, response in (
        ("412", head.patch(reverse("api:report_detail", args=[report.pk]), "{}", content_type="application/json",
                           HTTP_IF_MATCH='"0-0"')),
        ("428", head.patch(reverse("api:report_detail", args=[report.pk]), "{}", content_type="application/json")),
        ("404", api(personas.outsider).get(reverse("api:report_detail", args=[report.pk]))),
    ):
        assert str(response.status_code) == code
        method = "get" if code == "404" else "patch"
        check(schema, detail, method, response)
    submitted = head.post(reverse("api:report_submit", args=[report.pk]), HTTP_IF_MATCH=tag(report))
    check(schema, "/api/v1/reports/{report_id}/submit/", "post", submitted)
    check(schema, "/api/v1/reports/{report_id}/return/", "post",
          reviewer.post(reverse("api:report_return", args=[report.pk]), json.dumps({"comment": "Sửa"}),
                        content_type="application/json", HTTP_IF_MATCH=tag(report)))
    report_sent(report, by=personas.head)
    check(schema, "/api/v1/reports/{report_id}/accept/", "post",
          reviewer.post(reverse("api:report_accept", args=[report.pk]), HTTP_IF_MATCH=tag(report)))


def test_every_report_write_documents_if_match_and_its_refusals(schema):
    writes = [(path, method, op) for path, ops in schema["paths"].items() if path.startswith("/api/v1/reports/")
              for method, op in ops.items() if method in ("post", "patch", "delete")]
    assert len(writes) == 7
    for path, method, operation in writes:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "If-Match" in headers, (path, method)
        assert {"403", "404", "412", "428"} <= set(operation["responses"]), (path, method)
        assert operation["summary"] and operation["tags"] == ["Báo cáo"]
