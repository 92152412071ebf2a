"""API tokens: issued with a system account holding the chosen roles, the key
kept only as a hash and shown once, revoked at once; the admin pages."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.api_tokens import api_token_authenticate, api_token_issue, api_token_revoke
from accounts.models import ApiToken
from agencies.models import Membership
from agencies.scope import user_scope


@pytest.mark.django_db
class TestService:
    def test_issue_makes_a_system_account_with_the_roles(self, tree, personas):
        token, key = api_token_issue(name="Quản lý văn bản", agency=tree["commune"], roles=["head", "drafter"],
                                     created_by=personas.admin)
        user = token.user
        assert not user.has_usable_password() and user.email == ""
        assert set(Membership.objects.filter(user=user).values_list("agency_id", "role")) == {
            (tree["commune"].pk, "head"), (tree["commune"].pk, "drafter")}
        assert user_scope(user).agencies("head") == {tree["commune"].pk}
        assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key.startswith(token.key_prefix) and len(token.key_prefix) == 12
        assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())  # only the hash is kept
        assert token.created_by == personas.admin

    def test_authenticate_and_revoke(self, tree, django_assert_max_num_queries):
        token, key = api_token_issue(name="Hệ thống A", agency=tree["district"], roles=["reviewer"])
        with django_assert_max_num_queries(2):
            user, found = api_token_authenticate(key)
        assert found.pk == token.pk and user.pk == token.user_id
        assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
        with django_assert_max_num_queries(1):  # used a moment ago: no write
            api_token_authenticate(key)
        assert api_token_authenticate(key + "x") is None
        assert api_token_authenticate("") is None
        api_token_revoke(token=token)
        assert api_token_authenticate(key) is None
        token.user.refresh_from_db()
        assert not token.user.is_active

    @pytest.mark.parametrize("fields, field", [
        ({"name": " ", "roles": ["head"]}, "name"),
        ({"name": "A", "roles": []}, "roles"),
        ({"name": "A", "roles": ["admin"]}, "roles"),
    ])
    def test_bad_issue_writes_nothing(self, tree, fields, field):
        with pytest.raises(ValidationError) as caught:
            api_token_issue(agency=tree["commune"], **fields)
        assert field in caught.value.message_dict
        assert not ApiToken.objects.exists()


@pytest.mark.django_db
class TestAdmin:
    def test_admin_issues_a_token_and_sees_the_key_once(self, client, tree, personas):
        client.force_login(personas.admin)
        url = reverse("admin:accounts_apitoken_add")
        assert client.get(url).status_code == 200
        response = client.post(url, {"name": "Hệ thống quản lý văn bản", "agency": tree["district"].pk,
                                     "roles": ["drafter", "head"]})
        # Post/Redirect/Get: the POST answers a redirect with no key in it.
        issued_url = reverse("admin:accounts_apitoken_issued")
        assert response.status_code == 302 and response["Location"] == issued_url
        token = ApiToken.objects.get()
        response = client.get(issued_url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        page = response.content.decode()
        key = page.split('<code id="api-key">')[1].split("</code>")[0]
        assert api_token_authenticate(key)[1] == token
        assert "chỉ hiển thị một lần" in page and "Lãnh đạo đơn vị" in page
        # A reload shows no key and issues nothing.
        again = client.get(issued_url)
        assert again.status_code == 200
        again_page = again.content.decode()
        assert "Khóa chỉ hiển thị một lần" in again_page
        assert key not in again_page and 'id="api-key"' not in again_page
        assert ApiToken.objects.count() == 1
        listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
        detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
        assert token.key_prefix in listing and "Lãnh đạo đơn vị" in listing
        assert key not in listing and key not in detail

    def test_an_empty_form_is_refused_with_errors(self, client, tree, personas):
        client.force_login(personas.admin)
        response = client.post(reverse("admin:accounts_apitoken_add"), {"name": ""})
        assert response.status_code == 200 and "errornote" in response.content.decode()
        assert not ApiToken.objects.exists()

    def test_revoke_action(self, client, tree, personas):
        token, key = api_token_issue(name="C", agency=tree["district"], roles=["head"])
        client.force_login(personas.admin)
        response = client.post(reverse("admin:accounts_apitoken_changelist"),
                               {"action": "revoke_tokens", "_selected_action": [token.pk]})
        assert response.status_code == 302
        assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
        assert api_token_authenticate(key) is None

    def test_people_without_admin_rights_cannot_issue(self, client, tree, personas):
        client.force_login(personas.head)
        response = client.get(reverse("admin:accounts_apitoken_add"))
        assert response.status_code == 302  # to the admin's login
        assert client.get(reverse("admin:accounts_apitoken_issued")).status_code == 302


@pytest.mark.django_db
def test_the_agency_picker_searches_units(client, tree, personas):
    client.force_login(personas.admin)
    response = client.get(reverse("admin:autocomplete"), {"app_label": "accounts", "model_name": "apitoken",
                                                          "field_name": "agency", "term": "xã Một"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(tree["commune"].pk)]
