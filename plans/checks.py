"""What a draft still lacks before it goes up to the head: the list the
submit page shows, and the part of it plan_submit enforces. Errors block
the submission; warnings are shown and left to the drafter's judgement.
Each problem links to the place where it is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from agencies.models import Agency
from agencies.tree import agency_subtree_ids
from common.money import money_format

from .models import Clause, Plan

# The sections a plan cannot go up without, with the editor tab that fills them.
REQUIRED_SECTIONS = (
    (Clause.Section.PURPOSE, "muc-dich", "Mục đích"),
    (Clause.Section.REQUIREMENT, "yeu-cau", "Yêu cầu"),
    (Clause.Section.CONTENT, "noi-dung", "Nội dung tuyên truyền"),
)


@dataclass(frozen=True)
class Problem:
    blocking: bool
    text: str
    url: str
    link_text: str


def _excerpt(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def agency_problem(agency, *, subtree: set[int], issuer) -> str | None:
    """Why `agency` cannot lead or coordinate a task of `issuer`'s plan, or
    None: it must be a unit of the issuer's subtree still in existence, and
    of the administrative chain (a body such as the Front is asked to help
    in the text, «Phối hợp (khác)»: it does not report to the issuer)."""
    if agency.pk not in subtree:
        return f"«{agency.name}» không thuộc {issuer.name}"
    if not agency.is_active:
        return f"«{agency.name}» đã sáp nhập hoặc giải thể"
    if agency.kind == Agency.Kind.ORGANIZATION:
        return f"«{agency.name}» là tổ chức ngoài hệ thống hành chính (ghi ở ô «Phối hợp (khác)»)"
    return None


def plan_problems(plan: Plan) -> list[Problem]:
    """Errors first, then warnings. Reads the plan's clauses and tasks as
    prefetched by plan_with_contents (plus one walk of the issuer's subtree)."""
    problems: list[Problem] = []
    sections = {clause.section for clause in plan.clauses.all()}
    for section, slug, label in REQUIRED_SECTIONS:
        if section not in sections:
            problems.append(Problem(True, f"Phần «{label}» chưa có nội dung.",
                                    reverse("plans:edit_section", args=[plan.pk, slug]), f"Soạn phần «{label}»"))

    tasks = sorted(plan.tasks.all(), key=lambda t: (t.position, t.pk))
    subtree = agency_subtree_ids(agency_ids=[plan.issuer_id]) if tasks else set()
    for number, task in enumerate(tasks, start=1):
        url = reverse("plans:task_edit", args=[plan.pk, task.pk])
        name = f"Nhiệm vụ {number} («{_excerpt(task.content)}»)"
        fix = f"Sửa nhiệm vụ {number}"
        if task.lead_agency is None:
            problems.append(Problem(True, f"{name} chưa có cơ quan chủ trì.", url, fix))
        else:
            why = agency_problem(task.lead_agency, subtree=subtree, issuer=plan.issuer)
            if why:
                problems.append(Problem(True, f"{name}: cơ quan chủ trì {why}.", url, fix))
        for agency in task.coordinating_agencies.all():
            why = agency_problem(agency, subtree=subtree, issuer=plan.issuer)
            if why:
                problems.append(Problem(True, f"{name}: cơ quan phối hợp {why}.", url, fix))
        if task.deadline and not plan.year_start <= task.deadline.year <= plan.year_end:
            problems.append(Problem(True, f"{name}: hạn hoàn thành {task.deadline:%d/%m/%Y} nằm ngoài thời gian "
                                          f"của kế hoạch ({plan.years_label}).", url, fix))

    if not tasks:
        problems.append(Problem(False, "Phụ lục chưa có nhiệm vụ nào: không đơn vị nào phải báo cáo theo kế hoạch này.",
                                reverse("plans:tasks", args=[plan.pk]), "Thêm nhiệm vụ"))
    budgets = [task.budget for task in tasks if task.budget is not None]
    if plan.budget_total is not None and budgets and sum(budgets) != plan.budget_total:
        problems.append(Problem(
            False,
            f"Tổng kinh phí ở phần chung ({money_format(plan.budget_total)} đồng) khác tổng kinh phí các nhiệm vụ "
            f"trong phụ lục ({money_format(sum(budgets))} đồng).",
            reverse("plans:edit", args=[plan.pk]) + "#id_budget_total", "Sửa tổng kinh phí",
        ))
    return sorted(problems, key=lambda p: not p.blocking)
