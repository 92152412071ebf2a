"""Plans for the plan tests, built on the root `tree` and `personas`: a
district draft with every part, and three plans elsewhere shaped like the
other demo seeds (an issued provincial plan, a department's period plan, an
issued plan without requirements)."""

import pytest

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory, user_with_roles

from .factories import (
    FULL_DRAFT_TASKS,
    plan_full_draft,
    plan_issued_short,
    plan_period_draft,
    plan_without_requirements,
)


@pytest.fixture
def front(tree):
    """The district's Fatherland Front: outside the administrative chain."""
    return AgencyFactory(code="D-MTTQ", parent=tree["district"], kind=Agency.Kind.ORGANIZATION,
                         name="Ủy ban Mặt trận Tổ quốc Việt Nam huyện Một")


@pytest.fixture
def draft(tree, personas, front):
    """The district's 2025 draft, written by the drafter, every part filled."""
    return plan_full_draft(issuer=tree["district"], leads=[tree["home_affairs"], tree["commune"]],
                           request_body=front, created_by=personas.drafter, tasks=FULL_DRAFT_TASKS)


@pytest.fixture
def commune_head(tree):
    """Head of the commune only: below the district, so its drafts are out of reach."""
    return user_with_roles("head2", (tree["commune"], Membership.Role.HEAD), first_name="Lê Thị Hoa")


@pytest.fixture
def issued_plan(db):
    """Issued elsewhere: 255/KH-UBND of Thừa Thiên Huế, 12/12/2019."""
    return plan_issued_short()


@pytest.fixture
def period_plan(db):
    """A 2021-2025 draft of a Bình Định department."""
    return plan_period_draft()


@pytest.fixture
def plan_no_requirements(db):
    """Issued by Quảng Nam, with no requirements section."""
    return plan_without_requirements()
