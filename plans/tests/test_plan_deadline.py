"""The yearly plan's deadline, from the issuer's rule set, reminds its drafters on the plan list."""

import datetime as dt

import pytest
from django.urls import reverse

from plans.selectors import plan_deadline_status
from plans.tests.factories import plan_issued
from schedule.models import PlanDeadline, ReportingChain


@pytest.fixture
def deadline_rule(tree):
    """The province asks every unit below it for next year's plan by 20/11."""
    chain, _ = ReportingChain.objects.get_or_create(owner=tree["province"], defaults={"name": "Tỉnh Thử"})
    PlanDeadline.objects.create(chain=chain, agency_kind="", month=11, day=20)
    return chain


def test_the_drafter_is_reminded_until_next_years_plan_is_issued(client, tree, personas, deadline_rule):
    year = dt.date.today().year + 1
    body = personas.login(client, "drafter").get(reverse("plans:list")).content.decode()
    assert f"Kế hoạch năm {year} của {tree['district'].name}: hạn ban hành" in body and "chưa ban hành" in body
    plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, year=year,
                issue_date=dt.date(year - 1, 11, 18))
    body = client.get(reverse("plans:list")).content.decode()
    assert f"Kế hoạch năm {year} của" not in body


def test_a_plan_issued_after_the_deadline_is_late(tree, personas, deadline_rule):
    plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, year=2026,
                issue_date=dt.date(2026, 1, 8))
    status = plan_deadline_status(agency=tree["district"], year=2026, today=dt.date(2026, 2, 1))
    assert status["deadline"] == dt.date(2025, 11, 20) and status["late_days"] == 49 and status["plan"] is not None


def test_no_rule_no_reminder(client, tree, personas):
    assert plan_deadline_status(agency=tree["district"], year=2027, today=dt.date(2026, 11, 1)) is None
    assert "hạn ban hành" not in personas.login(client, "drafter").get(reverse("plans:list")).content.decode()
