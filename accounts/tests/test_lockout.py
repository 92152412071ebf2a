"""django-axes: repeated wrong passwords lock the account and the address,
with a Vietnamese page; an administrator unlocks."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditEvent

LIMIT = 3


@pytest.fixture(autouse=True)
def axes_on(settings):
    # Test settings turn django-axes off (client.login() passes no request).
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT


def attempt(client, username, password, ip="10.0.0.1", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_account_is_locked_after_the_limit_even_with_the_right_password(client, personas):
    for _ in range(LIMIT - 1):
        assert attempt(client, "drafter", "sai").status_code == 200  # the form again, with its error
    response = attempt(client, "drafter", "sai")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tạm khóa đăng nhập" in body and "30 phút" in body and "drafter" in body
    response = attempt(client, "drafter", personas.password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert AuditEvent.Action.LOCKOUT in actions
    assert AuditEvent.Action.LOGIN not in actions


def test_the_account_stays_locked_from_another_address(client, personas):
    for n in range(LIMIT):
        attempt(client, "drafter", "sai", ip=f"10.0.1.{n}")  # spraying from many addresses
    assert attempt(client, "drafter", personas.password, ip="10.9.9.9").status_code == 429


def test_the_address_is_locked_for_other_accounts(client, personas):
    for name in ("a1", "a2", "a3"):
        attempt(client, name, "sai", ip="10.0.0.66")
    assert attempt(client, "head", personas.password, ip="10.0.0.66").status_code == 429
    # Another address and another account are untouched.
    response = attempt(client, "head", personas.password, ip="10.0.0.67")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(personas.head.pk)


def test_a_success_before_the_limit_starts_the_count_again(client, personas):
    for _ in range(LIMIT - 1):
        attempt(client, "drafter", "sai")
    assert attempt(client, "drafter", personas.password).status_code == 302
    client.post(reverse("logout"))
    for _ in range(LIMIT - 1):
        assert attempt(client, "drafter", "sai").status_code == 200


def test_the_admin_login_page_is_protected_too(client, personas):
    url = reverse("admin:login")
    for _ in range(LIMIT):
        attempt(client, "admin", "sai", url=url)
    assert attempt(client, "admin", personas.password, url=url).status_code == 429


def test_an_administrator_unlocks_in_admin(client, personas):
    for _ in range(LIMIT):
        attempt(client, "drafter", "sai", ip="10.0.0.5")
    assert attempt(client, "drafter", personas.password, ip="10.0.0.5").status_code == 429
    admin_client = type(client)()
    admin_client.force_login(personas.admin)
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "drafter" in listing.content.decode()
    for row in AccessAttempt.objects.all():
        response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[row.pk]), {"post": "yes"})
        assert response.status_code == 302
    assert attempt(client, "drafter", personas.password, ip="10.0.0.5").status_code == 302


def test_axes_reset_command_unlocks(client, personas):
    for _ in range(LIMIT):
        attempt(client, "drafter", "sai")
    call_command("axes_reset_username", "drafter")
    call_command("axes_reset_ip", "10.0.0.1")
    assert attempt(client, "drafter", personas.password).status_code == 302


def test_a_non_admin_cannot_see_or_clear_the_attempts(client, personas):
    for _ in range(LIMIT):
        attempt(client, "drafter", "sai")
    staff = personas.reviewer
    staff.is_staff = True
    staff.save()
    other = type(client)()
    other.force_login(staff)
    assert other.get(reverse("admin:axes_accessattempt_changelist")).status_code == 302
    row = AccessAttempt.objects.first()
    other.post(reverse("admin:axes_accessattempt_delete", args=[row.pk]), {"post": "yes"})
    assert AccessAttempt.objects.filter(pk=row.pk).exists()
