"""Reading follows the subtree (issue 13): every role at a unit reads the
plans the units under it put forward (submitted, issued), never their
drafts, at any depth and across a merger; writing stays at the issuer. The
matrix for one level is in test_rules.py; here the levels below, the pages,
and the plan list agreeing with can()."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.permissions import can
from agencies.tests.factories import AgencyFactory
from plans.models import Plan
from plans.rules import (
    PLAN_AMEND,
    PLAN_CREATE,
    PLAN_EDIT,
    PLAN_ISSUE,
    PLAN_RECORD,
    PLAN_RETURN,
    PLAN_SUBMIT,
    PLAN_VIEW,
)
from plans.selectors import plan_list_for_user
from plans.tests.test_rules import make_plan

Role = Membership.Role
DRAFT, SUBMITTED, ISSUED = Plan.Status.DRAFT, Plan.Status.SUBMITTED, Plan.Status.ISSUED
RETURNED, DELETED = Plan.Status.RETURNED, Plan.Status.DELETED
WRITES = [PLAN_EDIT, PLAN_SUBMIT, PLAN_ISSUE, PLAN_RETURN, PLAN_AMEND, PLAN_RECORD]


@pytest.mark.parametrize("role", [Role.DRAFTER, Role.HEAD])
def test_a_role_at_the_province_reads_what_a_commune_put_forward_and_writes_nothing(tree, make_user, role):
    user = make_user("u", (tree["province"], role))
    # A returned plan is a draft again: back with its issuer.
    for status, readable in ((DRAFT, False), (RETURNED, False), (SUBMITTED, True), (ISSUED, True), (DELETED, False)):
        plan = make_plan(tree["commune"], status)
        assert can(user, PLAN_VIEW, plan) is readable, status
        assert not [action for action in WRITES if can(user, action, plan)], status
    assert not can(user, PLAN_CREATE, tree["commune"]) and can(user, PLAN_CREATE, tree["province"])


def test_a_commune_reads_only_the_issued_plans_above_it(tree, make_user):
    # Child over parent: the issued plan it carries out, nothing in the making.
    user = make_user("u", (tree["commune"], Role.DRAFTER))
    for status, readable in ((DRAFT, False), (SUBMITTED, False), (ISSUED, True)):
        assert can(user, PLAN_VIEW, make_plan(tree["province"], status)) is readable, status


@pytest.fixture
def merged_commune(tree):
    """xã Một merged on 01/07/2025 into xã Mới, a commune of the sibling district."""
    new = AgencyFactory(code="D2-M", parent=tree["district2"], kind=Agency.Kind.COMMUNE, name="xã Mới")
    Agency.objects.filter(pk=tree["commune"].pk).update(is_active=False, dissolved_on=dt.date(2025, 7, 1),
                                                       successor=new)
    return new


def test_a_merged_units_plans_are_read_from_above_its_successor(tree, personas, merged_commune):
    # The sibling district's head: xã Một now sits under xã Mới, in its subtree.
    plans = {status: make_plan(tree["commune"], status) for status in (DRAFT, SUBMITTED, ISSUED)}
    outsider = personas.outsider
    assert {s for s, p in plans.items() if can(outsider, PLAN_VIEW, p)} == {SUBMITTED, ISSUED}
    assert not any(can(outsider, action, p) for p in plans.values() for action in WRITES)
    listed = set(plan_list_for_user(user=outsider).values_list("pk", flat=True))
    assert listed == {plans[SUBMITTED].pk, plans[ISSUED].pk}


@pytest.mark.parametrize("where", ["province", "district", "commune", "district2"])
@pytest.mark.parametrize("role", [Role.DRAFTER, Role.HEAD, Role.REVIEWER])
def test_the_plan_list_agrees_with_can_at_every_level(tree, make_user, merged_commune, where, role):
    plans = [make_plan(tree[issuer], status) for issuer in ("province", "district", "commune", "district2")
             for status in (DRAFT, RETURNED, SUBMITTED, ISSUED, DELETED)]
    plans += [make_plan(merged_commune, status) for status in (DRAFT, SUBMITTED, ISSUED)]
    user = make_user("u", (tree[where], role))
    listed = set(plan_list_for_user(user=user).values_list("pk", flat=True))
    assert listed == {plan.pk for plan in plans if can(user, PLAN_VIEW, plan)}


def test_a_province_head_opens_a_districts_submitted_plan_read_only(client, tree, make_user):
    make_user("tinh", (tree["province"], Role.HEAD))
    assert client.login(username="tinh", password="pw-Test-123")  # make_user's password
    submitted, draft = make_plan(tree["district"], SUBMITTED), make_plan(tree["district"], DRAFT)
    response = client.get(reverse("plans:detail", args=[submitted.pk]))
    assert response.status_code == 200
    may = response.context["may"]
    assert not any(may[key] for key in ("edit", "submit", "issue", "return", "amend", "record"))
    # Issuing stays with the district's head: refused, nothing moves.
    assert client.post(reverse("plans:issue", args=[submitted.pk]), {}).status_code == 403
    assert Plan.objects.get(pk=submitted.pk).status == SUBMITTED
    # The district's draft is its working paper: not found from above.
    assert client.get(reverse("plans:detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("plans:edit", args=[draft.pk]), {}).status_code == 404
    listed = set(plan_list_for_user(user=response.wsgi_request.user).values_list("pk", flat=True))
    assert submitted.pk in listed and draft.pk not in listed


def test_the_plan_list_query_count_does_not_grow_with_the_units_below(client, tree, make_user,
                                                                      django_assert_max_num_queries):
    make_user("tinh", (tree["province"], Role.HEAD))
    assert client.login(username="tinh", password="pw-Test-123")
    make_plan(tree["commune"], ISSUED)
    client.get(reverse("plans:list"))  # the roles and the bell cached, as on any later page
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("plans:list")).status_code == 200
    for index in range(15):
        commune = AgencyFactory(code=f"D-N{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE)
        make_plan(commune, SUBMITTED)
    with django_assert_max_num_queries(12) as many:
        response = client.get(reverse("plans:list"))
    assert "16 kế hoạch" in response.content.decode()  # the commune's and the 15 submitted below
    assert len(many.captured_queries) == len(few.captured_queries)
