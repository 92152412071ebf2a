"""The Nội vụ reviewer's dashboard journey in Debian's Chromium against a live server."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from conftest import ARTIFACTS
from dashboard.figures import STATES
from reports.models import Report


def database_counts(period_label):
    """Quý III/2026 of the district the reviewer watches, counted row by row."""
    today = timezone.localdate()
    counts = dict.fromkeys(STATES, 0)
    for report in Report.objects.filter(period__label=period_label, agency__code__startswith="HD-BG"):
        if report.status == Report.Status.DRAFT:
            counts["missing" if report.due_date < today else "pending"] += 1
        else:
            counts[report.status] += 1
    return counts


@pytest.mark.django_db(transaction=True)
def test_reviewer_finds_the_missing_drills_in_and_exports(live_server, log_in, tmp_path, empty_cache):
    call_command("load_demo", stdout=io.StringIO())
    page = log_in("reviewer")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.get_by_role("link", name="Theo dõi").click()
    expect(page.locator("h1")).to_contain_text("Theo dõi báo cáo CCHC")
    with page.expect_navigation():
        page.select_option("#id_period", label="Quý III/2026")
    expect(page.locator("h1")).to_contain_text("Quý III/2026")
    expect(page.locator('[data-kpi="missing"]')).to_have_text("2")
    expect(page.locator("#chart-kinds")).to_be_visible()

    # Only the missing ones, redrawn in place.
    page.select_option("#id_status", "missing")
    rows = page.locator("#agency-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#agency-table")).to_contain_text("UBND thị trấn Kẻ Sặt")
    expect(page.locator("#agency-table")).to_contain_text("UBND xã Tân Việt")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-quy-iii-2026.png"), full_page=True)

    # Searching without diacritics finds the same unit.
    page.select_option("#id_status", "")
    page.fill("#id_q", "tan viet")
    expect(rows).to_have_count(1)

    # Drill into it: its own report, still missing, and the way back up.
    page.locator("#agency-table").get_by_role("link", name="UBND xã Tân Việt").click()
    expect(page.locator(".breadcrumb")).to_contain_text("UBND xã Tân Việt")
    expect(page.locator('[data-kpi="total"]')).to_have_text("1")
    expect(page.locator('[data-kpi="missing"]')).to_have_text("1")
    expect(page.locator("#agency-table")).to_contain_text("Chưa nộp (quá hạn)")
    page.locator(".breadcrumb").get_by_role("link", name="UBND huyện Bình Giang").click()
    expect(page.locator('[data-kpi="total"]')).to_have_text("10")

    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    path = tmp_path / "theo-doi.xlsx"
    download_info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    rows = list(book["Đơn vị"].iter_rows(min_row=3, values_only=True))
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=3, values_only=True)}
    expected = database_counts("Quý III/2026")
    assert len(rows) == sum(expected.values()) == summary["Phải nộp"] == 10
    for key, (label, *_rest) in STATES.items():
        assert [row[5] for row in rows].count(label) == expected[key] == summary[label]
    assert {row[2] for row in rows if row[5] == "Chưa nộp (quá hạn)"} == {
        "Ủy ban nhân dân thị trấn Kẻ Sặt", "Ủy ban nhân dân xã Tân Việt"}
    assert errors == []
