"""Writes to plans."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from agencies.models import Agency

from .models import Area, BasisReference, Channel, Clause, Plan, PlanTransition, Responsibility, Task

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


# ---------------------------------------------------------------------------
# Drafting: every write goes through these functions, which views, commands
# and tests share. Permission (role + scope) is checked by the caller through
# agencies.permissions.can(); these functions enforce the lifecycle.

STALE_EDIT = (
    "Kế hoạch vừa được người khác lưu trong lúc bạn sửa. Nội dung bạn nhập vẫn còn trên trang: "
    "hãy mở kế hoạch ở thẻ mới để xem bản mới nhất, rồi lưu lại phần của bạn."
)
NOT_EDITABLE = "Kế hoạch không còn ở trạng thái dự thảo nên không sửa được."


class StaleEditError(Exception):
    """Someone saved the plan after this form was opened."""


def _ensure_draft(plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(NOT_EDITABLE)


def _claim(plan: Plan, lock_version: int) -> None:
    """Optimistic lock: bump lock_version only if nobody else did first."""
    updated = Plan.objects.filter(pk=plan.pk, lock_version=lock_version, status=Plan.Status.DRAFT).update(
        lock_version=models.F("lock_version") + 1
    )
    if not updated:
        if not Plan.objects.filter(pk=plan.pk, status=Plan.Status.DRAFT).exists():
            raise ValidationError(NOT_EDITABLE)
        raise StaleEditError(STALE_EDIT)
    plan.lock_version = lock_version + 1


def _record(plan: Plan, *, user, from_status: str, comment: str = "") -> None:
    PlanTransition.objects.create(
        plan=plan, from_status=from_status, to_status=plan.status, user=user, comment=comment
    )


def default_symbol(issuer: Agency) -> str:
    return f"KH-{issuer.abbreviation or 'UBND'}"


@transaction.atomic
def plan_create(*, issuer: Agency, user, fields: dict) -> Plan:
    """A new empty draft for `issuer`."""
    fields = dict(fields)
    report_rules = fields.pop("report_rules", None)
    plan = Plan(
        issuer=issuer,
        symbol=default_symbol(issuer),
        place=issuer.place_name or issuer.short_name or issuer.name,
        created_by=user,
        **fields,
    )
    _save_header(plan, report_rules)
    _record(plan, user=user, from_status=Plan.Status.DRAFT, comment="Tạo dự thảo")
    return plan


def _save_header(plan: Plan, report_rules) -> None:
    """A yearly plan covers one year; validate, save, then the period kinds (M2M needs the row)."""
    if plan.kind == Plan.Kind.YEARLY:
        plan.year_end = plan.year_start
    plan.full_clean()
    plan.save()
    if report_rules is not None:
        plan.report_rules.set(report_rules)


@transaction.atomic
def plan_update(*, plan: Plan, lock_version: int, fields: dict, basis: list[dict]) -> Plan:
    """Header, signer, closing text and the basis references of a draft."""
    _ensure_draft(plan)
    _claim(plan, lock_version)
    fields = dict(fields)
    report_rules = fields.pop("report_rules", None)
    for name, value in fields.items():
        setattr(plan, name, value)
    _save_header(plan, report_rules)
    existing = {ref.pk: ref for ref in plan.basis_references.all()}
    kept = set()
    for position, values in enumerate(basis, start=1):
        # An id that is not this plan's (crafted or stale) makes a new row.
        ref = existing.get(values.get("id")) or BasisReference(plan=plan)
        ref.position, ref.verb, ref.text = position, values["verb"], values["text"]
        ref.save()
        kept.add(ref.pk)
    plan.basis_references.exclude(pk__in=kept).delete()
    return plan


def _set_clause_rows(plan: Plan, *, section: str, rows: list[dict], responsibility=None) -> None:
    """Replace one clause list with `rows` (in order; level 0-2 gives the nesting),
    updating rows that keep their id so their history continues."""
    existing = {c.pk: c for c in plan.clauses.filter(section=section, responsibility=responsibility)}
    parents: list[Clause] = []  # the last clause seen at each level
    kept = set()
    base = section_position_base(section)
    for index, row in enumerate(rows, start=1):
        level = min(row.get("level", 0), len(parents))
        clause = existing.get(row.get("id"))
        if clause is None or clause.pk in kept:  # unknown or repeated id: a new row
            clause = Clause(plan=plan, section=section, responsibility=responsibility)
        values = {
            "parent_id": parents[level - 1].pk if level else None,
            "position": base + index,
            "marker": row["marker"],
            "text": row["text"].strip(),
            "area_id": row["area"].pk if row.get("area") else None,
            "channel_id": row["channel"].pk if row.get("channel") else None,
        }
        # Unchanged rows are not saved again: the history shows real edits only.
        if clause.pk is None or any(getattr(clause, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(clause, name, value)
            clause.save()
        kept.add(clause.pk)
        parents[level:] = [clause]
    Clause.objects.filter(pk__in=set(existing) - kept).delete()


def section_position_base(section: str) -> int:
    """Clauses of each section number from their own block, so sections never interleave."""
    return list(Clause.Section.values).index(section) * 100_000


@transaction.atomic
def plan_set_clauses(*, plan: Plan, lock_version: int, section: str, rows: list[dict]) -> None:
    _ensure_draft(plan)
    _claim(plan, lock_version)
    _set_clause_rows(plan, section=section, rows=rows)


DUTY_MARKERS = [("- ", Clause.Marker.DASH), ("+ ", Clause.Marker.PLUS)]


def duties_from_text(text: str) -> list[dict]:
    """One duty per line; "- " and "+ " start a bullet, other lines are paragraphs."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        marker = Clause.Marker.PARAGRAPH
        for prefix, candidate in DUTY_MARKERS:
            if line.startswith(prefix):
                marker, line = candidate, line[len(prefix):].strip()
                break
        rows.append({"marker": marker, "text": line})
    return rows


