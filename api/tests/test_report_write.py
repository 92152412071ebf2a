"""Writing reports through the API: the unit's drafter and head edit the
draft (lines, figures, narrative) under If-Match, with the web form's checks
and messages; evidence in and out; the head submits; the reviewer accepts
or returns. Per endpoint: allowed, wrong role, other agency, anonymous;
stale or missing If-Match; bad input per field; nothing written on any
refusal; every write logged."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.api_tokens import api_token_issue
from accounts.models import AuditEvent
from api.tests.report_helpers import (
    Q1,
    api,
    commune_drafter,
    detail_url,
    media,
    neighbour,
    tag,
    world,
)
from reports.models import Evidence, Report, ReportEvent, ReportFigure, ReportLine
from reports.tests.factories import PDF, line_counters, report_fill, report_sent

__all__ = ["commune_drafter", "media", "neighbour", "world"]  # fixtures


@pytest.fixture
def report(world, tree):
    """The commune's Q1 report, a draft with two lines."""
    return world.report(tree["commune"], Q1)


def snapshot(report: Report) -> tuple:
    """Everything a write could change, to prove a refusal wrote nothing."""
    report = Report.objects.get(pk=report.pk)
    return (
        report.lock_version, report.status, report.results, report.shortcomings, report.proposals,
        report.updated_at,
        sorted(ReportLine.objects.filter(report=report).values_list("pk", "state", "percent", "spent", "note",
                                                                     "review_comment")),
        sorted(ReportFigure.objects.filter(line__report=report).values_list("line_id", "counter_id", "value",
                                                                             "approximate", "note")),
        sorted(Evidence.objects.filter(report=report).values_list("pk", flat=True)),
        ReportEvent.objects.filter(report=report).count(),
        AuditEvent.objects.filter(action="api_write").count(),
    )


def lines_of(report):
    return list(report.lines.select_related("task__channel").prefetch_related("task__channel__counter_set"))


def counted_line(report):
    """A line of the report whose channel has counters, and its first counter."""
    for line in lines_of(report):
        counters = line_counters(line)
        if counters:
            return line, counters[0]
    raise AssertionError("no line with counters")


def patch(client, report, body, *, etag=None, raw=None, url=None):
    headers = {} if etag is False else {"HTTP_IF_MATCH": etag or tag(report)}
    data = raw if raw is not None else json.dumps(body)
    return client.patch(url or detail_url(report), data, content_type="application/json", **headers)


def post(client, url, body=None, *, report, etag=None):
    headers = {} if etag is False else {"HTTP_IF_MATCH": etag or tag(report)}
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


# Editing the draft ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["head", "cdrafter"])
def test_the_units_drafter_and_head_fill_lines_figures_and_narrative(personas, report, commune_drafter, persona):
    user = commune_drafter if persona == "cdrafter" else personas.head
    line, counter = counted_line(report)
    before = tag(report)
    response = patch(api(user), report, {
        "results": "Đã đăng 12 tin bài.", "proposals": "Bổ sung kinh phí.",
        "lines": [{"id": line.pk, "state": "in_progress", "percent": 60, "spent": 2_500_000, "note": "Đang làm",
                   "figures": [{"counter": counter.code, "value": 12, "approximate": True, "note": "gần 12"}]}],
    }, etag=before)
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert (line.state, line.percent, line.spent, line.note) == ("in_progress", 60, 2_500_000, "Đang làm")
    figure = ReportFigure.objects.get(line=line, counter=counter)
    assert (figure.value, figure.approximate, figure.note) == (12, True, "gần 12")
    assert response["ETag"] == tag(report) != before
    body = response.json()
    assert body["results"] == "Đã đăng 12 tin bài." and body["shortcomings"] == ""
    assert body["lock_version"] == report.lock_version
    logged = AuditEvent.objects.get(action="api_write")
    assert logged.user == user and logged.object_id == str(report.pk)
    # A field left out keeps its value; a figure set to null goes.
    response = patch(api(user), report, {"lines": [{"id": line.pk, "figures": [{"counter": counter.code,
                                                                                  "value": None}]}]})
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert line.percent == 60 and not ReportFigure.objects.filter(line=line, counter=counter).exists()
    report.refresh_from_db()
    assert report.results == "Đã đăng 12 tin bài." and report.proposals == "Bổ sung kinh phí."


