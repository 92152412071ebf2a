"""Password reset by e-mail, in Vietnamese, end to end through the outbox."""

import re

from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import AuditEvent


def reset_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def test_the_login_page_links_to_the_reset(client, db):
    body = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in body and "Quên mật khẩu?" in body
    assert reverse("password_reset") == "/quen-mat-khau/"


def test_reset_by_email_end_to_end(client, personas):
    user = personas.drafter
    user.email = "drafter@example.vn"
    user.save()
    page = client.get(reverse("password_reset"))
    assert "Quên mật khẩu" in page.content.decode()
    response = client.post(reverse("password_reset"), {"email": "drafter@example.vn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "Kiểm tra hộp thư" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["drafter@example.vn"]
    assert message.subject == "Đặt lại mật khẩu trên Cổng kế hoạch tuyên truyền CCHC"
    assert "Kính gửi" in message.body and "«drafter»" in message.body
    link = reset_link(message)
    assert link.startswith("/dat-lai-mat-khau/")
    # Django moves the token into the session and redirects to a token-less address.
    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "is-invalid" in weak.content.decode()
    done = client.post(form_url, {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "Đã đặt mật khẩu mới" in client.get(done["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password("Mat-khau-moi-2026")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET, user=user).exists()
    # The link works once.
    again = client.get(link, follow=True)
    assert "Đường dẫn không còn dùng được" in again.content.decode()
    assert client.login(username="drafter", password="Mat-khau-moi-2026")


def test_an_unknown_address_sends_nothing_and_says_the_same(client, personas):
    response = client.post(reverse("password_reset"), {"email": "ai-do@example.vn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_link_for_one_user_cannot_set_another_users_password(client, personas):
    for user in (personas.drafter, personas.head):
        user.email = f"{user.username}@example.vn"
        user.save()
    client.post(reverse("password_reset"), {"email": "drafter@example.vn"})
    link = reset_link(mail.outbox[0])
    token = link.strip("/").split("/")[2]
    forged = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(personas.head.pk)), token])
    page = client.get(forged, follow=True)
    assert "Đường dẫn không còn dùng được" in page.content.decode()
    personas.head.refresh_from_db()
    assert personas.head.check_password(personas.password)


def test_a_garbled_link_answers_a_page_not_an_error(client, db):
    for link in ("/dat-lai-mat-khau/xx/yy/", "/dat-lai-mat-khau/" + "A" * 300 + "/set-password/"):
        response = client.get(link, follow=True)
        assert response.status_code == 200
        assert "Đường dẫn không còn dùng được" in response.content.decode()


def test_a_bad_address_is_refused_in_vietnamese(client, db):
    response = client.post(reverse("password_reset"), {"email": "khong-phai-email"})
    assert response.status_code == 200 and "Nhập một địa chỉ e-mail hợp lệ." in response.content.decode()
