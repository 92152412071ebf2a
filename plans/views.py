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
from .checks import plan_problems
from .documents.storage import plan_signed_copy
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
    PublishForm,
    RecordForm,
    ResponsibilityRows,
    ReturnForm,
    TaskForm,
    WithdrawForm,
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
    PLAN_DELETE,
    PLAN_EDIT,
    PLAN_ISSUE,
    PLAN_PUBLISH,
    PLAN_RECORD,
    PLAN_RETURN,
    PLAN_SIGN,
    PLAN_SUBMIT,
    PLAN_VIEW,
    PLAN_WITHDRAW,
)
from .selectors import (
    creatable_agencies,
    imported_number_and_date,
    plan_children,
    plan_deadline_status,
    plan_get_for_user,
    plan_history,
    plan_list_for_user,
    plan_next_number,
    plan_return_note,
    plan_submitted_on,
)
from .signing_views import plan_sign_question

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
    transitions = list(plan.transitions.select_related("user"))
    signed_copy = plan_signed_copy(plan)
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
            "withdraw": can(user, PLAN_WITHDRAW, plan),
            "delete": can(user, PLAN_DELETE, plan),
            "sign": can(user, PLAN_SIGN, plan),
            "publish": can(user, PLAN_PUBLISH, plan),
            "copy": creatable_agencies(user=user).exists(),
            "cascade": plan.status == Plan.Status.ISSUED
            and creatable_agencies(user=user, below=plan.issuer).exists(),
        },
        "transitions": transitions,
        "return_note": plan_return_note(plan=plan, transitions=transitions),
        "delete_question": plan_delete_question(plan),
        "children": plan_children(user=user, plan=plan),
        "history": plan_history(plan=plan),
        "sections_nav": SECTIONS,
        "signed_copy": signed_copy,
        "signer_warning": services.signer_warning(plan, signed_copy),
        "sign_question": plan_sign_question(plan, signed_copy),
        "sign_available": plan.status == Plan.Status.ISSUED and can(user, PLAN_SIGN, plan)
        and services.plan_sign_available(plan),
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
        creation_key = data.pop("creation_key", None)
        if not can(request.user, PLAN_CREATE, issuer):
            raise PermissionDenied
        plan = services.plan_create(issuer=issuer, user=request.user, fields=data, creation_key=creation_key)
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
    return _editor(request, "plans/plan_edit.html", plan, "chung", form=form, basis=basis)


