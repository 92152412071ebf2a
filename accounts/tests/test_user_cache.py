"""The signed-in user's row comes from the cache (common/user_cache.py), and
every change that must sign someone out still does so on their next request:
a new password, a deactivation, one by one or in bulk."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.onboarding import users_deactivate, users_reinvite
from common.user_cache import user_cached, users_forget

User = get_user_model()
PAGE = "reports:notifications"


@pytest.fixture
def signed_in(client, personas):
    """The drafter, signed in with the password (the session holds its hash), pages warm."""
    assert client.post(reverse("login"), {"username": "drafter", "password": personas.password}).status_code == 302
    for _ in range(2):
        assert client.get(reverse(PAGE)).status_code == 200
    return client


def _signed_out(client) -> bool:
    response = client.get(reverse(PAGE))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_warm_page_reads_no_user_row(signed_in):
    with CaptureQueriesContext(connection) as page:
        assert signed_in.get(reverse(PAGE)).status_code == 200
    assert not [query for query in page.captured_queries if '"auth_user"' in query["sql"]]


def test_a_new_password_signs_the_other_sessions_out_at_once(signed_in, personas):
    user = User.objects.get(pk=personas.drafter.pk)
    user.set_password("mot-mat-khau-moi-2025")
    user.save()
    assert _signed_out(signed_in)


def test_a_deactivated_account_is_signed_out_at_once(signed_in, personas):
    user = User.objects.get(pk=personas.drafter.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _signed_out(signed_in)


def test_deactivation_in_bulk_signs_out_at_once(signed_in, personas):
    assert users_deactivate([personas.drafter.pk], by=personas.admin) == 1
    assert _signed_out(signed_in)


def test_deactivation_in_bulk_with_the_sessions_kept_still_signs_out(signed_in, personas):
    """Even were the session left in place, the cached row is forgotten."""
    User.objects.filter(pk=personas.drafter.pk).update(is_active=False)
    users_forget(user_ids=[personas.drafter.pk])
    assert _signed_out(signed_in)


def test_a_renamed_user_shows_the_new_name_on_the_next_page(signed_in, personas):
    user = User.objects.get(pk=personas.drafter.pk)
    user.first_name = "Tên Mới"
    user.save()
    assert "Tên Mới" in signed_in.get(reverse(PAGE)).content.decode()


def test_a_new_invitation_forgets_the_row(personas):
    pending = User.objects.create_user("moi@mot.gov.vn", email="moi@mot.gov.vn")  # no usable password
    before = user_cached(pending.pk)
    assert users_reinvite([pending.pk]) == (1, 0)
    after = user_cached(pending.pk)
    assert after.password != before.password


def test_a_deleted_user_is_no_longer_found(personas):
    user = User.objects.create_user("tam", password="tam-thoi-2025")
    assert user_cached(user.pk) is not None
    pk = user.pk
    user.delete()
    assert user_cached(pk) is None


def test_each_request_gets_its_own_copy(personas):
    first = user_cached(personas.drafter.pk)
    first.first_name = "Đổi trong bộ nhớ"
    assert user_cached(personas.drafter.pk).first_name != "Đổi trong bộ nhớ"
