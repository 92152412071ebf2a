"""The public register in Debian's Chromium (issue 15, done when): an
anonymous visitor finds the register from the login page, searches without
diacritics, opens a published plan, reads its tasks, downloads its PDF and
the open data (CSV, JSON), and a draft's public address answers 404. No
Content-Security-Policy violation on the way."""

import csv
import io
import json

import pytest

from conftest import ARTIFACTS
from plans import services
from plans.models import Area, Channel
from plans.reference import reference_lists_ensure
from plans.tests.factories import plan_draft, plan_issued

from .a11y import DESKTOP, assert_accessible

LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI}`);
});"""


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_visitor_reads_a_published_plan_and_downloads_the_open_data(live_server, browser, tree,
                                                                                personas):
    reference_lists_ensure(Area, Channel)  # transactional tests empty them
    plan = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, number=12,
                       leads=[tree["home_affairs"], tree["commune"]],
                       title="Tuyên truyền cải cách hành chính huyện Một năm 2026")
    task = plan.tasks.order_by("position").first()
    task.budget = 150_000_000
    task.content = "Đăng tin về thủ tục hành chính trên trang thông tin điện tử"
    task.save()
    hidden = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, number=13,
                         title="Kế hoạch chưa công khai")
    services.plan_set_published(plan=hidden, user=personas.head, published=False)
    draft = plan_draft(issuer=tree["district"], title="Dự thảo chưa ban hành", leads=[tree["commune"]])

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "CSP-VIOLATION" in m.text or m.text.startswith(
        "Refused to") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(live_server.url + "/dang-nhap/")
    page.click("text=Xem các kế hoạch đã ban hành được công khai")
    page.wait_for_url("**/cong-khai/")
    register = page.locator("#register").inner_text()
    assert plan.title in register and "Kế hoạch chưa công khai" not in register and draft.title not in register

    page.fill("#id_q", "tuyen truyen cai cach huyen mot")  # no diacritics
    page.click("button[type=submit]:has-text('Tìm')")
    page.wait_for_url("**q=tuyen*")
    assert "1 kế hoạch phù hợp" in page.locator("#register-count").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "public-register.png"), full_page=True)
    assert_accessible(page, "public-register")  # axe, then the fit at 390 px
    page.set_viewport_size(DESKTOP)
    page.click(f"text={plan.title}")
    page.wait_for_url(f"**/cong-khai/ke-hoach/{plan.pk}/")
    assert page.locator("h1").inner_text() == "Kế hoạch số 12/KH-UBND"
    facts = page.locator("#plan-facts").inner_text()
    assert "Ủy ban nhân dân huyện Một" in facts and "08/01/2026" in facts
    page.screenshot(path=str(ARTIFACTS / "public-plan.png"), full_page=True)
    assert_accessible(page, "public-plan")
    page.set_viewport_size(DESKTOP)
    tasks = page.locator("#tasks").inner_text()
    assert "Đăng tin về thủ tục hành chính" in tasks and "150.000.000" in tasks and "Phòng Nội vụ" in tasks

    with page.expect_download() as pdf:
        page.click("text=Tải văn bản (PDF)")
    assert pdf.value.suggested_filename == "KH-12-KH-UBND-2026.pdf"
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115

    with page.expect_download() as tasks_csv:
        page.click("text=Nhiệm vụ (CSV)")
    raw = open(tasks_csv.value.path(), "rb").read()  # noqa: SIM115
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["stt"] for row in rows] == ["1", "2"] and rows[0]["budget"] == "150000000"

    page.click("text=Về dữ liệu mở")
    page.wait_for_url("**/cong-khai/du-lieu-mo/")
    assert_accessible(page, "public-open-data")
    page.set_viewport_size(DESKTOP)
    with page.expect_download() as plans_json:
        page.click("#plans-json")
    data = json.loads(open(plans_json.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert [row["id"] for row in data] == [plan.pk]
    assert data[0]["reference"] == "12/KH-UBND" and data[0]["issuer_name"] == "Ủy ban nhân dân huyện Một"
    assert "signer_name" not in data[0] and "Nguyễn Văn An" not in json.dumps(data, ensure_ascii=False)
    with page.expect_download() as tasks_json:
        page.click("#tasks-json")
    task_rows = json.loads(open(tasks_json.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert {row["plan_id"] for row in task_rows} == {plan.pk}
    assert task_rows[0]["budget"] == 150_000_000

    for gone in (draft, hidden):
        response = page.goto(f"{live_server.url}/cong-khai/ke-hoach/{gone.pk}/")
        assert response.status == 404
        response = page.goto(f"{live_server.url}/cong-khai/ke-hoach/{gone.pk}/van-ban.pdf")
        assert response.status == 404
    assert not problems, problems
    context.close()
