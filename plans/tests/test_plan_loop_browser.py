"""The plan loop in Debian's Chromium: a double click adds one task, leaving
an editor tab with unsaved edits asks first, and issuing asks to confirm the
number and date typed (setup as in cchc_portal/tests: the live server and
the shared log_in fixture; the small `tree`, not the demo)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.tests.factories import PASSWORD
from conftest import ARTIFACTS
from plans.models import Area, Channel, Clause, Plan
from plans.reference import reference_lists_ensure
from plans.tests.factories import plan_draft, plan_submitted


@pytest.fixture
def district_draft(tree):
    # Transactional tests empty the tables between them, reference lists included.
    reference_lists_ensure(Area, Channel)
    return plan_draft(issuer=tree["district"], leads=[tree["commune"]], year=timezone.localdate().year + 1)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_adds_one_task(live_server, log_in, tree, personas, district_draft):
    plan = district_draft
    page = log_in(personas.drafter.username, PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/tasks/")
    page.get_by_role("button", name="+ Thêm nhiệm vụ").dblclick()
    form = page.locator("tr.task-form-new form")
    expect(form).to_have_count(1)
    page.wait_for_timeout(500)  # a second form would have arrived by now
    expect(form).to_have_count(1)
    form.locator("textarea[name=content]").fill("Treo băng rôn tại trụ sở")
    form.locator("select[name=lead_agency]").select_option(label="— Ủy ban nhân dân xã Một")
    form.get_by_role("button", name="Lưu nhiệm vụ").dblclick()
    expect(page.locator("#task-rows tr.table-success", has_text="Treo băng rôn tại trụ sở")).to_have_count(1)
    assert plan.tasks.filter(content="Treo băng rôn tại trụ sở").count() == 1

    # The same form posted twice from the page (as a browser does when the
    # second click gets through): the server makes the task once.
    page.get_by_role("button", name="+ Thêm nhiệm vụ").click()
    form = page.locator("tr.task-form-new form")
    form.locator("textarea[name=content]").fill("Phát thanh trên loa xã")
    form.locator("select[name=lead_agency]").select_option(label="— Ủy ban nhân dân xã Một")
    statuses = form.evaluate("""async (form) => {
        const twice = [];
        for (let i = 0; i < 2; i++) {
            const response = await fetch(form.action, {method: "POST", body: new FormData(form),
                                                       headers: {"HX-Request": "true"}});
            twice.push(response.status);
        }
        return twice;
    }""")
    assert statuses == [200, 200]
    assert plan.tasks.filter(content="Phát thanh trên loa xã").count() == 1
    assert plan.tasks.count() == 3


@pytest.mark.django_db(transaction=True)
def test_leaving_an_editor_tab_with_unsaved_edits_asks_first(live_server, log_in, tree, personas, district_draft):
    plan = district_draft
    page = log_in(personas.drafter.username, PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/muc-dich/")
    first = page.locator("textarea[name='rows-0-text']")
    first.fill("Mục đích đang sửa dở, chưa lưu.")
    page.get_by_role("link", name="Yêu cầu").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Phần này có thay đổi chưa lưu")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-unsaved-tab.png"))
    dialog.get_by_role("button", name="Hủy, quay lại").click()
    expect(dialog).to_be_hidden()
    assert page.url.endswith("/edit/muc-dich/") and first.input_value() == "Mục đích đang sửa dở, chưa lưu."

    # Going elsewhere another way (an address typed, a bookmark): the browser's
    # own question; dismissed, the page and its edit stay.
    asked = []
    page.on("dialog", lambda question: (asked.append(question.type), question.dismiss()))
    page.evaluate("() => { window.location.href = '/plans/'; }")
    page.wait_for_timeout(1000)
    assert asked == ["beforeunload"] and page.url.endswith("/edit/muc-dich/")
    assert first.input_value() == "Mục đích đang sửa dở, chưa lưu."

    # Leaving on purpose drops the edit; a saved tab leaves without a question.
    first.fill("Bản bỏ đi.")
    page.get_by_role("link", name="Yêu cầu").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Rời trang, bỏ thay đổi").click()
    page.wait_for_url("**/edit/yeu-cau/")
    assert not plan.clauses.filter(text="Bản bỏ đi.").exists()
    page.get_by_role("link", name="Mục đích").click()
    page.wait_for_url("**/edit/muc-dich/")
    assert plan.clauses.filter(section=Clause.Section.PURPOSE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_issuing_asks_to_confirm_the_number_and_date(live_server, log_in, tree, personas, district_draft):
    today = timezone.localdate()
    plan = plan_submitted(district_draft, user=personas.drafter, on=dt.date(today.year, 1, 2))
    page = log_in(personas.head.username, PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/issue/")
    assert page.input_value("input[name=number]") == "01"
    assert page.input_value("input[name=issue_date]") == f"{today:%d/%m/%Y}"
    page.fill("input[name=signer_position]", "CHỦ TỊCH")
    page.fill("input[name=signer_name]", "Nguyễn Văn An")
    page.get_by_role("button", name="Ban hành").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Ban hành Kế hoạch số 01/KH-UBND ngày {today:%d/%m/%Y}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-issue-confirm.png"))
    dialog.get_by_role("button", name="Hủy, quay lại").click()
    expect(dialog).to_be_hidden()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED

    page.get_by_role("button", name="Kiểm tra lại").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Ban hành").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã ban hành Kế hoạch số 01/KH-UBND")
    plan.refresh_from_db()
    assert (plan.status, plan.number, plan.issue_date) == (Plan.Status.ISSUED, 1, today)
