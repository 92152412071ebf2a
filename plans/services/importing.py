"""Whole plans from their structured form: the demo's seed plans today, a
Word importer's output next."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency
from common.text import clean_text, fold

from ..models import Area, BasisReference, Channel, Clause, Heading, Plan, PlanImport, Responsibility, Task
from .drafting import draft_pdf_enqueue, issuer_agencies
from .lifecycle import transition_record

SECTION_KEYS = {
    "purposes": Clause.Section.PURPOSE,
    "requirements": Clause.Section.REQUIREMENT,
    "content": Clause.Section.CONTENT,
    "channels": Clause.Section.CHANNEL,
    "funding": Clause.Section.FUNDING,
}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _clean(value):
    """Every text of the structure NFC-normalised and without control characters."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


CLAUSE_ROLES = {Heading.Role.PURPOSE, Heading.Role.REQUIREMENT, Heading.Role.CONTENT, Heading.Role.CHANNEL,
                Heading.Role.FUNDING}


MARKER_MAX = 12  # the width of the marker columns


def _fitting_marker(marker: str, text: str) -> tuple[str, str]:
    """A marker too long to be one ("1.2.3.4.5.6.7.") stays at the front of its text instead."""
    marker = (marker or "").strip()
    if len(marker) <= MARKER_MAX:
        return marker, text
    return "", f"{marker} {text}".strip()


def _plan_header(data: dict, *, issuer: Agency, created_by) -> Plan:
    """The plan row: everything but its lists."""
    signer = data.get("signer") or {}
    decision = data.get("decision") or {}
    plan = Plan(
        issuer=issuer,
        kind=data["kind"],
        year_start=data["year_start"],
        year_end=data["year_end"],
        number=data.get("number"),
        number_text=data.get("number_text") or "",
        symbol=data["symbol"],
        issue_date=_date(data.get("issue_date")),
        draft_month=data.get("draft_month"),
        draft_year=data.get("draft_year"),
        place=data["place"],
        title=data["title"],
        form=data.get("form") or Plan.Form.STANDALONE,
        keep_markers=bool(data.get("headings")),
        basis_style=data.get("basis_style") or Plan.BasisStyle.PARAGRAPH,
        basis_lead_in=data.get("basis_lead_in", ""),
        budget_total=data.get("budget_total"),
        closing_text=data.get("closing_text", ""),
        signer_authority="\n".join(signer.get("authority", [])),
        signer_position=signer.get("position", ""),
        signer_name=signer.get("name", ""),
        status=data.get("status", Plan.Status.DRAFT),
        recorded=bool(data.get("recorded")),
        decision_number=decision.get("number"),
        decision_number_text=decision.get("number_text") or "",
        decision_symbol=decision.get("symbol", ""),
        decision_date=_date(decision.get("date")),
        decision_title=decision.get("title", ""),
        decision_basis="\n".join(f"{ref['verb']} {ref['text']}".strip() for ref in decision.get("basis", [])),
        decision_articles="\n".join(decision.get("articles", [])),
        unplaced_text="\n".join(data.get("unplaced", [])),
        created_by=created_by,
    )
    return plan


@transaction.atomic
def plan_create_from_data(*, data: dict, created_by=None) -> Plan:
    """Create a whole plan from its structured form (docs/plan-structure.md;
    demo/data/plan_*.json are version 1, importers give version 2 with the
    plan's own headings, markers and numbers as written): header, basis,
    headings and clauses, duties, recipients, signer and appendix tasks.
    Agencies, areas and channels are named by code. All or nothing."""
    data = _clean(data)
    agencies = {a.code: a for a in Agency.objects.all()}
    areas = {a.code: a for a in Area.objects.all()}
    channels = {c.code: c for c in Channel.objects.all()}
    plan = _plan_header(data, issuer=agencies[data["issuer"]], created_by=created_by)
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

    def add_clauses(items, *, section, parent=None, responsibility=None, heading=None):
        nonlocal position
        for item in items:
            position += 1
            marker_text, text = _fitting_marker(item.get("marker_text", ""), item["text"])
            clause = Clause.objects.create(
                plan=plan,
                section=section,
                parent=parent,
                responsibility=responsibility,
                heading=heading if parent is None else None,
                position=position,
                marker=item["marker"] if marker_text or not item.get("marker_text") else Clause.Marker.PARAGRAPH,
                marker_text=marker_text,
                text=text,
                area=areas[item["area"]] if item.get("area") else None,
                channel=channels[item["channel"]] if item.get("channel") else None,
            )
            add_clauses(item.get("children", []), section=section, parent=clause, responsibility=responsibility)

    def add_headings(items, parent=None):
        for index, item in enumerate(items, start=1):
            marker_text, text = _fitting_marker(item.get("marker", ""), item["text"])
            heading = Heading.objects.create(
                plan=plan, parent=parent, position=index, marker_text=marker_text, text=text, role=item["role"],
            )
            section = item["role"] if item["role"] in CLAUSE_ROLES else Clause.Section.OTHER
            add_clauses(item.get("clauses", []), section=section, heading=heading)
            add_headings(item.get("children", []), parent=heading)

    add_headings(data.get("headings", []))
    for key, section in SECTION_KEYS.items():
        add_clauses(data.get(key, []), section=section)
    for index, item in enumerate(data.get("responsibilities", []), start=1):
        marker_text, title = _fitting_marker(item.get("marker", ""), item.get("title", ""))
        responsibility = Responsibility.objects.create(
            plan=plan,
            position=index,
            agency=agencies[item["agency"]] if item.get("agency") else None,
            title=title[:255],
            marker_text=marker_text,
            is_request=item.get("is_request", False),
        )
        add_clauses(item.get("duties", []), section=Clause.Section.DUTY, responsibility=responsibility)
    add_clauses(
        [{"marker": Clause.Marker.DASH, "text": text} for text in data.get("recipients", [])],
        section=Clause.Section.RECIPIENT,
    )

    _add_tasks(plan, data.get("tasks", []), agencies=agencies, areas=areas, channels=channels)
    return plan