def test_one_line_is_patched_at_its_own_address(personas, report):
    line = lines_of(report)[0]
    url = reverse("api:report_line", args=[report.pk, line.pk])
    response = patch(api(personas.head), report, {"state": "done", "percent": 100}, url=url)
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert (line.state, line.percent) == ("done", 100)
    other = Report.objects.exclude(pk=report.pk).filter(agency=report.agency).first()
    foreign = other.lines.first()
    response = patch(api(personas.head), report, {"percent": 5},
                     url=reverse("api:report_line", args=[report.pk, foreign.pk]))
    assert response.status_code == 404


def test_text_is_cleaned_at_the_boundary(personas, report):
    response = patch(api(personas.head), report, {"results": "Tuye\u0302\u0300n truye\u0302\u0300n\x00 xong"})
    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.results == "Tuyền truyền xong"


@pytest.mark.parametrize(("who", "code"), [
    ("reviewer", 403),  # reads the draft, may not edit it
    ("head2", 404),  # another commune's head
    ("outsider", 404),
    ("drafter", 404),  # the district's drafter: a unit's draft stays with the unit
    ("anonymous", (401, 403)),
])
def test_who_may_not_edit_writes_nothing(personas, report, neighbour, who, code):
    user = {"head2": neighbour[1], "anonymous": None}.get(who, getattr(personas, who, None))
    before = snapshot(report)
    line = lines_of(report)[0]
    response = patch(api(user), report, {"results": "x", "lines": [{"id": line.pk, "percent": 10}]})
    assert response.status_code in (code if isinstance(code, tuple) else (code,))
    assert response.json()["detail"]
    assert snapshot(report) == before


