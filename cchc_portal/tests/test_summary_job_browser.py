"""A large summary's BC in Debian's Chromium: the page offers «Tạo BC», the
job page shows the worker's progress (static/js/summary_job.js polling, no
inline script under the CSP) and offers the file once the worker is done."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cchc_portal.tests.test_csp_browser import Visitor, assert_clean
from reports.models import ReportLine, SummaryDocumentJob
from reports.services import summary_jobs
from reports.tasks import summary_document_task
from reports.tests.factories import commune_added, report_fill, report_sent, report_world
from reports.tests.test_reports import Q1


@pytest.mark.django_db(transaction=True)
def test_the_job_page_shows_progress_then_the_file(browser, live_server, tree, personas, monkeypatch):
    commune, _head2 = commune_added(tree)
    world = report_world(tree=tree, personas=personas, leads=("commune", "home_affairs", commune))
    report = report_fill(world.report(tree["commune"], Q1), state=ReportLine.Progress.DONE)
    report_sent(report, by=personas.head, on=report.due_date - dt.timedelta(days=1), accept_by=personas.reviewer)
    monkeypatch.setattr(summary_jobs, "SUMMARY_SYNC_REPORTS", 0)  # every summary is "large"

    visitor = Visitor(browser, live_server.url)
    visitor.visit("/dang-nhap/")
    page = visitor.page
    page.fill("#id_username", personas.reviewer.username)
    page.fill("#id_password", personas.password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    visitor.visit(f"/reports/summary/{world.periods[Q1].pk}/")
    page.fill("#id_signer_name", "Trần Thị Bình")
    page.get_by_role("button", name="Tạo BC (DOCX)").click()
    page.wait_for_url("**/reports/summary/jobs/*/")
    job = SummaryDocumentJob.objects.get()
    assert job.signer["signer_name"] == "Trần Thị Bình"
    expect(page.locator("#summary-job-step")).to_have_text("Đang chờ máy chủ xử lý")
    expect(page.locator("#summary-job-download")).to_be_hidden()

    # The worker's turn (the task's own body, here); the page notices by itself.
    assert summary_document_task(job.pk) == SummaryDocumentJob.Status.DONE
    download_link = page.locator("#summary-job-download")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(page.locator("#summary-job-step")).to_have_text("Đã xong")
    assert page.locator("#summary-job-progress").evaluate("bar => bar.value") == 100
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("BC-tong-hop-Quy-I-2026-")
    assert page.locator("script:not([src])").count() == 0
    assert_clean(visitor)
    visitor.close()
