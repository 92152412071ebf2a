"""The approval loop on the loaded demo, in Chromium: the city's drafter
submits next year's plan; the city's head finds it under «Việc cần làm» and
on the bell, returns it with a reason; the drafter's home shows «Bị trả lại»
with that reason; resubmitted and issued, a lead unit's head is told how many
tasks it leads. Each new page (home, bell, preferences) passes axe-core and
fits a 390 px phone; each demo role's home page is shot at both sizes."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from conftest import ARTIFACTS
from demo.loader import DEMO_USERS
from plans import services as plan_services
from plans.models import Plan
from reports.models import Notice, NotificationPreference
from reports.tasks import send_notice_task

from .a11y import DESKTOP, PHONE, assert_fits, axe_violations, describe

SHOTS = ARTIFACTS / "approval-loop"
REASON = "Bổ sung kinh phí cho nhiệm vụ tập huấn và ghi rõ đơn vị phối hợp."


def check(page, name: str) -> None:
    """axe at desktop size (no serious or critical violation), then the fit at 390 px; a shot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    found = axe_violations(page)
    assert not found, f"{page.url}\n{describe(found)}"
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    assert_fits(page)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def block(page, key: str):
    return page.locator(f"#todo-{key}")


@pytest.mark.django_db(transaction=True)
def test_the_approval_loop_tells_each_person_what_to_do(live_server, log_in):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    base = live_server.url
    year = timezone.localdate().year + 1
    drafter = get_user_model().objects.get(username="sonv-drafter")
    city = Plan.objects.get(issuer__code="HP", year_start=2026)
    plan = plan_services.plan_copy(plan=city, user=drafter, issuer=city.issuer, year_start=year, year_end=year)
    leads = {}
    for task in plan.tasks.select_related("lead_agency"):
        leads[task.lead_agency.code] = leads.get(task.lead_agency.code, 0) + 1
    try:
        # The drafter wants plan returns on the bell only.
        page = log_in("sonv-drafter")
        expect(block(page, "plans-drafts")).to_contain_text(f"năm {year}")
        page.goto(base + "/reports/notifications/")
        page.get_by_role("link", name="Tùy chọn nhận thông báo").first.click()
        check(page, "preferences")
        page.get_by_role("group", name="Kế hoạch bị trả lại").get_by_label("Chỉ chuông").check()
        page.get_by_role("button", name="Lưu tùy chọn").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lưu tùy chọn nhận thông báo.")
        assert NotificationPreference.objects.get(user=drafter, topic="plan_returned").email is False

        # ... and submits the plan.
        page.goto(f"{base}/plans/{plan.pk}/")
        page.click("#plan-actions >> text=Trình phê duyệt")
        page.get_by_role("button", name="Trình phê duyệt").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã trình")
        page.close()

        # The city's head: «Việc cần làm» and the bell say a plan awaits approval.
        head = log_in("ubnd-haiphong")
        waiting = block(head, "plans-to-approve")
        expect(waiting.locator(".todo-count")).to_have_text("1 việc")
        expect(waiting).to_contain_text(plan.title)
        expect(head.locator("#bell-count")).to_be_visible()
        check(head, "home-ubnd-haiphong-waiting")
        head.locator("#bell").click()
        row = head.locator("#notifications .list-group-item", has_text=f"Dự thảo kế hoạch năm {year} chờ phê duyệt")
        expect(row).to_have_count(1)
        check(head, "notifications-ubnd-haiphong")
        row.get_by_role("button", name=f"Đã đọc, mở kế hoạch dự thảo năm {year} – Ủy ban nhân dân thành phố Hải Phòng",
                        exact=False).click()
        head.wait_for_url(f"**/plans/{plan.pk}/")
        head.click("#plan-actions >> text=Trả lại dự thảo")
        head.fill("textarea[name=comment]", REASON)
        head.get_by_role("button", name="Trả lại").click()
        expect(head.locator(".alert-success")).to_be_visible()
        head.goto(base + "/")
        expect(block(head, "plans-to-approve")).to_contain_text("Không có việc nào.")

        # The drafter: «Bị trả lại» with the reason, on the home page and the bell; no e-mail (bell only).
        page = log_in("sonv-drafter")
        returned = block(page, "plans-returned")
        expect(returned.locator(".todo-count")).to_have_text("1 việc")
        expect(returned).to_contain_text(f"Lý do: {REASON}")
        check(page, "home-sonv-drafter-returned")
        notice = Notice.objects.get(plan=plan, kind="returned")
        assert notice.recipients == [] and notice.notifications.filter(user=drafter).exists()
        page.locator("#bell").click()
        expect(page.locator("#notifications")).to_contain_text(f"Lý do: «{REASON}»")

        # Resubmitted, then issued by the head.
        page.goto(base + "/")
        returned.get_by_role("link", name=plan.title, exact=False).click()
        page.click("#plan-actions >> text=Trình phê duyệt")
        page.get_by_role("button", name="Trình phê duyệt").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã trình")
        page.goto(base + "/")
        expect(block(page, "plans-returned")).to_contain_text("Không có việc nào.")
        page.close()
        head.goto(f"{base}/plans/{plan.pk}/issue/")
        head.fill("input[name=signer_position]", "PHÓ CHỦ TỊCH")
        head.fill("input[name=signer_name]", "Nguyễn Minh Quang")
        head.get_by_role("button", name="Ban hành").click()
        head.locator("#confirm-dialog").get_by_role("button", name="Ban hành").click()
        expect(head.locator(".alert-success")).to_contain_text("Đã ban hành Kế hoạch số")
        plan.refresh_from_db()
        assert plan.status == Plan.Status.ISSUED
        head.close()

        # A lead unit's head is told how many tasks it leads.
        ward = log_in("phuong-hongbang")
        ward.locator("#bell").click()
        told = f"Đơn vị chủ trì {leads['HP-HB']} nhiệm vụ trong Kế hoạch số {plan.reference}"
        expect(ward.locator("#notifications")).to_contain_text(told)
        issued = Notice.objects.get(plan=plan, kind="issued", agency__code="HP-HB")
        assert issued.recipients == ["phuong-hongbang@example.com"]
        assert Notice.objects.filter(plan=plan, kind="issued").count() == len(leads)
        check(ward, "notifications-phuong-hongbang")
        ward.close()

        # Every demo role's home page, at desktop and phone size.
        for username in DEMO_USERS:
            home = log_in(username)
            expect(home.locator("#todo-heading")).to_have_text("Việc cần làm")
            check(home, f"home-{username}")
            home.close()
    finally:
        send_notice_task.app.control.purge()  # the e-mails went to the test broker; no worker here
