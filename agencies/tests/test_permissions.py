"""The permission entry point: agency rules, refusals for anonymous and
inactive users, and the rule registry every app adds to."""

import pytest
from django.contrib.auth.models import AnonymousUser

from agencies.models import Membership
from agencies.permissions import AGENCY_MANAGE, AGENCY_VIEW, can, is_system_admin, register

Role = Membership.Role


def test_anonymous_and_inactive_users_may_do_nothing(tree, make_user):
    assert not can(AnonymousUser(), AGENCY_VIEW, tree["district"])
    user = make_user("gone", (tree["district"], Role.HEAD))
    assert can(user, AGENCY_VIEW, tree["district"])
    user.is_active = False
    user._cchc_access = None
    assert not can(user, AGENCY_VIEW, tree["district"])


def test_reviewer_sees_agencies_of_the_reviewed_subtree_only(tree, make_user):
    reviewer = make_user("nv", (tree["home_affairs"], Role.REVIEWER))
    assert can(reviewer, AGENCY_VIEW, tree["commune"]) and can(reviewer, AGENCY_VIEW, tree["district"])
    assert not can(reviewer, AGENCY_VIEW, tree["district2"])
    assert not can(reviewer, AGENCY_MANAGE, tree["commune"])


def test_only_superusers_and_the_admin_role_are_system_administrators(tree, make_user):
    admin = make_user("admin", (tree["province"], Role.ADMIN))
    head = make_user("head", (tree["province"], Role.HEAD))
    assert is_system_admin(admin) and can(admin, AGENCY_MANAGE, tree["district2"])
    assert not is_system_admin(head) and not can(head, AGENCY_MANAGE, tree["province"])


def test_an_unknown_action_is_a_programming_error(tree, make_user):
    user = make_user("u", (tree["district"], Role.HEAD))
    with pytest.raises(ValueError, match="No permission rule"):
        can(user, "plan.fly", tree["district"])


def test_an_action_cannot_get_a_second_rule():
    with pytest.raises(ValueError, match="already has a rule"):
        register(AGENCY_VIEW, rule=lambda access, action, obj: True)