def _add_tasks(plan: Plan, items: list[dict], *, agencies: dict, areas: dict, channels: dict) -> None:
    """The appendix rows, validated one by one."""
    for index, item in enumerate(items, start=1):
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


# The review page shows each list of clauses as lines of text, one clause a
# line, two spaces of indent a level down, the marker as written in front.
MARKER_PATTERNS = [
    (Clause.Marker.NUMBER, re.compile(r"^(\d+(?:\.\d+)+\.?|\d+\.)\s+")),
    (Clause.Marker.LETTER, re.compile(r"^([a-zđ]{1,2}\))\s+")),
    (Clause.Marker.DASH, re.compile(r"^([-–—•])\s+")),
    (Clause.Marker.PLUS, re.compile(r"^(\+)\s+")),
]


def clauses_to_lines(items: list[dict], level: int = 0) -> list[str]:
    lines = []
    for item in items:
        marker = item.get("marker_text") or ""
        for index, paragraph in enumerate((item.get("text") or "").split("\n")):
            prefix = f"{marker} " if marker and index == 0 else ""
            lines.append("  " * level + prefix + paragraph)
        lines.extend(clauses_to_lines(item.get("children", []), level + 1))
    return lines


def clauses_from_lines(text: str) -> list[dict]:
    """The inverse of clauses_to_lines: markers recognised at the start of a
    line, nesting from the indent; a line without a marker under a clause is
    a further paragraph of it only when indented like it, else a paragraph."""
    roots: list[dict] = []
    stack: list[tuple[int, dict]] = []
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        level = (len(raw) - len(raw.lstrip(" "))) // 2
        line = raw.strip()
        marker, marker_text = Clause.Marker.PARAGRAPH, ""
        for kind, pattern in MARKER_PATTERNS:
            found = pattern.match(line)
            if found:
                marker, marker_text, line = kind, found.group(1), line[found.end():]
                break
        item = {"marker": marker, "marker_text": marker_text, "text": line, "children": []}
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1]["children"] if stack else roots).append(item)
        stack.append((level, item))
    return roots


def agency_guess(title: str, agencies: list[Agency]) -> Agency | None:
    """The agency a responsibility's title names, accent-insensitively: the
    longest name (or short name) found in the title, so "Phòng Văn hóa - Thông
    tin huyện" picks that office, not the district."""
    folded = fold(title)
    best: tuple[int, Agency | None] = (0, None)
    for agency in agencies:
        for name in (agency.name, agency.short_name):
            key = fold(name)
            if key and len(key) > best[0] and key in folded:
                best = (len(key), agency)
    return best[1]


def agencies_guessed(structure: dict, issuer: Agency) -> dict:
    """Responsibilities and task leads matched to the issuer's units by name
    (the drafter confirms or changes them on the review page)."""
    agencies = list(issuer_agencies(issuer))
    for item in structure.get("responsibilities", []):
        # The title as the source printed it: "Đề nghị …" and its colon.
        title = item.get("title", "")
        if item.get("is_request") and title and not fold(title).startswith("de nghi"):
            title = f"Đề nghị {title}"
        if item.get("colon") and title and not title.endswith(":"):
            title += ":"
        item["title"] = title
        guess = agency_guess(title, agencies)
        item["agency_id"] = guess.pk if guess else None
        item["agency"] = guess.code if guess else None
    for task in structure.get("tasks", []):
        guess = agency_guess(task.get("lead_text", ""), agencies)
        task["lead"] = guess.code if guess else None
    return structure


@transaction.atomic
def plan_draft_from_import(*, structure: dict, issuer: Agency, user, source_name: str) -> Plan:
    """A recognised (and reviewed) plan saved as a draft of `issuer`. The
    number and date a source already had stay with the import (the head
    records the plan as issued on paper from the draft); the lines nobody
    placed are kept with the draft."""
    data = dict(structure, issuer=issuer.code, status=Plan.Status.DRAFT)
    if data.get("issue_date"):
        data["draft_month"], data["draft_year"] = None, None
    data.update(number=None, number_text="", issue_date=None)
    if not data.get("year_start"):
        raise ValidationError("Chưa rõ năm của kế hoạch: nhập «Từ năm».")
    data.setdefault("kind", Plan.Kind.YEARLY)
    data.setdefault("year_end", data["year_start"])
    plan = plan_create_from_data(data=data, created_by=user)
    transition_record(plan, user=user, from_status=Plan.Status.DRAFT, comment=f"Nhập từ {source_name}")
    draft_pdf_enqueue(plan)
    return plan


@transaction.atomic
def plan_import_save(*, plan_import: PlanImport, structure: dict, user) -> Plan:
    """The reviewed structure of an import saved as a draft of its issuer."""
    # Locked: a double-clicked save makes one draft, the second finds it saved.
    plan_import = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
    if plan_import.plan_id:
        raise ValidationError("Bản nhập này đã được lưu thành dự thảo.")
    plan = plan_draft_from_import(structure=structure, issuer=plan_import.issuer, user=user,
                                  source_name=plan_import.filename or "văn bản dán vào")
    plan_import.plan = plan
    plan_import.structure = structure
    plan_import.save(update_fields=["plan", "structure"])
    return plan
