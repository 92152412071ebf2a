"""The reporting calendar as data: which kinds of period units report on
(rules, editable in admin), how many working days each level has after the
cut-off, and the periods the rules yield. Below plans, so a plan can choose
its period kinds without pointing up at reports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency
from agencies.tree import agency_ancestor_ids, agency_subtree_ids

from .dues import RuleBook, due_rules_errors, reports_to_from


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


class ChainQuerySet(models.QuerySet):
    def rulebook(self, *, replace: tuple[ReportingChain, list[DueRule]] | None = None) -> RuleBook:
        """Every active rule set as plain lookups (a few queries whatever the
        size); `replace` puts one set's rules as they would be saved."""
        book = RuleBook(
            level_days=dict(LevelDeadline.objects.values_list("agency_kind", "working_days")),
            province_due_days=dict(ReportingRule.objects.values_list("pk", "due_day")),
        )
        replaced = replace[0] if replace else None
        for rule in DueRule.objects.filter(chain__is_active=True).select_related("chain"):
            if replaced is not None and rule.chain.owner_id == replaced.owner_id:
                continue
            book.rules.setdefault(rule.chain.owner_id, {})[(rule.period_rule_id, rule.agency_kind)] = rule
        if replace and replaced is not None:  # checked as if it applied, even while switched off
            book.rules[replaced.owner_id] = {(r.period_rule_id, r.agency_kind): r for r in replace[1]}
        # Periods are made for the active kinds and for any kind a set asks
        # for (a province wanting monthly reports from its communes).
        asked = {pk for rules in book.rules.values() for pk, _ in rules if pk}
        book.period_rules = list(ReportingRule.objects.filter(models.Q(is_active=True) | models.Q(pk__in=asked)))
        return book


class ReportingChain(models.Model):
    """A set of reporting rules as one authority wrote them: the central set
    (owner empty: provinces to Bộ Nội vụ by the 20th, ministries to the
    Government by the 25th, Nghị định 09/2019) or a province's (or any
    agency's) own rules for the units below it. An agency's deadline comes
    from the nearest set above it that has a rule for its kind."""

    owner = models.OneToOneField(
        Agency, verbose_name="cơ quan ban hành", null=True, blank=True, on_delete=models.PROTECT,
        related_name="reporting_chain",
        help_text="Để trống: quy định chung của Trung ương. Chọn một tỉnh (hay đơn vị) để đặt hạn riêng "
                  "cho các đơn vị cấp dưới của mình.",
    )
    name = models.CharField("tên bộ quy định", max_length=200)
    basis = models.CharField(
        "căn cứ", max_length=255, blank=True, help_text="Ví dụ «Quyết định số 12/2025/QĐ-UBND ngày …»."
    )
    is_active = models.BooleanField("đang áp dụng", default=True)

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = "bộ quy định hạn báo cáo"
        verbose_name_plural = "bộ quy định hạn báo cáo"
        ordering = ["owner__name"]
        constraints = [
            # One central set: NULL owners are not unique by themselves.
            models.UniqueConstraint(Coalesce("owner", models.Value(0)), name="chain_one_per_owner",
                                    violation_error_message="Đơn vị này (hoặc Trung ương) đã có bộ quy định."),
        ]

    def __str__(self) -> str:
        return self.name

    def owners(self, book: RuleBook) -> list[int | None]:
        """The sets that speak for this set's units: itself, then those above."""
        if self.owner_id is None:
            return [None]
        return book.owners_for(agency_ancestor_ids(agency_id=self.owner_id))

    def rules_errors(self, *, rules: list[DueRule], changed: list[DueRule],
                     today: dt.date | None = None) -> list[str]:
        """Why these rules (the whole set as it would be saved) cannot stand."""
        book = ReportingChain.objects.rulebook(replace=(self, rules))
        below = Agency.objects.filter(parent__isnull=False)
        if self.owner_id is not None:
            below = below.filter(pk__in=agency_subtree_ids(agency_ids=[self.owner_id]))
        links = below.order_by().values_list("kind", "parent__kind").distinct()
        return due_rules_errors(
            book=book, owner_id=self.owner_id, owner_kind=self.owner.kind if self.owner else None,
            reports_to=reports_to_from(links), owners=self.owners(book), changed=changed, today=today or timezone.localdate(),
            period_model=ReportingPeriod,
        )


