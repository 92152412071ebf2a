"""In Chromium, on the loaded two-tier demo (thành phố Hải Phòng): the head of
xã Đường An reports Quý I/2026, then the 6-month report, which asks only for
15/03-14/06 and shows beside each box what Quý I gave, so she types the new
stretch only; the Sở Nội vụ reviewer accepts both, and the 6-month summary
and its BC (PDF and DOCX) show the year so far (Quý I + the stretch; a stock
taken as it stands, not summed) and the commune's results text."""

import io
import re

import docx
import pypdf
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import ARTIFACTS
from plans.models import Counter
from reports.models import Report

Q1, HALF = "Quý I/2026", "6 tháng đầu năm 2026"
UNIT = "Ủy ban nhân dân xã Đường An"
# counter code -> (typed for Quý I, typed for 15/03-14/06, the 6-month total).
# Flows add up over the stretches; a stock (procedures published, programmes
# kept up) is what stands at the period's end.
FIGURES = {
    "tin_bai_cong": ("17", "12", "29"),
    "buoi_phat": ("26", "24", "50"),
    "phong_su": ("2", "1", "3"),
    "tthc_niem_yet": ("126", "131", "131"),
    "chuyen_muc": ("1", "1", "1"),
}
RESULTS = {
    Q1: "Quý I, xã Đường An đăng 17 tin, bài trên Trang thông tin điện tử và phát 26 buổi trên truyền thanh cơ sở.",
    HALF: "Từ 15/03 đến 14/06, xã Đường An đăng thêm 12 tin, bài và phát 24 buổi; niêm yết 131 thủ tục hành chính.",
}
STRETCH = "Số liệu phát sinh từ 15/03/2026 đến 14/06/2026"


def words(text):
    return " ".join(text.split())


def fill_and_submit(page, report, stretch):
    """Type the report's own stretch in every box, the results text, then send it."""
    for line in report.lines.all():
        page.select_option(f"select[name='line-{line.pk}-state']", "in_progress")
        page.fill(f"input[name='line-{line.pk}-percent']", str(40 * (stretch + 1)))
        for box in page.locator(f"input[name^='line-{line.pk}-c_']").all():
            code = box.get_attribute("name").removeprefix(f"line-{line.pk}-c_")
            expect(box).to_have_value("")  # nothing carried over: what Quý I gave is shown beside, not retyped
            box.fill(FIGURES[code][stretch])
    page.fill("#id_results", RESULTS[report.period.label])


def submit(page):
    page.click("button:has-text('Nộp báo cáo')")
    expect(page.locator(".alert-success")).to_contain_text("Đã nộp báo cáo")


def accept(log_in, label):
    reviewer = log_in("nv-haiphong")
    reviewer.get_by_role("link", name="Báo cáo", exact=True).click()
    waiting = reviewer.locator("tr", has_text="UBND xã Đường An").filter(has_text=label)
    waiting.get_by_role("link", name=label).click()
    reviewer.click("button:has-text('Tiếp nhận')")
    expect(reviewer.locator(".alert-success")).to_contain_text("Đã tiếp nhận")
    reviewer.close()


def unit_table(page):
    """The summary's by-unit table: unit name -> {column header: cell text}."""
    table = page.locator("table").first
    headers = [words(h) for h in table.locator("thead th").all_inner_texts()]
    rows = {}
    for row in table.locator("tbody tr").all():
        cells = [words(c) for c in row.locator("td").all_inner_texts()]
        rows[cells[0].split(" gồm số liệu")[0]] = dict(zip(headers, cells, strict=True))
    return rows


