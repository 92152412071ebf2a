"""Reads of plans, always scoped to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from agencies.permissions import can
from agencies.scope import user_scope
from agencies.tree import agencies_above_sql, agency_subtree_ids
from schedule.services import plan_deadline

from .models import BasisReference, Clause, Plan, PlanImport, PlanTransition, Responsibility, Task
from .rules import PLAN_VIEW, PUT_FORWARD, WRITERS


def plan_list_for_user(*, user) -> QuerySet[Plan]:
    """Plans the user may open: the PLAN_VIEW rule (plans/rules.py) as a query;
    plans/tests/test_rules.py checks the two agree."""
    plans = Plan.objects.select_related("issuer").exclude(status=Plan.Status.DELETED)
    if not user.is_authenticated or not user.is_active:
        return plans.none()
    scope = user_scope(user)
    if scope.is_admin:
        return plans
    own = scope.agencies()
    if not own and not scope.review_roots:
        return plans.none()
    # The subtrees as subqueries: the statement is as long for a national
    # reviewer as for a district's, however many units lie below.
    above_sql, above_params = agencies_above_sql(agency_ids=own)
    visible = (
        Q(issuer_id__in=own)
        | Q(status__in=PUT_FORWARD, issuer_id__in=scope.read_sql())
        | Q(status=Plan.Status.ISSUED, issuer_id__in=RawSQL(above_sql, above_params))
    )
    if scope.review_roots:
        visible |= Q(issuer_id__in=scope.reviewed_sql())
    return plans.filter(visible)


def plan_with_contents() -> QuerySet[Plan]:
    """Everything printed in a plan, in a fixed number of queries."""
    return Plan.objects.select_related("issuer", "issuer__parent").prefetch_related(
        Prefetch("basis_references", queryset=BasisReference.objects.select_related("linked_plan")),
        "headings",
        Prefetch("clauses", queryset=Clause.objects.select_related("area", "channel")),
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("agency")),
        Prefetch(
            "tasks",
            queryset=Task.objects.select_related("lead_agency", "area", "channel").prefetch_related(
                "coordinating_agencies"
            ),
        ),
    )


def plan_get_for_user(*, user, plan_id: int, action: str = PLAN_VIEW) -> Plan:
    """The plan if the user may see it (else 404: outsiders learn nothing),
    and 403 if they may see it but not do `action`."""
    # Check on the bare row first: a refused user costs no prefetching.
    plan = Plan.objects.filter(pk=plan_id).only("id", "issuer_id", "status").first()
    if plan is None or not can(user, PLAN_VIEW, plan):
        raise Http404("Không tìm thấy kế hoạch.")
    if action != PLAN_VIEW and not can(user, action, plan):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với kế hoạch.")
    return plan_with_contents().get(pk=plan_id)


def creatable_agencies(*, user, below: Agency | None = None) -> QuerySet[Agency]:
    """Agencies for which the user may start a plan (drafter or head there:
    the PLAN_CREATE rule), optionally only those under `below`."""
    agencies = Agency.objects.filter(memberships__user=user, memberships__role__in=WRITERS).distinct()
    if below is not None:
        agencies = agencies.filter(pk__in=agency_subtree_ids(agency_ids=[below.pk]) - {below.pk})
    return agencies.order_by("name")


def plan_children(*, user, plan: Plan) -> QuerySet[Plan]:
    """Plans that carry this one out ("Thực hiện Kế hoạch số …") and amendments, as far as the user may see."""
    return (
        plan_list_for_user(user=user)
        .filter(Q(basis_references__linked_plan=plan) | Q(amends=plan))
        .distinct()
    )


def plan_history(*, plan: Plan, limit: int = 30) -> list:
    """Recent changes to the plan, its clauses and its tasks: who, when, what."""
    records = []
    for model, label in ((Plan, "Phần chung"), (Clause, "Mục nội dung"), (Task, "Nhiệm vụ")):
        history = model.history.filter(**({"id": plan.pk} if model is Plan else {"plan_id": plan.pk}))
        for record in history.select_related("history_user").order_by("-history_date")[:limit]:
            records.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": label,
                    "kind": {"+": "thêm", "~": "sửa", "-": "xóa"}[record.history_type],
                    "text": str(getattr(record, "title", "") or getattr(record, "text", "")
                                or getattr(record, "content", ""))[:90],
                }
            )
    records.sort(key=lambda r: r["when"], reverse=True)
    return records[:limit]


def imported_number_and_date(*, plan: Plan) -> dict:
    """The number and date an imported plan's source already had, to prefill
    recording it as issued on paper (empty for a plan typed in the portal)."""
    plan_import = PlanImport.objects.filter(plan=plan).only("structure").first()
    structure = plan_import.structure if plan_import else {}
    initial = {}
    if structure.get("number"):
        initial["number"] = structure.get("number_text") or f"{structure['number']:02d}"
    if structure.get("issue_date"):
        try:
            initial["issue_date"] = dt.date.fromisoformat(structure["issue_date"])
        except (TypeError, ValueError):
            pass
    return initial


def plan_deadline_status(*, agency: Agency, year: int, today: dt.date) -> dict | None:
    """Whether `agency` has issued its plan for `year` by the deadline its
    rule set gives (None: no rule asks for one). {"year", "deadline", "plan"
    (the issued plan or None), "days_left" (negative: overdue), "late_days"
    (issued after the deadline)}."""
    deadline = plan_deadline(year=year, agency=agency)
    if deadline is None:
        return None
    plan = (Plan.objects.filter(issuer=agency, status=Plan.Status.ISSUED, year_start__lte=year, year_end__gte=year)
            .order_by("issue_date").only("id", "number", "number_text", "symbol", "issue_date", "issuer_id").first())
    late = (plan.issue_date - deadline).days if plan and plan.issue_date else 0
    days_left = (deadline - today).days
    return {"year": year, "deadline": deadline, "plan": plan, "days_left": days_left, "days_over": -days_left,
            "late_days": max(0, late)}


def plan_next_number(*, plan: Plan, year: int) -> int:
    """The number after the highest one the issuer gave a plan with this
    symbol in `year` (the portal knows only its own plans: the office's
    register has the last word, so this is only offered)."""
    highest = (Plan.objects.filter(issuer_id=plan.issuer_id, symbol=plan.symbol, issue_date__year=year)
               .exclude(pk=plan.pk).aggregate(highest=Max("number"))["highest"])
    return (highest or 0) + 1


def plan_submitted_on(*, plan: Plan) -> dt.date | None:
    """The day the plan was last submitted (it cannot be issued before)."""
    moved = (PlanTransition.objects.filter(plan=plan, to_status=Plan.Status.SUBMITTED)
             .order_by("-created_at", "-id").values_list("created_at", flat=True).first())
    return timezone.localdate(moved) if moved else None


def plan_return_note(*, plan: Plan, transitions=None) -> PlanTransition | None:
    """Who sent a returned plan back, when and why (None unless it is
    returned); from `transitions` when the page has them already."""
    if plan.status != Plan.Status.RETURNED:
        return None
    if transitions is not None:
        returns = [t for t in transitions if t.to_status == Plan.Status.RETURNED]
        return max(returns, key=lambda t: (t.created_at, t.pk)) if returns else None
    return (PlanTransition.objects.filter(plan=plan, to_status=Plan.Status.RETURNED).select_related("user")
            .order_by("-created_at", "-id").first())


def agency_choices(agencies) -> list[tuple[int, str]]:
    """Pickers' choices from `agencies` (the issuer's active subtree, parents
    selected): in tree order under the issuer, a dash per level, and the
    parent's name after a name that appears twice ("Ủy ban nhân dân xã Bình
    Giang (Thành phố Hải Phòng)")."""
    agencies = list(agencies)
    by_id = {agency.pk: agency for agency in agencies}
    children: dict = {}
    for agency in sorted(agencies, key=lambda a: (a.name, a.pk)):
        parent = agency.parent_id if agency.parent_id in by_id else None
        children.setdefault(parent, []).append(agency)
    names = Counter(agency.name for agency in agencies)
    choices: list[tuple[int, str]] = []

    def walk(parent_id, depth):
        for agency in children.get(parent_id, []):
            label = agency.name
            if names[agency.name] > 1 and agency.parent is not None:
                label = f"{label} ({agency.parent.display_name})"
            choices.append((agency.pk, "— " * depth + label))
            walk(agency.pk, depth + 1)

    walk(None, 0)
    return choices


