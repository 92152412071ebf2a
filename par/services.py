"""Writes of the PAR Index: criteria sets (default, copied from last year),
a unit's self-assessment (computed, annotated, submitted) and its appraisal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from common.files import delete_on_commit, file_save, files_atomic
from common.locking import status_move
from plans.models import Counter

from . import defaults
from .measures import measure
from .models import LEVEL_OF_KIND, Assessment, AssessmentItem, CriteriaSet, Criterion, Measure, Tag
from .thresholds import format_points, points_for


def level_of(agency: Agency) -> str | None:
    """The PAR level that scores the agency, or None (a phòng, a centre: not scored)."""
    return LEVEL_OF_KIND.get(agency.kind)


def tag_ensure(code: str, name: str) -> Tag:
    tag, _ = Tag.objects.get_or_create(code=code, defaults={"name": name})
    return tag


@transaction.atomic
def criteria_set_default_create(*, year: int, level: str) -> CriteriaSet:
    """The default communication criteria (par/defaults.py) as the year's set for the level."""
    tags = {code: tag_ensure(code, name) for code, name in defaults.TAGS.items()}
    counters = {c.code: c for c in Counter.objects.filter(code__in=[row[4] for row in defaults.CRITERIA if row[4]])}
    criteria_set = CriteriaSet.objects.create(year=year, level=level, title=defaults.TITLES[level],
                                              source="Bộ mặc định của cổng (ví dụ để điều chỉnh)")
    by_code: dict[str, Criterion] = {}
    for position, (code, title, max_score, kind, counter_code, thresholds, guidance, tag_code) in enumerate(
            defaults.CRITERIA, start=1):
        counter = counters.get(counter_code)
        if kind == Measure.COUNTER_TOTAL and counter is None:
            kind, thresholds = Measure.MANUAL, ""  # the counter was deleted: scored by hand
        parent = by_code.get(code.rpartition(".")[0]) if "." in code else None
        by_code[code] = Criterion.objects.create(
            criteria_set=criteria_set, parent=parent, position=position, code=code, title=title,
            max_score=Decimal(max_score), measure=kind, counter=counter, thresholds=thresholds, tag=tags.get(tag_code),
            guidance=guidance)
    return criteria_set


@transaction.atomic
def criteria_set_copy(*, source: CriteriaSet, year: int, level: str | None = None) -> CriteriaSet:
    """A copy of `source` for `year` (and `level`, by default the same): the
    tree, the rules and the tags. Refused when that year already has one."""
    level = level or source.level
    if CriteriaSet.objects.filter(year=year, level=level).exists():
        raise ValidationError({"year": "Năm này đã có bộ tiêu chí cho cấp này."})
    copy = CriteriaSet.objects.create(year=year, level=level, title=source.title, source=source.source,
                                      copied_from=source)
    new_ids: dict[int, Criterion] = {}
    for criterion in source.criteria.order_by("position", "pk"):
        old_id, parent_id = criterion.pk, criterion.parent_id
        criterion.pk = None
        criterion.criteria_set = copy
        criterion.parent = new_ids.get(parent_id) if parent_id else None
        criterion.save()
        new_ids[old_id] = criterion
    return copy


def criteria_set_for(*, year: int, level: str) -> CriteriaSet:
    """The year's set for the level; when there is none yet, last year's
    copied forward (the latest earlier one), else the default."""
    found = CriteriaSet.objects.filter(year=year, level=level).first()
    if found is not None:
        return found
    earlier = CriteriaSet.objects.filter(level=level, year__lt=year).order_by("-year").first()
    try:
        if earlier is not None:
            return criteria_set_copy(source=earlier, year=year)
        return criteria_set_default_create(year=year, level=level)
    except IntegrityError:  # another request made it meanwhile (unique year+level)
        found = CriteriaSet.objects.filter(year=year, level=level).first()
        if found is None:
            raise
        return found


def leaves(criteria: list[Criterion]) -> list[Criterion]:
    parents = {c.parent_id for c in criteria if c.parent_id}
    return [c for c in criteria if c.pk not in parents]


