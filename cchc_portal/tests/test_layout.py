"""The base layout's accessibility as the server renders it: the skip link,
the current menu entry (aria-current, from the URL namespace), messages in
live roles, report-line boxes labelled after their line with their errors
tied to them, and every button typed."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from cchc_portal.context_processors import active_section
from reports.tests.factories import report_world

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def current(html: str) -> list[str]:
    """The hrefs of the links marked as the current page."""
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', html)


@pytest.fixture
def report(tree, personas):
    world = report_world(tree=tree, personas=personas, leads=("commune", "commune"))
    return world.report(tree["commune"], "Quý I/2026")


@pytest.mark.parametrize(("url", "expected"), [
    ("home", ["/"]),
    ("plans:list", ["/plans/"]),
    ("reports:index", ["/reports/"]),
    ("reports:notifications", ["/reports/notifications/"]),
])
def test_the_current_menu_entry_is_marked_by_its_namespace(client, personas, url, expected):
    personas.login(client, "reviewer")
    html = client.get(reverse(url)).content.decode()
    assert current(html) == expected
    assert 'href="#main">Bỏ qua menu, đến nội dung chính</a>' in html and '<main class="container-xl py-4" id="main"' in html
    assert 'aria-controls="portal-menu"' in html and 'id="portal-menu"' in html


def test_a_page_inside_a_section_marks_its_section(client, personas, report):
    personas.login(client, "head")
    assert current(client.get(reverse("reports:detail", args=[report.pk])).content.decode()) == ["/reports/"]


@pytest.mark.parametrize("path", ["/healthz", "/favicon.ico"])
def test_pages_outside_the_menu_mark_nothing(rf, path):
    request = rf.get(path)
    request.resolver_match = resolve(path)  # /favicon.ico's pattern has no name
    assert active_section(request) == ""


def test_an_error_is_an_alert_and_each_box_names_its_line_and_its_error(client, personas, report):
    lines = list(report.lines.select_related("task").order_by("task__position"))
    personas.login(client, "head")
    data = {"action": "save", "lock_version": report.lock_version}
    for line in lines:
        data |= {f"line-{line.pk}-state": "in_progress", f"line-{line.pk}-percent": "50"}
    data[f"line-{lines[0].pk}-percent"] = "150"
    html = client.post(reverse("reports:detail", args=[report.pk]), data, follow=True).content.decode()
    assert re.search(r'<div class="alert alert-danger" role="alert">Báo cáo chưa lưu', html)

    first, second = (f"id_line-{line.pk}-percent" for line in lines)
    assert f'<label class="line-label" for="{first}">Tiến độ (%)<span class="visually-hidden"> – nhiệm vụ 1: ' \
           f'{lines[0].task.content}</span></label>' in html
    box = re.search(rf'<input [^>]*id="{first}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in box and f'aria-describedby="{first}_error"' in box
    assert re.search(rf'<div class="text-danger small" id="{first}_error">Tiến độ là số từ 0 đến 100.</div>', html)
    untouched = re.search(rf'<input [^>]*id="{second}"[^>]*>', html).group(0)
    assert "aria-invalid" not in untouched and "aria-describedby" not in untouched


def test_a_success_is_a_status(client, personas, report):
    personas.login(client, "head")
    data = {"action": "save", "lock_version": report.lock_version}
    for line in report.lines.all():
        data |= {f"line-{line.pk}-state": "in_progress", f"line-{line.pk}-percent": "50"}
    html = client.post(reverse("reports:detail", args=[report.pk]), data, follow=True).content.decode()
    assert '<div class="alert alert-success" role="status">Đã lưu nháp báo cáo.</div>' in html


# Templates of this pass; the plan and dashboard pages join in the next one.
OWN = ["base.html", "home.html", "403.html", "403_csrf.html", "404.html", "registration", "components", "reports", "par"]


def test_every_button_says_its_type():
    """A button without a type submits its form: the row buttons used to, without JavaScript."""
    untyped = []
    for name in OWN:
        path = TEMPLATES / name
        for template in [path] if path.is_file() else sorted(path.rglob("*.html")):
            for button in re.findall(r"<button\b[^>]*>", template.read_text()):
                if not re.search(r'\btype="(button|submit|reset)"', button):
                    untyped.append(f"{template.relative_to(TEMPLATES)}: {button}")
    assert not untyped, "\n".join(untyped)
