"""In Chromium: a lockout page after repeated wrong passwords, a password reset
from the login page, and an administrator's two-factor enrolment from the QR
page's secret to Django admin."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import totp

from .a11y import DESKTOP, assert_accessible


@pytest.fixture
def page(browser, live_server):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page.set_default_timeout(15_000)
    return page


def submit_login(page, live_server, username, password):
    page.goto(live_server.url + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_wrong_passwords_lead_to_the_vietnamese_lockout_page(page, live_server, personas, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        submit_login(page, live_server, "drafter", "sai")
    assert page.locator("h1").inner_text() == "Tạm khóa đăng nhập"
    assert "30 phút" in page.inner_text("main")
    assert_accessible(page, "lockout")


def test_forgotten_password_from_the_login_page(page, live_server, personas):
    personas.head.email = "head@example.vn"
    personas.head.save()
    page.goto(live_server.url + "/dang-nhap/")
    assert_accessible(page, "login")
    page.set_viewport_size(DESKTOP)
    page.click("text=Quên mật khẩu?")
    assert_accessible(page, "password-reset")
    page.set_viewport_size(DESKTOP)
    page.fill("#id_email", "head@example.vn")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Kiểm tra hộp thư")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page, "password-reset-confirm")
    page.set_viewport_size(DESKTOP)
    page.fill("#id_new_password1", "Mat-khau-moi-2026")
    page.fill("#id_new_password2", "Mat-khau-moi-2026")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Đã đặt mật khẩu mới")
    submit_login(page, live_server, "head", "Mat-khau-moi-2026")
    page.wait_for_url(live_server.url + "/")


def test_an_administrator_enrols_two_factor_and_reaches_admin(page, live_server, personas, settings):
    settings.ADMIN_REQUIRE_OTP = True
    submit_login(page, live_server, "admin", personas.password)
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/admin/")
    page.wait_for_selector("text=Đăng ký xác thực hai bước")
    assert page.locator(".otp-qr svg").bounding_box()["width"] >= 200  # the QR is drawn at a scannable size
    assert_accessible(page, "otp-enrol")
    page.set_viewport_size(DESKTOP)
    secret = page.inner_text("#otp-secret").replace(" ", "")
    page.fill("#id_token", f"{totp(b32decode(secret)):06d}")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    assert "Nhật ký đăng nhập và tải tệp" in page.inner_text("body")
    # A new session of the same administrator is asked for a code.
    other = page.context.browser.new_page(viewport=DESKTOP, locale="vi-VN")
    submit_login(other, live_server, "admin", personas.password)
    other.wait_for_url(live_server.url + "/")
    other.goto(live_server.url + "/admin/")
    other.wait_for_selector("text=Trang quản trị cần thêm mã")
    assert_accessible(other, "otp-verify")
