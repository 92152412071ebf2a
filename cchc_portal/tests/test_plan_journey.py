"""The drafting journey in Debian's Chromium against a live server."""

import os

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from conftest import ARTIFACTS
from plans.models import Clause, Plan


def add_task(page, content, lead_filter, lead_label, budget, year):
    page.click("text=+ Thêm nhiệm vụ")
    form = page.locator("tr.task-form-row form").last
    form.locator("textarea[name=content]").fill(content)
    form.locator("select[name=channel]").select_option(label="Cổng/Trang thông tin điện tử")
    form.get_by_placeholder("Gõ một phần tên đơn vị để lọc…").first.fill(lead_filter)
    form.locator("select[name=lead_agency]").select_option(label=lead_label)
    form.locator("input[name=deadline]").fill(f"30/06/{year}")
    form.locator("input[name=budget]").fill(budget)
    form.locator("button[type=submit]").click()
    expect(page.locator("#task-rows tr", has_text=content)).to_have_class("table-success")


@pytest.mark.django_db(transaction=True)
def test_drafter_copies_edits_submits_and_head_issues(live_server, log_in):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    source = Plan.objects.get(issuer__code="HD-BG", year_start=2025)

    # Next year's plan, issued today: an issue date may be neither in the
    # future nor before the submission, so the journey follows the clock.
    today = timezone.localdate()
    year = today.year + 1
    page = log_in("drafter")
    page.goto(f"{live_server.url}/plans/{source.pk}/")
    page.click("text=Sao chép sang năm khác")
    page.fill("input[name=year_start]", str(year))
    page.press("input[name=year_start]", "Tab")  # the list of year replacements follows the years typed
    expect(page.locator("#year-changes-title")).to_contain_text(f"→ {year}")
    page.click("button:has-text('Sao chép')")
    page.wait_for_url("**/edit/")
    draft = Plan.objects.filter(issuer__code="HD-BG", year_start=year).latest("pk")
    assert draft.status == Plan.Status.DRAFT and str(year) in draft.title

    # Edit one content item.
    page.click("a.nav-link:has-text('Nội dung tuyên truyền')")
    first_text = page.locator("textarea[name='rows-0-text']")
    first_text.fill(f"Tuyên truyền về chủ trương của Đảng, chính sách, pháp luật của Nhà nước về CCHC năm {year}.")
    page.click("button:has-text('Lưu phần')")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu phần «Nội dung tuyên truyền»")

    # Add two tasks in the appendix table, without a page reload.
    page.click("a.nav-link:has-text('Phụ lục nhiệm vụ')")
    before = draft.tasks.count()
    add_task(page, f"Đăng tin CCHC năm {year} trên trang xã Vĩnh Hưng", "vinh hung",
             "— Ủy ban nhân dân xã Vĩnh Hưng", "3000000", year)
    add_task(page, f"Đăng tin CCHC năm {year} trên trang thị trấn Kẻ Sặt", "ke sat",
             "— Ủy ban nhân dân thị trấn Kẻ Sặt", "2500000", year)
    assert draft.tasks.count() == before + 2

    page.goto(f"{live_server.url}/plans/{draft.pk}/")
    page.click("#plan-actions >> text=Trình phê duyệt")
    page.click("button:has-text('Trình phê duyệt')")
    expect(page.locator(".alert-success")).to_contain_text("Đã trình")
    page.close()

    head = log_in("head")
    head.goto(f"{live_server.url}/plans/{draft.pk}/")
    head.click("#plan-actions >> text=Ban hành")
    head.fill("input[name=number]", "15")
    head.fill("input[name=issue_date]", f"{today:%d/%m/%Y}")
    head.click("button:has-text('Ban hành')")
    head.locator("#confirm-dialog").get_by_role("button", name="Ban hành").click()
    expect(head.locator(".alert-success")).to_contain_text("Đã ban hành Kế hoạch số 15/KH-UBND")
    sheet = head.locator(".plan-sheet")
    expect(sheet).to_contain_text("Số: 15/KH-UBND")
    day, month = f"{today:%d}", (f"{today:%m}" if today.month <= 2 else str(today.month))  # ND30 leading zeros
    expect(sheet).to_contain_text(f"Bình Giang, ngày {day} tháng {month} năm {today.year}")
    expect(head.locator("#plan-actions")).not_to_contain_text("Soạn thảo")
    expect(head.locator("#transitions")).to_contain_text("Đã ban hành")
    ARTIFACTS.mkdir(exist_ok=True)
    head.screenshot(path=str(ARTIFACTS / f"plan-issued-{year}.png"), full_page=True)

    draft.refresh_from_db()
    assert draft.status == Plan.Status.ISSUED and draft.number == 15
    assert draft.clauses.filter(section=Clause.Section.CONTENT, text__contains=f"CCHC năm {year}").exists()
    # Read-only now: the edit page refuses.
    response = head.request.get(f"{live_server.url}/plans/{draft.pk}/edit/")
    assert response.status == 403


@pytest.mark.django_db(transaction=True)
def test_clause_rows_are_removed_added_and_moved_in_the_browser(live_server, log_in):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    plan = Plan.objects.get(issuer__code="HD-BG", year_start=2025)
    purposes = list(plan.clauses.filter(section=Clause.Section.PURPOSE).order_by("position"))
    page = log_in("drafter")
    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/muc-dich/")
    rows = page.locator(".formset-row:visible")
    expect(rows).to_have_count(3)
    rows.nth(1).get_by_role("button", name="Xóa").click()
    expect(rows).to_have_count(2)
    page.get_by_role("button", name="+ Thêm dòng").click()
    expect(rows).to_have_count(3)
    rows.nth(2).locator("textarea").fill("Mục đích mới thêm khi soạn thảo.")
    rows.nth(2).locator("button[data-row-action=up]").click()
    page.get_by_role("button", name="Lưu phần «Mục đích»").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu phần «Mục đích»")
    stored = list(plan.clauses.filter(section=Clause.Section.PURPOSE).order_by("position").values_list("text", flat=True))
    assert stored == [purposes[0].text, "Mục đích mới thêm khi soạn thảo.", purposes[2].text]
