"""Drafting: every write to a draft goes through these functions, which
views, commands and tests share. Permission (role + scope) is checked by the
caller through can(); these functions enforce the lifecycle and the
optimistic lock."""

from __future__ import annotations

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from agencies.models import Agency
from agencies.tree import agency_subtree_ids
from common.locking import lock_claim

from ..checks import agency_problem
from ..models import BasisReference, Clause, Heading, Plan, Responsibility, Task
from .lifecycle import transition_record

STALE_EDIT = (
    "Kế hoạch vừa được người khác lưu trong lúc bạn sửa. Nội dung bạn nhập vẫn còn trên trang: "
    "hãy mở kế hoạch ở thẻ mới để xem bản mới nhất, rồi lưu lại phần của bạn."
)
NOT_EDITABLE = "Kế hoạch không còn ở trạng thái dự thảo nên không sửa được."


class StaleEditError(Exception):
    """Someone saved the plan after this form was opened."""


TASK_STALE = (
    "Nhiệm vụ này vừa được lưu ở nơi khác (thẻ khác hoặc người khác) trong lúc bạn sửa, nên bản của bạn chưa "
    "được lưu. Nội dung bạn nhập vẫn còn bên dưới: mở phụ lục ở thẻ mới để xem bản mới nhất, rồi sửa lại dòng này."
)
TASK_GONE = ("Nhiệm vụ này vừa bị xóa ở nơi khác nên không lưu được. Nội dung bạn nhập vẫn còn bên dưới: "
             "bấm «Lưu nhiệm vụ» để thêm lại thành nhiệm vụ mới.")


# Enqueued by name: plans/tasks.py imports this module.
PDF_PREPARE_TASK = "plans.tasks.plan_pdf_prepare_task"
# Saves closer together than this make one PDF: the task of an earlier save
# finds the plan saved again (by version) or its file already made.
PDF_PREPARE_DELAY = 3
# A worker this far behind leaves the PDF to the download (which renders what
# is missing), rather than spending itself on versions long saved over.
PDF_PREPARE_EXPIRES = 300


def draft_pdf_enqueue(plan: Plan, *, by_version: bool = True) -> None:
    """Once the save commits, have the worker make the draft's PDF. A save
    that bumps no lock_version (a task row) passes by_version=False: the
    task then goes by the file of what the plan prints now."""
    args = [plan.pk, plan.lock_version if by_version else None]

    def pdf_enqueue() -> None:
        current_app.send_task(PDF_PREPARE_TASK, args=args, countdown=PDF_PREPARE_DELAY,
                              expires=PDF_PREPARE_DELAY + PDF_PREPARE_EXPIRES, ignore_result=True)

    # robust: a broker that is down must not undo the save (the download then renders).
    transaction.on_commit(pdf_enqueue, robust=True)


def _ensure_draft(plan: Plan) -> None:
    if plan.status not in Plan.EDITABLE:
        raise ValidationError(NOT_EDITABLE)


def _claim(plan: Plan, lock_version: int) -> None:
    """Optimistic lock: bump lock_version only if nobody else did first."""
    editable = Plan.objects.filter(pk=plan.pk, status__in=Plan.EDITABLE)
    if not lock_claim(editable, lock_version=lock_version):
        if not editable.exists():
            raise ValidationError(NOT_EDITABLE)
        raise StaleEditError(STALE_EDIT)
    plan.lock_version = lock_version + 1
    draft_pdf_enqueue(plan)


def default_symbol(issuer: Agency) -> str:
    return f"KH-{issuer.abbreviation or 'UBND'}"


def created_with(model, creation_key):
    """The row an earlier post of the same form already created, if any."""
    if creation_key is None:
        return None
    return model.objects.filter(creation_key=creation_key).first()


def create_once(model, *, creation_key, mine, make):
    """make(creation_key) once per key: posting the same form twice (a double
    click) gives the row the first post made, even when both arrive at once
    (the key is unique: the second insert fails, then finds the first). A key
    already used where `mine(row)` says it was not this form's is ignored."""
    earlier = created_with(model, creation_key)
    if earlier is not None:
        if mine(earlier):
            return earlier
        creation_key = None  # a crafted post replaying someone else's key
    try:
        return make(creation_key)
    except IntegrityError:
        earlier = created_with(model, creation_key)
        if earlier is None:
            raise
        return earlier


