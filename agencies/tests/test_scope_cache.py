"""The user's roles kept in the shared cache (agencies/scope.py): read once,
then no query until a membership of theirs, or a unit they hold one at,
changes; bulk writes forget them too. And the reviewed subtree as a
subquery whose parameters are the roots, never the units below."""

from __future__ import annotations

import pytest

from agencies.models import Agency, Membership
from agencies.onboarding import users_import
from agencies.permissions import access_for
from agencies.scope import user_scope
from agencies.tests.factories import user_with_roles

Role = Membership.Role


def _fresh(user):
    """The same account as a new request sees it (no roles kept on the object)."""
    return type(user).objects.get(pk=user.pk)


def test_the_roles_are_read_once_and_kept_as_plain_tuples(tree, django_assert_num_queries):
    user = user_with_roles("nv", (tree["home_affairs"], Role.REVIEWER))
    with django_assert_num_queries(1):
        first = user_scope(user)
    later, other = _fresh(user), _fresh(user)  # two later requests
    with django_assert_num_queries(0):
        again = user_scope(later)
        assert access_for(other).review_roots == {tree["district"].pk}
    assert again.roles == first.roles == [(tree["home_affairs"].pk, Role.REVIEWER, True, tree["district"].pk)]
    # Plain values, no model instance to unpickle on every page.
    assert all(type(value) in (int, str, bool) for row in again.roles for value in row)


def test_a_membership_added_or_removed_is_seen_at_once(tree, django_assert_num_queries):
    user = user_with_roles("dv", (tree["commune"], Role.DRAFTER))
    assert user_scope(user).review_roots == set()
    membership = Membership.objects.create(user=user, agency=tree["province"], role=Role.REVIEWER)
    assert user_scope(_fresh(user)).review_roots == {tree["province"].pk}
    membership.delete()
    assert user_scope(_fresh(user)).review_roots == set()
    Membership.objects.filter(user=user).first().delete()
    assert user_scope(_fresh(user)).roles == []


def test_a_membership_handed_to_another_user_leaves_the_first(tree):
    first = user_with_roles("mot", (tree["district"], Role.HEAD))
    second = user_with_roles("hai")
    assert user_scope(first).agencies() == {tree["district"].pk}
    assert user_scope(second).agencies() == set()
    membership = Membership.objects.get(user=first)
    membership.user = second
    membership.save()
    assert user_scope(_fresh(first)).agencies() == set()
    assert user_scope(_fresh(second)).agencies() == {tree["district"].pk}


def test_a_home_affairs_office_moved_moves_its_reviewers_scope(tree):
    user = user_with_roles("nv", (tree["home_affairs"], Role.REVIEWER))
    assert user_scope(user).review_roots == {tree["district"].pk}
    office = tree["home_affairs"]
    office.parent = tree["district2"]
    office.save()
    assert user_scope(_fresh(user)).review_roots == {tree["district2"].pk}
    office.is_home_affairs = False
    office.save(update_fields=["is_home_affairs"])
    assert user_scope(_fresh(user)).review_roots == {office.pk}


def test_the_user_import_adding_a_role_to_an_existing_account_is_seen_at_once(tree):
    user = user_with_roles("an@mot.gov.vn", email="an@mot.gov.vn")
    assert user_scope(user).roles == []
    users_import(content="Họ tên,Thư điện tử,Mã đơn vị,Vai trò\nNguyễn Văn An,an@mot.gov.vn,D,lãnh đạo đơn vị\n"
                 .encode(), filename="nguoi-dung.csv")
    assert user_scope(_fresh(user)).agencies(Role.HEAD) == {tree["district"].pk}


@pytest.mark.parametrize("roots", [["district"], ["province"], ["district", "district2"]])
def test_the_reviewed_subquery_sends_the_roots_only(tree, roots):
    user = user_with_roles("nv", *((tree[name], Role.REVIEWER) for name in roots))
    scope = user_scope(user)
    sql = scope.reviewed_sql()
    assert len(sql.params) == len(roots)
    assert set(Agency.objects.filter(pk__in=sql).values_list("pk", flat=True)) == scope.reviewed_ids()
