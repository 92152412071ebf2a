"""The PAR Index journey in Debian's Chromium on the demo, with a real
worker: thị trấn Kẻ Sặt's head opens the self-assessment, explains one
criterion, scores the one marked by hand and submits; the district's Phòng
Nội vụ adjusts one score with a comment, builds the evidence pack and
downloads it; the ZIP's index is read back and checked against the
database, and every file it names is in the ZIP."""

import io
import os
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from agencies.models import Agency
from conftest import ARTIFACTS
from demo.loader import DEMO_PASSWORD
from par.models import Assessment, EvidencePack
from par.pack import PACK_TASK, original_part
from par.selectors import assessment_rows

YEAR = 2026
CSP = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI}`);
});"""


def _sign_in(browser, base, username, problems):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    context.add_init_script(CSP)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", lambda m: problems.append(m.text) if "CSP-VIOLATION" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(base + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return context, page


def _row(page, code):
    return page.locator("#par-criteria tr.par-leaf").filter(has=page.locator("th", has_text=code)).first


@pytest.mark.worker
def test_head_submits_reviewer_adjusts_and_downloads_the_pack(transactional_db, browser, live_server, settings,
                                                               pack_worker):
    media_dir, _, log = pack_worker
    settings.MEDIA_ROOT = str(media_dir)  # the demo's files, where the worker reads them
    call_command("load_demo", stdout=io.StringIO())
    ke_sat = Agency.objects.get(code="HD-BG-KS")
    problems: list[str] = []
    os.makedirs(ARTIFACTS, exist_ok=True)

    # The head finds the unit from the menu's page and opens its self-assessment.
    head_context, page = _sign_in(browser, live_server.url, "head", problems)
    page.goto(f"{live_server.url}/chi-so-cchc/?nam={YEAR}")
    page.locator(f"a[href='/chi-so-cchc/{ke_sat.pk}/{YEAR}/']").first.click()
    expect(page.locator("h1")).to_contain_text("Tự đánh giá")
    expect(_row(page, "1.4.2")).to_contain_text("Hoàn thành 2/2")

    # A note with a number typed the Vietnamese way on the criterion scored by hand.
    manual = page.locator("form[id^=item-form-]").filter(has=page.locator("input[name$=self_points]")).first
    manual.locator("textarea[name$=note]").fill("Mô hình «Loa phát thanh thông minh» được UBND huyện công nhận.")
    manual.locator("input[name$=self_points]").fill("0,5")
    manual.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu tiêu chí 1.4.6")
    page.screenshot(path=str(ARTIFACTS / "par-journey-head.png"), full_page=True)

    page.locator("#submit-link").click()
    page.get_by_role("dialog").get_by_role("button", name="Gửi tự đánh giá").click()
    expect(page.locator("#par-status")).to_contain_text("chờ thẩm định")
    head_context.close()
    assessment = Assessment.objects.get(agency=ke_sat, year=YEAR)
    assert assessment.status == Assessment.Status.SUBMITTED
    submitted_total = assessment.self_total
    manual_item = assessment.items.get(criterion__code="1.4.6")
    assert manual_item.self_points == Decimal("0.5") and "Loa phát thanh" in manual_item.note

    # The district's Phòng Nội vụ lowers 1.4.2 with a reason, keeps the rest.
    reviewer_context, page = _sign_in(browser, live_server.url, "reviewer", problems)
    page.goto(f"{live_server.url}/chi-so-cchc/{ke_sat.pk}/{YEAR}/")
    row = _row(page, "1.4.2")
    row.locator("input[name*=points_]").fill("0,5")
    page.locator("#appraise-form").get_by_role("button").click()
    # No comment: refused next to the field, the number kept.
    expect(_row(page, "1.4.2")).to_contain_text("ghi rõ lý do")
    row = _row(page, "1.4.2")
    expect(row.locator("input[name*=points_]")).to_have_value("0,5")
    row.locator("[name*=comment_]").fill("Nhiệm vụ 2 chưa có ảnh chụp bảng niêm yết.")
    page.locator("#appraise-form").get_by_role("button").click()
    expect(page.locator("#par-status")).to_contain_text("Đã thẩm định")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPRAISED
    assert assessment.final_total == submitted_total - Decimal("0.5")

    # The evidence pack, built by the worker while the page follows it.
    page.locator("#par-pack-build").click()
    expect(page.locator("#par-pack-status")).to_have_text("Sẵn sàng tải về", timeout=120_000)
    page.screenshot(path=str(ARTIFACTS / "par-journey-reviewer.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#par-pack-download").click()
    with open(info.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    reviewer_context.close()
    assert problems == [], problems
    assert archive.testzip() is None
    names = set(archive.namelist())
    pack = EvidencePack.objects.get(agency=ke_sat, year=YEAR)
    assert pack.status == EvidencePack.Status.READY and pack.files_count == len(names)

    # The index against the database: every criterion, its points, its files.
    sheet = load_workbook(io.BytesIO(archive.read("00-muc-luc.xlsx")), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Số hiệu")
    columns = rows[header]
    found = {r[0]: dict(zip(columns, r, strict=False)) for r in rows[header + 1:] if r and r[0]}
    expected = {row.criterion.code: row for row in assessment_rows(assessment)}
    assert set(expected) <= set(found)
    for code, row in expected.items():
        line = found[code]
        assert Decimal(str(line["Điểm tự chấm"])) == row.self_points, code
        assert Decimal(str(line["Điểm thẩm định"])) == row.points, code
    assert "chưa có ảnh chụp" in found["1.4.2"]["Ý kiến thẩm định"]
    listed = {name for line in found.values() for name in str(line.get("Tệp minh chứng trong hồ sơ") or "").splitlines() if name}
    assert listed and listed <= names
    # The four files of its sent reports prove 1.4.2 (the district's plan carries its tag).
    proving = [n for n in str(found["1.4.2"]["Tệp minh chứng trong hồ sơ"]).splitlines()
               if n.startswith("03-minh-chung/")]
    assert len(proving) == len(expected["1.4.2"].evidence) == 4
    assert {n.rsplit("/", 1)[1].split("-", 1)[1] for n in proving} == {
        original_part(e.original_name) for e in expected["1.4.2"].evidence}
    assert any(name.startswith("02-bao-cao/") for name in names)
    assert "00-muc-luc.pdf" in names
    assert PACK_TASK in log.read_text()  # built by the worker, not in the test's process