NOT_MEASURED = " Không tính tự động được: đơn vị tự chấm, cơ quan Nội vụ thẩm định."


def _score(criterion: Criterion, *, agency: Agency, year: int,
           as_of: dt.date) -> tuple[Decimal | None, dict, Decimal | None]:
    """(measure, computation, points); points None: scored by hand."""
    measured = measure(criterion, agency=agency, year=year, as_of=as_of)
    if measured is None:
        return None, {}, None
    if measured.value is None:
        computation = measured.as_dict()
        computation["summary"] += NOT_MEASURED
        return None, computation, None
    pairs = criterion.threshold_pairs()
    points = points_for(measured.value, pairs, max_score=criterion.max_score)
    computation = measured.as_dict() | {"rule": criterion.thresholds, "points": format_points(points)}
    return measured.value, computation, points


def assessment_totals(assessment: Assessment, items: list[AssessmentItem]) -> None:
    assessment.self_total = sum((i.self_points for i in items), Decimal(0))
    if assessment.status == Assessment.Status.APPRAISED:
        assessment.final_total = sum((i.points for i in items), Decimal(0))


@transaction.atomic
def assessment_open(*, agency: Agency, year: int, as_of: dt.date | None = None) -> Assessment:
    """The unit's assessment of `year`, created on first use; while it is a
    draft its computed points are brought up to date from the records (the
    head's notes, files and manual points stay)."""
    level = level_of(agency)
    if level is None:
        raise ValidationError("Đơn vị này không thuộc cấp được đánh giá Chỉ số CCHC.")
    if agency.dissolved_on and year > agency.dissolved_on.year:
        raise ValidationError(f"Đơn vị đã sáp nhập, giải thể từ {agency.dissolved_on:%d/%m/%Y}.")
    as_of = as_of or timezone.localdate()
    assessment = Assessment.objects.filter(agency=agency, year=year).first()
    if assessment is None and year > as_of.year:
        # Nothing to score yet, and a set made now would pin next year's criteria before the province sets them.
        raise ValidationError(f"Chưa đến năm {year}: chưa tự đánh giá được.")
    if assessment is None:
        criteria_set = criteria_set_for(year=year, level=level)
        assessment, _ = Assessment.objects.get_or_create(agency=agency, year=year,
                                                         defaults={"criteria_set": criteria_set})
    if assessment.status != Assessment.Status.DRAFT:
        return assessment
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.DRAFT:
        return assessment
    criteria = list(assessment.criteria_set.criteria.select_related("counter").order_by("position", "pk"))
    existing = {i.criterion_id: i for i in assessment.items.all()}
    items, new, changed = [], [], []
    # Every visit recomputes; only what changed is written (most visits write nothing).
    for criterion in leaves(criteria):
        item = existing.pop(criterion.pk, None)
        if item is None:
            item = AssessmentItem(assessment=assessment, criterion=criterion)
            new.append(item)
        before = (item.measured, item.computation, item.self_points)
        measured, computation, points = _score(criterion, agency=agency, year=year, as_of=as_of)
        item.measured, item.computation = measured, computation
        if points is not None:
            item.self_points = points
        item.self_points = min(item.self_points, criterion.max_score)
        if item.pk is not None and (item.measured, item.computation, item.self_points) != before:
            changed.append(item)
        items.append(item)
    AssessmentItem.objects.bulk_create(new)
    AssessmentItem.objects.bulk_update(changed, ["measured", "computation", "self_points"])
    if existing:  # criteria removed from the set meanwhile
        AssessmentItem.objects.filter(pk__in=[gone.pk for gone in existing.values()]).delete()
    total = assessment.self_total
    assessment_totals(assessment, items)
    if new or changed or existing or assessment.self_total != total:
        assessment.save(update_fields=["self_total", "updated_at"])
    return assessment


def _check_draft(assessment: Assessment) -> None:
    if assessment.status != Assessment.Status.DRAFT:
        raise ValidationError("Bản tự đánh giá đã gửi, không sửa được nữa.")


