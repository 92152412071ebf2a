"""Whole plans from their structured form: the demo's seed plans today, a
Word importer's output next."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from agencies.models import Agency

from ..models import Area, BasisReference, Channel, Clause, Plan, Responsibility, Task

SECTION_KEYS = {
    "purposes": Clause.Section.PURPOSE,
    "requirements": Clause.Section.REQUIREMENT,
    "content": Clause.Section.CONTENT,
    "channels": Clause.Section.CHANNEL,
    "funding": Clause.Section.FUNDING,
}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def plan_create_from_data(*, data: dict, created_by=None) -> Plan:
    """Create a whole plan from its structured form (the format of
    demo/data/plan_*.json): header, basis, clause lists, duties,
    recipients, signer and appendix tasks. Agencies, areas and channels are
    named by code. All or nothing."""
    agencies = {a.code: a for a in Agency.objects.all()}
    areas = {a.code: a for a in Area.objects.all()}
    channels = {c.code: c for c in Channel.objects.all()}
    signer = data.get("signer") or {}
    plan = Plan(
        issuer=agencies[data["issuer"]],
        kind=data["kind"],
        year_start=data["year_start"],
        year_end=data["year_end"],
        number=data.get("number"),
        symbol=data["symbol"],
        issue_date=_date(data.get("issue_date")),
        draft_month=data.get("draft_month"),
        draft_year=data.get("draft_year"),
        place=data["place"],
        title=data["title"],
        basis_lead_in=data.get("basis_lead_in", ""),
        budget_total=data.get("budget_total"),
        closing_text=data.get("closing_text", ""),
        signer_authority="\n".join(signer.get("authority", [])),
        signer_position=signer.get("position", ""),
        signer_name=signer.get("name", ""),
        status=data.get("status", Plan.Status.DRAFT),
        created_by=created_by,
    )
    plan.full_clean()
    plan.save()

    BasisReference.objects.bulk_create(
        BasisReference(
            plan=plan,
            position=position,
            verb=ref["verb"],
            text=ref["text"],
            linked_plan=ref.get("linked_plan"),
        )
        for position, ref in enumerate(data.get("basis", []), start=1)
    )

    position = 0

    def add_clauses(items, *, section, parent=None, responsibility=None):
        nonlocal position
        for item in items:
            position += 1
            clause = Clause.objects.create(
                plan=plan,
                section=section,
                parent=parent,
                responsibility=responsibility,
                position=position,
                marker=item["marker"],
                text=item["text"],
                area=areas[item["area"]] if item.get("area") else None,
                channel=channels[item["channel"]] if item.get("channel") else None,
            )
            add_clauses(item.get("children", []), section=section, parent=clause, responsibility=responsibility)

    for key, section in SECTION_KEYS.items():
        add_clauses(data.get(key, []), section=section)
    for index, item in enumerate(data.get("responsibilities", []), start=1):
        responsibility = Responsibility.objects.create(
            plan=plan,
            position=index,
            agency=agencies[item["agency"]] if item.get("agency") else None,
            title=item.get("title", ""),
            is_request=item.get("is_request", False),
        )
        add_clauses(item.get("duties", []), section=Clause.Section.DUTY, responsibility=responsibility)
    add_clauses(
        [{"marker": Clause.Marker.DASH, "text": text} for text in data.get("recipients", [])],
        section=Clause.Section.RECIPIENT,
    )

    for index, item in enumerate(data.get("tasks", []), start=1):
        task = Task(
            plan=plan,
            position=index,
            content=item["content"],
            area=areas[item["area"]] if item.get("area") else None,
            channel=channels[item["channel"]] if item.get("channel") else None,
            lead_agency=agencies[item["lead"]] if item.get("lead") else None,
            coordinating_text=item.get("coordinating_text", ""),
            timeframe=item.get("timeframe", ""),
            deadline=_date(item.get("deadline")),
            product=item.get("product", ""),
            budget=item.get("budget"),
            target_quantity=item.get("target_quantity"),
            note=item.get("note", ""),
        )
        task.full_clean(exclude=["plan"])
        task.save()
        task.coordinating_agencies.set(agencies[code] for code in item.get("coordinating", []))
    return plan
