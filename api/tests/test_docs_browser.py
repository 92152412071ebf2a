"""Swagger UI (/api/v1/docs/) in Debian's Chromium under our CSP: the
operations render, no violation, and no request leaves localhost."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from agencies.models import Membership

# As in cchc_portal/tests/test_csp_browser.py (a higher layer: not imported):
# every violation goes to the console, where the test collects it.
LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});"""


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_with_no_csp_violation_and_no_external_request(browser, live_server, make_user, tree):

    make_user("docs-reader", (tree["district"], Membership.Role.DRAFTER))
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page.set_default_timeout(15_000)
    page.add_init_script(LISTEN)
    problems: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda m: problems.append(m.text)
            if "CSP-VIOLATION" in m.text or "Content Security Policy" in m.text or m.text.startswith("Refused to")
            else None)
    page.on("pageerror", lambda error: problems.append(f"page error {error}"))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or request.url))

    page.goto(live_server.url + "/dang-nhap/")
    page.fill("#id_username", "docs-reader")
    page.fill("#id_password", "pw-Test-123")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    response = page.goto(live_server.url + "/api/v1/docs/")
    assert response.status == 200
    assert "style-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("Danh sách báo cáo", exact=False).first).to_be_visible()
    assert page.locator(".opblock").count() > 10
    page.wait_for_load_state("networkidle")
    assert problems == [], "\n".join(problems)
    assert hosts <= {"localhost", "127.0.0.1"}, hosts
    page.close()