# The home page's «Việc cần làm» ---------------------------------------------------------------

def plan_todo_for_user(*, user) -> dict:
    """What the user has to do about plans now, for the home page: "to_approve"
    (submitted plans of the units they head), "returned" (plans of the units
    they draft for, sent back, each with `return_note`: who, when, why) and
    "drafts" (drafts of those units), newest first, all of them (a unit has
    a few); "heads" and "drafts_for" the unit ids, for the links. A fixed
    number of queries whatever the data: the roles, the plans, their returns."""
    from agencies.models import Membership

    scope = user_scope(user)
    heads = scope.agencies(Membership.Role.HEAD)
    drafts_for = scope.agencies(Membership.Role.DRAFTER)
    plans = list(
        Plan.objects.filter(
            Q(issuer_id__in=heads, status=Plan.Status.SUBMITTED)
            | Q(issuer_id__in=drafts_for, status__in=Plan.EDITABLE)
        ).select_related("issuer").order_by("-updated_at", "-pk")
    ) if heads or drafts_for else []
    returned = [p for p in plans if p.status == Plan.Status.RETURNED and p.issuer_id in drafts_for]
    notes: dict[int, PlanTransition] = {}
    for transition in PlanTransition.objects.filter(
        plan__in=[p.pk for p in returned], to_status=Plan.Status.RETURNED
    ).select_related("user").order_by("created_at", "id"):
        notes[transition.plan_id] = transition  # the latest wins
    for plan in returned:
        plan.return_note = notes.get(plan.pk)  # type: ignore[attr-defined]  # read by home.html
    lists = {
        "to_approve": [p for p in plans if p.status == Plan.Status.SUBMITTED and p.issuer_id in heads],
        "returned": returned,
        "drafts": [p for p in plans if p.status == Plan.Status.DRAFT and p.issuer_id in drafts_for],
    }
    todo: dict = {"heads": heads, "drafts_for": drafts_for}
    for key, items in lists.items():
        todo[key] = {"count": len(items), "items": items}
    return todo


