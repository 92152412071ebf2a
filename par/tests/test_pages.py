"""The PAR pages: the home list, a unit's self-assessment (notes, files,
manual points, submission), the appraisal and the return, the unit's XLSX;
who may do what (the permission matrix), and bad input refused with a
message and nothing written."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from par import services
from par.models import Assessment, AssessmentItem, Measure
from reports.models import ReportLine
from reports.tests.factories import PDF, report_fill, report_sent, report_world

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(tree, personas, media):
    """The district's 2026 plan with two tasks led by the commune (one done
    in an accepted Quý I report) and one by Phòng Nội vụ."""
    world = report_world(tree=tree, personas=personas, leads=("commune", "commune", "home_affairs"))
    report = world.report(tree["commune"], "Quý I/2026")
    report_fill(report)
    line = report.lines.order_by("task__position", "pk").first()
    line.state, line.percent = ReportLine.Progress.DONE, 100
    line.save()
    report_sent(report, by=personas.head, accept_by=personas.reviewer)
    return world


def page(agency, year=YEAR) -> str:
    return reverse("par:assessment", args=[agency.pk, year])


def opened(agency, year=YEAR) -> Assessment:
    return services.assessment_open(agency=agency, year=year)


def leaf(assessment: Assessment, code: str) -> AssessmentItem:
    return assessment.items.select_related("criterion").get(criterion__code=code)


def snapshot(assessment: Assessment) -> list[tuple]:
    """What the pages may write, to check a refusal wrote nothing."""
    assessment.refresh_from_db()
    items = list(assessment.items.order_by("pk").values_list(
        "note", "file", "file_name", "self_points", "appraised_points", "appraisal_comment"))
    return [(assessment.status, assessment.self_total, assessment.final_total, assessment.lock_version), *items]


def item_post(item: AssessmentItem, **fields) -> dict:
    data = {"action": "item", "item": str(item.pk)}
    data |= {f"item-{item.pk}-{name}": value for name, value in fields.items()}
    return data


def appraise_post(assessment: Assessment, decisions: dict[str, tuple[str, str]]) -> dict:
    """decisions: criterion code -> (points text, comment); the other items left empty."""
    data = {"action": "appraise"}
    for item in assessment.items.select_related("criterion"):
        points, comment = decisions.get(item.criterion.code, ("", ""))
        data[f"appraise-points_{item.pk}"] = points
        data[f"appraise-comment_{item.pk}"] = comment
    return data


# The home page.


def test_home_lists_own_scored_units_with_status(client, tree, personas):
    opened(tree["commune"])
    personas.login(client, "head")
    response = client.get(reverse("par:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert tree["commune"].name in body and tree["district"].name in body  # both scored, both the head's
    assert "Đang tự đánh giá" in body and "Chưa tự đánh giá" in body
    assert reverse("par:ranking") not in body  # heads do not rank
    assert 'aria-current="page">Chỉ số CCHC' in body  # the menu entry, marked current


@pytest.mark.parametrize("query", ["?nam=abc", "?nam=1800", "?nam=99999999999999999999999", "?nam=", "?nam=2026.5"])
def test_home_bad_year_gives_the_current_year(client, tree, personas, query):
    personas.login(client, "reviewer")
    response = client.get(reverse("par:home") + query)
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert f"{reverse('par:ranking')}?nam={timezone.localdate().year}&amp;goc={tree['district'].pk}" in \
        response.content.decode()


def test_home_for_a_reviewer_links_the_ranking_and_lists_no_own_unit(client, tree, personas):
    personas.login(client, "reviewer")
    body = client.get(reverse("par:home") + "?nam=2025").content.decode()
    assert f"{reverse('par:ranking')}?nam=2025&amp;goc={tree['district'].pk}" in body
    assert 'id="par-no-units"' in body  # Phòng Nội vụ itself is not scored


# Who may open the assessment page.


@pytest.mark.parametrize("persona, status", [
    ("head", 200),  # head of the commune
    ("drafter", 200),  # drafter at the district above: reads
    ("reviewer", 200),  # Phòng Nội vụ of the district
    ("admin", 200),
    ("outsider", 403),  # the sibling district's people
])
def test_assessment_page_permission_matrix(client, tree, personas, persona, status):
    opened(tree["commune"])  # the unit opened it (a reader's visit creates nothing: see below)
    personas.login(client, persona)
    assert client.get(page(tree["commune"])).status_code == status
    assert client.get(reverse("par:assessment_xlsx", args=[tree["commune"].pk, YEAR])).status_code == status


def test_a_readers_visit_creates_nothing_the_units_own_does(client, tree, personas):
    personas.login(client, "reviewer")
    response = client.get(page(tree["commune"]))
    assert response.status_code == 200 and 'id="not-started"' in response.content.decode()
    assert client.get(reverse("par:assessment_xlsx", args=[tree["commune"].pk, YEAR])).status_code == 404
    assert not Assessment.objects.exists()
    personas.login(client, "head")
    assert 'id="par-criteria"' in client.get(page(tree["commune"])).content.decode()
    assert Assessment.objects.filter(agency=tree["commune"], year=YEAR).exists()


def test_assessment_page_of_an_unscored_unit_or_a_bad_year_is_404(client, tree, personas):
    personas.login(client, "reviewer")
    assert client.get(page(tree["home_affairs"])).status_code == 404  # a phòng: not scored
    assert client.get(page(tree["commune"], 1990)).status_code == 404
    assert client.get(page(tree["commune"], timezone.localdate().year + 5)).status_code == 404
    assert client.get(reverse("par:assessment", args=[999999, YEAR])).status_code == 404
    assert not Assessment.objects.exists()


def test_page_shows_computation_records_rules_and_links(client, tree, personas, world):
    personas.login(client, "head")
    response = client.get(page(tree["commune"]))
    body = response.content.decode()
    assessment = Assessment.objects.get(agency=tree["commune"], year=YEAR)
    tasks = leaf(assessment, "1.4.2")
    assert tasks.computation["summary"] == "Hoàn thành 1/2 nhiệm vụ được giao chủ trì = 50%."
    assert tasks.computation["summary"] in body
    # A task links to its plan, a report to itself; the rule as a grader reads it.
    assert reverse("plans:detail", args=[world.plan.pk]) in body
    report = world.report(tree["commune"], "Quý I/2026")
    assert reverse("reports:detail", args=[report.pk]) in body
    assert "≥ 100 → 1 điểm; ≥ 80 → 0,5 điểm; thấp hơn → 0" in body
    assert 'id="submit-link"' in body and f'name="item-{tasks.pk}-note"' in body
    # The district's own assessment lists its plan, issued on 08/01/2026.
    body = client.get(page(tree["district"])).content.decode()
    assert reverse("plans:detail", args=[world.plan.pk]) in body
    assert "Ban hành ngày 08/01/2026" in body


def test_page_lists_the_evidence_files_with_their_download_link(client, tree, personas, world):
    from par.models import Tag
    from reports import services as report_services

    report = world.report(tree["commune"], "Quý III/2026")
    report_fill(report)
    evidence = report_services.evidence_add(report=report, name="anh-hoi-nghi.pdf", content=PDF,
                                            content_type="application/pdf", user=personas.head)
    report_sent(report, by=personas.head)
    assessment = opened(tree["commune"])
    tag = leaf(assessment, "1.4.2").criterion.tag
    Tag.objects.get(pk=tag.pk).evidence.add(evidence)
    personas.login(client, "reviewer")
    body = client.get(page(tree["commune"])).content.decode()
    assert reverse("reports:evidence", args=[report.pk, evidence.pk]) in body
    assert "anh-hoi-nghi.pdf" in body


def test_read_only_viewers_get_no_forms(client, tree, personas, world):
    opened(tree["commune"])
    personas.login(client, "drafter")  # drafter of the district: reads the commune, writes nothing there
    body = client.get(page(tree["commune"])).content.decode()
    assert 'name="action" value="item"' not in body and 'id="submit-link"' not in body
    assert 'value="appraise"' not in body


# The unit's notes, files and manual points.


def test_head_saves_a_note_and_a_file_then_downloads_it(client, tree, personas, world):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.2")
    personas.login(client, "head")
    upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    response = client.post(page(tree["commune"]), item_post(item, note="Nhiệm vụ 2 làm trong quý IV.", file=upload))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.note == "Nhiệm vụ 2 làm trong quý IV." and item.file_name == "bien-ban.pdf" and item.file
    body = client.get(page(tree["commune"])).content.decode()
    file_url = reverse("par:item_file", args=[tree["commune"].pk, YEAR, item.pk])
    assert file_url in body
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    # The reviewer above may download it; the outsider may not.
    personas.login(client, "reviewer")
    assert client.get(file_url).status_code == 200
    personas.login(client, "outsider")
    assert client.get(file_url).status_code == 403
    # And removing it.
    personas.login(client, "head")
    client.post(page(tree["commune"]), item_post(item, note="", remove_file="on"))
    item.refresh_from_db()
    assert not item.file and item.file_name == ""
    assert client.get(file_url).status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("gia-mao.pdf", b"MZ not a pdf at all", "Nội dung tệp không phải PDF"),
    ("bien-ban.docx", PDF, "Đuôi tên tệp không khớp"),
    ("rong.pdf", b"", "Tệp rỗng."),
])
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_written(client, tree, personas, world, name,
                                                                        content, message):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.2")
    before = snapshot(assessment)
    personas.login(client, "head")
    response = client.post(page(tree["commune"]), item_post(
        item, note="Ghi chú giữ lại", file=SimpleUploadedFile(name, content)))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'id="id_item-{item.pk}-file_error"' in body
    assert "Ghi chú giữ lại" in body  # what was typed stays
    assert snapshot(assessment) == before


def test_a_file_over_10_mb_is_refused(client, tree, personas, world, settings):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.2")
    before = snapshot(assessment)
    personas.login(client, "head")
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (10 * 1024 * 1024))
    response = client.post(page(tree["commune"]), item_post(item, note="x", file=big))
    assert response.status_code == 400 and "lớn hơn 10 MB" in response.content.decode()
    assert snapshot(assessment) == before


@pytest.mark.parametrize("points, saved", [("0,5", Decimal("0.5")), ("0.25", Decimal("0.25")), (" 0 ", Decimal(0))])
def test_manual_points_typed_the_vietnamese_way(client, tree, personas, world, points, saved):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.6")
    assert item.criterion.measure == Measure.MANUAL
    personas.login(client, "head")
    assert client.post(page(tree["commune"]), item_post(item, note="Mô hình «Zalo CCHC».", self_points=points)) \
        .status_code == 302
    item.refresh_from_db()
    assessment.refresh_from_db()
    assert item.self_points == saved
    assert assessment.self_total == sum(i.self_points for i in assessment.items.all())


@pytest.mark.parametrize("points, message", [
    ("0,75", "Điểm phải từ 0 đến 0,5."),
    ("-1", "Điểm phải từ 0 đến 0,5."),
    ("abc", "Nhập điểm bằng số"),
    ("1e3", "Nhập điểm bằng số"),
    ("NaN", "Nhập điểm bằng số"),
    ("0,125", "Nhập điểm bằng số"),
    ("", "Nhập điểm tự chấm."),
])
def test_bad_manual_points_are_refused_and_nothing_is_written(client, tree, personas, world, points, message):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.6")
    before = snapshot(assessment)
    personas.login(client, "head")
    response = client.post(page(tree["commune"]), item_post(item, note="Đã nhập", self_points=points))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'id="id_item-{item.pk}-self_points_error"' in body
    box = re.search(rf'<input [^>]*id="id_item-{item.pk}-self_points"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in box and f'aria-describedby="id_item-{item.pk}-self_points_error"' in box
    assert "Đã nhập" in body
    assert snapshot(assessment) == before


def test_computed_criteria_take_no_points_from_the_form(client, tree, personas, world):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.2")
    personas.login(client, "head")
    client.post(page(tree["commune"]), item_post(item, note="", self_points="1"))
    item.refresh_from_db()
    assert item.self_points == Decimal(0)  # 50% of the tasks done: 0 by the rule, whatever was posted


def test_item_of_another_assessment_or_garbage_is_404(client, tree, personas, world):
    other = leaf(opened(tree["district"]), "1.4.2")
    opened(tree["commune"])
    personas.login(client, "head")
    assert client.post(page(tree["commune"]), item_post(other, note="x")).status_code == 404
    assert client.post(page(tree["commune"]), {"action": "item", "item": "abc"}).status_code == 404
    response = client.post(page(tree["commune"]), {"action": "nonsense"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.note == ""


# Submission.


def test_drafter_edits_but_does_not_submit(client, tree, personas, world):
    """The district's drafter prepares the district's notes; only its head submits."""
    assessment = opened(tree["district"])
    item = leaf(assessment, "1.4.1")
    personas.login(client, "drafter")
    assert client.post(page(tree["district"]), item_post(item, note="Dự thảo giải trình")).status_code == 302
    item.refresh_from_db()
    assert item.note == "Dự thảo giải trình"
    assert 'id="submit-link"' not in client.get(page(tree["district"])).content.decode()
    submit_url = reverse("par:submit", args=[tree["district"].pk, YEAR])
    assert client.get(submit_url).status_code == 403
    assert client.post(submit_url).status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


@pytest.mark.parametrize("persona, status", [("reviewer", 403), ("outsider", 403), ("drafter", 403)])
def test_only_the_head_submits_the_commune(client, tree, personas, world, persona, status):
    assessment = opened(tree["commune"])
    before = snapshot(assessment)
    personas.login(client, persona)
    assert client.post(reverse("par:submit", args=[tree["commune"].pk, YEAR])).status_code == status
    item = leaf(assessment, "1.4.2")
    assert client.post(page(tree["commune"]), item_post(item, note="x")).status_code == 403
    assert snapshot(assessment) == before


def test_head_submits_after_confirming_and_a_stale_tab_gets_a_message(client, tree, personas, world):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.6")
    personas.login(client, "head")
    submit_url = reverse("par:submit", args=[tree["commune"].pk, YEAR])
    question = client.get(submit_url)
    assert question.status_code == 200 and "Gửi bản tự đánh giá năm 2026" in question.content.decode()
    response = client.post(submit_url, {"confirmed": "1"}, follow=True)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED and assessment.submitted_by == personas.head
    assert "Đã gửi bản tự đánh giá" in response.content.decode()
    before = snapshot(assessment)
    # Another tab, opened before the submission, saves a note and submits again.
    response = client.post(page(tree["commune"]), item_post(item, note="Muộn", self_points="0,5"), follow=True)
    assert response.status_code == 200
    assert "vừa được gửi hoặc thẩm định ở một cửa sổ khác" in response.content.decode()
    response = client.post(submit_url, {"confirmed": "1"}, follow=True)
    assert response.status_code == 200 and "không gửi lại được" in response.content.decode()
    assert snapshot(assessment) == before
    body = client.get(page(tree["commune"])).content.decode()
    assert 'value="item"' not in body and 'id="submit-link"' not in body


# Appraisal and return.


@pytest.fixture
def submitted(tree, personas, world) -> Assessment:
    assessment = opened(tree["commune"])
    return services.assessment_submit(assessment=assessment, user=personas.head)


def test_reviewer_appraises_adjusting_one_score(client, tree, personas, submitted):
    personas.login(client, "reviewer")
    body = client.get(page(tree["commune"])).content.decode()
    item = leaf(submitted, "1.4.6")
    assert f'name="appraise-points_{item.pk}"' in body and 'form="appraise-form"' in body
    response = client.post(page(tree["commune"]), appraise_post(submitted, {
        "1.4.6": ("0,5", "Mô hình được UBND huyện công nhận.")}))
    assert response.status_code == 302
    submitted.refresh_from_db()
    item.refresh_from_db()
    assert submitted.status == Assessment.Status.APPRAISED and submitted.appraised_by == personas.reviewer
    assert item.appraised_points == Decimal("0.5") and item.appraisal_comment == "Mô hình được UBND huyện công nhận."
    assert submitted.final_total == submitted.self_total + Decimal("0.5")
    # Everything else accepted as self-scored.
    others = submitted.items.exclude(pk=item.pk)
    assert all(i.appraised_points == i.self_points for i in others)
    body = client.get(page(tree["commune"])).content.decode()
    assert "Đã thẩm định" in body and "Mô hình được UBND huyện công nhận." in body


@pytest.mark.parametrize("decision, field, message", [
    (("0,5", ""), "comment", "Điểm thẩm định khác điểm tự chấm: ghi rõ lý do."),
    (("0,75", "Quá"), "points", "Điểm phải từ 0 đến 0,5."),
    (("mười", "Sai"), "points", "Nhập điểm bằng số"),
    (("-0,5", "Âm"), "points", "Điểm phải từ 0 đến 0,5."),
])
def test_bad_appraisal_is_refused_next_to_the_field_and_kept(client, tree, personas, submitted, decision, field,
                                                            message):
    item = leaf(submitted, "1.4.6")
    before = snapshot(submitted)
    personas.login(client, "reviewer")
    response = client.post(page(tree["commune"]), appraise_post(submitted, {"1.4.6": decision}))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'id="id_appraise-{field}_{item.pk}_error"' in body
    assert f'value="{decision[0]}"' in body  # what was typed stays
    assert snapshot(submitted) == before


@pytest.mark.parametrize("persona, status", [("head", 403), ("drafter", 403), ("outsider", 403)])
def test_only_reviewers_above_appraise_or_return(client, tree, personas, submitted, persona, status):
    before = snapshot(submitted)
    personas.login(client, persona)
    assert client.post(page(tree["commune"]), appraise_post(submitted, {})).status_code == status
    assert client.post(reverse("par:return", args=[tree["commune"].pk, YEAR]),
                       {"comment": "Sai"}).status_code == status
    assert snapshot(submitted) == before
    if persona == "head":
        assert 'value="appraise"' not in client.get(page(tree["commune"])).content.decode()


def test_appraising_a_draft_gives_a_message(client, tree, personas, world):
    assessment = opened(tree["commune"])
    before = snapshot(assessment)
    personas.login(client, "reviewer")
    response = client.post(page(tree["commune"]), appraise_post(assessment, {}), follow=True)
    assert "chưa thẩm định được" in response.content.decode()
    assert snapshot(assessment) == before


def test_reviewer_returns_with_a_reason_and_the_unit_edits_again(client, tree, personas, submitted):
    personas.login(client, "reviewer")
    return_url = reverse("par:return", args=[tree["commune"].pk, YEAR])
    before = snapshot(submitted)
    response = client.post(return_url, {"comment": "   "})
    assert response.status_code == 400 and "Nêu lý do trả lại" in response.content.decode()
    assert snapshot(submitted) == before
    assert client.get(return_url).status_code == 405
    response = client.post(return_url, {"comment": "Bổ sung minh chứng tiêu chí 1.4.6."}, follow=True)
    assert "Đã trả lại" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.DRAFT
    # Returned again from a stale page: a message, not a 500.
    response = client.post(return_url, {"comment": "Lần nữa"}, follow=True)
    assert response.status_code == 200 and "không thực hiện được thao tác này" in response.content.decode()
    personas.login(client, "head")
    shown = client.get(page(tree["commune"])).content.decode()
    assert 'id="submit-link"' in shown
    # The unit reads why, until it sends again.
    assert "Bổ sung minh chứng tiêu chí 1.4.6." in shown and 'id="return-note"' in shown
    services.assessment_submit(assessment=submitted, user=personas.head)
    submitted.refresh_from_db()
    assert submitted.return_comment == ""


# XLSX of the unit.


def test_assessment_xlsx_lists_the_criteria_and_cannot_run_formulas(client, tree, personas, world):
    assessment = opened(tree["commune"])
    item = leaf(assessment, "1.4.6")
    services.assessment_item_update(item=item, note='=HYPERLINK("http://x.example","bấm")',
                                    self_points=Decimal("0.25"))
    personas.login(client, "reviewer")
    response = client.get(reverse("par:assessment_xlsx", args=[tree["commune"].pk, YEAR]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="Tu-danh-gia-CCHC-2026-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    codes = [row[0] for row in rows[4:]]
    assert codes == ["1", "1.4", "1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "1.4.6"]
    row = rows[4 + codes.index("1.4.6")]
    assert row[7] == 0.25 and row[10] == "'" + '=HYPERLINK("http://x.example","bấm")'
    assert rows[4 + codes.index("1.4.2")][4] == "Hoàn thành 1/2 nhiệm vụ được giao chủ trì = 50%."


def test_an_appraisal_from_a_stale_page_is_refused_with_a_message(client, tree, personas, submitted):
    personas.login(client, "reviewer")
    form = client.get(page(tree["commune"])).context["appraisal"]
    stale_version = form.initial["lock_version"]
    assert client.post(page(tree["commune"]), appraise_post(submitted, {}) | {
        "appraise-lock_version": stale_version}).status_code == 302  # the first tab: accepted as self-scored
    before = snapshot(submitted)
    response = client.post(page(tree["commune"]), appraise_post(submitted, {"1.4.6": ("0", "Không đạt")}) | {
        "appraise-lock_version": stale_version}, follow=True)  # the second tab, opened before
    assert "ở một cửa sổ khác" in response.content.decode()
    assert snapshot(submitted) == before


def test_menu_entry_only_for_users_with_a_role(client, tree, personas, make_user):
    make_user("nobody")
    assert client.login(username="nobody", password="pw-Test-123")
    response = client.get(reverse("home"))
    assert reverse("par:home") not in response.content.decode()
    personas.login(client, "drafter")
    assert reverse("par:home") in client.get(reverse("home")).content.decode()
    client.logout()
    response = client.get(reverse("par:home"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


LAST: list = []


def test_assessment_page_queries_do_not_grow_with_evidence_or_records(client, tree, personas, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from par.models import Tag
    from reports import services as report_services

    def queries() -> int:
        client.get(page(tree["commune"]))  # warm-up
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(tree["commune"])).status_code == 200
        LAST[:] = captured.captured_queries
        return len(captured)

    def files(report, count: int) -> None:
        for index in range(count):
            evidence = report_services.evidence_add(report=report, name=f"anh-{report.pk}-{index}.pdf",
                                                    content=PDF + bytes([index]), content_type="application/pdf",
                                                    user=personas.head)
            Tag.objects.get(pk=tag.pk).evidence.add(evidence)
        report_sent(report, by=personas.head, accept_by=personas.reviewer)

    personas.login(client, "reviewer")
    tag = leaf(opened(tree["commune"]), "1.4.2").criterion.tag
    first = world.report(tree["commune"], "6 tháng đầu năm 2026")
    report_fill(first)
    files(first, 1)  # with no file at all, the selector skips its tag queries
    few = queries()
    report = world.report(tree["commune"], "Quý III/2026")
    report_fill(report)
    files(report, 4)
    many = queries()
    assert f"anh-{report.pk}-3.pdf" in client.get(page(tree["commune"])).content.decode()
    assert many == few, f"{few} queries, then {many} with four more files and an accepted report:\n" + "\n".join(
        q["sql"][:200] for q in LAST)
