"""The Content-Security-Policy in Debian's Chromium: every role's main pages
load with no violation, and what moved out of inline handlers (onclick,
onchange) and style attributes into static/ still works."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agencies.models import Agency
from demo.loader import DEMO_PASSWORD
from plans.models import Plan
from reports.models import Report

# Chromium reports a violation on the console ("Refused to apply inline
# style…", "Refused to execute inline script…") and fires
# securitypolicyviolation, which this script, run before the page's own
# (by the browser, not subject to the page's policy), writes to the console too.
LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} sample=${e.sample}`);
});"""


class Visitor:
    """A page in a fresh context whose CSP violations and script errors are kept."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: page error {error}"))

    def _console(self, message):
        text = message.text
        if "CSP-VIOLATION" in text or "Content Security Policy" in text or text.startswith("Refused to"):
            self.problems.append(f"{self.page.url}: {text}")

    def visit(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, f"{path}: {response.status}"
        assert response.headers.get("content-security-policy"), f"{path}: no Content-Security-Policy header"
        self.page.wait_for_load_state("load")
        return response

    def log_in(self, username):
        self.visit("/dang-nhap/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base_url + "/")

    def close(self):
        self.context.close()


@pytest.fixture
def visitors(browser, live_server):
    opened = []

    def _open(username=None):
        visitor = Visitor(browser, live_server.url)
        opened.append(visitor)
        if username:
            visitor.log_in(username)
        return visitor

    yield _open
    for visitor in opened:
        visitor.close()


def assert_clean(visitor):
    assert visitor.problems == [], "\n".join(visitor.problems)


@pytest.mark.django_db(transaction=True)
def test_every_role_sees_its_pages_with_no_csp_violation(visitors):
    call_command("load_demo", stdout=io.StringIO())
    plan = Plan.objects.get(issuer__code="HD-BG", year_start=2025)
    report = Report.objects.get(agency__code="HD-BG-KS", period__label="Năm 2026")

    anonymous = visitors()
    response = anonymous.visit("/dang-nhap/")
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "font-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'",
                      "object-src 'none'"):
        assert directive in policy, (directive, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert_clean(anonymous)

    drafter = visitors("drafter")
    for path in ("/", "/plans/", f"/plans/{plan.pk}/", f"/plans/{plan.pk}/edit/",
                 f"/plans/{plan.pk}/edit/muc-dich/", f"/plans/{plan.pk}/tasks/", "/reports/notifications/"):
        drafter.visit(path)
    # htmx put no <style> of its own into the page (its indicator is in portal.css).
    assert drafter.page.locator("style").count() == 0
    assert drafter.page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert_clean(drafter)

    head = visitors("head")
    for path in ("/", "/reports/notifications/", "/reports/", f"/reports/{report.pk}/"):
        head.visit(path)
    # The report's column widths come from portal.css now.
    width = head.page.evaluate("() => getComputedStyle(document.querySelector('th.w-col-25')).width")
    table = head.page.evaluate("() => document.querySelector('th.w-col-25').closest('table').offsetWidth")
    assert abs(float(width.removesuffix("px")) / table - 0.25) < 0.05
    assert_clean(head)

    reviewer = visitors("reviewer")
    for path in ("/", "/plans/", "/reports/notifications/", "/dashboard/"):
        reviewer.visit(path)
    reviewer.page.select_option("#id_period", label="Quý III/2026")
    reviewer.page.wait_for_load_state("load")
    expect(reviewer.page.locator("#chart-kinds")).to_be_visible()
    assert_clean(reviewer)

    # The admin under the same policy: every model's list, its first object's
    # change and history pages, and its add page.
    admin = visitors("admin")
    admin.visit("/admin/")
    first_link = "(s) => { const a = document.querySelector(s); return a && a.getAttribute('href'); }"
    lists = admin.page.evaluate("() => [...document.querySelectorAll('#content-main th[scope=row] a')]"
                                ".map(a => a.getAttribute('href'))")
    assert len(lists) >= 10
    visited = []
    for changelist in lists:
        admin.visit(changelist)
        visited.append(changelist)
        change = admin.page.evaluate(first_link, "#result_list tbody tr th a")
        if change:
            admin.visit(change)
            visited.append(change)
            history = admin.page.evaluate(first_link, "a.historylink")
            if history:
                admin.visit(history)
                visited.append(history)
        add = admin.page.evaluate(first_link, "a.addlink")
        if add:
            admin.visit(add)
            visited.append(add)
    assert "/admin/agencies/agency/" in visited and len(visited) >= 40, visited
    # The autocomplete (select2) opens and offers agencies under the policy.
    agency = Agency.objects.get(code="HD-BG")
    admin.visit(f"/admin/agencies/agency/{agency.pk}/change/")
    admin.page.locator("#select2-id_parent-container").click()
    expect(admin.page.locator(".select2-results__option").first).to_be_visible()
    assert_clean(admin)


@pytest.mark.django_db(transaction=True)
def test_the_actions_moved_out_of_inline_handlers_still_work(visitors, live_server):
    call_command("load_demo", stdout=io.StringIO())
    plan = Plan.objects.get(issuer__code="HD-BG", year_start=2025)
    report = Report.objects.get(agency__code="HD-BG-KS", period__label="Năm 2026")

    # «Hủy» on a new task's row (was onclick="this.closest('tr').remove()").
    drafter = visitors("drafter")
    drafter.visit(f"/plans/{plan.pk}/tasks/")
    page = drafter.page
    page.get_by_role("button", name="+ Thêm nhiệm vụ").click()
    new_row = page.locator("#task-rows tr.task-form-new")
    expect(new_row).to_have_count(1)
    new_row.locator("button[data-remove-closest]").click()
    expect(new_row).to_have_count(0)
    # And a second «Thêm» opens one again (the removed row is really gone).
    page.get_by_role("button", name="+ Thêm nhiệm vụ").click()
    expect(new_row).to_have_count(1)
    assert_clean(drafter)

    # «Nộp báo cáo» disables the form's buttons once the form is sent (was an
    # inline onclick): the send is held here to look at the buttons.
    head = visitors("head")
    head.visit(f"/reports/{report.pk}/")
    page = head.page
    page.evaluate("""() => document.querySelector("button[value=submit]").form
        .addEventListener("submit", (e) => { window.sent = e.submitter.value; e.preventDefault(); })""")
    buttons = page.locator("button[value=submit]").locator("xpath=ancestor::form").locator("button")
    assert buttons.count() >= 2
    assert all(not b.is_disabled() for b in buttons.all())
    page.click("button[value=submit]")
    expect(buttons.first).to_be_disabled()
    for button in buttons.all():
        expect(button).to_be_disabled()
    assert page.evaluate("() => window.sent") == "submit"
    assert_clean(head)

    # The dashboard's period and plan lists send their form on change (was
    # onchange="this.form.submit()"); the charts' heights come from
    # data-height through dashboard.js, above the CSS floor.
    reviewer = visitors("reviewer")
    reviewer.visit("/dashboard/")
    page = reviewer.page
    with page.expect_navigation():
        page.select_option("#id_period", label="Quý III/2026")
    expect(page.locator("h1")).to_contain_text("Quý III/2026")
    period = page.evaluate("() => new URLSearchParams(location.search).get('period')")
    assert period
    choices = page.locator("#id_plan option").all()
    assert len(choices) >= 2
    with page.expect_navigation():
        page.select_option("#id_plan", choices[1].get_attribute("value"))
    query = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    assert query == {"period": period, "plan": choices[1].get_attribute("value")}
    expect(page.locator("#id_plan")).to_have_value(choices[1].get_attribute("value"))
    box = page.locator("#chart-kinds").locator("xpath=..")
    wanted = max(int(box.get_attribute("data-height")), 170)
    assert abs(box.bounding_box()["height"] - wanted) <= 1
    trend = page.locator("#chart-trend").locator("xpath=..").bounding_box()
    assert abs(trend["height"] - 220) <= 1
    # The late count keeps its colour from dashboard.css.
    colour = page.evaluate("() => getComputedStyle(document.querySelector('[data-kpi=late]')).color")
    assert colour == "rgb(196, 87, 10)"
    assert_clean(reviewer)

