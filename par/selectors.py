"""Reads of the PAR Index shared by the pages, the XLSX and the evidence pack."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.expressions import RawSQL

from agencies.models import Agency
from agencies.scope import user_scope
from agencies.tree import subtree_sql
from reports.models import Evidence, Report, ReportLine

from .models import LEVEL_OF_KIND, Assessment, AssessmentItem, Criterion, Level, Tag


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
        item = items.get(criterion.pk)
        # Files prove the criteria that are scored (the leaves); a group's are its children's.
        rows.append(Row(criterion, item, self_points, points, evidence.get(criterion.pk, []) if item else []))
    return rows


# The ranking: the units of one level below a root, for a year.

LEVEL_KINDS: dict[str, list[str]] = {}
for _kind, _level in LEVEL_OF_KIND.items():
    LEVEL_KINDS.setdefault(_level, []).append(_kind)
# The order of the level tabs, and the default when the root has several.
LEVEL_ORDER = [Level.COMMUNE, Level.DEPARTMENT, Level.DISTRICT]
# The score distribution's bins, as shares of the set's maximum (lower bounds, %).
DISTRIBUTION_BINS = [(0, "Dưới 50%"), (50, "50 – dưới 65%"), (65, "65 – dưới 80%"), (80, "80 – dưới 90%"),
                     (90, "Từ 90%")]
RANKED = (Assessment.Status.SUBMITTED, Assessment.Status.APPRAISED)


@dataclass
class RankRow:
    """A unit of the ranking: its assessment of the year (None: not started)
    and its rank among the submitted ones (None: not ranked)."""

    agency: Agency
    assessment: Assessment | None
    rank: int | None = None

    @property
    def status_label(self) -> str:
        return self.assessment.get_status_display() if self.assessment else "Chưa tự đánh giá"

    @property
    def ranked(self) -> bool:
        return self.assessment is not None and self.assessment.status in RANKED

    @property
    def score(self) -> Decimal | None:
        return self.assessment.score if self.ranked and self.assessment else None


@dataclass
class Ranking:
    root: Agency
    year: int
    level: str
    rows: list[RankRow]
    max_total: Decimal | None
    level_counts: dict[str, int]  # level -> units of that level below the root

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def levels(self) -> list[tuple[str, str, int]]:
        """(level, label, units) of the levels the root has units of, in tab order."""
        return [(lv, Level(lv).label, self.level_counts[lv]) for lv in LEVEL_ORDER if self.level_counts.get(lv)]

    @property
    def counts(self) -> dict[str, int]:
        statuses = [r.assessment.status if r.assessment else "" for r in self.rows]
        return {"units": len(self.rows), "none": statuses.count(""),
                "draft": statuses.count(Assessment.Status.DRAFT),
                "submitted": statuses.count(Assessment.Status.SUBMITTED),
                "appraised": statuses.count(Assessment.Status.APPRAISED)}

    def distribution(self) -> list[tuple[str, int]]:
        """(bin label, units) of the ranked units' scores as shares of the maximum."""
        counts = [0] * len(DISTRIBUTION_BINS)
        if not self.max_total:
            return []
        for row in self.rows:
            if row.score is None:
                continue
            share = Decimal(100) * row.score / self.max_total
            index = max(i for i, (low, _) in enumerate(DISTRIBUTION_BINS) if share >= low)
            counts[index] += 1
        return [(label, count) for (_, label), count in zip(DISTRIBUTION_BINS, counts, strict=True)]

    def chart_data(self) -> dict:
        """What static/js/par.js draws: the ranked units' scores and the distribution."""
        ranked = [r for r in self.rows if r.ranked and r.assessment]
        return {
            "max": float(self.max_total or 0),
            "units": [r.agency.display_name for r in ranked],
            "self": [float(r.assessment.self_total) for r in ranked if r.assessment],
            "final": [None if r.assessment is None or r.assessment.final_total is None
                      else float(r.assessment.final_total) for r in ranked],
            "bins": [label for label, _ in self.distribution()],
            "counts": [count for _, count in self.distribution()],
        }


def ranking(root: Agency, year: int, level: str | None = None) -> Ranking:
    """The units below `root` scored at `level` (by default the level the
    root has most units of), each with its assessment of `year`, ranked by
    the score that counts among those sent (ties share a rank; drafts and
    units not started come after, unranked). Units merged away are listed
    only if they have an assessment that year. Three queries whatever the
    number of units."""
    sql, params = subtree_sql(agency_ids=[root.pk])
    units = list(
        Agency.objects.filter(pk__in=RawSQL(sql, params), kind__in=list(LEVEL_OF_KIND))
        .exclude(pk=root.pk)
        .filter(Q(is_active=True) | Q(pk__in=Assessment.objects.filter(year=year).values("agency_id")))
        .order_by("name", "pk")
    )
    level_counts: dict[str, int] = {}
    for unit in units:
        level_counts[LEVEL_OF_KIND[unit.kind]] = level_counts.get(LEVEL_OF_KIND[unit.kind], 0) + 1
    if level not in LEVEL_ORDER:
        level = max(LEVEL_ORDER, key=lambda lv: (level_counts.get(lv, 0), -LEVEL_ORDER.index(lv)))
    units = [u for u in units if LEVEL_OF_KIND[u.kind] == level]
    assessments = {a.agency_id: a for a in Assessment.objects.filter(agency__in=[u.pk for u in units], year=year)}
    max_total = (Criterion.objects.filter(criteria_set__year=year, criteria_set__level=level, parent__isnull=True)
                 .aggregate(total=Sum("max_score"))["total"])
    rows = [RankRow(unit, assessments.get(unit.pk)) for unit in units]
    ranked = sorted((r for r in rows if r.ranked), key=lambda r: (-(r.score or 0), r.agency.name, r.agency.pk))
    previous: Decimal | None = None
    for position, row in enumerate(ranked, start=1):
        row.rank = position if row.score != previous else ranked[position - 2].rank
        previous = row.score
    others = [r for r in rows if not r.ranked]
    return Ranking(root=root, year=year, level=level, rows=ranked + others, max_total=max_total,
                   level_counts=level_counts)


# The PAR home page: the user's own units that are scored, and the roots they rank.

def own_units(*, user, year: int) -> list[RankRow]:
    """The scored units where the user holds a role, each with its assessment
    of `year` (None: not started). Two queries."""
    units = list(Agency.objects.filter(pk__in=user_scope(user).agencies(), kind__in=list(LEVEL_OF_KIND))
                 .order_by("name", "pk"))
    assessments = {a.agency_id: a for a in Assessment.objects.filter(agency__in=[u.pk for u in units], year=year)}
    return [RankRow(unit, assessments.get(unit.pk)) for unit in units]


def ranking_roots(*, user) -> list[Agency]:
    """The units whose subtree the user may rank: their review roots; for a
    system administrator, the top units of the tree (provinces, ministries)."""
    scope = user_scope(user)
    if scope.review_roots:
        return list(Agency.objects.filter(pk__in=scope.review_roots).order_by("name", "pk"))
    if scope.is_admin:
        return list(Agency.objects.filter(parent__isnull=True, is_active=True).order_by("name", "pk"))
    return []
