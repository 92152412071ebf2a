"""API tokens at the API's door: Bearer/Token keys, 401 for wrong or revoked
keys, throttling per token, and every write logged with its token."""

import pytest
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.api_tokens import api_token_issue, api_token_revoke
from accounts.models import AuditEvent
from api.audit import api_write_logged
from api.authentication import ApiTokenAuthentication

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(tree, personas):
    return api_token_issue(name="Hệ thống quản lý văn bản", agency=tree["commune"], roles=["drafter", "head"],
                           created_by=personas.admin)


def me(client, header=None):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    return client.get(reverse("api:me"), **extra)


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_signs_in_as_its_system_account(client, issued, tree, keyword):
    token, key = issued
    response = me(client, f"{keyword} {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == token.user.username and body["full_name"] == "Hệ thống quản lý văn bản"
    assert {(r["agency_id"], r["role"]) for r in body["roles"]} == {
        (tree["commune"].pk, "drafter"), (tree["commune"].pk, "head")}


@pytest.mark.parametrize("header", ["Bearer cchc_wrong", "Bearer", "Bearer a b", "Token \u00e9\u00e9", "Bearer x"])
def test_a_wrong_key_gets_401_in_vietnamese(client, issued, header):
    response = me(client, header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    detail = response.json()["detail"]
    assert "Khóa API" in detail or "Authorization" in detail


def test_a_revoked_token_stops_at_once(client, issued):
    token, key = issued
    assert me(client, f"Bearer {key}").status_code == 200
    api_token_revoke(token=token)
    response = me(client, f"Bearer {key}")
    assert response.status_code == 401
    assert "thu hồi" in response.json()["detail"]


def test_no_header_is_401_with_the_bearer_challenge(client, db):
    response = me(client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_session_still_works(client, personas):
    client.force_login(personas.drafter)
    assert me(client).json()["username"] == "drafter"


def test_throttled_per_token(client, tree, issued, settings, empty_cache):
    settings.API_THROTTLE_RATE = "3/min"
    _, key = issued
    _, other = api_token_issue(name="Hệ thống khác", agency=tree["district"], roles=["reviewer"])
    assert [me(client, f"Bearer {key}").status_code for _ in range(3)] == [200, 200, 200]
    refused = me(client, f"Bearer {key}")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert me(client, f"Bearer {other}").status_code == 200  # another token counts on its own


def test_throttled_per_session_user(client, personas, settings, empty_cache):
    settings.API_THROTTLE_RATE = "2/min"
    client.force_login(personas.drafter)
    assert [me(client).status_code for _ in range(3)] == [200, 200, 429]


def test_a_write_is_logged_with_its_token(issued, tree):
    token, key = issued
    request = Request(APIRequestFactory().post("/api/v1/x/", HTTP_AUTHORIZATION=f"Bearer {key}",
                                               HTTP_USER_AGENT="VanBan/2.0"),
                      authenticators=[ApiTokenAuthentication()])
    assert request.user == token.user
    api_write_logged(request, tree["commune"])
    event = AuditEvent.objects.get(action="api_write")
    assert event.api_token == token and event.user == token.user
    assert event.object_id == str(tree["commune"].pk) and event.user_agent == "VanBan/2.0"


def test_a_session_write_is_logged_without_token(personas, tree):
    request = Request(APIRequestFactory().post("/api/v1/x/"), authenticators=[])
    request.user, request.auth = personas.drafter, None  # as SessionAuthentication leaves them
    api_write_logged(request, tree["commune"])
    event = AuditEvent.objects.get(action="api_write")
    assert event.api_token is None and event.user == personas.drafter


def test_the_account_can_what_its_roles_can(tree):
    from agencies.permissions import can
    from plans.rules import PLAN_CREATE

    token, _ = api_token_issue(name="B", agency=tree["commune"], roles=["drafter"])
    assert can(token.user, PLAN_CREATE, tree["commune"])
    assert not can(token.user, PLAN_CREATE, tree["district"])