def assessment_item_update(*, item: AssessmentItem, note: str, self_points: Decimal | None = None,
                           upload=None, remove_file: bool = False) -> AssessmentItem:
    """The head's note, extra file and (for a criterion scored by hand)
    points. The new file goes if the save rolls back; the old one only once
    the save committed."""
    with files_atomic():
        assessment = Assessment.objects.select_for_update().get(pk=item.assessment_id)
        _check_draft(assessment)
        item.note = note
        if item.by_hand and self_points is not None:
            if not (0 <= self_points <= item.criterion.max_score):
                raise ValidationError(
                    {"self_points": f"Điểm phải từ 0 đến {format_points(item.criterion.max_score)}."})
            item.self_points = self_points
        old = item.file.name if item.file and (remove_file or upload is not None) else ""
        if remove_file:
            item.file, item.file_name = "", ""
        if upload is not None:
            item.file_name = upload.name
            file_save(item.file, upload.name, upload)
        item.save()
        if old:
            delete_on_commit(item.file.storage, old)
        items = list(assessment.items.all())
        assessment_totals(assessment, items)
        assessment.save(update_fields=["self_total", "updated_at"])
    return item


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user, as_of: dt.date | None = None) -> Assessment:
    """Freeze the self-score as computed now and send it for appraisal."""
    assessment = assessment_open(agency=assessment.agency, year=assessment.year, as_of=as_of)
    status_move(assessment, expected=[Assessment.Status.DRAFT], to=Assessment.Status.SUBMITTED,
                noun="Bản tự đánh giá")
    assessment.submitted_at, assessment.submitted_by = timezone.now(), user
    assessment.return_comment = ""  # answered by sending again
    assessment.save()
    return assessment


@transaction.atomic
def assessment_return(*, assessment: Assessment, user, comment: str) -> Assessment:
    """Back to the unit (a mistake in its notes or files): a draft again."""
    if not comment.strip():
        raise ValidationError({"comment": "Nêu lý do trả lại để đơn vị sửa."})
    status_move(assessment, expected=[Assessment.Status.SUBMITTED], to=Assessment.Status.DRAFT,
                noun="Bản tự đánh giá")
    assessment.return_comment = comment.strip()
    assessment.returned_at, assessment.returned_by = timezone.now(), user
    assessment.save()
    return assessment


@transaction.atomic
def assessment_appraise(*, assessment: Assessment, user, decisions: dict[int, tuple[Decimal | None, str]],
                        lock_version: int | None = None) -> Assessment:
    """Thẩm định: for each item, None keeps the self-score (accepted), a
    number adjusts it and needs a comment. All or nothing. `lock_version`:
    the version the appraiser's page showed; refused if another appraiser
    (or the unit) saved since."""
    if lock_version is not None and not Assessment.objects.select_for_update().filter(
            pk=assessment.pk, lock_version=lock_version).exists():
        raise ValidationError("Bản tự đánh giá vừa được người khác cập nhật: tải lại trang rồi thẩm định lại.")
    status_move(assessment, expected=[Assessment.Status.SUBMITTED, Assessment.Status.APPRAISED],
                to=Assessment.Status.APPRAISED, noun="Bản tự đánh giá")
    items = list(assessment.items.select_related("criterion"))
    errors: dict[str, str] = {}
    for item in items:
        points, comment = decisions.get(item.pk, (None, item.appraisal_comment))
        if points is not None and not (0 <= points <= item.criterion.max_score):
            errors[f"points_{item.pk}"] = f"Điểm phải từ 0 đến {format_points(item.criterion.max_score)}."
            continue
        adjusted = points is not None and points != item.self_points
        if adjusted and not comment.strip():
            errors[f"comment_{item.pk}"] = "Điểm thẩm định khác điểm tự chấm: ghi rõ lý do."
            continue
        item.appraised_points = points if adjusted else item.self_points
        item.appraisal_comment = comment.strip()
    if errors:
        raise ValidationError(errors)
    for item in items:
        item.save(update_fields=["appraised_points", "appraisal_comment"])
    assessment.appraised_at, assessment.appraised_by = timezone.now(), user
    assessment_totals(assessment, items)
    assessment.save()
    return assessment
