"""Reads of the PAR Index shared by the pages, the XLSX and the evidence pack."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from reports.models import Evidence, Report, ReportLine

from .models import Assessment, AssessmentItem, Criterion, Tag


def year_evidence(*, agency_id: int, year: int) -> list[Evidence]:
    """The evidence files of the unit's reports of the year that were sent
    (a draft's files are the unit's working papers)."""
    return list(Evidence.objects.filter(report__agency_id=agency_id, report__period__year=year)
                .exclude(report__status=Report.Status.DRAFT)
                .select_related("report__period").order_by("report__period__end", "report_id", "uploaded_at", "pk"))


def evidence_tags(evidence: list[Evidence]) -> dict[int, set[int]]:
    """Evidence id -> the tags it carries: its own, its report's, and those of
    the tasks its report covers and of their plans (a task inherits its
    plan's). Four queries whatever the count."""
    report_ids = {e.report_id for e in evidence}
    report_tags: dict[int, set[int]] = {}
    rows = [
        *Tag.reports.through.objects.filter(report_id__in=report_ids).values_list("report_id", "tag_id"),
        *ReportLine.objects.filter(report_id__in=report_ids, task__par_tags__isnull=False)
        .values_list("report_id", "task__par_tags"),
        *ReportLine.objects.filter(report_id__in=report_ids, task__plan__par_tags__isnull=False)
        .values_list("report_id", "task__plan__par_tags"),
    ]
    for report_id, tag_id in rows:
        report_tags.setdefault(report_id, set()).add(tag_id)
    own: dict[int, set[int]] = {}
    for evidence_id, tag_id in Tag.evidence.through.objects.filter(
            evidence_id__in=[e.pk for e in evidence]).values_list("evidence_id", "tag_id"):
        own.setdefault(evidence_id, set()).add(tag_id)
    return {e.pk: own.get(e.pk, set()) | report_tags.get(e.report_id, set()) for e in evidence}


def criterion_evidence(*, assessment: Assessment, criteria: list[Criterion]) -> dict[int, list[Evidence]]:
    """Criterion id -> the evidence files that prove it (those carrying its tag)."""
    evidence = year_evidence(agency_id=assessment.agency_id, year=assessment.year)
    tags = evidence_tags(evidence)
    return {c.pk: [e for e in evidence if c.tag_id and c.tag_id in tags[e.pk]] for c in criteria}


@dataclass
class Row:
    """A criterion as the pages and the index print it: a group with the sum
    of its children, or a leaf with its item."""

    criterion: Criterion
    item: AssessmentItem | None
    self_points: Decimal
    points: Decimal
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.item is None


def assessment_rows(assessment: Assessment) -> list[Row]:
    """Every criterion of the assessment's set in order, groups summed from
    their leaves. A fixed number of queries."""
    criteria = list(assessment.criteria_set.criteria.select_related("counter", "tag").order_by("position", "pk"))
    items = {i.criterion_id: i for i in assessment.items.all()}
    evidence = criterion_evidence(assessment=assessment, criteria=criteria)
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)

    def sums(criterion: Criterion) -> tuple[Decimal, Decimal]:
        item = items.get(criterion.pk)
        if item is not None:
            return item.self_points, item.points
        below = [sums(c) for c in children.get(criterion.pk, [])]
        return sum((s for s, _ in below), Decimal(0)), sum((p for _, p in below), Decimal(0))

    rows = []
    for criterion in criteria:
        self_points, points = sums(criterion)
        rows.append(Row(criterion, items.get(criterion.pk), self_points, points, evidence.get(criterion.pk, [])))
    return rows