def _editor(request, template: str, plan: Plan, active: str, **context) -> HttpResponse:
    """An editor tab: the tabs, and the head's reason at the top while the plan is returned."""
    return render(request, template, {
        "plan": plan, "sections_nav": SECTIONS, "active": active, "return_note": plan_return_note(plan=plan),
        **context,
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
    return _editor(request, "plans/plan_edit_section.html", plan, active, rows=rows, title=title, tag=tag,
                   errors=errors, lock_version=_lock_version(request, plan))


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
    return _editor(request, "plans/plan_edit_headings.html", plan, "de-muc", rows=rows, errors=errors,
                   lock_version=_lock_version(request, plan),
                   others=[h for h in headings if stored and h.role == Heading.Role.OTHER])


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
    scope = {a.pk: a for a in services.issuer_agencies(plan.issuer).select_related("parent")}
    initial = []
    for r in plan.responsibilities.all():
        # A unit no longer offered (dissolved, or outside the issuer) is not
        # dropped silently: the row says so and asks for another.
        gone = r.agency if r.agency_id and r.agency_id not in scope else None
        initial.append({"id": r.pk, "agency": None if gone else r.agency_id, "agency_gone": gone, "title": r.title,
                        "is_request": r.is_request, "duties": services.duties_to_text(duties.get(r.pk, []))})
    rows = ResponsibilityRows(request.POST or None, prefix="rows", initial=initial, agencies=scope)
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
    return _editor(request, "plans/plan_edit_responsibilities.html", plan, "to-chuc", rows=rows, errors=errors,
                   lock_version=_lock_version(request, plan))


# Appendix tasks: a table edited row by row (htmx swaps one row at a time).

@login_required
def plan_tasks(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    return _editor(request, "plans/plan_tasks.html", plan, "phu-luc", tasks=plan.tasks.all())


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
    task = next((t for t in plan.tasks.all() if t.pk == task_id), None) if task_id else None
    if task_id and task is None and request.method != "POST":
        raise Http404("Không tìm thấy nhiệm vụ.")
    # A row deleted elsewhere while this form was open: its input is shown
    # back with the reason, not lost in a 404.
    gone = bool(task_id and task is None)
    form = TaskForm(request.POST or None, instance=task, plan=plan)
    if gone:  # shown back as a new row: saving it adds it again
        form.is_valid()
        form.add_error(None, services.TASK_GONE)
    elif request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "coordinating_agencies"}
        try:
            task = services.task_save(
                plan=plan, task=task, fields=fields, coordinating=form.cleaned_data["coordinating_agencies"],
                lock_version=form.cleaned_data.get("lock_version") if task else None,
                creation_key=form.cleaned_data.get("creation_key"),
            )
        except services.StaleEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Đã lưu nhiệm vụ.")
                return redirect("plans:tasks", plan.pk)
            return render(request, "plans/partials/task_row.html", {"plan": plan, "task": task, "saved": True})
    template = "plans/partials/task_form_row.html" if request.htmx else "plans/task_form_page.html"
    return render(request, template, {"plan": plan, "task": task, "form": form, "gone": gone})


@login_required
def task_delete(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    """GET: the question (the page behind the dialog when JavaScript is off); POST: delete."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_EDIT)
    task = _task_for(plan, task_id)
    if request.method == "POST":
        services.task_delete(plan=plan, task=task)
        messages.success(request, "Đã xóa nhiệm vụ.")
        return redirect("plans:tasks", plan.pk)
    return render(request, "plans/confirm.html", {
        "plan": plan, "title": "Xóa nhiệm vụ", "question": task_delete_question(task), "button": "Xóa nhiệm vụ",
        "danger": True, "back": reverse("plans:tasks", args=[plan.pk]),
    })


def task_delete_question(task: Task) -> str:
    return f"Xóa nhiệm vụ {task.position} «{task.content[:80]}» khỏi phụ lục? Các nhiệm vụ sau được đánh số lại."


# Lifecycle.

def _transition(request, plan_id, *, action, form_class, template, run, success, context=None):
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
    return render(request, template, {"plan": plan, "form": form, **(context(plan) if context else {})})


@login_required
def plan_submit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The check page: what is missing or wrong, each with a link to fix it;
    the plan goes up only when nothing blocks it."""
    def checks(plan):
        problems = plan_problems(plan)
        return {"problems": problems, "blocking": [p for p in problems if p.blocking],
                "return_note": plan_return_note(plan=plan)}

    return _transition(
        request, plan_id, action=PLAN_SUBMIT, form_class=CommentForm, template="plans/plan_submit.html",
        run=lambda plan, data: services.plan_submit(plan=plan, user=request.user, comment=data["comment"]),
        success="Đã trình lãnh đạo phê duyệt kế hoạch.", context=checks,
    )


@login_required
def plan_return(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _transition(
        request, plan_id, action=PLAN_RETURN, form_class=ReturnForm, template="plans/plan_return.html",
        run=lambda plan, data: services.plan_return(plan=plan, user=request.user, comment=data["comment"]),
        success="Đã trả lại dự thảo cho người soạn.",
    )


@login_required
def plan_withdraw(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: the question (behind the dialog of the plan page); POST: back to the draft."""
    return _transition(
        request, plan_id, action=PLAN_WITHDRAW, form_class=WithdrawForm, template="plans/plan_withdraw.html",
        run=lambda plan, data: services.plan_withdraw(plan=plan, user=request.user, comment=data["comment"]),
        success="Đã thu hồi kế hoạch về dự thảo; sửa xong thì trình lại.",
    )


@login_required
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: the question (behind the dialog of the plan page); POST: delete the draft."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_DELETE)
    if request.method == "POST":
        services.plan_delete(plan=plan, user=request.user)
        messages.success(request, f"Đã xóa dự thảo «{plan.title[:80]}».")
        return redirect("plans:list")
    return render(request, "plans/confirm.html", {
        "plan": plan, "title": "Xóa dự thảo", "question": plan_delete_question(plan), "button": "Xóa dự thảo",
        "danger": True, "back": reverse("plans:detail", args=[plan.pk]),
    })


def plan_delete_question(plan: Plan) -> str:
    return (f"Xóa dự thảo «{plan.title[:100]}»? Dự thảo không còn hiện trong danh sách; "
            "quản trị hệ thống vẫn khôi phục được khi cần.")


@login_required
def plan_issue(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_ISSUE)
    today = timezone.localdate()
    return _numbered_page(
        request, plan, form_class=IssueForm, run=services.plan_issue, template="plans/plan_issue.html",
        success="Đã ban hành Kế hoạch số {}.", confirm=True,
        form_kwargs={"submitted_on": plan_submitted_on(plan=plan)},
        initial={"number": f"{plan_next_number(plan=plan, year=today.year):02d}", "issue_date": today},
    )


@login_required
def plan_record(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Enter a plan that was issued on paper with its real number, date and signer."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_RECORD)
    return _numbered_page(request, plan, form_class=RecordForm, run=services.plan_record,
                          template="plans/plan_record.html", initial=imported_number_and_date(plan=plan),
                          success="Đã ghi nhận Kế hoạch số {} (ban hành trên giấy).")


def _numbered_page(request, plan, *, form_class, run, template, success, initial=None, confirm=False,
                   form_kwargs=None):
    """Number, date and signer fixed by `run` (issue, or record from paper).
    With `confirm`, a valid form is shown back for confirmation (a dialog
    over it with JavaScript, its «Xác nhận» button without) and done only
    when confirmed with the very values confirmed."""
    initial = {
        "signer_authority": plan.signer_authority, "signer_position": plan.signer_position,
        "signer_name": plan.signer_name,
    } | (initial or {})
    form = form_class(request.POST or None, initial=initial, **(form_kwargs or {}))
    confirming, confirm_for = False, ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm", None)
        # The number as written becomes the two values the plan keeps.
        data["number"], data["number_text"] = data["number"]
        confirm_for = "|".join(str(value) for _, value in sorted(data.items()))
        if confirm and not (request.POST.get("confirmed") == "1" and request.POST.get("confirm_for") == confirm_for):
            confirming = True
        else:
            try:
                run(plan=plan, user=request.user, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, success.format(plan.reference))
                return redirect("plans:detail", plan.pk)
    return render(request, template, {"plan": plan, "form": form, "confirming": confirming,
                                      "confirm_for": confirm_for})


@login_required
@require_POST
def plan_publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The issuer's head shows an issued plan on the public register, or takes it off."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_PUBLISH)
    form = PublishForm(request.POST)
    form.is_valid()  # a checkbox: absent is False, anything else True
    published = bool(form.cleaned_data.get("published"))
    services.plan_set_published(plan=plan, user=request.user, published=published)
    messages.success(request, "Đã công khai kế hoạch trên trang công khai." if published
                     else "Kế hoạch không còn hiện trên trang công khai.")
    return redirect("plans:detail", plan.pk)


@login_required
@require_POST
def plan_amend(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_AMEND)
    new = services.plan_amend(plan=plan, user=request.user)
    messages.success(request, f"Đã tạo dự thảo sửa đổi (phiên bản {new.version}); bản đã ban hành vẫn giữ nguyên.")
    return redirect("plans:edit", new.pk)


@login_required
def plan_copy(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The copy's years and issuer, with the year replacements it will make
    in the body listed sentence by sentence; the copy is made once the list
    shown is the one for the years posted (else the new list is shown first)."""
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_VIEW)
    issuers = creatable_agencies(user=request.user)
    if not issuers.exists():
        raise PermissionDenied
    span = plan.year_end - plan.year_start
    first = plan.year_end + 1 if plan.kind == Plan.Kind.PERIOD else plan.year_start + 1
    years = (first, first + span)
    data = request.POST if request.method == "POST" else (request.GET if request.htmx else None)
    initial = {"year_start": years[0], "year_end": years[1] if span else None, "replace_years": True}
    if plan.issuer in issuers:
        initial["issuer"] = plan.issuer
    form = CopyForm(data, issuers=issuers, initial=initial)
    notice = ""
    valid = data is not None and form.is_valid()
    if data is not None and form.cleaned_data.get("year_start") and not {"year_start", "year_end"} & set(form.errors):
        # The list follows the years typed, whatever else the form still lacks.
        years = (form.cleaned_data["year_start"], form.cleaned_data["year_end"])
    if valid:
        shown = form.cleaned_data["preview_for"] == CopyForm.years_key(*years)
        if request.method == "POST" and shown and "preview" not in request.POST:
            issuer = form.cleaned_data["issuer"]
            if not can(request.user, PLAN_CREATE, issuer):
                raise PermissionDenied
            new = services.plan_copy(
                plan=plan, user=request.user, issuer=issuer, year_start=years[0], year_end=years[1],
                replace_years=form.cleaned_data["replace_years"], creation_key=form.cleaned_data["creation_key"],
            )
            messages.success(request, f"Đã sao chép thành dự thảo năm {new.years_label}.")
            return redirect("plans:edit", new.pk)
        if request.method == "POST" and not shown:
            notice = "Danh sách thay đổi bên dưới đã cập nhật theo năm mới: xem lại rồi bấm «Sao chép»."
    context = {
        "plan": plan, "form": form, "notice": notice, "years": years, "preview_for": CopyForm.years_key(*years),
        "changes": services.year_changes(plan=plan, year_start=years[0], year_end=years[1]),
        "basis_kept": services.basis_naming_years(plan=plan),
    }
    if request.htmx and request.method == "GET":
        return render(request, "plans/partials/year_changes.html", context)
    return render(request, "plans/plan_copy.html", context)


@login_required
def plan_cascade(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id, action=PLAN_VIEW)
    issuers = creatable_agencies(user=request.user, below=plan.issuer)
    if plan.status != Plan.Status.ISSUED or not issuers.exists():
        raise PermissionDenied("Chỉ đơn vị cấp dưới triển khai được kế hoạch đã ban hành.")
    form = CascadeForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        new = services.plan_cascade(parent=plan, user=request.user, issuer=form.cleaned_data["issuer"],
                                    creation_key=form.cleaned_data["creation_key"])
        messages.success(request, "Đã tạo kế hoạch triển khai từ kế hoạch cấp trên.")
        return redirect("plans:edit", new.pk)
    return render(request, "plans/plan_cascade.html", {"plan": plan, "form": form})
