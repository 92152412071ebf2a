"""Copies of a plan: an amending version, the same plan for another year or
issuer, and a lower unit's plan cascaded from an issued one."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency

from ..models import BasisReference, Clause, Plan, Responsibility, Task
from .drafting import default_symbol
from .lifecycle import transition_record


def _clone(
    source: Plan, *, user, overrides: dict, sections=None, with_responsibilities=True, with_tasks=True,
    year_shift: int = 0,
) -> Plan:
    """A new draft with the source's content; `sections` limits which clause lists come along."""
    plan = Plan.objects.get(pk=source.pk)
    plan.pk = None
    plan.status = Plan.Status.DRAFT
    plan.number = plan.issue_date = None
    plan.amends = None
    plan.lock_version = 1
    plan.created_by = user
    for name, value in overrides.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    plan.report_rules.set(source.report_rules.all())

    if with_responsibilities:
        # The text comes along; the link does not, so a copy is not listed as
        # another child of last year's parent plan.
        for ref in source.basis_references.all():
            BasisReference.objects.create(plan=plan, position=ref.position, verb=ref.verb, text=ref.text)
    responsibility_map: dict[int, Responsibility] = {}
    if with_responsibilities:
        for duty_owner in source.responsibilities.all():
            responsibility_map[duty_owner.pk] = Responsibility.objects.create(
                plan=plan, position=duty_owner.position, agency=duty_owner.agency, title=duty_owner.title,
                is_request=duty_owner.is_request,
            )
    clause_map: dict[int, Clause] = {}
    for old in source.clauses.order_by("parent_id", "position", "pk"):
        if sections is not None and old.section not in sections:
            continue
        if old.responsibility_id and old.responsibility_id not in responsibility_map:
            continue
        clause_map[old.pk] = Clause(
            plan=plan, section=old.section, position=old.position, marker=old.marker, text=old.text,
            area_id=old.area_id, channel_id=old.channel_id,
            responsibility=responsibility_map.get(old.responsibility_id or 0),
        )
    # Parents first, so children can point at the new rows.
    olds = {c.pk: c for c in source.clauses.all()}
    for old_pk in sorted(clause_map, key=lambda pk: _depth(olds, pk)):
        new = clause_map[old_pk]
        parent_id = olds[old_pk].parent_id
        new.parent = clause_map.get(parent_id) if parent_id else None
        new.save()

    if with_tasks:
        for old_task in source.tasks.prefetch_related("coordinating_agencies"):
            coordinating = list(old_task.coordinating_agencies.all())
            deadline = old_task.deadline
            if deadline and year_shift:
                deadline = _shift_year(deadline, year_shift)
            task = Task.objects.create(
                plan=plan, position=old_task.position, content=old_task.content, area_id=old_task.area_id,
                channel_id=old_task.channel_id, lead_agency_id=old_task.lead_agency_id,
                coordinating_text=old_task.coordinating_text, timeframe=old_task.timeframe, deadline=deadline,
                product=old_task.product, budget=old_task.budget, target_quantity=old_task.target_quantity,
                note=old_task.note,
            )
            task.coordinating_agencies.set(coordinating)
    return plan


def _depth(olds: dict, pk: int) -> int:
    depth, seen = 0, {pk}
    while olds[pk].parent_id and olds[pk].parent_id not in seen:
        pk = olds[pk].parent_id
        seen.add(pk)
        depth += 1
    return depth


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/02 into a common year
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def plan_amend(*, plan: Plan, user) -> Plan:
    """An issued plan is never changed in place: amending makes a new draft version."""
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError("Chỉ sửa đổi được kế hoạch đã ban hành.")
    new = _clone(plan, user=user, overrides={"version": plan.version + 1, "amends": plan})
    transition_record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Sửa đổi kế hoạch {plan.reference}")
    return new


@transaction.atomic
def plan_copy(*, plan: Plan, user, issuer: Agency, year_start: int, year_end: int) -> Plan:
    """Last year's plan as this year's draft: texts come along, years and deadlines move."""
    shift = year_start - plan.year_start
    years = {str(plan.year_start): str(year_start), str(plan.year_end): str(year_end)}
    title = re.sub(r"\b(19|20)\d{2}\b", lambda m: years.get(m.group(0), m.group(0)), plan.title)
    new = _clone(
        plan, user=user, year_shift=shift,
        overrides={
            "issuer": issuer, "year_start": year_start, "year_end": year_end, "version": 1,
            "title": title, "symbol": default_symbol(issuer) if issuer != plan.issuer else plan.symbol,
            "draft_month": None, "draft_year": None,
        },
    )
    transition_record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Sao chép từ kế hoạch {plan.reference} ({plan.years_label})")
    return new


@transaction.atomic
def plan_cascade(*, parent: Plan, user, issuer: Agency) -> Plan:
    """A subordinate agency's plan from an issued parent plan: the parent's
    purposes, requirements and content items, and the basis line pointing at it."""
    if parent.status != Plan.Status.ISSUED:
        raise ValidationError("Chỉ triển khai được từ kế hoạch đã ban hành.")
    locality = issuer.name.removeprefix("Ủy ban nhân dân ")
    new = _clone(
        parent, user=user, with_responsibilities=False, with_tasks=False,
        sections={Clause.Section.PURPOSE, Clause.Section.REQUIREMENT, Clause.Section.CONTENT},
        overrides={
            "issuer": issuer, "symbol": default_symbol(issuer), "version": 1,
            "place": issuer.place_name or parent.place, "title": parent.title,
            "basis_lead_in": f"{issuer.name} xây dựng Kế hoạch tuyên truyền cải cách hành chính {locality} năm {parent.year_start} như sau:"
            if parent.kind == Plan.Kind.YEARLY else f"{issuer.name} xây dựng Kế hoạch như sau:",
            "closing_text": "", "signer_authority": "", "signer_position": "", "signer_name": "",
            "budget_total": None, "draft_month": None, "draft_year": None,
        },
    )
    BasisReference.objects.create(
        plan=new, position=1, verb="Thực hiện", linked_plan=parent,
        text=f"Kế hoạch số {parent.reference} ngày {parent.issue_date:%d/%m/%Y} của {parent.issuer.name} về {parent.title[:1].lower()}{parent.title[1:]}",
    )
    transition_record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Triển khai Kế hoạch {parent.reference}")
    return new
