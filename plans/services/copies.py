"""Copies of a plan: an amending version, the same plan for another year or
issuer, and a lower unit's plan cascaded from an issued one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency

from ..models import BasisReference, Clause, Heading, Plan, Responsibility, Task
from .drafting import create_once, default_symbol, draft_pdf_enqueue
from .lifecycle import transition_record

# The plan's own texts of its body (its title is handled by plan_copy).
BODY_FIELDS = ("basis_lead_in", "closing_text", "decision_title", "decision_articles")

# Moving a plan to other years ("năm 2025" -> "năm 2026" in a copy for 2026).
# Decided so (shown to the drafter before the copy is made, every changed
# sentence listed):
# - a year of the plan's own span, or the year before it (the year a plan
#   looks back on: "kết quả năm 2024"), moves by the shift, wherever it stands:
#   "năm 2025", "Quý I/2025", "trước ngày 15/12/2025";
# - a range of years moves only when it is the plan's own span ("2021 - 2025"
#   of a 2021-2025 plan copied to 2026-2030); any other range is a programme's
#   period ("giai đoạn 2021-2030", "năm học 2024-2025") and stays;
# - a cited document keeps its years, from its "số" to the end of the clause
#   (comma, semicolon, full stop): "Kế hoạch số 12/KH-UBND ngày 10/01/2025 của
#   UBND tỉnh về CCHC năm 2025", "Nghị quyết số 76/NQ-CP năm 2021", and a number
#   such as "30/2020/NĐ-CP"; the basis lines (căn cứ) are cited documents and
#   are never changed: the drafter replaces them with the new year's documents;
# - years in the deadlines of tasks move with the dates themselves.
_YEAR = r"(?:19|20)\d{2}"
_TOKENS = re.compile(
    rf"(?P<cite>\bsố\s+\d+[\w/.\-]*[^,;.\n]*"
    rf"|(?<![\w/])\d+/{_YEAR}/[A-ZĐ][\w\-]*)"
    rf"|(?P<range>(?<!\d)(?P<first>{_YEAR})(?P<dash>\s*[-–—]\s*)(?P<last>{_YEAR})(?!\d))"
    rf"|(?P<year>(?<!\d){_YEAR}(?!\d))",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.;!?:])\s+|\n+")


@dataclass
class YearChange:
    """One sentence of the body the copy changes: where it is, and the
    sentence before and after as parts (text, changed?) to show the years."""

    where: str
    before: list[tuple[str, bool]] = field(default_factory=list)
    after: list[tuple[str, bool]] = field(default_factory=list)


class YearShift:
    """The years of a plan spanning `start`-`end` moved to `new_start`-`new_end`."""

    def __init__(self, *, start: int, end: int, new_start: int, new_end: int):
        self.start, self.end, self.new_start, self.new_end = start, end, new_start, new_end
        self.shift = new_start - start

    def parts(self, text: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
        before: list[tuple[str, bool]] = []
        after: list[tuple[str, bool]] = []
        done = 0
        for match in _TOKENS.finditer(text):
            new = self._replacement(match)
            if new is None:
                continue
            plain = text[done:match.start()]
            before += [(plain, False), (match.group(0), True)]
            after += [(plain, False), (new, True)]
            done = match.end()
        before.append((text[done:], False))
        after.append((text[done:], False))
        return before, after

    def _replacement(self, match: re.Match) -> str | None:
        if match.group("range"):
            first, last = int(match.group("first")), int(match.group("last"))
            if (first, last) == (self.start, self.end) and first != last and (first, last) != (self.new_start, self.new_end):
                return f"{self.new_start}{match.group('dash')}{self.new_end}"
            return None
        if match.group("year"):
            year = int(match.group("year"))
            if self.shift and self.start - 1 <= year <= self.end:
                return str(year + self.shift)
        return None  # a cited document

    def __call__(self, text: str) -> str:
        return "".join(part for part, _ in self.parts(text)[1]) if text else text

    def changes(self, where: str, text: str) -> list[YearChange]:
        """The sentences of `text` this shift changes."""
        found = []
        for sentence in _SENTENCE_END.split(text or ""):
            before, after = self.parts(sentence)
            if any(changed for _, changed in before):
                found.append(YearChange(where=where, before=before, after=after))
        return found


def _clone(
    source: Plan, *, user, overrides: dict, sections=None, with_responsibilities=True, with_tasks=True,
    year_shift: int = 0, rewrite=None,
) -> Plan:
    """A new draft with the source's content; `sections` limits which clause
    lists come along (a whole copy also keeps the plan's own headings and its
    markers as written). `rewrite(text)` is applied to every text of the body
    (see year_replacements)."""
    rewrite = rewrite or (lambda text: text)
    plan = Plan.objects.get(pk=source.pk)
    plan.pk = None
    plan.status = Plan.Status.DRAFT
    plan.number = plan.issue_date = None
    plan.amends = None
    plan.lock_version = 1
    plan.creation_key = None
    plan.created_by = user
    for name in BODY_FIELDS:
        setattr(plan, name, rewrite(getattr(plan, name)))
    for name, value in overrides.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["creation_key"])
    plan.save()
    plan.report_rules.set(source.report_rules.all())

    heading_map: dict[int, Heading] = {}
    if sections is None:
        for old_heading in sorted(source.headings.all(), key=lambda h: (h.parent_id is not None, h.position, h.pk)):
            heading_map[old_heading.pk] = Heading.objects.create(
                plan=plan, parent=heading_map.get(old_heading.parent_id or 0), position=old_heading.position,
                marker_text=old_heading.marker_text, text=rewrite(old_heading.text), role=old_heading.role,
            )
    if with_responsibilities:
        # The text comes along; the link does not, so a copy is not listed as
        # another child of last year's parent plan. Cited documents keep their years.
        for ref in source.basis_references.all():
            BasisReference.objects.create(plan=plan, position=ref.position, verb=ref.verb, text=ref.text)
    responsibility_map: dict[int, Responsibility] = {}
    if with_responsibilities:
        for duty_owner in source.responsibilities.all():
            responsibility_map[duty_owner.pk] = Responsibility.objects.create(
                plan=plan, position=duty_owner.position, agency=duty_owner.agency, title=rewrite(duty_owner.title),
                marker_text=duty_owner.marker_text, is_request=duty_owner.is_request,
            )
    clause_map: dict[int, Clause] = {}
    olds = {c.pk: c for c in source.clauses.all()}
    for old in sorted(olds.values(), key=lambda c: (c.parent_id or 0, c.position, c.pk)):
        if sections is not None and old.section not in sections:
            continue
        if old.responsibility_id and old.responsibility_id not in responsibility_map:
            continue
        clause_map[old.pk] = Clause(
            plan=plan, section=old.section, position=old.position, marker=old.marker, marker_text=old.marker_text,
            text=rewrite(old.text), area_id=old.area_id, channel_id=old.channel_id,
            responsibility=responsibility_map.get(old.responsibility_id or 0),
            heading=heading_map.get(old.heading_id or 0),
        )
    # Parents first, so children can point at the new rows.
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
                plan=plan, position=old_task.position, content=rewrite(old_task.content), area_id=old_task.area_id,
                channel_id=old_task.channel_id, lead_agency_id=old_task.lead_agency_id,
                coordinating_text=old_task.coordinating_text, timeframe=rewrite(old_task.timeframe),
                deadline=deadline, product=rewrite(old_task.product), budget=old_task.budget,
                target_quantity=old_task.target_quantity, note=rewrite(old_task.note),
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
    draft_pdf_enqueue(new)
    return new


def plan_body_texts(plan: Plan):
    """(where, text) of every text a copy moves to other years, in print
    order; from the prefetched contents of plan_with_contents."""
    yield "Trích yếu", plan.title
    yield "Câu dẫn sau căn cứ", plan.basis_lead_in
    for heading in sorted(plan.headings.all(), key=lambda h: (h.position, h.pk)):
        yield "Đề mục", heading.text
    owners = {r.pk: r for r in plan.responsibilities.all()}
    labels = dict(Clause.Section.choices)
    for clause in sorted(plan.clauses.all(), key=lambda c: (c.position, c.pk)):
        owner = owners.get(clause.responsibility_id or 0)
        yield (f"Tổ chức thực hiện – {owner}" if owner else labels[clause.section]), clause.text
    for owner in owners.values():
        yield "Tổ chức thực hiện", owner.title
    yield "Đoạn kết", plan.closing_text
    yield "Trích yếu quyết định", plan.decision_title
    yield "Các điều của quyết định", plan.decision_articles
    for number, task in enumerate(sorted(plan.tasks.all(), key=lambda t: (t.position, t.pk)), start=1):
        for text in (task.content, task.timeframe, task.product, task.note):
            yield f"Nhiệm vụ {number}", text


def year_changes(*, plan: Plan, year_start: int, year_end: int) -> list[YearChange]:
    """Every sentence a copy of `plan` for `year_start`-`year_end` changes, as
    plan_copy(replace_years=True) will change it."""
    shift = YearShift(start=plan.year_start, end=plan.year_end, new_start=year_start, new_end=year_end)
    return [change for where, text in plan_body_texts(plan) for change in shift.changes(where, text)]


def basis_naming_years(*, plan: Plan) -> list[str]:
    """The basis lines (căn cứ) that name one of the plan's years: a copy keeps
    them as they are (they cite documents already issued), so the drafter
    should replace them with the new year's documents."""
    years = {str(year) for year in range(plan.year_start - 1, plan.year_end + 1)}
    return [f"{ref.verb} {ref.text}" for ref in plan.basis_references.all()
            if any(year in ref.text for year in years)]


