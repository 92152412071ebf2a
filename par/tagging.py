"""Reads and writes of the tags on plans, tasks, reports and evidence files
(the tagging pages, par/tagging_views.py). A task inherits its plan's tags;
a report inherits those of the tasks its lines cover and of their plans; an
evidence file inherits its report's (par.selectors.evidence_tags). Each
read and each save is a fixed number of queries whatever the count of
tasks or files."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models, transaction

from plans.models import Plan, Task
from reports.models import Evidence, Report, ReportLine

from .models import Tag


def tags_all() -> list[Tag]:
    return list(Tag.objects.order_by("position", "name"))


def _owned(through: type[models.Model], owner: str, ids) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for owner_id, tag_id in through.objects.filter(**{f"{owner}__in": ids}).values_list(owner, "tag_id"):
        found.setdefault(owner_id, set()).add(tag_id)
    return found


@dataclass
class PlanTagging:
    plan: Plan
    tags: list[Tag]
    plan_tags: set[int]
    tasks: list[Task]
    task_tags: dict[int, set[int]] = field(default_factory=dict)


def plan_tagging(plan: Plan) -> PlanTagging:
    """The plan's tags and its tasks' own tags. Four queries."""
    tasks = list(plan.tasks.select_related("lead_agency").order_by("position", "pk"))
    return PlanTagging(
        plan=plan, tags=tags_all(), plan_tags=_owned(Tag.plans.through, "plan_id", [plan.pk]).get(plan.pk, set()),
        tasks=tasks, task_tags=_owned(Tag.tasks.through, "task_id", [t.pk for t in tasks]))


@dataclass
class ReportTagging:
    report: Report
    tags: list[Tag]
    report_tags: set[int]
    inherited: set[int]  # from the tasks the report's lines cover and their plans
    evidence: list[Evidence]
    evidence_tags: dict[int, set[int]] = field(default_factory=dict)


def report_tagging(report: Report) -> ReportTagging:
    """The report's tags, those it inherits, and its files' own tags. Six queries."""
    evidence = list(report.evidence.order_by("uploaded_at", "pk"))
    lines = ReportLine.objects.filter(report=report)
    inherited = {
        *lines.filter(task__par_tags__isnull=False).values_list("task__par_tags", flat=True),
        *lines.filter(task__plan__par_tags__isnull=False).values_list("task__plan__par_tags", flat=True),
    }
    return ReportTagging(
        report=report, tags=tags_all(),
        report_tags=_owned(Tag.reports.through, "report_id", [report.pk]).get(report.pk, set()),
        inherited=inherited, evidence=evidence,
        evidence_tags=_owned(Tag.evidence.through, "evidence_id", [e.pk for e in evidence]))


def _sync(through: type[models.Model], owner: str, wanted: dict[int, set[int]]) -> None:
    """The owners' tags become exactly `wanted`: one read, at most one delete and one insert."""
    if not wanted:
        return
    rows = list(through.objects.filter(**{f"{owner}__in": list(wanted)}).values_list("pk", owner, "tag_id"))
    have = {(owner_id, tag_id) for _, owner_id, tag_id in rows}
    gone = [pk for pk, owner_id, tag_id in rows if tag_id not in wanted[owner_id]]
    if gone:
        through.objects.filter(pk__in=gone).delete()
    through.objects.bulk_create([through(**{owner: owner_id, "tag_id": tag_id})
                                 for owner_id, tags in wanted.items() for tag_id in sorted(tags)
                                 if (owner_id, tag_id) not in have])


@transaction.atomic
def plan_tags_save(*, plan: Plan, plan_tags: set[int] | None, task_tags: dict[int, set[int]]) -> None:
    """The plan's tags (None: left as they are) and the tags of the tasks
    given (only tasks of this plan)."""
    if plan_tags is not None:
        _sync(Tag.plans.through, "plan_id", {plan.pk: plan_tags})
    own = set(plan.tasks.filter(pk__in=list(task_tags)).values_list("pk", flat=True)) if task_tags else set()
    _sync(Tag.tasks.through, "task_id", {pk: tags for pk, tags in task_tags.items() if pk in own})


@transaction.atomic
def report_tags_save(*, report: Report, report_tags: set[int], evidence_tags: dict[int, set[int]]) -> None:
    """The report's tags and its evidence files' (only files of this report)."""
    _sync(Tag.reports.through, "report_id", {report.pk: report_tags})
    own = set(report.evidence.filter(pk__in=list(evidence_tags)).values_list("pk", flat=True)) if evidence_tags \
        else set()
    _sync(Tag.evidence.through, "evidence_id", {pk: tags for pk, tags in evidence_tags.items() if pk in own})
