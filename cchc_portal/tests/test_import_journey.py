"""A drafter brings last year's Word plan in, in Chromium: uploads the DOCX
(Word's automatic numbering), fixes the title and places a stray line on the
review page, saves, and opens the draft."""

import pytest

from agencies.tests.factories import PASSWORD
from conftest import ARTIFACTS
from plans.models import Area, Channel, Plan
from plans.reference import reference_lists_ensure
from plans.tests.importing_docx import build_docx
from plans.tests.test_import_views import SOURCE


@pytest.mark.django_db(transaction=True)
def test_a_drafter_imports_a_word_plan_fixes_two_parts_and_opens_the_draft(live_server, log_in, tree, personas,
                                                                          tmp_path):
    reference_lists_ensure(Area, Channel)  # transactional tests empty the tables between them
    lines = ["Cổng thông tin điện tử huyện – Tải về", *SOURCE.splitlines()]
    docx = tmp_path / "ke-hoach-2026.docx"
    docx.write_bytes(build_docx(lines, numbering="auto"))

    page = log_in(personas.drafter.username, PASSWORD)

    page.goto(live_server.url + "/plans/")
    page.click("text=Nhập kế hoạch có sẵn")
    page.set_input_files("#id_file", str(docx))
    page.click("button:has-text('Nhận dạng')")
    page.wait_for_selector("#import-review")
    assert "Xem lại kế hoạch nhập" in page.content()
    assert "ĐỐI TƯỢNG" in page.locator("#import-review").inner_text() or \
        page.locator("input[value='ĐỐI TƯỢNG']").count() == 1

    page.fill("#id_title", "Tuyên truyền cải cách hành chính huyện Một năm 2026")
    stray = page.locator(".unplaced-line", has_text="Tải về")
    options = stray.locator("select option").all_inner_texts()
    target = next(text for text in options if "ĐỐI TƯỢNG" in text)
    stray.locator("select").select_option(label=target)
    for select in page.locator(".unplaced-line select").all():
        if not select.input_value():
            select.select_option("keep")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-review.png"), full_page=True)
    page.click("button:has-text('Lưu thành dự thảo')")
    page.wait_for_selector(".plan-sheet")

    plan = Plan.objects.get()
    assert plan.title == "Tuyên truyền cải cách hành chính huyện Một năm 2026" and plan.status == Plan.Status.DRAFT
    sheet = page.locator(".plan-sheet").inner_text()
    assert "MỤC TIÊU, YÊU CẦU" in sheet and "ĐỐI TƯỢNG" in sheet and "Tải về" in sheet
    # Word's automatic list shows the second item as b): the plan keeps what the file showed.
    assert "b) Người dân biết thủ tục hành chính." in sheet
