"""Every role's main pages in Chromium: no serious or critical WCAG 2.1 AA
violation that axe-core finds at desktop size, and nothing wider than a
390 px phone. The report form is filled on a phone: its lines are cards, each
box's label names its line, errors are tied to their box, messages are read
out, the menu folds behind a button. Plans and the dashboard: test_a11y_plans.py."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agencies.tests.factories import PASSWORD
from reports.models import Report
from reports.tests.factories import report_world
from schedule.models import ReportingPeriod

from .a11y import PHONE, assert_accessible, assert_fits, shoot, visit


def described_by(box) -> str:
    """The text of the elements a box's aria-describedby names."""
    return box.evaluate("""el => (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
                             .map(id => document.getElementById(id)?.textContent.trim() ?? "<" + id + " missing>").join(" ")""")


@pytest.mark.django_db(transaction=True)
def test_a_head_reports_on_a_phone_and_the_reviewer_returns_it(live_server, log_in, browser, tree, personas,
                                                                empty_cache):
    world = report_world(tree=tree, personas=personas, leads=("commune", "commune"))
    report = world.report(tree["commune"], "Quý I/2026")
    lines = list(report.lines.select_related("task").order_by("task__position"))
    base = live_server.url

    anonymous = browser.new_page(locale="vi-VN")
    visit(anonymous, base + "/dang-nhap/", "login")
    visit(anonymous, base + "/khong-co-trang-nay/", "404", status=404)
    anonymous.close()

    head = log_in(personas.head.username, PASSWORD)
    visit(head, base + "/", "home-head")

    # The skip link is the first stop of the keyboard and lands in the main content.
    head.keyboard.press("Tab")
    skip = head.get_by_role("link", name="Bỏ qua menu, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    head.keyboard.press("Enter")
    assert head.evaluate("document.activeElement.id") == "main"

    # On a phone the menu folds behind a button; the current entry says so.
    toggler = head.get_by_role("button", name="Mở menu")
    menu = head.locator("#portal-menu")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("button", name="Đăng xuất")).to_be_in_viewport()
    shoot(head, "menu-open", "phone")
    menu.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(head.locator("h1")).to_have_text("Báo cáo kết quả tuyên truyền")
    expect(head.locator("#portal-menu a[aria-current=page]")).to_have_text("Báo cáo")
    assert_fits(head)
    visit(head, base + "/reports/", "report-list-head")

    # The form on a phone: each line a card whose boxes are named after the line.
    head.set_viewport_size(PHONE)
    head.goto(f"{base}/reports/{report.pk}/")
    assert_fits(head)
    for number, line in enumerate(lines, start=1):
        card = head.locator(f"#line-{line.pk}")
        assert card.evaluate("el => getComputedStyle(el).display") == "grid"
        state = head.get_by_role("combobox", name=f"Tình trạng – nhiệm vụ {number}: {line.task.content}", exact=True)
        assert state.get_attribute("name") == f"line-{line.pk}-state"
        assert state.bounding_box()["width"] >= 250  # the whole «Chưa triển khai», not one letter
        for label, field in (("Tiến độ (%)", "percent"), ("Kinh phí đã dùng (đồng)", "spent"), ("Ghi chú", "note")):
            box = head.get_by_label(f"{label} – nhiệm vụ {number}: {line.task.content}", exact=True)
            assert box.get_attribute("name") == f"line-{line.pk}-{field}"
        figures = card.locator(".figure")
        assert figures.count() >= 1
        for figure in figures.all():
            value = figure.locator("input[name*='-c_']")
            assert figure.get_by_role("checkbox", name=re.compile(rf"^ước tính – .+ – nhiệm vụ {number}$")).count() == 1
            assert figure.get_by_role("textbox", name=re.compile(rf"^Ghi chú số liệu: .+ – nhiệm vụ {number}$")).count() == 1
            assert re.fullmatch(rf".+ – nhiệm vụ {number}", value.evaluate("el => el.labels[0].textContent.trim()"))

    # A wrong percent and a figure in words: refused next to their boxes, and said so.
    first = lines[0]
    head.select_option(f"select[name='line-{first.pk}-state']", "in_progress")
    head.fill(f"input[name='line-{first.pk}-percent']", "150")
    head.locator(f"input[name^='line-{first.pk}-c_']").first.fill("năm")
    head.get_by_role("button", name="Lưu nháp").click()
    expect(head.locator("#messages [role=alert]")).to_have_text("Báo cáo chưa lưu: xem các ô báo lỗi bên dưới.")
    expect(head.locator("#announce-alert")).to_have_text("Báo cáo chưa lưu: xem các ô báo lỗi bên dưới.")
    percent = head.locator(f"input[name='line-{first.pk}-percent']")
    expect(percent).to_have_attribute("aria-invalid", "true")
    assert described_by(percent) == "Tiến độ là số từ 0 đến 100."
    figure = head.locator(f"input[name^='line-{first.pk}-c_']").first
    expect(figure).to_have_attribute("aria-invalid", "true")
    assert described_by(figure) == "Nhập số nguyên không âm bằng chữ số."
    expect(head.locator(f"input[name='line-{lines[1].pk}-percent']")).not_to_have_attribute("aria-invalid", "true")
    assert_accessible(head, "report-form-errors")

    for line in lines:
        head.select_option(f"select[name='line-{line.pk}-state']", "in_progress")
        head.fill(f"input[name='line-{line.pk}-percent']", "60")
        head.fill(f"input[name='line-{line.pk}-spent']", "1.500.000")
        for box in head.locator(f"input[name^='line-{line.pk}-c_']").all():
            box.fill("12")
    # A pasted link with no space in it: the reviewer's page still fits (visit() checks it on a phone).
    head.fill("#id_results", "Đã đăng 12 tin, bài trên trang thông tin điện tử của xã: https://xa.example.gov.vn/"
                             + "tintuc/" + "caicachhanhchinh" * 40)
    head.get_by_role("button", name="Nộp báo cáo").click()
    expect(head.locator("#messages [role=status]")).to_contain_text("Đã nộp báo cáo.")
    expect(head.locator("#announce-status")).to_contain_text("Đã nộp báo cáo.")
    assert_accessible(head, "report-submitted")
    head.close()

    reviewer = log_in(personas.reviewer.username, PASSWORD)
    visit(reviewer, base + "/", "home-reviewer")
    visit(reviewer, base + "/reports/", "report-list-reviewer")
    visit(reviewer, f"{base}/reports/summary/{world.periods['Quý I/2026'].pk}/", "summary")
    visit(reviewer, f"{base}/reports/{report.pk}/", "report-review")
    reviewer.get_by_label(f"Ý kiến theo dòng – nhiệm vụ 1: {first.task.content}", exact=True).fill("Ghi rõ số tin, bài.")
    reviewer.get_by_label("Ý kiến chung").fill("Bổ sung số liệu dòng 1.")
    reviewer.get_by_role("button", name="Trả lại").click()
    expect(reviewer.locator("#messages [role=status]")).to_have_text("Đã trả lại báo cáo cho đơn vị.")
    reviewer.close()

    head = log_in(personas.head.username, PASSWORD)
    expect(head.locator("#bell")).to_have_accessible_name(re.compile(r"^Thông báo, \d+ chưa đọc$"))
    visit(head, base + "/reports/notifications/", "notifications")
    expect(head.locator("#bell")).to_have_attribute("aria-current", "page")
    visit(head, f"{base}/reports/{report.pk}/", "report-returned")
    expect(head.locator(f"#line-{first.pk}")).to_contain_text("Ghi rõ số tin, bài.")
    # Another district's summary is outside the head's units: the portal's own 403 page.
    visit(head, f"{base}/reports/summary/{world.periods['Quý I/2026'].pk}/?agency={tree['district2'].pk}", "403",
          status=403)
    head.close()


