"""Reports: expected reports, permissions (own, other agency, reviewer scope,
crafted POSTs), bad input, review rounds, summary and XLSX. On the small
`tree` (see reports/tests/conftest.py): the commune leads two tasks, Phòng
Nội vụ and a neighbour commune one each; every 2026 report starts a draft."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services
from reports.models import Report, ReportEvent, ReportLine
from reports.tests.factories import PDF, line_counters, report_fill, report_sent

Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"


def line_post(report, **overrides):
    data = {"lock_version": report.lock_version, "results": "Đã đăng tin.", "shortcomings": "", "proposals": ""}
    for line in report.lines.select_related("task__channel"):
        data |= {f"line-{line.pk}-state": "in_progress", f"line-{line.pk}-percent": "50",
                 f"line-{line.pk}-spent": "1000000", f"line-{line.pk}-note": ""}
        for counter in line_counters(line):
            data[f"line-{line.pk}-c_{counter.code}"] = "3"
    return data | overrides


@pytest.fixture
def q1_accepted(world, tree, personas, neighbour):
    """Quý I/2026 as the demo has it: every unit's report filled and accepted,
    the commune's sent 4 days after its deadline."""
    commune, head2 = neighbour
    for agency, head, days_late, spent in ((tree["commune"], personas.head, 4, 2_000_000),
                                           (tree["home_affairs"], personas.admin, 0, 500_000),
                                           (commune, head2, 0, 1_000_000)):
        report = report_fill(world.report(agency, Q1), state=ReportLine.Progress.DONE, spent=spent)
        report_sent(report, by=head, on=report.due_date + dt.timedelta(days=days_late), accept_by=personas.reviewer)
    return world.periods[Q1]


def home_affairs_q3_submitted(world, tree, personas):
    """Phòng Nội vụ's Quý III/2026 report, waiting for the reviewer."""
    return report_sent(report_fill(world.report(tree["home_affairs"], Q3)), by=personas.admin)


def neighbour_half_year_returned(world, neighbour, personas):
    """The neighbour's half-year report, sent back with a comment on its first line."""
    commune, head2 = neighbour
    report = report_fill(world.report(commune, HALF))
    return report_sent(report, by=head2, return_by=personas.reviewer,
                       return_comment="Bổ sung số liệu lượt người tham dự và minh chứng.",
                       line_comments={report.lines.first().pk: "Thiếu số liệu."})


# Expected reports --------------------------------------------------------------------

def test_every_lead_agency_of_an_active_task_owes_a_report(world, tree, neighbour):
    agencies = set(Report.objects.filter(period=world.periods[YEAR]).values_list("agency__code", flat=True))
    assert {tree["commune"].code, neighbour[0].code, tree["home_affairs"].code} <= agencies
    commune = world.report(tree["commune"], YEAR)
    assert commune.lines.count() == 2 and commune.due_date == dt.date(2026, 12, 15)
    # Communes report before the district's offices (consolidation order).
    assert world.report(tree["home_affairs"], YEAR).due_date > commune.due_date


def test_ensuring_reports_twice_creates_nothing_new(world):
    before = (Report.objects.count(), ReportLine.objects.count())
    assert services.reports_ensure(period=world.periods[YEAR]) == 0
    assert (Report.objects.count(), ReportLine.objects.count()) == before


def test_a_new_report_starts_from_the_previous_one(world, neighbour):
    q3 = report_fill(world.report(neighbour[0], Q3), percent=70, count=5)
    year = world.report(neighbour[0], YEAR)
    common = set(q3.lines.values_list("task_id", flat=True)) & set(year.lines.values_list("task_id", flat=True))
    task = common.pop()
    ReportLine.objects.filter(report=year, task_id=task).delete()
    services.reports_ensure(period=year.period)
    before, after = q3.lines.get(task_id=task), year.lines.get(task_id=task)
    assert (after.state, after.percent, after.note) == (before.state, before.percent, before.note)
    # Figures are not carried: the year line counts only the stretch after Quý III's cut-off.
    assert before.figures.exists() and not after.figures.filter(counter__kind="flow").exists()
    assert after.stretch_start == q3.period.end + dt.timedelta(days=1)


# Permissions -------------------------------------------------------------------------

