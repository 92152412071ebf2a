"""The admin's address, who gets in, and optional TOTP for administrators."""

import os
import re
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_from_page(body: str) -> str:
    """What the administrator's phone shows after typing the secret the page printed."""
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    return f"{totp(b32decode(secret)):06d}"


class TestAdminAddress:
    def test_default_is_admin(self):
        assert reverse("admin:index") == "/admin/"

    def test_the_path_comes_from_the_environment(self):
        env = os.environ | {"DJANGO_ADMIN_URL": "/quan-tri-bi-mat", "DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test"}
        script = ("import django; django.setup(); from django.urls import reverse, resolve, Resolver404\n"
                  "print(reverse('admin:index'))\n"
                  "try:\n    resolve('/admin/')\nexcept Resolver404:\n    print('no /admin/')\n")
        out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=120).stdout.split()
        assert out == ["/quan-tri-bi-mat/", "no", "/admin/"]

    def test_portal_menu_links_to_the_configured_admin(self, client, personas):
        client.force_login(personas.admin)
        assert f'href="{reverse("admin:index")}"' in client.get(reverse("home")).content.decode()


class TestAdminGate:
    def test_system_admin_gets_in(self, client, personas):
        client.force_login(personas.admin)
        assert client.get(reverse("admin:index")).status_code == 200

    def test_staff_without_the_admin_role_is_sent_to_login(self, client, personas):
        staff = personas.head
        staff.is_staff = True
        staff.save()
        client.force_login(staff)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))

    def test_admin_role_without_staff_flag_is_refused(self, client, personas):
        personas.admin.is_staff = False
        personas.admin.save()
        client.force_login(personas.admin)
        assert client.get(reverse("admin:index")).status_code == 302


@pytest.fixture
def otp_required(settings):
    settings.ADMIN_REQUIRE_OTP = True


class TestTwoFactor:
    def test_without_the_setting_no_code_is_asked(self, client, personas):
        client.force_login(personas.admin)
        assert client.get(reverse("admin:index")).status_code == 200

    def test_with_the_setting_an_admin_enrols_then_gets_in(self, client, personas, otp_required):
        client.force_login(personas.admin)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        # admin → its login → the two-factor page (no device yet) → enrolment
        response = client.get(response["Location"], follow=True)
        body = response.content.decode()
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
        assert "Đăng ký xác thực hai bước" in body and "<svg" in body and "otpauth://totp/" in body
        assert "<script" not in body.split("</main>")[0].split('id="main"')[1]
        assert "style=" not in body
        wrong = client.post(reverse("accounts:otp_enrol"), {"token": "000000" if code_from_page(body) != "000000"
                                                             else "111111", "next": reverse("admin:index")})
        assert wrong.status_code == 200 and "Mã không đúng" in wrong.content.decode()
        assert not TOTPDevice.objects.filter(user=personas.admin, confirmed=True).exists()
        time.sleep(1.1)  # django-otp throttles after a wrong code: 1 s, then doubling
        done = client.post(reverse("accounts:otp_enrol"), {"token": code_from_page(body), "next": reverse("admin:index")})
        assert done.status_code == 302 and done["Location"] == reverse("admin:index")
        assert TOTPDevice.objects.get(user=personas.admin).confirmed
        assert client.get(reverse("admin:index")).status_code == 200
        assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_ENROLLED, user=personas.admin).exists()

    def test_a_new_session_needs_a_code_from_the_device(self, client, personas, otp_required):
        device = TOTPDevice.objects.create(user=personas.admin, name="app", confirmed=True)
        client.post(reverse("login"), {"username": "admin", "password": personas.password})
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))
        assert "Xác thực hai bước" in response.content.decode()
        bad = client.post(reverse("accounts:otp_verify"), {"token": "12345a", "next": "/admin/"})
        assert bad.status_code == 200 and "6 chữ số" in bad.content.decode()
        ok = client.post(reverse("accounts:otp_verify"), {"token": code_for(device), "next": reverse("admin:index")})
        assert ok.status_code == 302 and ok["Location"] == reverse("admin:index")
        assert client.get(reverse("admin:index")).status_code == 200
        # Without the code, an enrolled admin cannot swap the device for one of their own.
        other = type(client)()
        other.force_login(personas.admin)
        response = other.get(reverse("accounts:otp_enrol"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))

    def test_a_code_is_not_accepted_twice(self, client, personas, otp_required):
        device = TOTPDevice.objects.create(user=personas.admin, name="app", confirmed=True)
        code = code_for(device)
        client.force_login(personas.admin)
        assert client.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 302
        second = type(client)()
        second.force_login(personas.admin)
        assert second.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 200
        assert second.get(reverse("admin:index")).status_code == 302

    def test_the_next_address_may_not_leave_the_site(self, client, personas, otp_required):
        device = TOTPDevice.objects.create(user=personas.admin, name="app", confirmed=True)
        client.force_login(personas.admin)
        response = client.post(reverse("accounts:otp_verify"), {"token": code_for(device), "next": "https://evil.example/"})
        assert response["Location"] == reverse("admin:index")

    @pytest.mark.parametrize("persona", ["drafter", "head", "reviewer", "outsider"])
    def test_two_factor_pages_are_for_system_admins_only(self, client, personas, persona, otp_required):
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("accounts:otp_enrol")).status_code == 403
        assert client.post(reverse("accounts:otp_verify"), {"token": "123456"}).status_code == 403
        assert not TOTPDevice.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, db):
        response = client.get(reverse("accounts:otp_enrol"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_each_admin_enrols_their_own_device_only(self, client, personas, make_user, otp_required):
        second_admin = make_user("admin2")
        second_admin.is_superuser = second_admin.is_staff = True
        second_admin.save()
        theirs = TOTPDevice.objects.create(user=second_admin, name="app", confirmed=False)
        client.force_login(personas.admin)
        body = client.get(reverse("accounts:otp_enrol")).content.decode()
        mine = TOTPDevice.objects.get(user=personas.admin)
        assert mine.pk != theirs.pk
        # A code from the other admin's device does not confirm this one, nor theirs.
        client.post(reverse("accounts:otp_enrol"), {"token": code_for(theirs)})
        theirs.refresh_from_db()
        assert not theirs.confirmed
        assert code_from_page(body) == code_for(mine)

    def test_a_staff_user_verified_by_otp_still_needs_the_admin_role(self, client, personas, otp_required):
        staff = personas.reviewer
        staff.is_staff = True
        staff.save()
        client.force_login(staff)
        assert client.get(reverse("admin:index")).status_code == 302


def test_a_lockout_setting_it_does_not_know_stops_the_start():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DJANGO_DEBUG": "true", "AXES_LOCKOUT_PARAMETERS": "username,email"}
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "AXES_LOCKOUT_PARAMETERS" in result.stderr
    env["AXES_LOCKOUT_PARAMETERS"] = "username+ip_address"
    code = "from django.conf import settings; print(settings.AXES_LOCKOUT_PARAMETERS)"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[['username', 'ip_address']]"