class DueRule(models.Model):
    """When one kind of agency sends its report, as the chain's authority
    wrote it: a fixed day of the period's last month ("trước ngày 05 tháng
    cuối quý") or N working days after the cut-off. A rule for one period
    kind wins over the chain's rule for every kind."""

    class Mode(models.TextChoices):
        FIXED_DAY = "fixed_day", "Ngày cố định trong tháng cuối kỳ"
        WORKING_DAYS = "working_days", "Số ngày làm việc sau ngày chốt số liệu"

    chain = models.ForeignKey(ReportingChain, verbose_name="bộ quy định", on_delete=models.CASCADE,
                              related_name="rules")
    period_rule = models.ForeignKey(
        ReportingRule, verbose_name="loại kỳ", null=True, blank=True, on_delete=models.PROTECT,
        related_name="due_rules", help_text="Để trống: áp dụng cho mọi loại kỳ.",
    )
    agency_kind = models.CharField("cấp gửi báo cáo", max_length=20, choices=Agency.Kind.choices)
    cutoff_day = models.PositiveSmallIntegerField(
        "ngày chốt số liệu riêng", null=True, blank=True, validators=[MaxValueValidator(28)],
        help_text="Ngày trong tháng cuối kỳ; 0 = ngày cuối của tháng trước đó; "
                  "để trống = ngày chốt của kỳ (ngày 14).",
    )
    mode = models.CharField("cách tính hạn", max_length=20, choices=Mode.choices, default=Mode.FIXED_DAY)
    due_day = models.PositiveSmallIntegerField(
        "hạn: ngày trong tháng cuối kỳ", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    working_days = models.PositiveSmallIntegerField(
        "hạn: số ngày làm việc sau ngày chốt", null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "hạn gửi báo cáo"
        verbose_name_plural = "hạn gửi báo cáo"
        ordering = ["chain", "period_rule__position", "agency_kind"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "period_rule", "agency_kind"], name="due_rule_unique",
                                    violation_error_message="Cấp này đã có hạn cho loại kỳ này."),
            models.UniqueConstraint(fields=["chain", "agency_kind"], condition=models.Q(period_rule__isnull=True),
                                    name="due_rule_unique_every_kind",
                                    violation_error_message="Cấp này đã có hạn chung cho mọi loại kỳ."),
        ]

    def __str__(self) -> str:
        kind = self.period_rule.get_kind_display() if self.period_rule else "mọi kỳ"
        if self.mode == self.Mode.FIXED_DAY:
            due = f"ngày {self.due_day} tháng cuối kỳ"
        else:
            due = f"{self.working_days} ngày làm việc sau ngày chốt"
        return f"{self.get_agency_kind_display()} – {kind}: {due}"

    def clean(self) -> None:
        if self.mode == self.Mode.FIXED_DAY and not self.due_day:
            raise ValidationError({"due_day": "Nhập ngày hạn trong tháng cuối kỳ."})
        if self.mode == self.Mode.WORKING_DAYS and not self.working_days:
            raise ValidationError({"working_days": "Nhập số ngày làm việc sau ngày chốt."})
        if self.mode == self.Mode.FIXED_DAY:
            self.working_days = None
        else:
            self.due_day = None
        # The admin's formset checks all rows together (two levels edited at
        # once); elsewhere the rule is checked against its saved siblings.
        if not self.chain_id or getattr(self, "checked_with_siblings", False):
            return
        siblings = list(self.chain.rules.exclude(pk=self.pk)) if self.pk else list(self.chain.rules.all())
        errors = self.chain.rules_errors(rules=[*siblings, self], changed=[self])
        if errors:
            raise ValidationError(errors)


class PlanDeadline(models.Model):
    """The deadline for issuing next year's plan ("ban hành kế hoạch năm sau
    trước ngày 20/11"), per chain like the report deadlines."""

    chain = models.ForeignKey(ReportingChain, verbose_name="bộ quy định", on_delete=models.CASCADE,
                              related_name="plan_deadlines")
    agency_kind = models.CharField("cấp ban hành kế hoạch", max_length=20, choices=Agency.Kind.choices, blank=True,
                                   help_text="Để trống: mọi cấp.")
    day = models.PositiveSmallIntegerField("ngày", validators=[MinValueValidator(1), MaxValueValidator(31)])
    month = models.PositiveSmallIntegerField("tháng (của năm trước năm kế hoạch)",
                                             validators=[MinValueValidator(1), MaxValueValidator(12)])

    class Meta:
        verbose_name = "hạn ban hành kế hoạch năm"
        verbose_name_plural = "hạn ban hành kế hoạch năm"
        constraints = [
            models.UniqueConstraint(fields=["chain", "agency_kind"], name="plan_deadline_unique",
                                    violation_error_message="Cấp này đã có hạn ban hành kế hoạch."),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_kind_display() or 'Mọi cấp'}: trước {self.day:02d}/{self.month:02d}"

    def clean(self) -> None:
        try:
            dt.date(2001, self.month, self.day)  # any non-leap year: 29/02 is refused
        except (TypeError, ValueError):
            raise ValidationError("Ngày tháng không hợp lệ.") from None
