"""The PAR Index (Chỉ số cải cách hành chính) as data: a year's criteria set
per level, the rule that scores each criterion from the portal's records,
the tags that say which records prove which criterion, a unit's
self-assessment with the home-affairs office's appraisal, and the evidence
pack (ZIP) handed to the graders."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from agencies.models import Agency
from plans.models import Counter, Plan, Task
from reports.models import Evidence, Report

from .thresholds import thresholds_describe, thresholds_errors, thresholds_parse


class Level(models.TextChoices):
    """The levels the PAR Index scores separately, each with its own set."""

    DEPARTMENT = "department", "Sở, ban, ngành"
    COMMUNE = "commune", "UBND xã, phường, đặc khu"
    DISTRICT = "district", "UBND huyện, quận, thị xã (trước 01/7/2025)"


# Agency.Kind -> the level whose criteria score it.
LEVEL_OF_KIND: dict[str, str] = {
    Agency.Kind.DEPARTMENT: Level.DEPARTMENT,
    Agency.Kind.COMMUNE: Level.COMMUNE,
    Agency.Kind.DISTRICT: Level.DISTRICT,
}


class Measure(models.TextChoices):
    """What the portal computes for a criterion (par/measures.py)."""

    PLAN_ON_TIME = "plan_on_time", "Ban hành kế hoạch đúng hạn (100% đúng hạn, 0% trễ hoặc chưa có)"
    TASKS_DONE = "tasks_done", "Tỷ lệ nhiệm vụ của kế hoạch hoàn thành (theo báo cáo đã tiếp nhận, %)"
    REPORTS_ON_TIME = "reports_on_time", "Tỷ lệ báo cáo nộp đúng hạn (%)"
    CHANNELS_USED = "channels_used", "Số hình thức tuyên truyền đã thực hiện"
    COUNTER_TOTAL = "counter_total", "Tổng một chỉ tiêu số liệu trong năm"
    MANUAL = "manual", "Đơn vị tự chấm (không tính tự động)"


class Tag(models.Model):
    """Nhãn minh chứng: what a record proves. A criterion names the tag its
    evidence carries; plans, tasks, reports and evidence files carry tags (a
    task inherits its plan's). Tags outlive a year's set: next year's copy
    of a criterion keeps pointing at the same tag."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên nhãn", max_length=200)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    plans = models.ManyToManyField(Plan, verbose_name="kế hoạch", blank=True, related_name="par_tags")
    tasks = models.ManyToManyField(Task, verbose_name="nhiệm vụ", blank=True, related_name="par_tags")
    reports = models.ManyToManyField(Report, verbose_name="báo cáo", blank=True, related_name="par_tags")
    evidence = models.ManyToManyField(Evidence, verbose_name="tệp minh chứng", blank=True, related_name="par_tags")

    class Meta:
        verbose_name = "nhãn minh chứng"
        verbose_name_plural = "nhãn minh chứng"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CriteriaSet(models.Model):
    """Bộ tiêu chí: one year's criteria for one level."""

    year = models.PositiveSmallIntegerField("năm đánh giá", validators=[MinValueValidator(2000)])
    level = models.CharField("cấp", max_length=12, choices=Level.choices)
    title = models.CharField("tên bộ tiêu chí", max_length=255)
    source = models.CharField("căn cứ", max_length=255, blank=True,
                              help_text="Ví dụ «Quyết định số 1149/QĐ-BNV ngày …».")
    copied_from = models.ForeignKey("self", verbose_name="sao chép từ", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bộ tiêu chí Chỉ số CCHC"
        verbose_name_plural = "bộ tiêu chí Chỉ số CCHC"
        ordering = ["-year", "level"]
        constraints = [
            models.UniqueConstraint(fields=["year", "level"], name="par_set_unique",
                                    violation_error_message="Năm này đã có bộ tiêu chí cho cấp này."),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_level_display()}, {self.year})"

    @property
    def max_total(self) -> Decimal:
        return sum((c.max_score for c in self.criteria.all() if c.parent_id is None), Decimal(0))


