"""In Chromium: a commune head reports Quý I, then the half year's own
stretch without retyping Quý I; the reviewer accepts both and the summary
and its BC show the year-so-far total and the unit's results text."""

import io

import pypdf
import pytest

from agencies.tests.factories import PASSWORD
from conftest import ARTIFACTS
from plans.models import Area, Channel
from plans.reference import reference_lists_ensure
from reports.tests.factories import line_counters, report_world

Q1, HALF = "Quý I/2026", "6 tháng đầu năm 2026"


def report_and_accept(log_in, live_server, personas, report, figure, results):
    line = report.lines.order_by("pk").first()
    counter = line_counters(line)[0]
    head = log_in(personas.head.username, PASSWORD)
    head.goto(f"{live_server.url}/reports/{report.pk}/")
    head.fill(f"#id_line-{line.pk}-c_{counter.code}", figure)
    head.fill("#id_results", results)
    head.click("button[value=submit]")
    head.wait_for_selector(".alert-success")
    head.close()
    reviewer = log_in(personas.reviewer.username, PASSWORD)
    reviewer.goto(f"{live_server.url}/reports/{report.pk}/")
    reviewer.click("button[value=accept]")
    reviewer.wait_for_selector(".alert-success")
    reviewer.close()
    return line, counter


@pytest.mark.django_db(transaction=True)
def test_a_commune_reports_each_stretch_once_and_the_summary_adds_them_up(live_server, log_in, tree, personas):
    reference_lists_ensure(Area, Channel)  # transactional tests empty the tables between them
    world = report_world(tree=tree, personas=personas, leads=("commune",))
    q1, half = world.report(tree["commune"], Q1), world.report(tree["commune"], HALF)

    _, counter = report_and_accept(log_in, live_server, personas, q1, "37", "Quý I: đăng 37 tin, bài.")

    head = log_in(personas.head.username, PASSWORD)
    head.goto(f"{live_server.url}/reports/{half.pk}/")
    body = head.locator("#report-form").inner_text()
    assert "Số liệu phát sinh từ 15/03/2026 đến 14/06/2026" in body and "Các kỳ trước trong năm: 37" in body
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / "half-year-report.png"), full_page=True)
    head.close()
    report_and_accept(log_in, live_server, personas, half, "20", "Sáu tháng: thêm 20 tin, bài trên cổng.")

    reviewer = log_in(personas.reviewer.username, PASSWORD)
    reviewer.goto(f"{live_server.url}/reports/summary/{half.period_id}/")
    table = reviewer.locator("table").first.inner_text()
    assert "57" in table  # 37 for Quý I's stretch + 20 for 15/03-14/06, counted once each
    assert "Sáu tháng: thêm 20 tin, bài trên cổng." in reviewer.content()
    pdf = reviewer.request.get(f"{live_server.url}/reports/summary/{half.period_id}/pdf").body()
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Sáu tháng: thêm 20 tin, bài trên cổng." in " ".join(text.split())
    assert f"{counter.label}: 57" in " ".join(text.split())