def duties_to_text(clauses) -> str:
    prefix = {Clause.Marker.DASH: "- ", Clause.Marker.PLUS: "+ "}
    return "\n".join(prefix.get(c.marker, "") + c.text for c in clauses)


@transaction.atomic
def plan_set_responsibilities(*, plan: Plan, lock_version: int, rows: list[dict]) -> None:
    """Tổ chức thực hiện: each row an agency (or a body named only by title) and its duties."""
    _ensure_draft(plan)
    _claim(plan, lock_version)
    existing = {r.pk: r for r in plan.responsibilities.all()}
    kept = set()
    for position, row in enumerate(rows, start=1):
        responsibility = existing.get(row.get("id"))
        if responsibility is None or responsibility.pk in kept:
            responsibility = Responsibility(plan=plan)
        responsibility.position = position
        responsibility.agency = row.get("agency")
        responsibility.title = row.get("title", "")
        responsibility.is_request = row.get("is_request", False)
        responsibility.save()
        kept.add(responsibility.pk)
        # Duties are typed as text; line i keeps the id of the i-th duty so
        # an unchanged line is not recorded as deleted and re-added.
        old_ids = list(responsibility.duties.order_by("position").values_list("pk", flat=True))
        duties = duties_from_text(row.get("duties", ""))
        for duty, old_id in zip(duties, old_ids, strict=False):
            duty["id"] = old_id
        _set_clause_rows(plan, section=Clause.Section.DUTY, rows=duties, responsibility=responsibility)
    plan.responsibilities.exclude(pk__in=kept).delete()


@transaction.atomic
def task_save(*, plan: Plan, fields: dict, coordinating, task: Task | None = None) -> Task:
    """Add or change one appendix row of a draft."""
    _ensure_draft(plan)
    if task is None:
        last = plan.tasks.aggregate(models.Max("position"))["position__max"] or 0
        task = Task(plan=plan, position=last + 1)
    elif task.plan_id != plan.pk:
        raise ValidationError("Nhiệm vụ không thuộc kế hoạch này.")
    for name, value in fields.items():
        setattr(task, name, value)
    task.plan = plan
    task.full_clean()
    task.save()
    task.coordinating_agencies.set(coordinating)
    return task


@transaction.atomic
def task_delete(*, plan: Plan, task: Task) -> None:
    _ensure_draft(plan)
    if task.plan_id != plan.pk:
        raise ValidationError("Nhiệm vụ không thuộc kế hoạch này.")
    task.delete()
    # Close up the STT numbering.
    for position, remaining in enumerate(plan.tasks.order_by("position", "pk"), start=1):
        if remaining.position != position:
            Task.objects.filter(pk=remaining.pk).update(position=position)


# Lifecycle ------------------------------------------------------------------