class Criterion(models.Model):
    """Lĩnh vực, tiêu chí or tiêu chí thành phần: a node of the set's tree.
    A node with children scores the sum of theirs; a leaf scores by its
    measure and thresholds, or by hand (MANUAL)."""

    criteria_set = models.ForeignKey(CriteriaSet, verbose_name="bộ tiêu chí", on_delete=models.CASCADE,
                                     related_name="criteria")
    parent = models.ForeignKey("self", verbose_name="thuộc", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    code = models.CharField("số hiệu", max_length=20, help_text="Ví dụ «1», «1.4», «1.4.2».")
    title = models.TextField("nội dung")
    max_score = models.DecimalField("điểm tối đa", max_digits=6, decimal_places=2,
                                    validators=[MinValueValidator(Decimal(0))])
    measure = models.CharField("cách tính", max_length=20, choices=Measure.choices, default=Measure.MANUAL)
    counter = models.ForeignKey(Counter, verbose_name="chỉ tiêu (cho «Tổng một chỉ tiêu»)", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    thresholds = models.CharField(
        "ngưỡng → điểm", max_length=200, blank=True,
        help_text="Từ cao xuống thấp, «ngưỡng: điểm» cách nhau bởi dấu chấm phẩy; dưới ngưỡng thấp nhất được 0. "
                  "Ví dụ «100: 1; 80: 0,5» (đạt 100% được 1 điểm, từ 80% được 0,5 điểm).")
    tag = models.ForeignKey(Tag, verbose_name="nhãn minh chứng", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="criteria")
    guidance = models.TextField("hướng dẫn chấm, tài liệu kiểm chứng", blank=True)

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["criteria_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="par_criterion_code_unique",
                                    violation_error_message="Số hiệu này đã có trong bộ tiêu chí."),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title[:80]}"

    @property
    def depth(self) -> int:
        return self.code.count(".")

    def threshold_pairs(self) -> list[tuple[Decimal, Decimal]]:
        return thresholds_parse(self.thresholds)

    @property
    def rule_text(self) -> str:
        """The thresholds as a grader reads them; a rule typed wrong in admin, as typed."""
        try:
            return thresholds_describe(self.threshold_pairs())
        except ValueError:
            return self.thresholds

    def clean(self) -> None:
        errors = {}
        if self.measure == Measure.COUNTER_TOTAL and not self.counter_id:
            errors["counter"] = "Chọn chỉ tiêu số liệu để tính tổng."
        if self.measure not in (Measure.MANUAL, "") and not self.thresholds.strip():
            errors["thresholds"] = "Cách tính tự động cần ngưỡng quy ra điểm."
        problem = thresholds_errors(self.thresholds, max_score=self.max_score)
        if problem:
            errors["thresholds"] = problem
        if self.parent is not None and self.parent.criteria_set_id != self.criteria_set_id:
            errors["parent"] = "Tiêu chí cha phải cùng bộ tiêu chí."
        if errors:
            raise ValidationError(errors)


def _item_upload_to(instance: AssessmentItem, filename: str) -> str:
    from common.files import bounded_name

    return bounded_name(f"par/items/{instance.assessment_id}", filename, max_length=200)


class Assessment(models.Model):
    """A unit's self-assessment for a year (tự đánh giá), then its appraisal
    (thẩm định) by the home-affairs office above it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang tự đánh giá"
        SUBMITTED = "submitted", "Đã gửi, chờ thẩm định"
        APPRAISED = "appraised", "Đã thẩm định"

    agency = models.ForeignKey(Agency, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="par_assessments")
    criteria_set = models.ForeignKey(CriteriaSet, verbose_name="bộ tiêu chí", on_delete=models.PROTECT,
                                     related_name="assessments")
    year = models.PositiveSmallIntegerField("năm")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    self_total = models.DecimalField("điểm tự đánh giá", max_digits=7, decimal_places=2, default=Decimal(0))
    final_total = models.DecimalField("điểm thẩm định", max_digits=7, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    appraised_at = models.DateTimeField("thẩm định lúc", null=True, blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # Why the home-affairs office sent it back, shown to the unit until it sends again.
    return_comment = models.TextField("lý do trả lại", blank=True)
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "tự đánh giá Chỉ số CCHC"
        verbose_name_plural = "tự đánh giá Chỉ số CCHC"
        ordering = ["-year", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="par_assessment_unique"),
        ]

    def __str__(self) -> str:
        return f"Tự đánh giá {self.year} – {self.agency}"

    @property
    def score(self) -> Decimal:
        """The score that counts: the appraised one once there is one."""
        return self.final_total if self.final_total is not None else self.self_total


class AssessmentItem(models.Model):
    """One leaf criterion of a unit's assessment: what the portal computed
    (kept as shown when the head submitted), the head's note or extra file,
    and the appraiser's points and comment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, verbose_name="tiêu chí", on_delete=models.PROTECT, related_name="+")
    measured = models.DecimalField("kết quả đo", max_digits=20, decimal_places=2, null=True, blank=True)
    computation = models.JSONField("cách tính (số liệu, hồ sơ)", default=dict, blank=True)
    self_points = models.DecimalField("điểm tự chấm", max_digits=6, decimal_places=2, default=Decimal(0))
    note = models.TextField("giải trình của đơn vị", blank=True)
    file = models.FileField("tệp bổ sung", upload_to=_item_upload_to, max_length=200, blank=True)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    appraised_points = models.DecimalField("điểm thẩm định", max_digits=6, decimal_places=2, null=True, blank=True)
    appraisal_comment = models.TextField("ý kiến thẩm định", blank=True)

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="par_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.points}"

    @property
    def points(self) -> Decimal:
        return self.appraised_points if self.appraised_points is not None else self.self_points

    @property
    def by_hand(self) -> bool:
        """Scored by the head: a criterion marked so, or one whose measure
        has nothing to measure for this unit (no task assigned, no report
        due yet): not applicable, so not 0 by default."""
        return self.criterion.measure == Measure.MANUAL or self.measured is None


def _pack_upload_to(instance: EvidencePack, filename: str) -> str:
    from common.files import bounded_name

    return bounded_name(f"par/packs/{instance.agency_id}", filename, max_length=200)


class EvidencePack(models.Model):
    """Bộ hồ sơ minh chứng: the ZIP of one unit's year, built by the worker.
    `fingerprint` names the data it was built from: when the data change,
    the pack is stale and is built again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ tạo"
        BUILDING = "building", "Đang tạo"
        READY = "ready", "Sẵn sàng tải về"
        FAILED = "failed", "Lỗi khi tạo"

    agency = models.ForeignKey(Agency, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="par_packs")
    year = models.PositiveSmallIntegerField("năm")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_steps = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    file = models.FileField("tệp ZIP", upload_to=_pack_upload_to, max_length=200, blank=True)
    size = models.PositiveBigIntegerField("dung lượng", default=0)
    files_count = models.PositiveIntegerField("số tệp", default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "bộ hồ sơ minh chứng"
        verbose_name_plural = "bộ hồ sơ minh chứng"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="par_pack_unique"),
        ]

    def __str__(self) -> str:
        return f"Hồ sơ minh chứng {self.year} – {self.agency}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return min(99, self.done_steps * 100 // self.total_steps) if self.total_steps else 0