def plan_create(*, issuer: Agency, user, fields: dict, creation_key=None) -> Plan:
    """A new empty draft for `issuer`, once per `creation_key` (see create_once)."""
    return create_once(
        Plan, creation_key=creation_key, mine=lambda plan: plan.created_by_id == getattr(user, "pk", None),
        make=lambda key: _plan_create(issuer=issuer, user=user, fields=fields, creation_key=key),
    )


@transaction.atomic
def _plan_create(*, issuer: Agency, user, fields: dict, creation_key) -> Plan:
    fields = dict(fields)
    report_rules = fields.pop("report_rules", None)
    plan = Plan(
        issuer=issuer,
        symbol=default_symbol(issuer),
        place=issuer.place_name or issuer.short_name or issuer.name,
        created_by=user,
        creation_key=creation_key,
        **fields,
    )
    _save_header(plan, report_rules)
    transition_record(plan, user=user, from_status=Plan.Status.DRAFT, comment="Tạo dự thảo")
    draft_pdf_enqueue(plan)
    return plan


def _save_header(plan: Plan, report_rules) -> None:
    """A yearly plan covers one year; validate, save, then the period kinds (M2M needs the row)."""
    if plan.kind == Plan.Kind.YEARLY:
        plan.year_end = plan.year_start
    # The creation key's uniqueness is the database's to check (see plan_create).
    plan.full_clean(exclude=["creation_key"])
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
        ref = existing.get(values.get("id") or 0) or BasisReference(plan=plan)
        ref.position, ref.verb, ref.text = position, values["verb"], values["text"]
        ref.save()
        kept.add(ref.pk)
    plan.basis_references.exclude(pk__in=kept).delete()
    return plan


def _set_clause_rows(plan: Plan, *, section: str, rows: list[dict], responsibility=None, heading=None) -> None:
    """Replace one clause list with `rows` (in order; level 0-2 gives the nesting),
    updating rows that keep their id so their history continues. A heading's
    own list (an "other" section) is the clauses under that heading."""
    same_list = plan.clauses.filter(section=section, responsibility=responsibility)
    if heading is not None:
        same_list = plan.clauses.filter(models.Q(heading=heading) | models.Q(parent__heading=heading)
                                        | models.Q(parent__parent__heading=heading))
    existing = {c.pk: c for c in same_list}
    parents: list[Clause] = []  # the last clause seen at each level
    kept = set()
    base = section_position_base(section)
    for index, row in enumerate(rows, start=1):
        level = min(row.get("level", 0), len(parents))
        clause = existing.get(row.get("id") or 0)
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
        if "marker_text" in row:  # the duties' text box has no such column: keep theirs
            values["marker_text"] = row["marker_text"].strip()
        if heading is not None:  # a heading's own list; other lists keep the heading a clause has
            values["heading_id"] = None if level else heading.pk
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
def plan_set_clauses(*, plan: Plan, lock_version: int, section: str, rows: list[dict], heading=None) -> None:
    _ensure_draft(plan)
    _claim(plan, lock_version)
    if heading is not None and heading.plan_id != plan.pk:
        raise ValidationError("Đề mục không thuộc kế hoạch này.")
    _set_clause_rows(plan, section=section, rows=rows, heading=heading)


HEADING_HAS_CONTENT = "Phần «{}» còn nội dung: chuyển hoặc xóa nội dung trước khi xóa đề mục."


def heading_outline_problems(rows: list[dict]) -> list[str]:
    """What makes a list of headings (dicts with "level" 1/2 and "role", in
    order) unprintable: a part before any section, a group as a part, the
    agencies' duties (role duty) anywhere but one section of their own."""
    problems = []
    if rows and rows[0].get("level") == 2:
        problems.append("Dòng đầu tiên phải là một phần cấp 1 (I., II.).")
    if any(r.get("level") == 2 and r.get("role") == Heading.Role.GROUP for r in rows):
        problems.append("Mục cấp 2 không chứa mục con: chọn vai trò khác «Nhóm đề mục».")
    duty = [r for r in rows if r.get("role") == Heading.Role.DUTY]
    if len(duty) > 1:
        problems.append("Chỉ một đề mục có vai trò «Tổ chức thực hiện»: trách nhiệm các cơ quan in một lần.")
    if any(r.get("level") == 2 for r in duty):
        problems.append("Đề mục «Tổ chức thực hiện» phải là phần cấp 1: trách nhiệm các cơ quan là các mục của nó.")
    return problems


