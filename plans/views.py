"""Plan pages. Each view loads the plan through plan_get_for_user (role and
agency scope checked on the object), validates a form, calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.permissions import can

from . import services
from .filters import PlanFilter
from .forms import (
    BasisFormSet,
    CascadeForm,
    ClauseRows,
    CommentForm,
    CopyForm,
    HeadingRows,
    IssueForm,
    NewPlanForm,
    PlanHeaderForm,
    RecordForm,
    ResponsibilityRows,
    ReturnForm,
    TaskForm,
)
from .layout import (
    date_line,
    letterhead,
    plan_basis_paragraph,
    plan_layout,
    plan_recipients,
    template_headings,
)
from .models import Clause, Heading, Plan, Task
from .rules import (
    PLAN_AMEND,
    PLAN_CREATE,
    PLAN_EDIT,
    PLAN_ISSUE,
    PLAN_RECORD,
    PLAN_RETURN,
    PLAN_SUBMIT,
    PLAN_VIEW,
)
from .selectors import (
    creatable_agencies,
    imported_number_and_date,
    plan_children,
    plan_deadline_status,
    plan_get_for_user,
    plan_history,
    plan_list_for_user,
)

# The clause lists edited on their own page: url slug -> (section, page title, tag field).
SECTIONS = {
    "muc-dich": (Clause.Section.PURPOSE, "Mục đích", None),
    "yeu-cau": (Clause.Section.REQUIREMENT, "Yêu cầu", None),
    "noi-dung": (Clause.Section.CONTENT, "Nội dung tuyên truyền", "area"),
    "hinh-thuc": (Clause.Section.CHANNEL, "Hình thức tuyên truyền", "channel"),
    "kinh-phi": (Clause.Section.FUNDING, "Kinh phí thực hiện", None),
    "noi-nhan": (Clause.Section.RECIPIENT, "Nơi nhận", None),
}


def _lock_version(request: HttpRequest, plan: Plan) -> int:
    """The version the form was opened at: posted back as is after a refused
    save, so a second click cannot overwrite someone else's work."""
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return plan.lock_version if request.method != "POST" else -1


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plan_list_for_user(user=request.user)
    plan_filter = PlanFilter(request.GET, queryset=plans)
    page = Paginator(plan_filter.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter": plan_filter,
        "query": query.urlencode(),
        "can_create": creatable_agencies(user=request.user).exists(),
        "plan_deadlines": _next_year_deadlines(request),
    }
    return render(request, "plans/plan_list.html", context)


def _next_year_deadlines(request: HttpRequest) -> list[dict]:
    """Next year's plan not yet issued by the agencies the user drafts for,
    with the deadline their rule set gives: the drafter's reminder."""
    today = timezone.localdate()
    statuses = []
    for agency in creatable_agencies(user=request.user)[:5]:
        status = plan_deadline_status(agency=agency, year=today.year + 1, today=today)
        if status and status["plan"] is None:
            statuses.append(status | {"agency": agency})
    return statuses


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    letterhead_parent, letterhead_lines = letterhead(plan)
    user = request.user
    context = {
        "plan": plan,
        "letterhead_parent": letterhead_parent,
        "letterhead_lines": letterhead_lines,
        "date_line": date_line(plan),
        "basis": plan_basis_paragraph(plan),
        "sections": plan_layout(plan),
        "recipients": plan_recipients(plan),
        "signer_authority": [line for line in plan.signer_authority.splitlines() if line.strip()],
        "tasks": plan.tasks.all(),
        "tasks_budget": sum(task.budget or 0 for task in plan.tasks.all()),
        "may": {
            "edit": can(user, PLAN_EDIT, plan),
            "submit": can(user, PLAN_SUBMIT, plan),
            "issue": can(user, PLAN_ISSUE, plan),
            "return": can(user, PLAN_RETURN, plan),
            "amend": can(user, PLAN_AMEND, plan),
            "record": can(user, PLAN_RECORD, plan),
            "copy": creatable_agencies(user=user).exists(),
            "cascade": plan.status == Plan.Status.ISSUED
            and creatable_agencies(user=user, below=plan.issuer).exists(),
        },
        "transitions": plan.transitions.select_related("user"),
        "children": plan_children(user=user, plan=plan),
        "history": plan_history(plan=plan),
        "sections_nav": SECTIONS,
    }
    return render(request, "plans/plan_detail.html", context)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    issuers = creatable_agencies(user=request.user)
    if not issuers.exists():
        raise PermissionDenied("Chỉ chuyên viên hoặc lãnh đạo của cơ quan ban hành mới tạo được kế hoạch.")
    form = NewPlanForm(request.POST or None, issuers=issuers, initial={"kind": Plan.Kind.YEARLY})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        issuer = data.pop("issuer")
        data.pop("lock_version", None)
        if not can(request.user, PLAN_CREATE, issuer):
            raise PermissionDenied
        plan = services.plan_create(issuer=issuer, user=request.user, fields=data)
        messages.success(request, "Đã tạo dự thảo kế hoạch. Tiếp tục soạn từng phần.")
        return redirect("plans:edit", plan.pk)
    return render(request, "plans/plan_new.html", {"form": form})


