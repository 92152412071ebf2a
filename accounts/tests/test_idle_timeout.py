"""Sliding session expiry (SESSION_IDLE_TIMEOUT_MINUTES)."""

import time

import pytest
from django.urls import reverse

from accounts.middleware import SESSION_KEY
from accounts.models import AuditEvent


@pytest.fixture
def clock(monkeypatch):
    """time.time() as the middleware sees it, moved by the test."""
    now = [time.time()]
    monkeypatch.setattr("accounts.middleware.time.time", lambda: now[0])
    monkeypatch.setattr("accounts.signals.time.time", lambda: now[0])

    def advance(minutes: float) -> None:
        now[0] += minutes * 60

    return advance


@pytest.fixture
def logged_in(client, personas, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    response = client.post(reverse("login"), {"username": "drafter", "password": personas.password})
    assert response.status_code == 302
    return client


def test_activity_keeps_the_session_alive(logged_in, clock):
    for _ in range(4):  # 100 minutes in all, never 30 idle
        clock(25)
        assert logged_in.get(reverse("plans:list")).status_code == 200


def test_an_idle_session_ends_with_a_vietnamese_message(logged_in, clock, personas):
    clock(31)
    url = reverse("plans:list") + "?year=2026"
    response = logged_in.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert "_auth_user_id" not in logged_in.session
    page = logged_in.get(response["Location"]).content.decode()
    assert "Phiên làm việc đã kết thúc vì không thao tác quá 30 phút" in page
    event = AuditEvent.objects.latest("pk")
    assert event.action == AuditEvent.Action.SESSION_EXPIRED and event.user == personas.drafter


def test_idle_from_the_login_itself(logged_in, clock):
    # No page opened after signing in: the clock started at login.
    clock(45)
    assert logged_in.get(reverse("plans:list")).status_code == 302


def test_an_htmx_request_is_redirected_by_htmx(logged_in, clock):
    clock(31)
    response = logged_in.get(reverse("plans:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))


def test_a_post_after_expiry_does_nothing_and_asks_to_log_in(logged_in, clock):
    clock(31)
    response = logged_in.post(reverse("plans:new"), {"title": "x"})
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_zero_turns_the_timeout_off(logged_in, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 0
    clock(600)
    assert logged_in.get(reverse("plans:list")).status_code == 200


def test_the_session_is_not_written_on_every_request(logged_in, clock):
    logged_in.get(reverse("plans:list"))
    first = logged_in.session[SESSION_KEY]
    clock(0.5)
    logged_in.get(reverse("plans:list"))
    assert logged_in.session[SESSION_KEY] == first
    clock(1)
    logged_in.get(reverse("plans:list"))
    assert logged_in.session[SESSION_KEY] > first
