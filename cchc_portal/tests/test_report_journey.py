"""The reporting round trip in Debian's Chromium against a live server."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import ARTIFACTS
from reports.models import Report

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_head_reports_reviewer_returns_head_fixes_reviewer_accepts(live_server, log_in, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    report = Report.objects.get(agency__code="HD-BG-KS", period__label="Năm 2026")
    evidence = tmp_path / "bien-ban-hoi-nghi.pdf"
    evidence.write_bytes(PDF)

    head = log_in("head")
    head.goto(live_server.url + "/reports/")
    head.locator("a", has_text="Năm 2026").first.click()
    lines = list(report.lines.order_by("task__position"))
    for line in lines:
        head.select_option(f"select[name='line-{line.pk}-state']", "in_progress")
        head.fill(f"input[name='line-{line.pk}-percent']", "60")
        head.fill(f"input[name='line-{line.pk}-spent']", "1500000")
        for counter in head.locator(f"input[name^='line-{line.pk}-c_']").all():
            counter.fill("5")
    head.fill("textarea[name=results]", "Đã đăng 10 tin bài và niêm yết đủ bộ TTHC.")
    head.set_input_files("input[type=file]", str(evidence))
    head.click("button:has-text('Đính kèm')")
    expect(head.locator(".alert-success")).to_contain_text("Đã lưu nháp và đính kèm")
    # What was typed before attaching is still there.
    expect(head.locator("textarea[name=results]")).to_have_value("Đã đăng 10 tin bài và niêm yết đủ bộ TTHC.")
    head.click("button:has-text('Nộp báo cáo')")
    expect(head.locator(".alert-success")).to_contain_text("Đã nộp báo cáo")
    head.close()

    reviewer = log_in("reviewer")
    reviewer.goto(f"{live_server.url}/reports/{report.pk}/")
    reviewer.fill(f"input[name='lc-{lines[0].pk}']", "Ghi rõ số lượt người tham dự.")
    reviewer.fill("#id_comment", "Bổ sung số liệu dòng 1.")
    reviewer.click("button:has-text('Trả lại')")
    expect(reviewer.locator(".alert-success")).to_contain_text("Đã trả lại")

    head = log_in("head")
    head.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(head.locator(".alert-warning")).to_contain_text("Bổ sung số liệu dòng 1.")
    expect(head.locator(f"#line-{lines[0].pk}")).to_contain_text("Ghi rõ số lượt người tham dự.")
    head.fill(f"input[name='line-{lines[0].pk}-percent']", "100")
    head.select_option(f"select[name='line-{lines[0].pk}-state']", "done")
    head.click("button:has-text('Nộp báo cáo')")
    expect(head.locator(".alert-success")).to_contain_text("Đã nộp báo cáo")

    reviewer.goto(f"{live_server.url}/reports/{report.pk}/")
    reviewer.click("button:has-text('Tiếp nhận')")
    expect(reviewer.locator(".alert-success")).to_contain_text("Đã tiếp nhận")
    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED and report.evidence.count() == 1

    reviewer.goto(f"{live_server.url}/reports/summary/{report.period_id}/")
    by_agency = reviewer.locator("table").first
    expect(by_agency).to_contain_text("UBND thị trấn Kẻ Sặt")
    ARTIFACTS.mkdir(exist_ok=True)
    reviewer.screenshot(path=str(ARTIFACTS / "summary-nam-2026.png"), full_page=True)
