"""DRF's own refusals read in Vietnamese (locale/vi: its catalog has few)."""

import pytest
from django.urls import reverse

from accounts.api_tokens import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(tree):
    _, key = api_token_issue(name="Hệ thống thử", agency=tree["commune"], roles=["head"])
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_an_anonymous_call_is_refused_in_vietnamese(client):
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Chưa đăng nhập: hãy gửi khóa API (Authorization: Bearer <khóa>) hoặc đăng nhập."}


def test_method_not_allowed_in_vietnamese(client, bearer):
    response = client.delete(reverse("api:me"), **bearer)
    assert response.status_code == 405
    assert response.json()["detail"] == 'Không cho phép phương thức "DELETE".'


def test_not_acceptable_in_vietnamese(client, bearer):
    response = client.get(reverse("api:me"), HTTP_ACCEPT="application/xml", **bearer)
    assert response.status_code == 406
    assert "Accept" in response.json()["detail"] and "Không" in response.json()["detail"]


def test_throttled_in_vietnamese(client, bearer, settings, empty_cache):
    settings.API_THROTTLE_RATE = "1/min"
    client.get(reverse("api:me"), **bearer)
    response = client.get(reverse("api:me"), **bearer)
    assert response.status_code == 429
    detail = response.json()["detail"]
    assert detail.startswith("Quá nhiều yêu cầu trong thời gian ngắn.") and "giây" in detail
