"""The reporting calendar as data: which kinds of period units report on
(rules, editable in admin), how many working days each level has after the
cut-off, and the periods the rules yield. Below plans, so a plan can choose
its period kinds without pointing up at reports."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from agencies.models import Agency


class ReportingRule(models.Model):
    """One kind of period in the calendar (Bộ Nội vụ guidance on CCHC reports).

    A period ends on `cutoff_day` of each month in `end_months` and spans
    `length_months` back from the day after the previous cut-off: Quý I is
    15/12 - 14/03, 6 tháng 15/12 - 14/06, năm 15/12 - 14/12."""

    class Kind(models.TextChoices):
        MONTH = "month", "Tháng"
        QUARTER = "quarter", "Quý"
        HALF_YEAR = "half_year", "6 tháng"
        YEAR = "year", "Năm"

    kind = models.CharField("loại kỳ", max_length=12, choices=Kind.choices, unique=True)
    label = models.CharField(
        "tên kỳ", max_length=60, help_text="Ví dụ «Quý {roman}/{year}», «6 tháng đầu năm {year}»."
    )
    end_months = models.CharField(
        "tháng kết thúc kỳ", max_length=40, help_text="Các tháng, cách nhau dấu phẩy, ví dụ «3,9»."
    )
    length_months = models.PositiveSmallIntegerField("độ dài (tháng)")
    cutoff_day = models.PositiveSmallIntegerField(
        "ngày chốt số liệu", default=14, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    due_day = models.PositiveSmallIntegerField(
        "hạn gửi cấp tỉnh (ngày trong tháng cuối kỳ)", default=20,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        db_table = "reports_reportingrule"  # moved from reports; the table kept its name
        verbose_name = "loại kỳ báo cáo"
        verbose_name_plural = "lịch báo cáo"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def end_month_list(self) -> list[int]:
        return [int(m) for m in self.end_months.replace(" ", "").split(",") if m]


class LevelDeadline(models.Model):
    """Working days after the cut-off by which each level sends its report:
    communes first, then the units that consolidate them (Nghị định 09/2019:
    at least one working day between cut-off and deadline)."""

    agency_kind = models.CharField("loại đơn vị", max_length=20, choices=Agency.Kind.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(
        "số ngày làm việc sau ngày chốt", validators=[MinValueValidator(1)]
    )

    class Meta:
        db_table = "reports_leveldeadline"
        verbose_name = "hạn theo cấp"
        verbose_name_plural = "hạn theo cấp"
        ordering = ["working_days"]

    def __str__(self) -> str:
        return f"{self.get_agency_kind_display()}: {self.working_days} ngày làm việc"


class ReportingPeriod(models.Model):
    rule = models.ForeignKey(ReportingRule, on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField("năm")
    end_month = models.PositiveSmallIntegerField("tháng cuối kỳ")
    label = models.CharField("kỳ", max_length=60)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày (chốt số liệu)")
    due = models.DateField("hạn tổng hợp cấp tỉnh")

    class Meta:
        db_table = "reports_reportingperiod"
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["end", "rule__position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "year", "end_month"], name="period_unique"),
        ]

    def __str__(self) -> str:
        return self.label