@pytest.mark.django_db(transaction=True)
def test_a_commune_reports_each_stretch_once_and_the_summary_adds_them_up(live_server, log_in):
    call_command("load_demo", stdout=io.StringIO())
    reports = {r.period.label: r for r in Report.objects.filter(agency__code="HP-XDA").select_related("period")}
    assert reports[Q1].status == reports[HALF].status == Report.Status.DRAFT  # the demo leaves them unsent
    ARTIFACTS.mkdir(exist_ok=True)

    # Quý I: from the head's overdue list, every figure typed once.
    head = log_in("xa-duongan")
    head.get_by_role("link", name="Báo cáo", exact=True).click()
    head.locator("tr", has_text=Q1).get_by_role("link", name=Q1).click()
    expect(head.locator("h1")).to_contain_text(Q1)
    expect(head.locator("#report-form .stretch").first).to_have_text("Số liệu phát sinh từ 15/12/2025 đến 14/03/2026")
    expect(head.locator("#report-form .year-to-date")).to_have_count(0)  # nothing before Quý I
    fill_and_submit(head, reports[Q1], 0)
    head.screenshot(path=str(ARTIFACTS / "demo-quy-i-filled.png"), full_page=True)
    submit(head)
    head.close()
    accept(log_in, Q1)

    # 6 tháng: only 15/03-14/06 is asked; Quý I's figure stands beside each flow.
    head = log_in("xa-duongan")
    head.get_by_role("link", name="Báo cáo", exact=True).click()
    head.locator("tr", has_text=HALF).get_by_role("link", name=HALF).click()
    form = head.locator("#report-form")
    stretches = form.locator(".stretch")
    expect(stretches).to_have_count(reports[HALF].lines.count())
    for text in stretches.all_inner_texts():
        assert text == STRETCH
    for code, (before, _, _) in FIGURES.items():
        earlier = form.locator(f".figure[data-counter={code}] .year-to-date")
        if code in ("tthc_niem_yet", "chuyen_muc"):
            expect(earlier).to_have_count(0)  # a stock is not added up over the year
        else:
            expect(earlier).to_have_text(f"Các kỳ trước trong năm: {before}")
    fill_and_submit(head, reports[HALF], 1)
    head.screenshot(path=str(ARTIFACTS / "demo-6-thang-stretch.png"), full_page=True)
    submit(head)
    head.close()
    accept(log_in, HALF)

    # The reviewer's 6-month summary: the year so far and the commune's own words.
    reviewer = log_in("nv-haiphong")
    reviewer.get_by_role("link", name="Báo cáo", exact=True).click()
    reviewer.locator(".card", has_text="Tổng hợp theo kỳ").get_by_role("link", name=HALF, exact=True).click()
    expect(reviewer.locator("h1")).to_contain_text(HALF)
    labels = dict(Counter.objects.filter(code__in=FIGURES).values_list("code", "label"))
    row = unit_table(reviewer)["UBND xã Đường An"]
    assert {code: row[labels[code]] for code in FIGURES} == {code: total for code, (*_, total) in FIGURES.items()}
    narratives = words(reviewer.locator("#narratives").inner_text())
    results_part = narratives.split("Kết quả đạt được", 1)[1].split("Tồn tại, hạn chế", 1)[0]
    assert f"{UNIT} {RESULTS[HALF]}" in results_part
    reviewer.screenshot(path=str(ARTIFACTS / "demo-tong-hop-6-thang.png"), full_page=True)

    # The BC says the same, as PDF and as DOCX.
    pdf = download(reviewer, "Tải BC (PDF)", ARTIFACTS / "demo-bc-6-thang.pdf")
    text = words(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages))
    assert f"{UNIT} {RESULTS[HALF]}" in text
    table = text.split("SỐ LIỆU TỔNG HỢP THEO ĐƠN VỊ", 1)[1]
    unit_row = re.split(r"\d+ Ủy ban nhân dân ", table.split(UNIT, 1)[1])[0]
    for code, (_, _, total) in FIGURES.items():
        assert f"{labels[code]}: {total}" in unit_row, (code, unit_row)

    document = docx.Document(download(reviewer, "Tải BC (DOCX)", ARTIFACTS / "demo-bc-6-thang.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("4. Kết quả đạt được của các cơ quan, đơn vị")
    unit_at = paragraphs.index(UNIT, start)
    assert paragraphs[unit_at + 1] == RESULTS[HALF]
    (table,) = [t for t in document.tables if t.rows[0].cells[-1].text == "Số liệu chính"]  # the Biểu
    (cells,) = [[c.text for c in r.cells] for r in table.rows if r.cells[1].text == UNIT]
    assert cells[2] == "Đã tiếp nhận"
    for code, (_, _, total) in FIGURES.items():
        assert f"{labels[code]}: {total}" in cells[7], (code, cells)
    reviewer.close()


def download(page, button, path):
    with page.expect_download() as info:
        page.click(f"button:has-text('{button}')")
    info.value.save_as(path)
    return path