def _move(plan: Plan, *, user, expected: str, to: str, comment: str = "", fields=()) -> Plan:
    # Lock the row: two heads pressing "Ban hành" at once move the plan once.
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != expected:
        raise ValidationError(
            f"Kế hoạch đang ở trạng thái «{locked.get_status_display()}», không thực hiện được thao tác này."
        )
    from_status = plan.status
    plan.status = to
    plan.lock_version = locked.lock_version + 1
    plan.save(update_fields=["status", "lock_version", "updated_at", *fields])
    _record(plan, user=user, from_status=from_status, comment=comment)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, user, comment: str = "") -> Plan:
    """Dự thảo -> trình duyệt. A plan needs its core sections before it goes up."""
    missing = [
        label
        for section, label in (
            (Clause.Section.PURPOSE, "Mục đích"),
            (Clause.Section.REQUIREMENT, "Yêu cầu"),
            (Clause.Section.CONTENT, "Nội dung tuyên truyền"),
        )
        if not plan.clauses.filter(section=section).exists()
    ]
    if missing:
        raise ValidationError(f"Chưa thể trình: còn thiếu phần {', '.join(missing)}.")
    return _move(plan, user=user, expected=Plan.Status.DRAFT, to=Plan.Status.SUBMITTED, comment=comment)


@transaction.atomic
def plan_return(*, plan: Plan, user, comment: str) -> Plan:
    """Trình duyệt -> dự thảo, with the reason the drafter must read."""
    if not comment.strip():
        raise ValidationError({"comment": "Nhập lý do trả lại để người soạn biết cần sửa gì."})
    return _move(plan, user=user, expected=Plan.Status.SUBMITTED, to=Plan.Status.DRAFT, comment=comment)


@transaction.atomic
def plan_issue(
    *, plan: Plan, user, number: int, issue_date: dt.date, signer_authority: str, signer_position: str,
    signer_name: str,
) -> Plan:
    """Trình duyệt -> ban hành: number, date and signer are fixed; the plan is read-only after."""
    clash = Plan.objects.filter(
        issuer=plan.issuer, symbol=plan.symbol, number=number, issue_date__year=issue_date.year
    ).exclude(pk=plan.pk)
    if clash.exists():
        raise ValidationError(
            {"number": f"Số {number:02d}/{plan.symbol} đã được dùng trong năm {issue_date.year}."}
        )
    plan.number, plan.issue_date = number, issue_date
    plan.signer_authority, plan.signer_position, plan.signer_name = signer_authority, signer_position, signer_name
    try:
        with transaction.atomic():
            return _move(
                plan, user=user, expected=Plan.Status.SUBMITTED, to=Plan.Status.ISSUED,
                fields=["number", "issue_date", "signer_authority", "signer_position", "signer_name"],
                comment=f"Ban hành số {plan.reference} ngày {issue_date:%d/%m/%Y}",
            )
    except IntegrityError as exc:  # another head took the number a moment ago
        raise ValidationError(
            {"number": f"Số {number:02d}/{plan.symbol} đã được dùng trong năm {issue_date.year}."}
        ) from exc


# Copies ---------------------------------------------------------------------

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
    responsibility_map = {}
    if with_responsibilities:
        for old in source.responsibilities.all():
            responsibility_map[old.pk] = Responsibility.objects.create(
                plan=plan, position=old.position, agency=old.agency, title=old.title, is_request=old.is_request
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
            responsibility=responsibility_map.get(old.responsibility_id),
        )
    # Parents first, so children can point at the new rows.
    olds = {c.pk: c for c in source.clauses.all()}
    for old_pk in sorted(clause_map, key=lambda pk: _depth(olds, pk)):
        new = clause_map[old_pk]
        parent_id = olds[old_pk].parent_id
        new.parent = clause_map.get(parent_id) if parent_id else None
        new.save()

    if with_tasks:
        for old in source.tasks.prefetch_related("coordinating_agencies"):
            coordinating = list(old.coordinating_agencies.all())
            deadline = old.deadline
            if deadline and year_shift:
                deadline = _shift_year(deadline, year_shift)
            task = Task.objects.create(
                plan=plan, position=old.position, content=old.content, area_id=old.area_id,
                channel_id=old.channel_id, lead_agency_id=old.lead_agency_id,
                coordinating_text=old.coordinating_text, timeframe=old.timeframe, deadline=deadline,
                product=old.product, budget=old.budget, target_quantity=old.target_quantity, note=old.note,
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
    _record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Sửa đổi kế hoạch {plan.reference}")
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
    _record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Sao chép từ kế hoạch {plan.reference} ({plan.years_label})")
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
    _record(new, user=user, from_status=Plan.Status.DRAFT, comment=f"Triển khai Kế hoạch {parent.reference}")
    return new
