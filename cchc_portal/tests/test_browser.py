"""The portal driven in Debian's Chromium against a live server."""

import os

import pytest
from django.core.management import call_command

from conftest import ARTIFACTS
from demo.loader import DEMO_PASSWORD


@pytest.fixture
def page(browser):
    return browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")


@pytest.mark.django_db(transaction=True)
def test_a_demo_user_logs_in_and_reads_the_district_plan(live_server, page):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.fill("#id_username", "drafter")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.content()

    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert "Xin chào, Nguyễn Thị Lan" in page.locator("h1").inner_text()

    page.click("text=Tuyên truyền cải cách hành chính nhà nước huyện Bình Giang năm 2025")
    sheet = page.locator(".plan-sheet")
    sheet.wait_for()
    text = sheet.inner_text()
    assert "KẾ HOẠCH" in text and "IV. TỔ CHỨC THỰC HIỆN" in text and "Nhữ Văn Chuyên" in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-detail-003.png"), full_page=True)

    page.click("text=Đăng xuất")
    page.wait_for_url("**/dang-nhap/")
