"""Plans and the dashboard in Chromium, for each role that sees them, on the
loaded demo: no serious or critical WCAG 2.1 AA violation axe-core finds at
desktop size, nothing wider than a 390 px phone, no form button without a
type. Then what axe cannot see: the plan reads on a phone (the letterhead's
two columns in the screen, the body at phone size, the appendix as one card
per task), the section tabs say which is open, each task's «Sửa»/«Xóa» says
which task, a long history is reachable by keyboard, the dashboard's charts
point to tables that are captioned and reachable when they scroll."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from plans.models import Plan
from plans.tests.importing_docx import build_docx
from plans.tests.test_import_views import SOURCE
from schedule.models import ReportingPeriod

from .a11y import DESKTOP, PHONE, assert_accessible, assert_fits, visit


def check(page, base: str, user: str, paths: list[str]) -> None:
    for path in paths:
        visit(page, base + path, f"plans-{user}-{path.strip('/').replace('/', '-').replace('?', '-') or 'home'}")


def phone_boxes(root, selector: str) -> list[dict]:
    """Where the elements matching `selector` under `root` (a page or a locator) sit and how they are
    laid out, at the current size; `before` is the text CSS puts before them."""
    return root.locator(selector).evaluate_all("""els => els.map(el => {
        const box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return {left: box.left, right: box.right, top: box.top, display: style.display,
                fontSize: parseFloat(style.fontSize), before: getComputedStyle(el, "::before").content};
    })""")


@pytest.mark.django_db(transaction=True)
def test_plan_pages_of_every_role_on_a_phone_and_to_a_screen_reader(live_server, log_in, empty_cache, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    draft = Plan.objects.get(issuer__code="HD-BG", status=Plan.Status.DRAFT)
    district = Plan.objects.get(issuer__code="HD-BG", status=Plan.Status.ISSUED, year_start=2026)
    city = Plan.objects.get(issuer__code="HP", status=Plan.Status.ISSUED, year_start=2026)
    commune = Plan.objects.get(issuer__code="HP-XDA")
    tasks = list(draft.tasks.order_by("position"))
    base = live_server.url
    d = f"/plans/{draft.pk}/"

    drafter = log_in("drafter")
    check(drafter, base, "drafter", [
        "/plans/", d, f"{d}edit/", f"{d}edit/de-muc/", f"{d}edit/muc-dich/", f"{d}edit/noi-dung/",
        f"{d}edit/to-chuc/", f"{d}edit/noi-nhan/", f"{d}tasks/", f"{d}tasks/new/", f"{d}tasks/{tasks[0].pk}/edit/",
        f"{d}tasks/{tasks[0].pk}/delete/", f"{d}submit/", f"{d}delete/", "/plans/new/", "/plans/import/",
        f"/plans/{district.pk}/", f"/plans/{district.pk}/copy/",
    ])

    # The list on a phone: each plan a block, its title above the rest.
    drafter.set_viewport_size(PHONE)
    drafter.goto(base + "/plans/")
    row = drafter.locator(".plan-table tbody tr").first
    title, number = phone_boxes(row, "td.plan-title")[0], phone_boxes(row, "td[data-label]")[0]
    assert title["top"] < number["top"] and number["before"] == '"Số: "'

    # The plan on a phone: the letterhead's two columns inside the screen, the
    # body at phone size, each task a card whose values say their column.
    drafter.goto(base + d)
    assert_fits(drafter)
    cells = phone_boxes(drafter, ".plan-sheet .header-table td")
    assert all(0 <= cell["left"] and cell["right"] <= PHONE["width"] for cell in cells)
    assert cells[0]["top"] == cells[1]["top"]  # still side by side, as printed
    body = phone_boxes(drafter, ".plan-sheet > p:not(.draft-mark):not(.doc-title)")[0]
    assert body["fontSize"] >= 16
    card = drafter.locator(".plan-appendix tbody tr").first
    assert phone_boxes(card, "td")[0]["display"] == "block"
    assert phone_boxes(card, "td.stack-number")[0]["before"] == '"Nhiệm vụ "'
    assert [cell["before"] for cell in phone_boxes(card, "td[data-label]")] == [
        '"Hình thức: "', '"Chủ trì: "', '"Phối hợp: "', '"Thời gian: "', '"Sản phẩm: "', '"Kinh phí (đồng): "']

    # A long history scrolls in its card: the keyboard reaches it and it has a name.
    drafter.set_viewport_size(DESKTOP)
    drafter.reload()
    history = drafter.get_by_role("region", name="Lịch sử thay đổi (cuộn để xem hết)")
    expect(history).to_have_attribute("tabindex", "0")
    history.focus()
    expect(history).to_be_focused()

    # The editor's tabs say which one is open, and only that one.
    drafter.goto(f"{base}{d}edit/noi-dung/")
    tabs = drafter.get_by_role("navigation", name="Các phần của kế hoạch")
    expect(tabs.locator("[aria-current=page]")).to_have_count(1)
    expect(tabs.locator("[aria-current=page]")).to_have_text("Nội dung tuyên truyền")
    # Each row's buttons say which row; «+ Thêm dòng» adds a row without submitting the form.
    first_row = drafter.locator(".formset-row").first
    expect(first_row.get_by_role("button", name="Chuyển lên dòng 1")).to_have_count(1)
    rows = drafter.locator(".formset-row:not(.formset-row-deleted)").count()
    drafter.get_by_role("button", name="+ Thêm dòng").click()
    expect(drafter.locator(".formset-row:not(.formset-row-deleted)")).to_have_count(rows + 1)
    assert drafter.url == f"{base}{d}edit/noi-dung/"
    # Moving a row keeps the focus on the button that moved it.
    second_up = drafter.locator(".formset-row").nth(1).get_by_role("button", name=re.compile("^Chuyển lên"))
    second_up.focus()
    drafter.keyboard.press("Enter")
    assert drafter.evaluate("document.activeElement.dataset.rowAction") == "up"

    # «Sửa» and «Xóa» of the appendix name their task: no two buttons sound alike.
    drafter.goto(f"{base}{d}tasks/")
    names = drafter.locator("#task-rows [role=button]").evaluate_all("els => els.map(el => el.getAttribute('aria-label'))")
    assert len(names) == 2 * len(tasks) and len(set(names)) == len(names)
    expect(drafter.get_by_role("button", name=f"Sửa nhiệm vụ 1: {tasks[0].content[:40]}")).to_have_count(1)
    expect(drafter.get_by_role("button", name=f"Xóa nhiệm vụ 2: {tasks[1].content[:40]}")).to_have_count(1)
    drafter.set_viewport_size(PHONE)
    assert phone_boxes(drafter, "#task-rows > tr:first-child > td")[0]["display"] == "block"

    # A Word plan brought in: the review page.
    docx = tmp_path / "ke-hoach.docx"
    docx.write_bytes(build_docx(["Cổng thông tin điện tử huyện – Tải về", *SOURCE.splitlines()], numbering="auto"))
    drafter.set_viewport_size(DESKTOP)
    drafter.goto(base + "/plans/import/")
    drafter.set_input_files("#id_file", str(docx))
    drafter.get_by_role("button", name="Nhận dạng").click()
    drafter.wait_for_selector("#import-review")
    visit(drafter, drafter.url, "plans-drafter-import-review")

    # Submitted for approval: the wording is «Trình phê duyệt», the state «Chờ phê duyệt».
    drafter.goto(base + d)
    drafter.locator("#plan-actions").get_by_role("link", name="Trình phê duyệt").click()
    drafter.get_by_role("button", name="Trình phê duyệt").click()
    expect(drafter.locator("#messages [role=status]")).to_contain_text("Đã trình lãnh đạo phê duyệt kế hoạch.")
    expect(drafter.locator("main .badge").first).to_have_text("Chờ phê duyệt")
    assert_accessible(drafter, "plans-drafter-submitted")
    check(drafter, base, "drafter", [f"{d}withdraw/"])
    drafter.close()

    head = log_in("head")
    check(head, base, "head", ["/plans/", d, f"{d}issue/", f"{d}return/", f"{d}record/"])
    # A refused issue date is said next to its box and tied to it.
    head.goto(f"{base}{d}issue/")
    head.fill("#id_issue_date", date(date.today().year + 1, 1, 5).strftime("%d/%m/%Y"))
    head.get_by_role("button", name="Ban hành").click()
    issue_date = head.locator("#id_issue_date")
    expect(issue_date).to_have_attribute("aria-invalid", "true")
    described = issue_date.get_attribute("aria-describedby") or ""
    assert any("sau hôm nay" in (head.locator(f"#{id}").text_content() or "")
               for id in described.split()), described
    assert_accessible(head, "plans-head-issue-refused")
    head.close()

    for user, paths in {
        "sonv-drafter": ["/plans/", f"/plans/{city.pk}/", f"/plans/{city.pk}/copy/", f"/plans/{city.pk}/cascade/"],
        "ubnd-haiphong": ["/plans/", f"/plans/{city.pk}/"],
        "nv-haiphong": ["/plans/", f"/plans/{city.pk}/", f"/plans/{commune.pk}/"],
        "xa-duongan": ["/plans/", f"/plans/{commune.pk}/", f"/plans/{city.pk}/", f"/plans/{city.pk}/cascade/"],
        "admin": ["/plans/", f"/plans/{city.pk}/"],
    }.items():
        page = log_in(user)
        check(page, base, user, paths)
        page.close()


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_of_every_role_with_its_charts_tables(live_server, log_in, empty_cache):
    call_command("load_demo", stdout=io.StringIO())
    q3 = ReportingPeriod.objects.get(label="Quý III/2026").pk
    base = live_server.url
    for user, paths in {
        "nv-haiphong": ["/dashboard/", f"/dashboard/?period={q3}", f"/dashboard/?period={q3}&status=missing"],
        "ubnd-haiphong": ["/dashboard/"],
        "reviewer": ["/dashboard/"],
        "head": ["/dashboard/"],
        "admin": ["/dashboard/"],
    }.items():
        page = log_in(user)
        check(page, base, user, paths)
        page.close()

    page = log_in("nv-haiphong")
    page.goto(f"{base}/dashboard/?period={q3}")
    # Each chart is an image named after what it shows, and says its numbers are
    # in the table under it; that table's caption names the same thing.
    charts = page.eval_on_selector_all("canvas", """els => els.map(c => ({
        role: c.getAttribute("role"), label: c.getAttribute("aria-label"),
        caption: c.closest(".card-body").querySelector("table caption")?.textContent.trim()}))""")
    assert len(charts) >= 5  # kinds, trend, progress, channels, products (and branches when the node has some)
    for chart in charts:
        assert chart["role"] == "img" and chart["label"].endswith("; số liệu ở bảng ngay dưới"), chart
        assert chart["caption"] and chart["caption"].startswith("Số liệu biểu đồ: "), chart
    expect(page.locator("#table-progress tbody th[scope=row]").first).to_be_visible()

    # On a phone the tables that scroll sideways are reached by keyboard, named by their caption.
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_timeout(300)
    regions = page.eval_on_selector_all(".table-responsive", """boxes => boxes.map(b => ({
        scrolls: b.scrollWidth > b.clientWidth + 1, tabindex: b.getAttribute("tabindex"),
        role: b.getAttribute("role"), label: b.getAttribute("aria-label")}))""")
    scrolling = [r for r in regions if r["scrolls"]]
    assert scrolling, regions
    for region in scrolling:
        assert region["tabindex"] == "0" and region["role"] == "region", region
        assert region["label"].endswith("(cuộn ngang để xem hết)") and not region["label"].startswith("Bảng"), region
    progress = page.get_by_role("region", name="Số liệu biểu đồ: tiến độ nhiệm vụ theo lĩnh vực CCHC (cuộn ngang để xem hết)")
    progress.focus()
    expect(progress).to_be_focused()
    # The list of units: one block per unit, its sort links still there.
    assert phone_boxes(page, "#agency-table tbody > tr")[0]["display"] == "block"
    expect(page.locator("#agency-table thead").get_by_role("link", name=re.compile("^Hạn nộp"))).to_be_visible()
    page.close()
