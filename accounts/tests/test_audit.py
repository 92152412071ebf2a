"""The audit log: logins, failed logins, logouts, the agency export, and how
an event is written (address, user agent, hostile text)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.net import client_ip
from accounts.services import record_event

Action = AuditEvent.Action
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140"


def test_login_logout_and_failed_login_are_logged_with_address_and_browser(client, personas):
    login = reverse("login")
    client.post(login, {"username": "drafter", "password": "sai-mat-khau"}, REMOTE_ADDR="10.1.2.3",
                HTTP_USER_AGENT=BROWSER)
    client.post(login, {"username": "drafter", "password": personas.password}, REMOTE_ADDR="10.1.2.3",
                HTTP_USER_AGENT=BROWSER)
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT=BROWSER)
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [Action.LOGIN_FAILED, Action.LOGIN, Action.LOGOUT]
    failed, ok, out = events
    assert failed.username == "drafter" and failed.user is None
    assert ok.user == personas.drafter and out.user == personas.drafter
    assert {e.ip_address for e in events} == {"10.1.2.3"}
    assert {e.user_agent for e in events} == {BROWSER}


def test_a_failed_login_with_an_unknown_name_keeps_the_name_typed(client, db):
    client.post(reverse("login"), {"username": "khong-ton-tai", "password": "x"})
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.user) == (Action.LOGIN_FAILED, "khong-ton-tai", None)


def test_logging_out_without_being_logged_in_records_nothing(client, db):
    client.post(reverse("logout"))
    assert not AuditEvent.objects.exists()


def test_agency_export_in_admin_is_logged(client, personas):
    client.force_login(personas.admin)
    response = client.get(reverse("admin:agencies_agency_export", args=["xlsx"]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT_AGENCIES)
    assert event.user == personas.admin and "XLSX" in event.object_repr


def test_agency_export_refused_to_a_non_admin_logs_nothing(client, personas):
    staff = personas.drafter
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(reverse("admin:agencies_agency_export", args=["csv"])).status_code == 302
    assert not AuditEvent.objects.filter(action=Action.EXPORT_AGENCIES).exists()


def test_record_event_refuses_an_unknown_action(db):
    with pytest.raises(ValueError):
        record_event(None, "download_everything")


def test_record_event_survives_hostile_text(db):
    request = RequestFactory().get("/", HTTP_USER_AGENT="A\x00" * 400, REMOTE_ADDR="not-an-ip")
    user = get_user_model().objects.create_user("u1")
    request.user = user
    event = record_event(request, Action.DOWNLOAD_PLAN, "Kế hoạch\x00" + "x" * 400)
    event.refresh_from_db()
    assert "\x00" not in event.object_repr and len(event.object_repr) == 255
    assert "\x00" not in event.user_agent and len(event.user_agent) == 255
    assert event.ip_address is None and event.user == user


class TestClientAddress:
    def request(self, **meta):
        return RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", **meta)

    def test_the_forwarded_header_is_ignored_without_a_trusted_proxy(self, settings):
        settings.BEHIND_PROXY = False
        assert client_ip(self.request(HTTP_X_FORWARDED_FOR="203.0.113.5")) == "192.0.2.10"

    def test_behind_a_proxy_the_entry_it_appended_is_taken(self, settings):
        settings.BEHIND_PROXY = True
        settings.CLIENT_IP_HEADER = "X-Forwarded-For"
        # The client forged the first entry; our proxy appended the real address.
        assert client_ip(self.request(HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")) == "203.0.113.5"

    def test_another_header_can_be_named(self, settings):
        settings.BEHIND_PROXY = True
        settings.CLIENT_IP_HEADER = "X-Real-IP"
        assert client_ip(self.request(HTTP_X_REAL_IP="2001:db8::1")) == "2001:db8::1"

    def test_a_garbled_header_falls_back_to_the_socket_address(self, settings):
        settings.BEHIND_PROXY = True
        settings.CLIENT_IP_HEADER = "X-Forwarded-For"
        assert client_ip(self.request(HTTP_X_FORWARDED_FOR="<script>")) == "192.0.2.10"


class TestAuditAdmin:
    @pytest.fixture
    def events(self, personas):
        record_event(None, Action.LOGIN, user=personas.drafter)
        event = record_event(None, Action.LOGIN_FAILED, username="ke-la")
        AuditEvent.objects.filter(pk=event.pk).update(ip_address="10.0.0.7")
        return AuditEvent.objects.all()

    def test_admin_browses_filters_and_searches(self, client, personas, events):
        client.force_login(personas.admin)  # itself a login event
        url = reverse("admin:accounts_auditevent_changelist")

        def shown(**query):
            response = client.get(url, query)
            assert response.status_code == 200
            return sorted(event.username for event in response.context["cl"].result_list)

        assert shown() == ["admin", "drafter", "ke-la"]
        assert shown(action__exact="login_failed") == ["ke-la"]
        assert shown(user__id__exact=personas.drafter.pk) == ["drafter"]
        assert shown(q="ke-la") == ["ke-la"]
        assert shown(q="10.0.0") == ["ke-la"]
        assert shown(q="10.9.9") == []
        this_year = timezone.localdate().year
        assert shown(created_at__year=this_year) == ["admin", "drafter", "ke-la"]
        assert shown(created_at__year=this_year - 1) == []

    def test_the_log_cannot_be_added_changed_or_deleted(self, client, personas, events):
        client.force_login(personas.admin)
        event = events.first()
        assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
        detail = client.get(reverse("admin:accounts_auditevent_change", args=[event.pk]))
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
        assert client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]),
                           {"username": "sua"}).status_code == 403
        assert client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]),
                           {"post": "yes"}).status_code == 403
        assert AuditEvent.objects.filter(pk=event.pk, username=event.username).exists()

    def test_staff_without_the_admin_role_cannot_read_the_log(self, client, personas, events):
        staff = personas.reviewer
        staff.is_staff = True
        staff.save()
        client.force_login(staff)
        response = client.get(reverse("admin:accounts_auditevent_changelist"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
