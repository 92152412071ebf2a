"""Builders for plans. `plan_draft` gives a plan with every core section
(so it can be submitted); `plan_issued` takes it through the real services."""

from __future__ import annotations

import datetime as dt

import factory

from agencies.tests.factories import AgencyFactory
from plans import services
from plans.models import Area, Channel, Clause, Plan, Task


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    issuer = factory.SubFactory(AgencyFactory)
    kind = Plan.Kind.YEARLY
    year_start = 2026
    year_end = factory.LazyAttribute(lambda p: p.year_start)
    symbol = "KH-UBND"
    place = "Bình Giang"
    title = factory.LazyAttribute(lambda p: f"Tuyên truyền cải cách hành chính năm {p.year_start}")
    basis_lead_in = "Ủy ban nhân dân ban hành Kế hoạch với những nội dung sau:"


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    plan = factory.SubFactory(PlanFactory)
    section = Clause.Section.PURPOSE
    marker = Clause.Marker.NUMBER
    position = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Nội dung mục {n}.")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    content = factory.Sequence(lambda n: f"Nhiệm vụ tuyên truyền số {n}")
    lead_agency = factory.SubFactory(AgencyFactory)
    area = factory.LazyFunction(lambda: Area.objects.get(code="tthc"))
    channel = factory.LazyFunction(lambda: Channel.objects.get(code="cong-ttdt"))
    timeframe = "Hằng quý"
    product = "Tin, bài"


def plan_draft(*, issuer, leads=(), year: int = 2026, **fields) -> Plan:
    """A draft with a purpose, a requirement, a content item (area-tagged), a
    channel and one task per lead agency: everything a submit asks for."""
    plan = PlanFactory(issuer=issuer, year_start=year, year_end=year, **fields)
    ClauseFactory(plan=plan, section=Clause.Section.PURPOSE, marker=Clause.Marker.NUMBER,
                  text="Nâng cao nhận thức của cán bộ, công chức về cải cách hành chính.")
    ClauseFactory(plan=plan, section=Clause.Section.REQUIREMENT, marker=Clause.Marker.NUMBER,
                  text="Tuyên truyền thường xuyên, đúng trọng tâm.")
    ClauseFactory(plan=plan, section=Clause.Section.CONTENT, marker=Clause.Marker.LETTER,
                  text="Tuyên truyền về thủ tục hành chính.", area=Area.objects.get(code="tthc"))
    ClauseFactory(plan=plan, section=Clause.Section.CHANNEL, marker=Clause.Marker.DASH,
                  text="Đăng tin trên trang thông tin điện tử.", channel=Channel.objects.get(code="cong-ttdt"))
    for lead in leads:
        TaskFactory(plan=plan, lead_agency=lead, deadline=dt.date(year, 12, 31))
    return plan


def plan_issued(*, issuer, drafter, head, leads=(), year: int = 2026, number: int = 1,
                issue_date: dt.date | None = None, report_rules=(), **fields) -> Plan:
    """A plan drafted by `drafter`, submitted and issued by `head` through the
    services; `report_rules` are the period kinds its lead agencies report on."""
    plan = plan_draft(issuer=issuer, leads=leads, year=year, created_by=drafter, **fields)
    if report_rules:
        plan.report_rules.set(report_rules)
    services.plan_submit(plan=plan, user=drafter)
    return services.plan_issue(
        plan=plan, user=head, number=number, issue_date=issue_date or dt.date(year, 1, 8),
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH",
        signer_name="Nguyễn Văn An",
    )
