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


@pytest.mark.parametrize(("name", "params", "field", "message"), [
    ("api:plan_list", {"year": "abc"}, "year", "Năm phải là số nguyên (ví dụ 2026)."),
    ("api:task_list", {"year": "2026.5"}, "year", "Năm phải là số nguyên (ví dụ 2026)."),
    ("api:period_list", {"year": "abc"}, "year", "Năm phải là số nguyên (ví dụ 2026)."),
    ("api:report_list", {"year": "abc"}, "year", "Năm phải là số nguyên (ví dụ 2026)."),
    ("api:plan_list", {"year": "99999"}, "year", "Năm phải từ 1900 đến 2200."),
    ("api:report_list", {"year": "1"}, "year", "Năm phải từ 1900 đến 2200."),
    ("api:agency_list", {"parent": "x"}, "parent", "Mã (id) phải là số nguyên dương (ví dụ 12)."),
    ("api:task_list", {"plan": "x"}, "plan", "Mã (id) phải là số nguyên dương (ví dụ 12)."),
    ("api:report_list", {"agency": "x"}, "agency", "Mã (id) phải là số nguyên dương (ví dụ 12)."),
    ("api:report_list", {"period": "0"}, "period", "Mã (id) phải là số nguyên dương, không quá 10 chữ số."),
])
def test_integer_filters_say_what_they_expect(client, bearer, name, params, field, message):
    response = client.get(reverse(name), params, **bearer)
    assert response.status_code == 400
    assert response.json()[field] == [message]


def test_deadline_year_says_what_it_expects(client, bearer, tree):
    response = client.get(reverse("api:agency_deadlines", args=[tree["commune"].pk]), {"year": "abc"}, **bearer)
    assert response.status_code == 400
    assert "Năm phải là số nguyên (ví dụ 2026)." in str(response.json())