def plan_copy(*, plan: Plan, user, issuer: Agency, year_start: int, year_end: int, replace_years: bool = False,
              creation_key=None) -> Plan:
    """Last year's plan as this year's draft: texts come along, years and
    deadlines move; the title always says the new years, the rest of the body
    too with `replace_years` (the changes year_changes lists). Posting the
    same form twice (same `creation_key`) makes one copy."""
    return create_once(
        Plan, creation_key=creation_key, mine=lambda row: row.created_by_id == getattr(user, "pk", None),
        make=lambda key: _plan_copy(plan=plan, user=user, issuer=issuer, year_start=year_start, year_end=year_end,
                                    replace_years=replace_years, creation_key=key),
    )


@transaction.atomic
def _plan_copy(*, plan: Plan, user, issuer: Agency, year_start: int, year_end: int, replace_years: bool,
               creation_key) -> Plan:
    shift = YearShift(start=plan.year_start, end=plan.year_end, new_start=year_start, new_end=year_end)
    new = _clone(
        plan, user=user, year_shift=shift.shift, rewrite=shift if replace_years else None,
        overrides={
            "issuer": issuer, "year_start": year_start, "year_end": year_end, "version": 1,
            "title": shift(plan.title), "symbol": default_symbol(issuer) if issuer != plan.issuer else plan.symbol,
            "draft_month": None, "draft_year": None, "creation_key": creation_key,
        },
    )
    transition_record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Sao chép từ kế hoạch {plan.reference} ({plan.years_label})")
    draft_pdf_enqueue(new)
    return new


def plan_cascade(*, parent: Plan, user, issuer: Agency, creation_key=None) -> Plan:
    """A subordinate agency's plan from an issued parent plan: the parent's
    purposes, requirements and content items, and the basis line pointing at
    it; once per `creation_key` (see create_once)."""
    return create_once(
        Plan, creation_key=creation_key, mine=lambda row: row.created_by_id == getattr(user, "pk", None),
        make=lambda key: _plan_cascade(parent=parent, user=user, issuer=issuer, creation_key=key),
    )


@transaction.atomic
def _plan_cascade(*, parent: Plan, user, issuer: Agency, creation_key) -> Plan:
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
            "budget_total": None, "draft_month": None, "draft_year": None, "creation_key": creation_key,
        },
    )
    BasisReference.objects.create(
        plan=new, position=1, verb="Thực hiện", linked_plan=parent,
        text=f"Kế hoạch số {parent.reference} ngày {parent.issue_date:%d/%m/%Y} của {parent.issuer.name} về {parent.title[:1].lower()}{parent.title[1:]}",
    )
    transition_record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Triển khai Kế hoạch {parent.reference}")
    draft_pdf_enqueue(new)
    return new