def test_head_sees_own_report_and_not_another_communes(client, world, tree, personas, neighbour):
    own, other = world.report(tree["commune"], YEAR), world.report(neighbour[0], YEAR)
    personas.login(client, "head")
    assert client.get(reverse("reports:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("reports:detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("reports:detail", args=[other.pk]), line_post(other, action="submit"))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Report.Status.DRAFT


def test_reviewer_reads_in_scope_but_cannot_fill_a_report(client, world, tree, personas):
    report = world.report(tree["commune"], YEAR)
    personas.login(client, "reviewer")
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    response = client.post(reverse("reports:detail", args=[report.pk]), line_post(report, action="save"))
    assert response.status_code == 403


def test_drafter_of_another_agency_gets_not_found(client, world, tree, personas):
    personas.login(client, "drafter")  # drafter at the district: no report of its own
    report = world.report(tree["commune"], YEAR)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_head_cannot_review_and_reviewer_cannot_review_twice(client, world, tree, personas):
    report = home_affairs_q3_submitted(world, tree, personas)
    personas.login(client, "head")
    # The district's head reads its Phòng Nội vụ's sent report (a unit under it), never reviews it.
    assert client.post(reverse("reports:review", args=[report.pk]), {"decision": "accept"}).status_code == 403
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED
    client.logout()
    personas.login(client, "reviewer")
    client.post(reverse("reports:review", args=[report.pk]), {"decision": "accept"})
    response = client.post(reverse("reports:review", args=[report.pk]), {"decision": "accept"})
    assert response.status_code == 403
    assert ReportEvent.objects.filter(report=report, kind="accepted").count() == 1


def test_accepted_report_is_read_only_even_to_a_crafted_post(client, world, tree, personas):
    report = report_sent(report_fill(world.report(tree["commune"], Q1)), by=personas.head,
                         accept_by=personas.reviewer)
    personas.login(client, "head")
    response = client.post(reverse("reports:detail", args=[report.pk]), line_post(report, action="save",
                                                                                  results="Sửa trộm"))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.results != "Sửa trộm"


def test_evidence_is_served_only_through_the_permission_check(client, world, tree, personas, neighbour):
    report = world.report(tree["commune"], YEAR)
    personas.login(client, "head")
    client.post(reverse("reports:detail", args=[report.pk]),
                line_post(report, action="upload") | {"file": SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")})
    evidence = report.evidence.get()
    url = reverse("reports:evidence", args=[report.pk, evidence.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert evidence.sha256 and evidence.size == len(PDF)
    client.logout()
    assert client.login(username=neighbour[1].username, password=personas.password)  # head2
    assert client.get(url).status_code == 404
    other = world.report(neighbour[0], YEAR)
    assert client.get(reverse("reports:evidence", args=[other.pk, evidence.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: to login


# Bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("percent", "120", "Tiến độ là số từ 0 đến 100."),
        ("percent", "-1", "Tiến độ là số từ 0 đến 100."),
        ("spent", "năm triệu", "Nhập số tiền bằng chữ số (đồng), không âm"),
        ("spent", "-5", "Nhập số tiền bằng chữ số (đồng), không âm"),
    ],
)
def test_bad_figures_are_refused_next_to_the_field_and_nothing_is_saved(client, world, tree, personas,
                                                                        field, value, message):
    report = world.report(tree["commune"], YEAR)
    line = report.lines.first()
    personas.login(client, "head")
    data = line_post(report, action="save", results="Kết quả mới")
    data[f"line-{line.pk}-{field}"] = value
    body = client.post(reverse("reports:detail", args=[report.pk]), data).content.decode()
    assert message in body and "Kết quả mới" in body  # other input kept
    report.refresh_from_db()
    assert report.results != "Kết quả mới"


def test_a_negative_counter_is_refused(client, world, tree, personas):
    report = world.report(tree["commune"], YEAR)
    line = report.lines.select_related("task__channel").exclude(task__channel=None).first()
    code = line_counters(line)[0].code
    personas.login(client, "head")
    data = line_post(report, action="save")
    data[f"line-{line.pk}-c_{code}"] = "-3"
    assert "Nhập số nguyên không âm" in client.post(reverse("reports:detail", args=[report.pk]), data).content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "Nội dung tệp không phải PDF"),
        ("anh.png", PDF, "Đuôi tên tệp không khớp"),
        ("lon.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1), "Tệp lớn hơn 10 MB"),
    ],
)
def test_files_are_checked_by_content_and_size(client, world, tree, personas, name, content, message):
    report = world.report(tree["commune"], YEAR)
    personas.login(client, "head")
    data = line_post(report, action="upload", results="Giữ lại nội dung này") | {"file": SimpleUploadedFile(name, content)}
    response = client.post(reverse("reports:detail", args=[report.pk]), data, follow=True)
    assert message in response.content.decode()
    assert not report.evidence.exists()
    report.refresh_from_db()
    assert report.results == "Giữ lại nội dung này"  # what was typed is saved, not lost


def test_the_same_file_twice_is_kept_once(client, world, tree, personas):
    report = world.report(tree["commune"], YEAR)
    personas.login(client, "head")
    for _ in range(2):
        report.refresh_from_db()
        client.post(reverse("reports:detail", args=[report.pk]),
                    line_post(report, action="upload") | {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert report.evidence.count() == 1


def test_a_double_clicked_submit_submits_once(client, world, tree, personas):
    report = world.report(tree["commune"], YEAR)
    personas.login(client, "head")
    data = line_post(report, action="submit")
    first = client.post(reverse("reports:detail", args=[report.pk]), data)
    second = client.post(reverse("reports:detail", args=[report.pk]), data)
    assert first.status_code == 302 and second.status_code == 403
    assert ReportEvent.objects.filter(report=report, kind="submitted").count() == 1


# Review rounds and late submissions -------------------------------------------------

def test_return_fix_resubmit_accept_keeps_every_round(client, world, personas, neighbour):
    report = neighbour_half_year_returned(world, neighbour, personas)
    line = report.lines.first()
    head2 = neighbour[1].username
    assert client.login(username=head2, password=personas.password)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Bổ sung số liệu lượt người tham dự" in body and "Thiếu số liệu." in body
    client.post(reverse("reports:detail", args=[report.pk]), line_post(report, action="submit"))
    client.logout()
    personas.login(client, "reviewer")
    client.post(reverse("reports:review", args=[report.pk]),
                {"decision": "return", "comment": "Thiếu ảnh.", f"lc-{line.pk}": "Gửi ảnh pano."})
    report.refresh_from_db()
    assert report.status == "returned"
    assert report.lines.get(pk=line.pk).review_comment == "Gửi ảnh pano."
    client.logout()
    assert client.login(username=head2, password=personas.password)
    client.post(reverse("reports:detail", args=[report.pk]), line_post(report, action="submit"))
    client.logout()
    personas.login(client, "reviewer")
    client.post(reverse("reports:review", args=[report.pk]), {"decision": "accept"})
    report.refresh_from_db()
    kinds = list(report.events.values_list("kind", flat=True))
    assert report.status == "accepted"
    assert kinds == ["submitted", "returned", "submitted", "returned", "submitted", "accepted"]


def test_returning_without_a_comment_is_refused(client, world, tree, personas):
    report = home_affairs_q3_submitted(world, tree, personas)
    personas.login(client, "reviewer")
    response = client.post(reverse("reports:review", args=[report.pk]), {"decision": "return"}, follow=True)
    assert "Nhập ý kiến để đơn vị biết cần sửa gì." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_late_submission_shows_how_late(client, q1_accepted, world, tree, personas):
    report = world.report(tree["commune"], Q1)
    assert report.days_late == 4
    personas.login(client, "reviewer")
    assert "muộn 4 ngày" in client.get(reverse("reports:detail", args=[report.pk])).content.decode()


def test_lists_show_what_each_role_must_do(client, world, tree, personas, neighbour):
    neighbour_half_year_returned(world, neighbour, personas)
    home_affairs_q3_submitted(world, tree, personas)
    assert client.login(username=neighbour[1].username, password=personas.password)  # head2
    body = client.get(reverse("reports:index")).content.decode()
    assert "Bị trả lại" in body and "6 tháng đầu năm 2026" in body
    client.logout()
    personas.login(client, "reviewer")
    body = client.get(reverse("reports:index")).content.decode()
    assert "Chờ xem xét trong phạm vi" in body and "Quý III/2026" in body


# Summary ------------------------------------------------------------------------------

def test_summary_totals_match_the_xlsx(client, q1_accepted, personas):
    period = q1_accepted
    personas.login(client, "reviewer")
    page = client.get(reverse("reports:summary", args=[period.pk]))
    assert page.status_code == 200
    totals = page.context["totals"]
    accepted = ReportLine.objects.filter(report__period=period, report__status="accepted")
    assert totals["tasks"] == accepted.count()
    assert totals["spent"] == sum(line.spent or 0 for line in accepted)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:summary_xlsx", args=[period.pk])).content))
    sheet = book["Theo đơn vị"]
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[:4] == ["Tổng cộng", totals["tasks"], totals["done"], totals["spent"]]
    late = [row for row in book["Tình trạng nộp"].iter_rows(min_row=2, values_only=True) if row[4]]
    assert [row[4] for row in late] == [4]
    # Dates are dates, shown dd/mm/yyyy, so they sort; the file says what it is.
    status = book["Tình trạng nộp"]
    assert status["C2"].is_date and status["C2"].number_format == "DD/MM/YYYY"
    response = client.get(reverse("reports:summary_xlsx", args=[period.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="Tong-hop-Quy-I-2026-')
    response = client.get(reverse("reports:summary_document", args=[period.pk, "pdf"]))
    assert response["Content-Disposition"].startswith('attachment; filename="BC-tong-hop-Quy-I-2026-')


def test_summary_lists_missing_agencies(client, world, tree, personas, neighbour):
    # Both communes' Quý III reports are still drafts, due 15/09/2026: past, so missing.
    home_affairs_q3_submitted(world, tree, personas)
    personas.login(client, "reviewer")
    body = client.get(reverse("reports:summary", args=[world.periods[Q3].pk])).content.decode()
    missing = body[body.index('id="missing"'):body.index("</ul>", body.index('id="missing"'))]
    assert tree["commune"].name in missing and neighbour[0].name in missing


def test_summary_is_for_reviewers_and_the_units_above(client, world, tree, personas, neighbour):
    period = world.periods[Q1]
    url = reverse("reports:summary", args=[period.pk])
    # A commune's head has nothing under the commune to sum up, and no other unit's summary.
    assert client.login(username=neighbour[1].username, password=personas.password)
    assert client.get(url).status_code == 403
    assert client.get(url, {"agency": tree["district"].pk}).status_code == 403
    client.logout()
    personas.login(client, "reviewer")
    outside = tree["district2"]
    assert client.get(url, {"agency": outside.pk}).status_code == 403
    client.logout()
    personas.login(client, "outsider")  # heads the sibling district
    assert client.get(url, {"agency": tree["district"].pk}).status_code == 403


def test_xlsx_cells_are_safe_from_formula_injection(client, world, tree, personas):
    from agencies.models import Agency

    Agency.objects.filter(pk=tree["commune"].pk).update(name="=HYPERLINK(\"http://x\")", short_name="")
    period = world.periods[Q1]
    personas.login(client, "reviewer")
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:summary_xlsx", args=[period.pk])).content))
    names = [row[0] for row in book["Tình trạng nộp"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_bc_prints_as_pdf_and_docx_with_the_summary_figures(client, q1_accepted, personas):
    import docx
    import pypdf

    period = q1_accepted
    personas.login(client, "reviewer")
    pdf = client.get(reverse("reports:summary_document", args=[period.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    # Addressed to the district's province; the commune (xã Một) sent its report 4 days late.
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Kính gửi: Ủy ban nhân dân tỉnh Thử",
                     "I. KẾT QUẢ THỰC HIỆN", "II. TỒN TẠI, HẠN CHẾ", "III. ĐỀ XUẤT, KIẾN NGHỊ", "Nơi nhận:",
                     "Ủy ban nhân dân xã Một (4 ngày)"):
        assert expected in " ".join(text.split()), expected
    word = client.get(reverse("reports:summary_document", args=[period.pk, "docx"]))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert "BÁO CÁO" in paragraphs and "I. KẾT QUẢ THỰC HIỆN" in paragraphs


def test_bc_is_for_reviewers_and_the_units_above(client, world, personas, neighbour):
    period = world.periods[Q1]
    assert client.login(username=neighbour[1].username, password=personas.password)  # a commune's head
    assert client.get(reverse("reports:summary_document", args=[period.pk, "pdf"])).status_code == 403
    client.logout()
    assert client.get(reverse("reports:summary_document", args=[period.pk, "pdf"])).status_code == 302


def test_reviewer_without_own_reports_sees_only_the_review_lists(client, world, tree, personas):
    home_affairs_q3_submitted(world, tree, personas)
    personas.login(client, "reviewer")
    body = client.get(reverse("reports:index")).content.decode()
    assert "Chờ xem xét trong phạm vi" in body and "Bị trả lại – cần sửa" not in body
