"""Logging in with the e-mail address typed with capitals."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

PASSWORD = "Mật-khẩu-đủ-dài-2026"


@pytest.fixture
def lan(db):
    return get_user_model().objects.create_user("lan.nguyen@hd.gov.vn", "lan.nguyen@hd.gov.vn", PASSWORD)


def login(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_capitals_in_the_e_mail_log_in(client, lan):
    assert login(client, "Lan.Nguyen@HD.gov.vn").status_code == 302
    assert client.session["_auth_user_id"] == str(lan.pk)


def test_a_wrong_password_is_still_refused(client, lan):
    response = login(client, "LAN.NGUYEN@hd.gov.vn", "sai-mat-khau")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_two_accounts_differing_only_by_case_need_the_exact_name(client, lan):
    other = get_user_model().objects.create_user("Lan.Nguyen@hd.gov.vn", "", PASSWORD)
    assert login(client, "LAN.nguyen@HD.gov.vn").status_code == 200
    assert login(client, "Lan.Nguyen@hd.gov.vn").status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
