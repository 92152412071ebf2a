"""The summary report (BC) carries every accepted unit's narrative, grouped
by part and in unit order under the unit's name, the figures, who is missing
or late, the sign-off the reviewer typed and "Nơi nhận"; read back from the
PDF and the DOCX."""

import datetime as dt
import io

import docx
import pypdf
import pytest
from django.urls import reverse

from reports.models import ReportLine
from reports.tests.factories import report_fill, report_sent
from reports.tests.test_reports import Q1

NARRATIVES = {
    # unit key: (results, shortcomings, proposals)
    "commune": ("Niêm yết đủ thủ tục hành chính tại bộ phận một cửa.\nPhát thanh 12 buổi về dịch vụ công.",
                "Loa truyền thanh ở hai thôn hỏng.", "Đề nghị cấp kinh phí sửa loa."),
    "home_affairs": ("Tổ chức hội nghị tập huấn cho 40 công chức.", "", "Đề nghị tỉnh mở lớp bồi dưỡng."),
    "neighbour": ("Đăng 8 tin bài trên trang thông tin điện tử xã.", "Thiếu người viết tin.", ""),
}
SIGNER = {"signer_authority": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", "signer_position": "PHÓ CHỦ TỊCH",
          "signer_name": "Trần Thị Bình", "filing": "NV"}


@pytest.fixture
def q1_told(world, tree, personas, neighbour):
    """Quý I/2026: the commune (xã Một) and Phòng Nội vụ accepted with their
    narratives, the commune 3 days late; the neighbour (xã Hai) accepted on
    time; nobody missing."""
    commune, head2 = neighbour
    units = {"commune": (tree["commune"], personas.head, 3), "home_affairs": (tree["home_affairs"], personas.admin, 0),
             "neighbour": (commune, head2, 0)}
    for key, (agency, head, late) in units.items():
        report = report_fill(world.report(agency, Q1), state=ReportLine.Progress.DONE)
        report.results, report.shortcomings, report.proposals = NARRATIVES[key]
        report.save()
        report_sent(report, by=head, on=report.due_date + dt.timedelta(days=late), accept_by=personas.reviewer)
    return world.periods[Q1]


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def docx_text(content: bytes) -> str:
    """Body paragraphs, then every table cell's (letterhead, sign-off, appendix)."""
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    texts += [p.text for table in document.tables for row in table.rows for cell in row.cells
              for p in cell.paragraphs]
    return " ".join(" ".join(texts).split())


def download(client, period, file_format, **params):
    response = client.get(reverse("reports:summary_document", args=[period.pk, file_format]), params)
    assert response.status_code == 200
    return pdf_text(response.content) if file_format == "pdf" else docx_text(response.content)


def in_order(text: str, *parts: str) -> bool:
    """Each part found after the one before it."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_bc_groups_each_units_narrative_under_its_name_in_unit_order(client, q1_told, personas, file_format):
    personas.login(client, "reviewer")
    text = download(client, q1_told, file_format, agency="", **SIGNER)
    commune, home, neighbour = "Ủy ban nhân dân xã Một", "Phòng Nội vụ", "Ủy ban nhân dân xã Hai"
    # Units in the summary's order (by name): Phòng Nội vụ, xã Hai, xã Một.
    assert in_order(
        text,
        "4. Kết quả đạt được của các cơ quan, đơn vị",
        home, "Tổ chức hội nghị tập huấn cho 40 công chức.",
        neighbour, "Đăng 8 tin bài trên trang thông tin điện tử xã.",
        commune, "Niêm yết đủ thủ tục hành chính tại bộ phận một cửa.", "Phát thanh 12 buổi về dịch vụ công.",
        "II. TỒN TẠI, HẠN CHẾ",
        neighbour, "Thiếu người viết tin.",
        commune, "Loa truyền thanh ở hai thôn hỏng.",
        "III. ĐỀ XUẤT, KIẾN NGHỊ",
        home, "Đề nghị tỉnh mở lớp bồi dưỡng.",
        commune, "Đề nghị cấp kinh phí sửa loa.",
        "Trên đây là báo cáo",
    ), text
    # A unit that wrote nothing in a part has no heading there.
    shortcomings = text[text.index("II. TỒN TẠI, HẠN CHẾ"):text.index("III. ĐỀ XUẤT, KIẾN NGHỊ")]
    assert home not in shortcomings


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_bc_has_the_figures_the_late_units_the_sign_off_and_recipients(client, q1_told, world, tree, personas,
                                                                       file_format):
    personas.login(client, "reviewer")
    text = download(client, q1_told, file_format, **SIGNER)
    for expected in ("Kính gửi: Ủy ban nhân dân tỉnh Thử", "1. Tình hình báo cáo của các cơ quan, đơn vị",
                     "nộp muộn: 1", "Đơn vị nộp muộn: Ủy ban nhân dân xã Một (3 ngày).",
                     "2. Kết quả thực hiện nhiệm vụ", "SỐ LIỆU TỔNG HỢP THEO ĐƠN VỊ",
                     "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Bình"):
        assert expected in text, expected
    assert in_order(text, "Nơi nhận:", "- Như trên;", "- Lưu: VT, NV.")
    assert "Đơn vị chưa nộp" not in text


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_bc_names_the_units_that_have_not_reported(client, world, tree, personas, neighbour, file_format):
    # Quý III/2026: every report is still a draft past its deadline.
    personas.login(client, "reviewer")
    text = download(client, world.periods["Quý III/2026"], file_format)
    assert "Đơn vị chưa nộp:" in text and "Ủy ban nhân dân xã Một" in text and "Ủy ban nhân dân xã Hai" in text
    assert "- Chưa có đơn vị nêu kết quả đạt được." in text
    # Without sign-off parameters: a deputy signing for the district's chairman, no name yet.
    assert in_order(text, "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")


def test_a_too_long_or_odd_sign_off_falls_back_or_prints_clean(client, q1_told, personas):
    personas.login(client, "reviewer")
    text = download(client, q1_told, "docx", signer_position="X" * 500, signer_name="Lê\x00 Văn\x07 Cường",
                    signer_authority="kt. chủ tịch")
    assert "PHÓ CHỦ TỊCH" in text and "Lê Văn Cường" in text and "KT. CHỦ TỊCH" in text and "X" * 130 not in text


def test_the_summary_page_shows_the_narratives_and_the_sign_off_form(client, q1_told, personas):
    personas.login(client, "reviewer")
    page = client.get(reverse("reports:summary", args=[q1_told.pk]))
    body = page.content.decode()
    narratives = body[body.index('id="narratives"'):]
    assert in_order(narratives, "Kết quả đạt được", "Phòng Nội vụ", "Tổ chức hội nghị tập huấn",
                    "Tồn tại, hạn chế", "Ủy ban nhân dân xã Hai", "Thiếu người viết tin.",
                    "Đề xuất, kiến nghị", "Ủy ban nhân dân xã Một", "Đề nghị cấp kinh phí sửa loa.")
    form = body[body.index('id="bc-form"'):body.index("</form>", body.index('id="bc-form"'))]
    assert 'name="signer_position"' in form and "PHÓ CHỦ TỊCH" in form
    assert reverse("reports:summary_document", args=[q1_told.pk, "pdf"]) in form
    assert reverse("reports:summary_document", args=[q1_told.pk, "docx"]) in form