def plans_of_year(*, issuer_ids, year: int) -> tuple[set[int], dict[int, int]]:
    """For next year's plan deadline: the issuers that have issued a plan
    covering `year`, and each issuer's latest plan not issued (its id, the
    draft to link to). Deleted drafts count for nothing. One query."""
    issued: set[int] = set()
    drafts: dict[int, int] = {}
    plans = (Plan.objects.filter(issuer_id__in=list(issuer_ids), year_start__lte=year, year_end__gte=year)
             .exclude(status=Plan.Status.DELETED).order_by("pk").values_list("issuer_id", "status", "pk"))
    for issuer_id, status, pk in plans:
        if status == Plan.Status.ISSUED:
            issued.add(issuer_id)
        else:
            drafts[issuer_id] = pk  # the latest
    return issued, drafts


def plan_deadlines_for_user(*, user, today: dt.date) -> list[dict]:
    """Next year's plan for each unit the user drafts for or heads, while it
    is not issued and a rule set asks for it by a date: {"agency", "year",
    "deadline", "days_left", "draft" (its latest draft's id or None)}, nearest
    first. plan_deadline_status's rule for many units in a fixed number of
    queries: the units, the deadlines (and the tree above for a province's
    own rule), their plans for the year."""
    from schedule.services import plan_deadlines

    year = today.year + 1
    agencies = list(creatable_agencies(user=user))
    deadlines = plan_deadlines(year=year, agencies=agencies) if agencies else {}
    issued, drafts = plans_of_year(issuer_ids=deadlines, year=year) if deadlines else (set(), {})
    found = [
        {"agency": agency, "year": year, "deadline": deadlines[agency.pk],
         "days_left": (deadlines[agency.pk] - today).days, "draft": drafts.get(agency.pk)}
        for agency in agencies if agency.pk in deadlines and agency.pk not in issued
    ]
    return sorted(found, key=lambda item: (item["deadline"], item["agency"].name))
