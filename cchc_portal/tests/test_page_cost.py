"""What every signed-in page costs beyond its own content: no query for
the session, the user row, the roles, the menu or the bell once they are
cached; the menu following a membership change at once; and the lists and
home walking the reviewed subtree inside their statements, never sending its
ids back from Python."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles
from plans.selectors import plan_list_for_user
from reports.selectors import report_lists_for_user

Role = Membership.Role
DASHBOARD_LINK = 'href="/dashboard/"'
# The lightest signed-in page: the base layout and one query of its own.
EMPTY_PAGE = "reports:notifications"


def test_a_warm_empty_page_asks_only_for_its_own_list(client, personas, django_assert_num_queries):
    client.force_login(personas.reviewer)
    for _ in range(2):  # the user row, the roles, the bell and the idle clock stored
        assert client.get(reverse(EMPTY_PAGE)).status_code == 200
    with CaptureQueriesContext(connection) as page, django_assert_num_queries(1):
        html = client.get(reverse(EMPTY_PAGE)).content.decode()
    tables = [re.findall(r'FROM "(\w+)"', query["sql"])[0] for query in page.captured_queries]
    assert tables == ["reports_notification"]
    assert "COUNT(" not in page.captured_queries[0]["sql"]  # the bell's count comes from the cache
    assert DASHBOARD_LINK in html  # the menu, from the cached roles


@pytest.mark.parametrize("persona", ["drafter", "head", "reviewer", "admin"])
def test_the_warm_empty_page_costs_the_same_for_every_role(client, personas, persona, django_assert_num_queries):
    client.force_login(getattr(personas, persona))
    for _ in range(2):
        client.get(reverse(EMPTY_PAGE))
    with django_assert_num_queries(1):
        assert client.get(reverse(EMPTY_PAGE)).status_code == 200


def test_the_menu_follows_a_membership_at_once(client, tree):
    user = user_with_roles("moi")
    client.force_login(user)
    assert DASHBOARD_LINK not in client.get(reverse(EMPTY_PAGE)).content.decode()
    membership = Membership.objects.create(user=user, agency=tree["home_affairs"], role=Role.REVIEWER)
    assert DASHBOARD_LINK in client.get(reverse(EMPTY_PAGE)).content.decode()
    html = client.get(reverse("plans:list")).content.decode()
    membership.delete()
    assert DASHBOARD_LINK not in client.get(reverse(EMPTY_PAGE)).content.decode()
    assert html != client.get(reverse("plans:list")).content.decode()  # the list changed too


def _communes(tree, count: int) -> set[int]:
    return {
        AgencyFactory(code=f"D-M{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE).pk
        for index in range(count)
    }


def test_the_list_statements_keep_their_length_however_large_the_subtree(tree):
    reviewer = user_with_roles("nv", (tree["home_affairs"], Role.REVIEWER))
    province = user_with_roles("snv", (tree["province"], Role.REVIEWER))

    def params(user) -> list[int]:
        lists = report_lists_for_user(user=user)
        return [len(query.sql_with_params()[1]) for query in (
            plan_list_for_user(user=user).query, lists["to_review"].query, lists["search"].qs.query)]

    before = [params(reviewer), params(province)]
    _communes(tree, 6)
    assert [params(reviewer), params(province)] == before


@pytest.mark.parametrize("page", ["home", "plans:list", "reports:index"])
def test_no_page_sends_the_units_below_as_a_list(client, tree, page):
    below = _communes(tree, 6)
    client.force_login(user_with_roles("nv", (tree["home_affairs"], Role.REVIEWER)))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(page)).status_code == 200
    for query in queries.captured_queries:
        for listed in re.findall(r"IN \(([\d, ]+)\)", query["sql"]):
            assert len(below & {int(pk) for pk in listed.split(",")}) <= 1, query["sql"]