@login_required
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    initial_basis = [{"id": r.pk, "verb": r.verb, "text": r.text} for r in plan.basis_references.all()]
    form = PlanHeaderForm(request.POST or None, instance=plan, initial={"lock_version": plan.lock_version})
    basis = BasisFormSet(request.POST or None, prefix="basis", initial=initial_basis)
    if request.method == "POST" and form.is_valid() and basis.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["decision_number"], fields["decision_number_text"] = form.cleaned_data["decision_number"] or (None, "")
        try:
            services.plan_update(
                plan=plan, lock_version=form.cleaned_data["lock_version"] or 0, fields=fields,
                basis=basis.rows(),
            )
        except services.StaleEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Đã lưu phần chung của kế hoạch.")
            return redirect("plans:edit", plan.pk)
    return render(request, "plans/plan_edit.html", {
        "plan": plan, "form": form, "basis": basis, "sections_nav": SECTIONS, "active": "chung",
    })


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def plan_edit_section(request: HttpRequest, plan_id: int, section_slug: str) -> HttpResponse:
    if section_slug not in SECTIONS:
        raise Http404
    section, title, tag = SECTIONS[section_slug]
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    clauses = [c for c in plan.clauses.all() if c.section == section and c.responsibility_id is None]
    return _clause_rows_page(request, plan, clauses, section=section, title=title, tag=tag, active=section_slug,
                             done=reverse("plans:edit_section", args=[plan.pk, section_slug]))


