"""Plan rules in can(), for every role x own / parent / sibling / child agency,
and the plan list agreeing with them."""

import pytest

from agencies.models import Membership
from agencies.permissions import AGENCY_MANAGE, AGENCY_VIEW, can
from plans.models import Plan
from plans.rules import (
    PLAN_AMEND,
    PLAN_CREATE,
    PLAN_DELETE,
    PLAN_EDIT,
    PLAN_ISSUE,
    PLAN_RETURN,
    PLAN_SUBMIT,
    PLAN_VIEW,
    PLAN_WITHDRAW,
)
from plans.selectors import creatable_agencies, plan_list_for_user

Role = Membership.Role
DRAFT, SUBMITTED, ISSUED = Plan.Status.DRAFT, Plan.Status.SUBMITTED, Plan.Status.ISSUED
RETURNED, DELETED = Plan.Status.RETURNED, Plan.Status.DELETED

# Where the user's role sits, relative to the plan's issuer ("district").
RELATION_AGENCY = {"own": "district", "parent": "province", "sibling": "district2", "child": "commune"}

# (role, relation) -> the actions allowed on a DRAFT, a SUBMITTED and an ISSUED plan. A RETURNED
# plan is a draft again (same actions as DRAFT); a DELETED one allows nothing to anybody.
# Reading reaches down: any role at the parent reads what the issuer put
# forward (submitted, issued), never its drafts; writing stays at the issuer.
EXPECTED = {
    (Role.DRAFTER, "own"): (
        {PLAN_VIEW, PLAN_EDIT, PLAN_SUBMIT, PLAN_DELETE}, {PLAN_VIEW, PLAN_WITHDRAW}, {PLAN_VIEW, PLAN_AMEND},
    ),
    (Role.DRAFTER, "parent"): (set(), {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.DRAFTER, "sibling"): (set(), set(), set()),
    (Role.DRAFTER, "child"): (set(), set(), {PLAN_VIEW}),
    (Role.HEAD, "own"): (
        {PLAN_VIEW, PLAN_EDIT, PLAN_SUBMIT},
        {PLAN_VIEW, PLAN_ISSUE, PLAN_RETURN},
        {PLAN_VIEW, PLAN_AMEND},
    ),
    (Role.HEAD, "parent"): (set(), {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.HEAD, "sibling"): (set(), set(), set()),
    (Role.HEAD, "child"): (set(), set(), {PLAN_VIEW}),
    (Role.REVIEWER, "own"): ({PLAN_VIEW}, {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.REVIEWER, "parent"): ({PLAN_VIEW}, {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.REVIEWER, "sibling"): (set(), set(), set()),
    (Role.REVIEWER, "child"): (set(), set(), {PLAN_VIEW}),
    (Role.ADMIN, "own"): ({PLAN_VIEW}, {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.ADMIN, "parent"): ({PLAN_VIEW}, {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.ADMIN, "sibling"): ({PLAN_VIEW}, {PLAN_VIEW}, {PLAN_VIEW}),
    (Role.ADMIN, "child"): ({PLAN_VIEW}, {PLAN_VIEW}, {PLAN_VIEW}),
}
PLAN_ACTIONS = [PLAN_VIEW, PLAN_EDIT, PLAN_SUBMIT, PLAN_ISSUE, PLAN_RETURN, PLAN_AMEND, PLAN_WITHDRAW, PLAN_DELETE]


def make_plan(issuer, status):
    number, issue_date = (5, "2025-01-05") if status == ISSUED else (None, None)
    return Plan.objects.create(
        issuer=issuer,
        year_start=2025,
        year_end=2025,
        symbol="KH-UBND",
        place="Một",
        title="Tuyên truyền CCHC năm 2025",
        status=status,
        number=number,
        issue_date=issue_date,
    )


@pytest.mark.parametrize(("role", "relation"), sorted(EXPECTED))
def test_plan_actions_by_role_and_relation(tree, make_user, role, relation):
    user = make_user("u", (tree[RELATION_AGENCY[relation]], role))
    on_draft, on_submitted, on_issued = EXPECTED[(role, relation)]
    for status, allowed in ((DRAFT, on_draft), (RETURNED, on_draft), (SUBMITTED, on_submitted),
                            (ISSUED, on_issued), (DELETED, set())):
        plan = make_plan(tree["district"], status)
        granted = {action for action in PLAN_ACTIONS if can(user, action, plan)}
        assert granted == allowed, f"{role} at {relation} on a {status} plan"


def test_reviewer_in_home_affairs_office_reviews_the_whole_district(tree, make_user):
    reviewer = make_user("nv", (tree["home_affairs"], Role.REVIEWER))
    assert can(reviewer, PLAN_VIEW, make_plan(tree["district"], DRAFT))
    assert can(reviewer, PLAN_VIEW, make_plan(tree["commune"], DRAFT))
    assert not can(reviewer, PLAN_VIEW, make_plan(tree["district2"], DRAFT))
    assert not can(reviewer, PLAN_EDIT, make_plan(tree["commune"], DRAFT))


def test_anonymous_and_inactive_users_may_do_nothing(tree, make_user):
    from django.contrib.auth.models import AnonymousUser

    plan = make_plan(tree["district"], ISSUED)
    assert not can(AnonymousUser(), PLAN_VIEW, plan)
    user = make_user("gone", (tree["district"], Role.HEAD))
    user.is_active = False
    assert not can(user, PLAN_VIEW, plan)


def test_user_without_membership_sees_nothing(tree, make_user):
    user = make_user("nobody")
    assert not can(user, PLAN_VIEW, make_plan(tree["district"], ISSUED))
    assert not can(user, AGENCY_VIEW, tree["district"])


@pytest.mark.parametrize(
    ("role", "relation", "create", "view"),
    [
        (Role.DRAFTER, "own", True, True),
        (Role.HEAD, "own", True, True),
        (Role.REVIEWER, "own", False, True),
        (Role.DRAFTER, "parent", False, True),
        (Role.REVIEWER, "parent", False, True),
        (Role.REVIEWER, "sibling", False, False),
        (Role.HEAD, "child", False, False),
    ],
)
def test_agency_actions(tree, make_user, role, relation, create, view):
    user = make_user("u", (tree[RELATION_AGENCY[relation]], role))
    assert can(user, PLAN_CREATE, tree["district"]) is create
    assert can(user, AGENCY_VIEW, tree["district"]) is view
    assert can(user, AGENCY_MANAGE, tree["district"]) is False


def test_admin_role_manages_agencies(tree, make_user):
    admin = make_user("admin", (tree["province"], Role.ADMIN))
    assert can(admin, AGENCY_MANAGE, tree["district2"])
    assert not can(admin, PLAN_CREATE, tree["district2"])


def test_roles_are_loaded_once_per_user(tree, make_user, django_assert_max_num_queries):
    user = make_user("u", (tree["district"], Role.DRAFTER))
    plans = [make_plan(tree["district"], DRAFT) for _ in range(5)]
    # 1 query for the roles; own-agency checks need no tree query.
    with django_assert_max_num_queries(1):
        for plan in plans:
            assert can(user, PLAN_EDIT, plan)


@pytest.mark.parametrize("persona", ["drafter", "head", "reviewer", "outsider", "admin"])
def test_plan_list_shows_exactly_the_plans_can_lets_the_user_view(tree, personas, persona):
    # The list query and can() are two codings of one rule: they must agree.
    plans = [make_plan(tree[where], status) for where in ("district", "commune", "district2", "province")
             for status in (DRAFT, RETURNED, SUBMITTED, ISSUED, DELETED)]
    user = getattr(personas, persona)
    listed = set(plan_list_for_user(user=user).values_list("pk", flat=True))
    assert listed == {plan.pk for plan in plans if can(user, PLAN_VIEW, plan)}
    assert listed, f"{persona} should see some plan"


@pytest.mark.parametrize("persona", ["drafter", "head", "reviewer", "outsider", "admin"])
def test_agencies_offered_for_a_new_plan_are_exactly_those_can_allows(tree, personas, persona):
    user = getattr(personas, persona)
    offered = set(creatable_agencies(user=user))
    assert offered == {agency for agency in tree.values() if can(user, PLAN_CREATE, agency)}