def test_a_sent_report_is_not_edited(personas, report):
    report_sent(report_fill(report), by=personas.head)
    before = snapshot(report)
    response = patch(api(personas.head), report, {"results": "sửa sau khi nộp"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Báo cáo đã nộp (trạng thái Chờ xem xét), không sửa được nữa."
    assert snapshot(report) == before


@pytest.mark.parametrize("body", [{}, {"lines": []}])
def test_an_empty_patch_is_refused_and_writes_nothing(personas, report, body):
    before = snapshot(report)
    line = report.lines.first()
    for url, sent in ((None, body), (reverse("api:report_line", args=[report.pk, line.pk]), {})):
        response = patch(api(personas.head), report, sent, url=url)
        assert response.status_code == 400, response.content
        assert response.json() == {"non_field_errors": ["Không có gì để sửa: hãy gửi ít nhất một trường."]}
    assert snapshot(report) == before  # same ETag, no api_write logged


# Optimistic locking -----------------------------------------------------------------


def test_a_write_without_if_match_is_428_and_a_stale_one_412_writing_nothing(personas, report):
    client = api(personas.head)
    line = lines_of(report)[0]
    body = {"results": "Bản của tôi", "lines": [{"id": line.pk, "percent": 30}]}
    before = snapshot(report)
    missing = patch(client, report, body, etag=False)
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    assert snapshot(report) == before
    read = tag(report)
    assert patch(client, report, {"results": "Bản của người khác"}, etag=read).status_code == 200
    before = snapshot(report)
    stale = patch(client, report, body, etag=read)
    assert stale.status_code == 412
    assert stale.json()["detail"].startswith("Dữ liệu đã được người khác lưu")
    assert snapshot(report) == before
    for junk in ("*", '"abc"', f'"{report.pk + 1}-{report.lock_version}"', '"1-99999999999999999999"', "W/"):
        response = patch(client, report, body, etag=junk)
        assert response.status_code in (412, 428), junk
        assert snapshot(report) == before
    report.refresh_from_db()
    weak = f'W/"{report.pk}-{report.lock_version}"'
    assert patch(client, report, body, etag=weak).status_code == 200


def test_every_write_endpoint_asks_for_if_match(personas, report):
    report_fill(report)
    client = api(personas.head)
    evidence = client.post(reverse("api:report_evidence_list", args=[report.pk]),
                           {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert evidence.status_code == 428
    ev = Evidence.objects.create(report=report, original_name="x.pdf", content_type="application/pdf", size=1,
                                 sha256="0" * 64)
    assert client.delete(reverse("api:report_evidence", args=[report.pk, ev.pk])).status_code == 428
    assert post(client, reverse("api:report_submit", args=[report.pk]), report=report, etag=False).status_code == 428
    report_sent(report, by=personas.head)
    reviewer = api(personas.reviewer)
    for name, body in (("api:report_accept", {}), ("api:report_return", {"comment": "Sửa"})):
        response = post(reviewer, reverse(name, args=[report.pk]), body, report=report, etag=False)
        assert response.status_code == 428
        stale = post(reviewer, reverse(name, args=[report.pk]), body, report=report,
                     etag=f'"{report.pk}-{report.lock_version - 1}"')
        assert stale.status_code == 412
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


# Bad input --------------------------------------------------------------------------


def _bad_line_cases(line, counter):
    """(body, path to the field named, a piece of the message)."""
    return [
        ({"lines": [{"id": line.pk, "percent": 150}]}, ["lines", 0, "percent"], "Tiến độ là số từ 0 đến 100."),
        ({"lines": [{"id": line.pk, "percent": -1}]}, ["lines", 0, "percent"], "Tiến độ là số từ 0 đến 100."),
        ({"lines": [{"id": line.pk, "percent": "50"}]}, ["lines", 0, "percent"], "số nguyên"),
        ({"lines": [{"id": line.pk, "percent": 50.5}]}, ["lines", 0, "percent"], "số nguyên"),
        ({"lines": [{"id": line.pk, "percent": True}]}, ["lines", 0, "percent"], "số nguyên"),
        ({"lines": [{"id": line.pk, "spent": "1.000.000"}]}, ["lines", 0, "spent"], "số nguyên"),
        ({"lines": [{"id": line.pk, "spent": -5}]}, ["lines", 0, "spent"], "Nhập số tiền"),
        ({"lines": [{"id": line.pk, "spent": 10**16}]}, ["lines", 0, "spent"], "Nhập số tiền"),
        ({"lines": [{"id": line.pk, "state": "finished"}]}, ["lines", 0, "state"], "không phải tình trạng"),
        ({"lines": [{"id": line.pk, "state": "done", "percent": 40}]}, ["lines", 0, "percent"],
         "Nhiệm vụ hoàn thành thì tiến độ là 100%."),
        ({"lines": [{"id": line.pk, "note": 5}]}, ["lines", 0, "note"], "chuỗi"),
        ({"lines": [{"id": line.pk, "colour": "red"}]}, ["lines", 0, "colour"], "không được hỗ trợ"),
        ({"lines": [{"id": 10**9, "percent": 5}]}, ["lines", 0, "id"], "không thuộc báo cáo này"),
        ({"lines": [{"id": line.pk}, {"id": line.pk}]}, ["lines", 1, "id"], "hai lần"),
        ({"lines": [{"percent": 5}]}, ["lines", 0, "id"], "bắt buộc"),
        ({"lines": {"id": line.pk}}, ["lines"], "danh sách"),
        ({"results": 12}, ["results"], "chuỗi"),
        ({"results": None}, ["results"], "null"),
        ({"status": "accepted"}, ["status"], "không được hỗ trợ"),
        ({"lock_version": 1}, ["lock_version"], "không được hỗ trợ"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": "khong-co", "value": 1}]}]},
         ["lines", 0, "figures", 0, "counter"], "không dùng cho hình thức"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": counter.max_value + 1}]}]},
         ["lines", 0, "figures", 0, "value"], "Số liệu quá lớn cho một kỳ"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": -3}]}]},
         ["lines", 0, "figures", 0, "value"], "không âm"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": "3"}]}]},
         ["lines", 0, "figures", 0, "value"], "số nguyên"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code}]}]},
         ["lines", 0, "figures", 0, "value"], "bắt buộc"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": 1, "approximate": "yes"}]}]},
         ["lines", 0, "figures", 0, "approximate"], "true hoặc false"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": 1, "note": "x" * 201}]}]},
         ["lines", 0, "figures", 0, "note"], "200"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": 1},
                                                {"counter": counter.code, "value": 2}]}]},
         ["lines", 0, "figures", 1, "counter"], "hai lần"),
        ({"lines": [{"id": line.pk, "figures": [{"counter": counter.code, "value": 1, "unit": "cái"}]}]},
         ["lines", 0, "figures", 0, "unit"], "không được hỗ trợ"),
    ]


def _at(errors, path):
    """Follow `path` through the errors; list indexes are keys, as DRF's ListField gives them."""
    for key in path:
        errors = errors[str(key) if isinstance(key, int) else key]
    return errors