@transaction.atomic
def plan_set_headings(*, plan: Plan, lock_version: int, rows: list[dict]) -> None:
    """The plan's own headings, in order: level 1 are sections, level 2 the
    parts of the section above them. A heading that still holds clauses of
    its own cannot be removed (nothing a drafter wrote is dropped)."""
    _ensure_draft(plan)
    problems = heading_outline_problems(rows)
    if problems:
        raise ValidationError(problems)
    _claim(plan, lock_version)
    existing = {h.pk: h for h in plan.headings.all()}
    kept: set[int] = set()
    section = None
    for position, row in enumerate(rows, start=1):
        heading = existing.get(row.get("id") or 0)
        if heading is None or heading.pk in kept:
            heading = Heading(plan=plan)
        heading.position, heading.marker_text, heading.text, heading.role = (
            position, row.get("marker_text", "").strip(), row["text"].strip(), row["role"]
        )
        heading.parent = section if row.get("level") == 2 else None
        heading.save()
        kept.add(heading.pk)
        if row.get("level") != 2:
            section = heading
    removed = [h for pk, h in existing.items() if pk not in kept]
    holding = [h for h in removed if h.clauses.exists()]
    if holding:
        raise ValidationError(HEADING_HAS_CONTENT.format(holding[0].text))
    Heading.objects.filter(pk__in=[h.pk for h in removed]).delete()


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
        responsibility = existing.get(row.get("id") or 0)
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


def issuer_agencies(issuer: Agency):
    """The agencies a plan's duties may name: the issuer's subtree, units still in existence."""
    return Agency.objects.filter(pk__in=agency_subtree_ids(agency_ids=[issuer.pk]), is_active=True).order_by("name")


def task_agencies(issuer: Agency):
    """Who may lead or coordinate a task of `issuer`'s plan: its subtree's
    units still in existence, of the administrative chain (see agency_problem)."""
    return issuer_agencies(issuer).exclude(kind=Agency.Kind.ORGANIZATION)


def task_agency_errors(plan: Plan, *, lead, coordinating) -> dict[str, str]:
    """A task's lead and coordinating agencies must be those task_agencies
    offers (bodies outside the chain are named in coordinating_text).
    Field name -> Vietnamese message."""
    chosen = [agency for agency in [lead, *coordinating] if agency is not None]
    if not chosen:
        return {}
    subtree = agency_subtree_ids(agency_ids=[plan.issuer_id])
    errors = {}
    for field, agencies in (("lead_agency", [lead] if lead else []), ("coordinating_agencies", coordinating)):
        for agency in agencies:
            why = agency_problem(agency, subtree=subtree, issuer=plan.issuer)
            if why:
                errors[field] = f"Không giao được: {why}. Chọn một đơn vị trong danh sách."
                break
    return errors


def task_save(*, plan: Plan, fields: dict, coordinating, task: Task | None = None,
              lock_version: int | None = None, creation_key=None) -> Task:
    """Add or change one appendix row of a draft. A change carries the
    row's `lock_version` as the form was opened: a row saved elsewhere since
    is refused (StaleEditError), never overwritten. A new row is made once
    per `creation_key` (see create_once)."""
    def save(key):
        return _task_save(plan=plan, fields=fields, coordinating=coordinating, task=task,
                          lock_version=lock_version, creation_key=key)

    if task is not None:
        return save(None)
    return create_once(Task, creation_key=creation_key, mine=lambda row: row.plan_id == plan.pk, make=save)


@transaction.atomic
def _task_save(*, plan: Plan, fields: dict, coordinating, task: Task | None, lock_version: int | None,
               creation_key) -> Task:
    _ensure_draft(plan)
    if task is None:
        last = plan.tasks.aggregate(models.Max("position"))["position__max"] or 0
        task = Task(plan=plan, position=last + 1, creation_key=creation_key)
    elif task.plan_id != plan.pk:
        raise ValidationError("Nhiệm vụ không thuộc kế hoạch này.")
    elif lock_version is not None:
        if not lock_claim(Task.objects.filter(pk=task.pk, plan=plan), lock_version=lock_version):
            if not Task.objects.filter(pk=task.pk).exists():
                raise StaleEditError(TASK_GONE)
            raise StaleEditError(TASK_STALE)
        task.lock_version = lock_version + 1
    errors = task_agency_errors(plan, lead=fields.get("lead_agency", task.lead_agency), coordinating=list(coordinating))
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(task, name, value)
    task.plan = plan
    task.full_clean(exclude=["creation_key"])
    task.save()
    task.coordinating_agencies.set(coordinating)
    draft_pdf_enqueue(plan, by_version=False)
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
    draft_pdf_enqueue(plan, by_version=False)