DEMO_PAGES = {
    # user: the pages of this pass (home, reports, notifications) plus the role's own.
    "xa-duongan": ["/", "/reports/", "/reports/notifications/", "{draft_report}"],
    "phuong-hongbang": ["/", "/reports/", "/reports/notifications/", "{returned_report}"],
    "nv-haiphong": ["/", "/reports/", "/reports/notifications/", "{submitted_report}", "{summary}", "{record}",
                    "/reports/?q=duong+an&period=999999"],
    "sonv-drafter": ["/", "/reports/", "/reports/notifications/"],
    "ubnd-haiphong": ["/", "/reports/", "/reports/notifications/"],
    "admin": ["/", "/reports/", "/reports/notifications/"],
}


def demo_urls() -> dict[str, str]:
    half = ReportingPeriod.objects.get(label="6 tháng đầu năm 2026")
    draft = Report.objects.get(agency__code="HP-XDA", period__label="Quý I/2026")
    return {
        "draft_report": f"/reports/{draft.pk}/",
        "record": f"/reports/{draft.pk}/record/",
        "returned_report": f"/reports/{Report.objects.get(agency__code='HP-HB', period=half).pk}/",
        "submitted_report": f"/reports/{Report.objects.filter(status='submitted', agency__code__startswith='HP-').first().pk}/",
        "summary": f"/reports/summary/{half.pk}/",
    }