@login_required
def plan_edit_heading(request: HttpRequest, plan_id: int, heading_id: int) -> HttpResponse:
    """The clauses of one of the plan's own sections ("ĐỐI TƯỢNG", "NHIỆM VỤ VÀ GIẢI PHÁP" …)."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    heading = next((h for h in plan.headings.all() if h.pk == heading_id), None)
    if heading is None or heading.role != Heading.Role.OTHER:
        raise Http404("Không tìm thấy đề mục.")
    under = {heading.pk}
    clauses = []
    for clause in sorted(plan.clauses.all(), key=lambda c: (c.parent_id is not None, c.position, c.pk)):
        if clause.heading_id in under or clause.parent_id in under:
            clauses.append(clause)
            under.add(clause.pk)
    return _clause_rows_page(request, plan, clauses, section=Clause.Section.OTHER, title=heading.text, tag=None,
                             active="de-muc", heading=heading,
                             done=reverse("plans:edit_heading", args=[plan.pk, heading.pk]))


def _clause_rows_page(request, plan, clauses, *, section, title, tag, active, done, heading=None):
    depth = _depths(clauses)
    initial = [
        {"id": c.pk, "level": depth[c.pk], "marker": c.marker, "marker_text": c.marker_text, "text": c.text,
         "area": c.area_id, "channel": c.channel_id}
        for c in _tree_order(clauses)
    ]
    rows = ClauseRows(request.POST or None, prefix="rows", initial=initial)
    errors: list[str] = []  # refusals of the whole save, shown above the rows
    if request.method == "POST" and rows.is_valid():
        try:
            services.plan_set_clauses(
                plan=plan, lock_version=_lock_version(request, plan), section=section, rows=rows.rows(),
                heading=heading,
            )
        except services.StaleEditError as exc:
            errors.append(str(exc))
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, f"Đã lưu phần «{title}».")
            return redirect(done)
    return render(request, "plans/plan_edit_section.html", {
        "plan": plan, "rows": rows, "title": title, "tag": tag, "errors": errors,
        "lock_version": _lock_version(request, plan),
        "sections_nav": SECTIONS, "active": active,
    })


@login_required
def plan_edit_headings(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's own headings: text, numbers as written, role and order.
    A plan without any starts from today's template."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    headings = list(plan.headings.all()) or template_headings()
    stored = bool(headings and headings[0].pk and headings[0].pk > 0)
    initial = [
        {"id": h.pk if stored else None, "level": 2 if h.parent_id else 1, "marker_text": h.marker_text,
         "text": h.text, "role": h.role}
        for h in _heading_order(headings)
    ]
    rows = HeadingRows(request.POST or None, prefix="rows", initial=initial)
    errors: list[str] = []
    if request.method == "POST" and rows.is_valid():
        try:
            services.plan_set_headings(plan=plan, lock_version=_lock_version(request, plan), rows=rows.rows())
        except services.StaleEditError as exc:
            errors.append(str(exc))
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, "Đã lưu các đề mục của kế hoạch.")
            return redirect("plans:edit_headings", plan.pk)
    return render(request, "plans/plan_edit_headings.html", {
        "plan": plan, "rows": rows, "errors": errors, "lock_version": _lock_version(request, plan),
        "others": [h for h in headings if stored and h.role == Heading.Role.OTHER],
        "sections_nav": SECTIONS, "active": "de-muc",
    })


def _heading_order(headings: list[Heading]) -> list[Heading]:
    tops = sorted((h for h in headings if not h.parent_id), key=lambda h: (h.position, h.pk))
    ordered = []
    for top in tops:
        ordered.append(top)
        ordered.extend(sorted((h for h in headings if h.parent_id == top.pk), key=lambda h: (h.position, h.pk)))
    return ordered


def _depths(clauses) -> dict[int, int]:
    by_id = {c.pk: c for c in clauses}
    depth = {}
    for clause in clauses:
        level, node, seen = 0, clause, {clause.pk}
        while node.parent_id and node.parent_id in by_id and node.parent_id not in seen:
            level, node = level + 1, by_id[node.parent_id]
            seen.add(node.pk)
        depth[clause.pk] = level
    return depth


def _tree_order(clauses) -> list[Clause]:
    children: dict = {}
    for clause in sorted(clauses, key=lambda c: (c.position, c.pk)):
        children.setdefault(clause.parent_id, []).append(clause)
    ordered, seen = [], set()

    def walk(parent_id):
        for clause in children.get(parent_id, []):
            if clause.pk not in seen:
                seen.add(clause.pk)
                ordered.append(clause)
                walk(clause.pk)

    walk(None)
    return ordered


@login_required
def plan_edit_responsibilities(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    duties: dict[int, list[Clause]] = {}
    for clause in sorted(plan.clauses.all(), key=lambda c: (c.position, c.pk)):
        if clause.responsibility_id:
            duties.setdefault(clause.responsibility_id, []).append(clause)
    initial = [
        {"id": r.pk, "agency": r.agency_id, "title": r.title, "is_request": r.is_request,
         "duties": services.duties_to_text(duties.get(r.pk, []))}
        for r in plan.responsibilities.all()
    ]
    rows = ResponsibilityRows(request.POST or None, prefix="rows", initial=initial)
    errors: list[str] = []
    if request.method == "POST" and rows.is_valid():
        try:
            services.plan_set_responsibilities(
                plan=plan, lock_version=_lock_version(request, plan), rows=rows.rows()
            )
        except services.StaleEditError as exc:
            errors.append(str(exc))
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, "Đã lưu phần «Tổ chức thực hiện».")
            return redirect("plans:edit_responsibilities", plan.pk)
    return render(request, "plans/plan_edit_responsibilities.html", {
        "plan": plan, "rows": rows, "errors": errors, "sections_nav": SECTIONS,
        "lock_version": _lock_version(request, plan),
        "active": "to-chuc",
    })


# Appendix tasks: a table edited row by row (htmx swaps one row at a time).

@login_required
def plan_tasks(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    return render(request, "plans/plan_tasks.html", {
        "plan": plan, "tasks": plan.tasks.all(), "sections_nav": SECTIONS, "active": "phu-luc",
    })


def _task_for(plan: Plan, task_id: int | None) -> Task | None:
    if task_id is None:
        return None
    return get_object_or_404(Task.objects.filter(plan=plan), pk=task_id)


@login_required
def task_row(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    return render(request, "plans/partials/task_row.html", {"plan": plan, "task": _task_for(plan, task_id)})


@login_required
def task_edit(request: HttpRequest, plan_id: int, task_id: int | None = None) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    task = _task_for(plan, task_id)
    form = TaskForm(request.POST or None, instance=task, plan=plan)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "coordinating_agencies"}
        try:
            task = services.task_save(
                plan=plan, task=task, fields=fields, coordinating=form.cleaned_data["coordinating_agencies"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Đã lưu nhiệm vụ.")
                return redirect("plans:tasks", plan.pk)
            return render(request, "plans/partials/task_row.html", {"plan": plan, "task": task, "saved": True})
    template = "plans/partials/task_form_row.html" if request.htmx else "plans/task_form_page.html"
    return render(request, template, {"plan": plan, "task": task, "form": form})


@login_required
@require_POST
def task_delete(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    services.task_delete(plan=plan, task=_task_for(plan, task_id))
    if request.htmx:
        return HttpResponse("")
    messages.success(request, "Đã xóa nhiệm vụ.")
    return redirect("plans:tasks", plan.pk)


# Lifecycle.

def _transition(request, plan_id, *, action, form_class, template, run, success):
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=action)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run(plan, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("plans:detail", plan.pk)
    return render(request, template, {"plan": plan, "form": form})


@login_required
def plan_submit(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _transition(
        request, plan_id, action=PLAN_SUBMIT, form_class=CommentForm, template="plans/plan_submit.html",
        run=lambda plan, data: services.plan_submit(plan=plan, user=request.user, comment=data["comment"]),
        success="Đã trình lãnh đạo duyệt kế hoạch.",
    )


@login_required
def plan_return(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _transition(
        request, plan_id, action=PLAN_RETURN, form_class=ReturnForm, template="plans/plan_return.html",
        run=lambda plan, data: services.plan_return(plan=plan, user=request.user, comment=data["comment"]),
        success="Đã trả lại dự thảo cho người soạn.",
    )


@login_required
def plan_issue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_ISSUE)
    return _numbered_page(request, plan, form_class=IssueForm, run=services.plan_issue,
                          template="plans/plan_issue.html", success="Đã ban hành Kế hoạch số {}.")


@login_required
def plan_record(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Enter a plan that was issued on paper with its real number, date and signer."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_RECORD)
    return _numbered_page(request, plan, form_class=RecordForm, run=services.plan_record,
                          template="plans/plan_record.html", initial=imported_number_and_date(plan=plan),
                          success="Đã ghi nhận Kế hoạch số {} (ban hành trên giấy).")


def _numbered_page(request, plan, *, form_class, run, template, success, initial=None):
    """Number, date and signer fixed by `run` (issue, or record from paper)."""
    initial = {
        "signer_authority": plan.signer_authority, "signer_position": plan.signer_position,
        "signer_name": plan.signer_name,
    } | (initial or {})
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm", None)
        # The number as written becomes the two values the plan keeps.
        data["number"], data["number_text"] = data["number"]
        try:
            run(plan=plan, user=request.user, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success.format(plan.reference))
            return redirect("plans:detail", plan.pk)
    return render(request, template, {"plan": plan, "form": form})


@login_required
@require_POST
def plan_amend(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_AMEND)
    new = services.plan_amend(plan=plan, user=request.user)
    messages.success(request, f"Đã tạo dự thảo sửa đổi (phiên bản {new.version}); bản đã ban hành vẫn giữ nguyên.")
    return redirect("plans:edit", new.pk)


@login_required
def plan_copy(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_VIEW)
    issuers = creatable_agencies(user=request.user)
    if not issuers.exists():
        raise PermissionDenied
    next_year = plan.year_start + 1
    form = CopyForm(request.POST or None, issuers=issuers, initial={"year_start": next_year})
    if request.method == "POST" and form.is_valid():
        issuer = form.cleaned_data["issuer"]
        if not can(request.user, PLAN_CREATE, issuer):
            raise PermissionDenied
        new = services.plan_copy(
            plan=plan, user=request.user, issuer=issuer,
            year_start=form.cleaned_data["year_start"], year_end=form.cleaned_data["year_end"],
        )
        messages.success(request, f"Đã sao chép thành dự thảo năm {new.years_label}.")
        return redirect("plans:edit", new.pk)
    return render(request, "plans/plan_copy.html", {"plan": plan, "form": form})


@login_required
def plan_cascade(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_VIEW)
    issuers = creatable_agencies(user=request.user, below=plan.issuer)
    if plan.status != Plan.Status.ISSUED or not issuers.exists():
        raise PermissionDenied("Chỉ đơn vị cấp dưới triển khai được kế hoạch đã ban hành.")
    form = CascadeForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        new = services.plan_cascade(parent=plan, user=request.user, issuer=form.cleaned_data["issuer"])
        messages.success(request, "Đã tạo kế hoạch triển khai từ kế hoạch cấp trên.")
        return redirect("plans:edit", new.pk)
    return render(request, "plans/plan_cascade.html", {"plan": plan, "form": form})
