"""Onboarding in a real browser (Debian's Chromium): an admin imports a file,
the new user sets a password from the invitation and signs in, the admin
locks the account and the user's next page is the login page."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from agencies.onboarding import users_invite

NEW_PASSWORD = "Mat-khau-moi-2026!"


@pytest.mark.django_db(transaction=True)
def test_import_invite_activate_and_lock_in_the_browser(browser, live_server, personas, tmp_path):
    csv_file = tmp_path / "nguoi-dung.csv"
    csv_file.write_text("Họ tên,Thư điện tử,Mã đơn vị,Vai trò\nHà Thị Quỳnh,quynh@mot.gov.vn,D,Chuyên viên soạn thảo\n",
                        encoding="utf-8-sig")
    admin = browser.new_page(locale="vi-VN")
    admin.set_default_timeout(15_000)
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", personas.admin.username)
    admin.fill("#id_password", personas.password)
    admin.click("input[type=submit]")
    admin.goto(live_server.url + "/admin/auth/user/")
    admin.click("text=Nhập từ CSV/XLSX")
    admin.set_input_files("#id_file", str(csv_file))
    admin.click("input[name=import]")
    admin.wait_for_url(live_server.url + "/admin/auth/user/")
    assert "Đã nhập: tạo 1 tài khoản mới" in admin.content()

    user = get_user_model().objects.get(email="quynh@mot.gov.vn")
    assert users_invite([user.pk]) == []
    link = re.search(r"https?://\S+/kich-hoat/\S+/", mail.outbox[-1].body).group(0)
    person = browser.new_page(locale="vi-VN")
    person.set_default_timeout(15_000)
    person.goto(live_server.url + urlsplit(link).path)
    assert "quynh@mot.gov.vn" in person.content()
    person.fill("#id_new_password1", NEW_PASSWORD)
    person.fill("#id_new_password2", NEW_PASSWORD)
    person.click("button[type=submit]")
    person.wait_for_url(live_server.url + "/dang-nhap/")
    assert "Đã đặt mật khẩu" in person.content()
    person.fill("#id_username", "quynh@mot.gov.vn")
    person.fill("#id_password", NEW_PASSWORD)
    person.click("button[type=submit]")
    person.wait_for_url(live_server.url + "/")

    admin.goto(live_server.url + f"/admin/auth/user/{user.pk}/change/")
    admin.click("text=Khóa tài khoản")
    admin.click("input[value='Khóa tài khoản']")
    admin.wait_for_url(live_server.url + f"/admin/auth/user/{user.pk}/change/")
    assert "Đã khóa tài khoản quynh@mot.gov.vn" in admin.content()

    person.reload()
    assert urlsplit(person.url).path == "/dang-nhap/"