def test_bad_input_is_a_400_per_field_in_vietnamese_writing_nothing(personas, report):
    line, counter = counted_line(report)
    client = api(personas.head)
    for body, path, message in _bad_line_cases(line, counter):
        before = snapshot(report)
        # A valid change beside the bad one: refused together.
        response = patch(client, report, {"proposals": "phải không được lưu", **body})
        assert response.status_code == 400, (body, response.content)
        messages = _at(response.json(), path)
        assert any(message in m for m in messages), (body, response.json())
        assert snapshot(report) == before, body


def test_a_valid_line_beside_a_bad_one_is_not_saved_either(personas, report):
    first, second = lines_of(report)
    before = snapshot(report)
    response = patch(api(personas.head), report, {"lines": [{"id": first.pk, "percent": 40},
                                                            {"id": second.pk, "percent": 400}]})
    assert response.status_code == 400
    assert list(response.json()["lines"]) == ["1"] and response.json()["lines"]["1"]["percent"]
    assert snapshot(report) == before


@pytest.mark.parametrize("raw", ["{", "nul", '{"results": "a"', "\xff\xfe", "[1, 2]", '"text"', "123", "null"])
def test_malformed_or_non_object_json_is_a_400_in_vietnamese(personas, report, raw):
    before = snapshot(report)
    response = patch(api(personas.head), report, None, raw=raw.encode("latin-1"))
    assert response.status_code == 400, response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "JSON" in text and ("hợp lệ" in text or "đối tượng" in text), text
    assert snapshot(report) == before


def test_another_content_type_is_refused(personas, report):
    response = api(personas.head).patch(detail_url(report), "results=x", content_type="text/plain",
                                        HTTP_IF_MATCH=tag(report))
    assert response.status_code == 415
    assert "không được nhận" in response.json()["detail"]


def test_an_oversized_json_body_is_refused(personas, report, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = snapshot(report)
    response = patch(api(personas.head), report, {"results": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Nội dung yêu cầu vượt quá giới hạn")
    assert snapshot(report) == before


# Evidence ---------------------------------------------------------------------------


def upload(client, report, name, content, *, etag=None, **extra):
    headers = {} if etag is False else {"HTTP_IF_MATCH": etag or tag(report)}
    return client.post(reverse("api:report_evidence_list", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, content), **extra}, **headers)


def test_evidence_is_uploaded_once_listed_downloaded_and_deleted(personas, report, commune_drafter):
    client = api(commune_drafter)
    before = tag(report)
    response = upload(client, report, "Biên bản.pdf", PDF, etag=before)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Biên bản.pdf" and body["size"] == len(PDF) and body["content_type"] == "application/pdf"
    assert response["ETag"] == tag(report) != before
    assert upload(client, report, "lan-hai.pdf", PDF).status_code == 201  # the same content: kept once
    assert Evidence.objects.filter(report=report).count() == 1
    download = client.get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    evidence_id = body["id"]
    url = reverse("api:report_evidence", args=[report.pk, evidence_id])
    assert api(personas.reviewer).delete(url, HTTP_IF_MATCH=tag(report)).status_code == 403
    assert client.delete(url, HTTP_IF_MATCH=tag(report)).status_code == 204
    assert not Evidence.objects.filter(pk=evidence_id).exists()
    assert AuditEvent.objects.filter(action="api_write").count() == 3


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.pdf", b"hello, not a pdf", "Nội dung tệp không phải PDF"),
    ("a.png", PDF, "Đuôi tên tệp không khớp"),
    ("a.pdf", b"", "Tệp rỗng."),
    ("a.docx", b"PK\x03\x04" + b"\x00" * 40, "Nội dung tệp không phải"),
])
def test_a_bad_file_is_refused_as_the_page_refuses_it(personas, report, name, content, message):
    before = snapshot(report)
    response = upload(api(personas.head), report, name, content)
    assert response.status_code == 400, response.content
    assert any(message in m for m in response.json()["file"]), response.json()
    assert snapshot(report) == before


def test_an_upload_needs_a_file_field_and_no_other(personas, report):
    client = api(personas.head)
    before = snapshot(report)
    response = client.post(reverse("api:report_evidence_list", args=[report.pk]), {},
                           HTTP_IF_MATCH=tag(report))
    assert response.status_code in (400, 415)
    response = upload(client, report, "a.pdf", PDF, comment="x")
    assert response.status_code == 400 and "comment" in response.json()
    response = client.post(reverse("api:report_evidence_list", args=[report.pk]), json.dumps({"file": "x"}),
                           content_type="application/json", HTTP_IF_MATCH=tag(report))
    assert response.status_code == 415
    assert snapshot(report) == before


