"""The dashboard's XLSX export is written to the audit log; a refused one is not."""

from django.urls import reverse

from accounts.models import AuditEvent
from agencies.tests.factories import PASSWORD

from .factories import Q3

XLSX = reverse("dashboard:xlsx")


def test_dashboard_export_is_logged(client, world):
    assert client.login(username="reviewer", password=PASSWORD)
    response = client.get(XLSX, {"period": world.period(Q3).pk}, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_XLSX)
    assert event.username == "reviewer" and event.ip_address == "10.7.7.7"
    assert event.object_repr.startswith("Theo dõi ") and Q3 in event.object_repr


def test_refused_export_is_not_logged(client, world, make_user):
    client.force_login(make_user("nobody"))  # no role anywhere
    assert client.get(XLSX).status_code == 403
    client.logout()
    assert client.get(XLSX).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_XLSX).exists()