@pytest.mark.django_db(transaction=True)
def test_every_role_s_pages_on_the_loaded_demo(live_server, log_in, empty_cache):
    call_command("load_demo", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())  # the bell's notices, as `make run` has them
    urls = demo_urls()
    for user, pages in DEMO_PAGES.items():
        page = log_in(user)
        for path in pages:
            path = path.format(**urls)
            visit(page, live_server.url + path, f"demo-{user}-{path.strip('/').replace('/', '-') or 'home'}")
        page.close()


@pytest.mark.django_db(transaction=True)
def test_focus_stays_on_the_row_edited_in_place(live_server, log_in, tree, personas):
    """An htmx row edit replaces the row that had focus: focus goes to the new
    row (its form, then the saved row's first button, though «Lưu» is disabled
    while it saves), not to the top of the page. «+ Thêm nhiệm vụ» puts the
    focus in the row it adds, whose labels name its own boxes while another row is open."""
    from plans.models import Area, Channel
    from plans.reference import reference_lists_ensure
    from plans.tests.factories import plan_draft

    reference_lists_ensure(Area, Channel)
    plan = plan_draft(issuer=tree["district"], leads=[tree["commune"]])
    task = plan.tasks.get()
    page = log_in(personas.drafter.username, PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/tasks/")
    focused_row = "() => document.activeElement.closest('tr') && document.activeElement.closest('tr').outerHTML.slice(0, 60)"
    page.locator(f"#task-{task.pk}").get_by_role("button", name=re.compile("^Sửa")).click()
    form = page.locator("#task-rows form")
    form.wait_for()
    page.wait_for_function("() => document.activeElement !== document.body")
    assert form.evaluate("f => f.contains(document.activeElement)"), page.evaluate(focused_row)
    form.locator("textarea[name=content]").fill("Nhiệm vụ đã sửa")
    form.get_by_role("button", name=re.compile("^Lưu")).click()
    saved = page.locator(f"#task-{task.pk}")
    expect(saved).to_contain_text("Nhiệm vụ đã sửa")
    page.wait_for_function("() => document.activeElement !== document.body")
    assert saved.evaluate("row => row.contains(document.activeElement)"), page.evaluate(focused_row)

    saved.get_by_role("button", name=re.compile("^Sửa")).click()
    page.locator("#task-rows form").wait_for()
    page.get_by_role("button", name="+ Thêm nhiệm vụ").click()
    new = page.locator("#task-rows .task-form-new form")
    new.wait_for()
    page.wait_for_function("() => document.activeElement.name === 'content'")
    assert new.evaluate("f => f.contains(document.activeElement)"), page.evaluate(focused_row)
    # Each form's label leads to its own box (ids are unique on the page).
    edited = page.locator("#task-rows .task-form-row:not(.task-form-new) form")
    for form in (edited, new):
        assert form.get_by_label("Nội dung").evaluate("(box, form) => box.form === form", form.element_handle())
    assert page.evaluate("() => new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size"
                         " === document.querySelectorAll('[id]').length")