def test_a_file_over_10_mb_is_refused(personas, report, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
    before = snapshot(report)
    big = PDF + b"0" * (10 * 1024 * 1024 + 1)
    response = upload(api(personas.head), report, "big.pdf", big)
    assert response.status_code in (400, 413)
    assert "10 MB" in json.dumps(response.json(), ensure_ascii=False)
    assert snapshot(report) == before


@pytest.mark.parametrize(("who", "code"), [("reviewer", 403), ("head2", 404), ("outsider", 404),
                                           ("anonymous", (401, 403))])
def test_who_may_not_edit_uploads_and_deletes_nothing(personas, report, neighbour, who, code):
    user = {"head2": neighbour[1], "anonymous": None}.get(who, getattr(personas, who, None))
    evidence = Evidence.objects.create(report=report, original_name="x.pdf", content_type="application/pdf",
                                       size=1, sha256="0" * 64)
    before = snapshot(report)
    codes = code if isinstance(code, tuple) else (code,)
    assert upload(api(user), report, "a.pdf", PDF).status_code in codes
    url = reverse("api:report_evidence", args=[report.pk, evidence.pk])
    assert api(user).delete(url, HTTP_IF_MATCH=tag(report)).status_code in codes
    assert snapshot(report) == before


# Submit and review ------------------------------------------------------------------


def test_the_head_submits_and_a_drafter_may_not(personas, report, commune_drafter):
    report_fill(report)
    url = reverse("api:report_submit", args=[report.pk])
    before = snapshot(report)
    refused = post(api(commune_drafter), url, report=report)
    assert refused.status_code == 403
    assert snapshot(report) == before
    assert post(api(personas.head), url, {"note": "x"}, report=report).status_code == 400
    response = post(api(personas.head), url, report=report)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response["ETag"] == tag(report)
    assert ReportEvent.objects.get(report=report).kind == "submitted"
    again = post(api(personas.head), url, report=report)
    assert again.status_code == 409  # no longer open for submission
    assert again.json()["detail"] == "Báo cáo đã nộp (trạng thái Chờ xem xét), không sửa được nữa."


def test_an_evidence_download_with_a_token_is_logged_with_it(personas, report, tree):
    uploaded = api(personas.head).post(reverse("api:report_evidence_list", args=[report.pk]),
                                       {"file": SimpleUploadedFile("bien-ban.pdf", PDF + b"x")},
                                       HTTP_IF_MATCH=tag(report))
    assert uploaded.status_code == 201, uploaded.content
    token, key = api_token_issue(name="Văn bản", agency=tree["commune"], roles=["drafter"])
    response = api().get(uploaded.json()["download_url"], HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="download_evidence")
    assert event.api_token == token and event.user == token.user
    assert event.object_id == str(uploaded.json()["id"])


@pytest.mark.parametrize("name", ["detail", "line", "upload", "delete", "submit"])
def test_a_sent_report_is_closed_to_its_unit_and_still_forbidden_to_others(
        personas, report, neighbour, commune_drafter, name):
    evidence = Evidence.objects.create(report=report, original_name="x.pdf", content_type="application/pdf",
                                       size=1, sha256="0" * 64)
    report_sent(report_fill(report), by=personas.head)
    label = Report.objects.get(pk=report.pk).get_status_display()
    before = snapshot(report)
    line = report.lines.first()
    # The unit's head (and its drafter, for what a drafter may do) hear why.
    unit = [personas.head] + ([] if name == "submit" else [commune_drafter])
    for user in unit:
        response = _call(api(user), name, report, evidence, line)
        assert response.status_code == 409, (user, response.content)
        assert response.json()["detail"] == f"Báo cáo đã nộp (trạng thái {label}), không sửa được nữa."
    # A wrong role keeps its 403, another unit its 404.
    wrong = personas.reviewer if name != "submit" else commune_drafter
    response = _call(api(wrong), name, report, evidence, line)
    assert response.status_code == 403 and "không có quyền" in response.json()["detail"]
    assert _call(api(neighbour[1]), name, report, evidence, line).status_code == 404
    assert snapshot(report) == before


def test_the_reviewer_returns_with_comments_then_accepts(personas, report, neighbour):
    report_sent(report_fill(report), by=personas.head)
    first, second = lines_of(report)
    client = api(personas.reviewer)
    url = reverse("api:report_return", args=[report.pk])
    before = snapshot(report)
    for body, field in (({"comment": "  "}, "comment"), ({}, "comment"),
                        ({"comment": "Sửa", "line_comments": [{"line": 10**9, "comment": "x"}]}, "line_comments"),
                        ({"comment": "Sửa", "decision": "accept"}, "decision")):
        response = post(client, url, body, report=report)
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    assert post(api(personas.head), url, {"comment": "Sửa"}, report=report).status_code == 403
    assert post(api(neighbour[1]), url, {"comment": "Sửa"}, report=report).status_code == 404
    assert snapshot(report) == before
    response = post(client, url, {"comment": "Bổ sung minh chứng.",
                                  "line_comments": [{"line": first.pk, "comment": "Thiếu số liệu."}]}, report=report)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "returned"
    assert {line["id"]: line["review_comment"] for line in body["lines"]} == {first.pk: "Thiếu số liệu.",
                                                                             second.pk: ""}
    assert body["events"][-1]["comment"] == "Bổ sung minh chứng."
    # The head sends it again; the reviewer accepts.
    assert post(api(personas.head), reverse("api:report_submit", args=[report.pk]), report=report).status_code == 200
    accept = reverse("api:report_accept", args=[report.pk])
    assert post(api(personas.head), accept, report=report).status_code == 403
    response = post(client, accept, {"comment": "Đầy đủ."}, report=report)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert post(client, accept, report=report).status_code == 403  # already accepted
    assert AuditEvent.objects.filter(action="api_write", user=personas.reviewer).count() == 2


# The permission matrix, per endpoint ------------------------------------------------

ENDPOINTS = {
    # name: (method, state the report is in, who may, who has the wrong role)
    "detail": ("patch", "draft", "head", "reviewer"),
    "line": ("patch", "draft", "cdrafter", "reviewer"),
    "upload": ("post", "draft", "cdrafter", "reviewer"),
    "delete": ("delete", "draft", "head", "reviewer"),
    "submit": ("post", "draft", "head", "cdrafter"),
    "accept": ("post", "submitted", "reviewer", "head"),
    "return": ("post", "submitted", "reviewer", "cdrafter"),
}
OK = {"detail": 200, "line": 200, "upload": 201, "delete": 204, "submit": 200, "accept": 200, "return": 200}


def _call(client, name, report, evidence, line):
    headers = {"HTTP_IF_MATCH": tag(report)}
    if name == "detail":
        return client.patch(detail_url(report), json.dumps({"results": "Mới"}), content_type="application/json",
                            **headers)
    if name == "line":
        return client.patch(reverse("api:report_line", args=[report.pk, line.pk]), json.dumps({"percent": 5}),
                            content_type="application/json", **headers)
    if name == "upload":
        return client.post(reverse("api:report_evidence_list", args=[report.pk]),
                           {"file": SimpleUploadedFile("moi.pdf", PDF + b"moi")}, **headers)
    if name == "delete":
        return client.delete(reverse("api:report_evidence", args=[report.pk, evidence.pk]), **headers)
    body = {"comment": "Sửa lại."} if name == "return" else {}
    return client.post(reverse(f"api:report_{name}", args=[report.pk]), json.dumps(body),
                       content_type="application/json", **headers)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize("who", ["allowed", "wrong role", "other commune", "other district", "anonymous"])
def test_each_write_endpoint_answers_by_role_and_scope(personas, report, neighbour, commune_drafter, name, who):
    method, state, allowed, wrong = ENDPOINTS[name]
    evidence = Evidence.objects.create(report=report, original_name="x.pdf", content_type="application/pdf",
                                       size=1, sha256="0" * 64)
    if state == "submitted":
        report_sent(report_fill(report), by=personas.head)
    users = {"head": personas.head, "reviewer": personas.reviewer, "cdrafter": commune_drafter}
    user = {"allowed": users[allowed], "wrong role": users[wrong], "other commune": neighbour[1],
            "other district": personas.outsider, "anonymous": None}[who]
    before = snapshot(report)
    response = _call(api(user), name, report, evidence, report.lines.first())
    expected = {"allowed": (OK[name],), "wrong role": (403,), "other commune": (404,), "other district": (404,),
                "anonymous": (401, 403)}[who]
    assert response.status_code in expected, response.content
    if who == "allowed":
        assert AuditEvent.objects.filter(action="api_write", user=user).count() == 1
    else:
        assert response.json()["detail"]
        assert snapshot(report) == before
