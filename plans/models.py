from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import ExtractYear
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from common.text import fold


class Area(models.Model):
    """Lĩnh vực CCHC (reference list, editable in admin, seeded by a migration)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "lĩnh vực CCHC"
        verbose_name_plural = "lĩnh vực CCHC"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """Hình thức tuyên truyền (reference list, editable in admin)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên hình thức", max_length=200)
    description = models.TextField("mô tả", blank=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "hình thức tuyên truyền"
        verbose_name_plural = "hình thức tuyên truyền"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """Chỉ tiêu thống kê: one kind of thing a report line counts (tin/bài on
    the portal, băng rôn, xuất xe cổ động, lượt người dự thi …), each on its
    own so a commune's and a department's figures add up like for like."""

    class Kind(models.TextChoices):
        FLOW = "flow", "Phát sinh trong kỳ (cộng dồn các kỳ)"
        STOCK = "stock", "Hiện có cuối kỳ (không cộng dồn)"

    code = models.SlugField("mã", max_length=40, unique=True)
    label = models.CharField("tên chỉ tiêu", max_length=200)
    unit = models.CharField("đơn vị tính", max_length=40, help_text="Ví dụ «tin, bài», «buổi», «lượt người», «cái».")
    kind = models.CharField("cách cộng", max_length=8, choices=Kind.choices, default=Kind.FLOW)
    channels = models.ManyToManyField(Channel, verbose_name="hình thức", related_name="counter_set", blank=True)
    # A figure above this is refused as a typo (an extra zero).
    max_value = models.PositiveIntegerField("giá trị tối đa một kỳ", default=1_000_000)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "chỉ tiêu thống kê"
        verbose_name_plural = "chỉ tiêu thống kê"
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.unit})"


class Plan(models.Model):
    """Kế hoạch (KH): everything printed in the official document."""

    class Kind(models.TextChoices):
        YEARLY = "yearly", "Kế hoạch năm"
        PERIOD = "period", "Kế hoạch giai đoạn"

    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        # Sent back by the head with a reason: a draft again, said so until it goes up again.
        RETURNED = "returned", "Bị trả lại"
        SUBMITTED = "submitted", "Chờ phê duyệt"
        ISSUED = "issued", "Đã ban hành"
        # A draft its drafter threw away: kept whole (with who and when in its
        # transitions) but shown nowhere in the portal.
        DELETED = "deleted", "Đã xóa"

    # The statuses in which a plan is a draft its writers may change.
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    issuer = models.ForeignKey(
        Agency, verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField("loại kế hoạch", max_length=10, choices=Kind.choices, default=Kind.YEARLY)
    year_start = models.PositiveSmallIntegerField("từ năm")
    year_end = models.PositiveSmallIntegerField("đến năm")
    class Form(models.TextChoices):
        STANDALONE = "standalone", "Kế hoạch (văn bản độc lập)"
        DECISION = "decision", "Kế hoạch ban hành kèm theo Quyết định"

    class BasisStyle(models.TextChoices):
        PARAGRAPH = "paragraph", "Một đoạn liền (thường gặp trong kế hoạch)"
        LINES = "lines", "Mỗi căn cứ một dòng, in nghiêng (như Quyết định)"

    # The numeric key sorts and keeps number + symbol unique per year; the
    # number is printed as written ("049" stays "049").
    number = models.PositiveIntegerField("số", null=True, blank=True)
    number_text = models.CharField("số như viết", max_length=12, blank=True)
    symbol = models.CharField(
        "ký hiệu", max_length=40, help_text='Ví dụ "KH-UBND", "KH-SGTVT", "KH-BNV".'
    )
    form = models.CharField("hình thức văn bản", max_length=12, choices=Form.choices, default=Form.STANDALONE)
    # A plan issued on paper before it came into the portal: entered with its
    # real number, date and signer, marked so nobody thinks it was issued here.
    recorded = models.BooleanField("ban hành ngoài cổng (ghi nhận lại)", default=False)
    # Imported plans keep the letters and numbers they were written with.
    keep_markers = models.BooleanField("giữ nguyên số thứ tự như bản gốc", default=False)
    basis_style = models.CharField(
        "cách trình bày căn cứ", max_length=10, choices=BasisStyle.choices, default=BasisStyle.PARAGRAPH
    )
    # The Quyết định a plan is issued with (form == DECISION).
    decision_number = models.PositiveIntegerField("số quyết định", null=True, blank=True)
    decision_number_text = models.CharField("số quyết định như viết", max_length=12, blank=True)
    decision_symbol = models.CharField("ký hiệu quyết định", max_length=40, blank=True,
                                       help_text='Ví dụ "QĐ-UBND", "QĐ-BNV".')
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    decision_title = models.TextField("trích yếu quyết định", blank=True)
    decision_basis = models.TextField("căn cứ của quyết định", blank=True, help_text="Mỗi căn cứ một dòng.")
    decision_articles = models.TextField("các điều của quyết định", blank=True,
                                         help_text="Mỗi điều một đoạn, bắt đầu «Điều 1.», «Điều 2.» …")
    # Source lines an importer could not place, kept with the draft until the drafter deals with them.
    unplaced_text = models.TextField("dòng chưa xếp được khi nhập", blank=True)
    issue_date = models.DateField("ngày ban hành", null=True, blank=True)
    # Drafts often carry the expected month and year ("ngày   tháng 01 năm 2025")
    # while the day waits for signing.
    draft_month = models.PositiveSmallIntegerField("tháng dự kiến ban hành", null=True, blank=True)
    draft_year = models.PositiveSmallIntegerField("năm dự kiến ban hành", null=True, blank=True)
    place = models.CharField("địa danh", max_length=120)
    title = models.TextField("trích yếu")
    basis_lead_in = models.TextField(
        "câu dẫn sau căn cứ",
        blank=True,
        help_text='Ví dụ "Ủy ban nhân dân huyện … xây dựng Kế hoạch … với những nội dung sau:"',
    )
    budget_total = models.PositiveBigIntegerField("tổng kinh phí (đồng)", null=True, blank=True)
    report_rules = models.ManyToManyField(
        "schedule.ReportingRule", verbose_name="kỳ báo cáo", blank=True, related_name="plans",
        help_text="Các kỳ mà đơn vị chủ trì nhiệm vụ phải báo cáo.",
    )
    closing_text = models.TextField("đoạn kết", blank=True)
    signer_authority = models.TextField(
        "thẩm quyền ký",
        blank=True,
        help_text='Mỗi dòng một cấp, ví dụ "TM. ỦY BAN NHÂN DÂN" rồi "KT. CHỦ TỊCH".',
    )
    signer_position = models.CharField("chức vụ người ký", max_length=120, blank=True)
    signer_name = models.CharField("họ tên người ký", max_length=120, blank=True)
    status = models.CharField(
        "trạng thái", max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveSmallIntegerField("phiên bản", default=1)
    # Shown on the public register (/cong-khai/) once issued: the issuer
    # chooses when issuing (on by default) and its head may change it later.
    published = models.BooleanField("công khai trên trang công khai", default=True)
    # Bumped by every save through the services: a form posted with an older
    # value was edited by someone else in the meantime and is refused.
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    # Title, number and issuer folded to ASCII lower case for searching.
    search_text = models.TextField(default="", editable=False)
    # The one-time key of the form that created the plan: a second post of
    # the same form (a double click) finds this plan instead of making another.
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    amends = models.ForeignKey(
        "self",
        verbose_name="sửa đổi kế hoạch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "lock_version", "updated_at", "creation_key"])

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["-year_start", "issuer__name", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_end__gte=models.F("year_start")),
                name="plan_years_ordered",
                violation_error_message="Năm kết thúc không được trước năm bắt đầu.",
            ),
            # Nghị định 30, Điều 15: number + symbol unique per issuer and year.
            models.UniqueConstraint(
                "issuer",
                "symbol",
                "number",
                ExtractYear("issue_date"),
                condition=models.Q(number__isnull=False, issue_date__isnull=False),
                name="plan_number_unique_per_issuer_year",
                violation_error_message="Số và ký hiệu này đã được dùng trong năm ban hành.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.title} {self.reference} {self.issuer.name} {self.years_label}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def number_label(self) -> str:
        """The number as printed: as written if known, else with ND30's leading zero below 10."""
        if self.number is None:
            return ""
        return self.number_text or f"{self.number:02d}"

    @property
    def reference(self) -> str:
        """"255/KH-UBND" once numbered; drafts leave the number blank as the seeds do."""
        return f"{self.number_label}/{self.symbol}"

    @property
    def decision_reference(self) -> str:
        if self.decision_number is None:
            return f"/{self.decision_symbol}"
        return f"{self.decision_number_text or f'{self.decision_number:02d}'}/{self.decision_symbol}"

    @property
    def years_label(self) -> str:
        if self.year_start == self.year_end:
            return str(self.year_start)
        return f"{self.year_start} - {self.year_end}"

    @property
    def status_tone(self) -> str:
        """The Bootstrap colour of the status badge."""
        tones: dict[str, str] = {self.Status.ISSUED: "success", self.Status.SUBMITTED: "warning",
                                 self.Status.RETURNED: "danger"}
        return tones.get(self.status, "secondary")

    def clean(self) -> None:
        if self.year_start and self.year_end and self.year_end < self.year_start:
            raise ValidationError({"year_end": "Năm kết thúc không được trước năm bắt đầu."})
        if self.draft_month is not None and not 1 <= self.draft_month <= 12:
            raise ValidationError({"draft_month": "Tháng phải từ 1 đến 12."})
        if self.kind == self.Kind.YEARLY and self.year_start != self.year_end:
            raise ValidationError({"year_end": "Kế hoạch năm chỉ gồm một năm."})
        if self.status == self.Status.ISSUED and (self.number is None or self.issue_date is None):
            raise ValidationError("Kế hoạch đã ban hành phải có số và ngày ban hành.")


class BasisReference(models.Model):
    """A "Căn cứ …" / "Thực hiện …" reference: a plan in the portal or an outside document."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="basis_references")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    verb = models.CharField("từ dẫn", max_length=40, default="Căn cứ")
    text = models.TextField("văn bản")
    linked_plan = models.ForeignKey(
        Plan,
        verbose_name="kế hoạch cấp trên trong hệ thống",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_references",
    )

    class Meta:
        verbose_name = "căn cứ"
        verbose_name_plural = "căn cứ"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.text}"


class Responsibility(models.Model):
    """One agency's duties under "Tổ chức thực hiện"; is_request marks "Đề nghị …"
    for bodies outside the administrative chain (MTTQ, unions)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="responsibilities")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    title = models.CharField(
        "tên cơ quan như in",
        max_length=255,
        blank=True,
        help_text="Để trống khi khoản không có tiêu đề riêng (nội dung viết liền sau số thứ tự).",
    )
    marker_text = models.CharField("số thứ tự như viết", max_length=12, blank=True)
    is_request = models.BooleanField("đề nghị (ngoài hệ thống hành chính)", default=False)

    class Meta:
        verbose_name = "trách nhiệm thực hiện"
        verbose_name_plural = "trách nhiệm thực hiện"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title or (self.agency.name if self.agency else f"Khoản {self.position}")


class Heading(models.Model):
    """A heading of the plan's body as written: a section ("I. MỤC TIÊU, YÊU
    CẦU", parent None) or a part under it ("1. Mục tiêu"). Its role is what
    the portal computes with: the clauses of that role print under it. A
    plan with no headings prints today's template (plans/layout.py)."""

    class Role(models.TextChoices):
        GROUP = "group", "Nhóm đề mục (chỉ chứa đề mục con)"
        PURPOSE = "purpose", "Mục đích / mục tiêu"
        REQUIREMENT = "requirement", "Yêu cầu"
        CONTENT = "content", "Nội dung tuyên truyền"
        CHANNEL = "channel", "Hình thức tuyên truyền"
        FUNDING = "funding", "Kinh phí"
        DUTY = "duty", "Tổ chức thực hiện (trách nhiệm các cơ quan)"
        OTHER = "other", "Phần khác (đối tượng, nhiệm vụ và giải pháp…)"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="headings")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField("thứ tự", default=0)
    marker_text = models.CharField(
        "số thứ tự như viết", max_length=12, blank=True, help_text="Để trống để cổng tự đánh số (I., II. / 1., 2.)."
    )
    text = models.TextField("đề mục")
    role = models.CharField("vai trò", max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = "đề mục"
        verbose_name_plural = "đề mục"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Clause(models.Model):
    """One printed clause of a plan section, in order, optionally nested.

    Every ordered text list of a KH is a clause list: purposes, requirements,
    content items (ContentItem in the glossary, tagged with a CCHC area),
    channels (tagged with a channel), funding, an agency's duties and the
    recipients. The marker says how the clause is printed; letters and numbers
    are counted from its position, so reordering renumbers.
    """

    class Section(models.TextChoices):
        PURPOSE = "purpose", "Mục đích"
        REQUIREMENT = "requirement", "Yêu cầu"
        CONTENT = "content", "Nội dung tuyên truyền"
        CHANNEL = "channel", "Hình thức tuyên truyền"
        FUNDING = "funding", "Kinh phí thực hiện"
        DUTY = "duty", "Nhiệm vụ của cơ quan"
        RECIPIENT = "recipient", "Nơi nhận"
        OTHER = "other", "Phần khác"

    class Marker(models.TextChoices):
        LETTER = "letter", "a) b) c)"
        NUMBER = "number", "1.1. 1.2."
        DASH = "dash", "- gạch đầu dòng"
        PLUS = "plus", "+ dấu cộng"
        PARAGRAPH = "paragraph", "Đoạn văn (không ký hiệu)"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="clauses")
    section = models.CharField("phần", max_length=12, choices=Section.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    responsibility = models.ForeignKey(
        Responsibility, null=True, blank=True, on_delete=models.CASCADE, related_name="duties"
    )
    # Under which heading it prints, when its section alone does not say
    # (an "other" section, or two headings of one role).
    heading = models.ForeignKey(
        Heading, null=True, blank=True, on_delete=models.CASCADE, related_name="clauses"
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    marker = models.CharField("ký hiệu đầu dòng", max_length=10, choices=Marker.choices)
    # The marker as written ("đ)", "1.1."), printed as is when the plan keeps its markers.
    marker_text = models.CharField("ký hiệu như viết", max_length=12, blank=True)
    text = models.TextField("nội dung")
    area = models.ForeignKey(
        Area, verbose_name="lĩnh vực", null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.ForeignKey(
        Channel, verbose_name="hình thức", null=True, blank=True, on_delete=models.PROTECT
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "mục nội dung"
        verbose_name_plural = "mục nội dung"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["plan", "section", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section="duty", responsibility__isnull=False)
                | (~models.Q(section="duty") & models.Q(responsibility__isnull=True)),
                name="clause_duty_has_responsibility",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Task(models.Model):
    """A row of the plan's appendix (phụ lục nhiệm vụ)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField("thứ tự", default=0)
    content = models.TextField("nội dung nhiệm vụ")
    area = models.ForeignKey(
        Area, verbose_name="lĩnh vực", null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.ForeignKey(
        Channel, verbose_name="hình thức", null=True, blank=True, on_delete=models.PROTECT
    )
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan chủ trì",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    coordinating_agencies = models.ManyToManyField(
        Agency, verbose_name="cơ quan phối hợp", blank=True, related_name="coordinated_tasks"
    )
    coordinating_text = models.CharField(
        "phối hợp (khác)",
        max_length=255,
        blank=True,
        help_text="Cơ quan, tổ chức phối hợp không có trong danh sách đơn vị.",
    )
    timeframe = models.CharField(
        "thời gian / tần suất", max_length=120, blank=True, help_text='Ví dụ "Hằng tháng", "Quý II".'
    )
    deadline = models.DateField("hạn hoàn thành", null=True, blank=True)
    product = models.CharField("sản phẩm", max_length=255, blank=True)
    budget = models.PositiveBigIntegerField("kinh phí (đồng)", null=True, blank=True)
    target_quantity = models.PositiveIntegerField("chỉ tiêu số lượng", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)
    # Bumped by every save: a row posted with an older value was saved
    # elsewhere (another tab, a colleague) meanwhile and is refused.
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    # The one-time key of the form that added the row (see Plan.creation_key).
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords(m2m_fields=[coordinating_agencies], excluded_fields=["lock_version", "creation_key"])

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ (phụ lục)"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.content[:80]

    def clean(self) -> None:
        plan = self.plan if self.plan_id else None
        if plan and self.deadline and not (plan.year_start <= self.deadline.year <= plan.year_end):
            raise ValidationError(
                {"deadline": f"Hạn hoàn thành phải nằm trong thời gian của kế hoạch ({plan.years_label})."}
            )


class PlanTransition(models.Model):
    """One step of the lifecycle: who moved the plan, when, why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("từ trạng thái", max_length=12, choices=Plan.Status.choices)
    to_status = models.CharField("sang trạng thái", max_length=12, choices=Plan.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người thực hiện", null=True, on_delete=models.SET_NULL
    )
    comment = models.TextField("ý kiến", blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "chuyển trạng thái"
        verbose_name_plural = "lịch sử trạng thái"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class PlanImport(models.Model):
    """An existing plan brought in from a Word/PDF file or pasted text, as
    recognised, waiting on the review page until the drafter saves it as a
    draft. `structure` is the plan's structured form (docs/plan-structure.md)
    with the lines the importer could not place under "unplaced"."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    issuer = models.ForeignKey(Agency, verbose_name="cơ quan ban hành", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField("tệp", max_length=255, blank=True)
    source_lines = models.JSONField("văn bản gốc (từng dòng)", default=list)
    structure = models.JSONField("nội dung nhận dạng", default=dict)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lượt nhập kế hoạch"
        verbose_name_plural = "lượt nhập kế hoạch"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename or f"Nhập kế hoạch #{self.pk}"


def _signed_copy_upload_to(instance: "PlanSignedCopy", filename: str) -> str:
    from common.files import bounded_name

    return bounded_name(f"documents/plan-signed/{instance.plan_id}", filename, max_length=200)  # SIGNED_PREFIX


class PlanSignedCopy(models.Model):
    """Bản ký số: the issued plan's PDF with its digital signature, the
    official copy. Stored only once it verified (nd30.signing.pdf_verify);
    the downloads serve it instead of the portal's PDF while `verified_ok`."""

    class Source(models.TextChoices):
        UPLOADED = "uploaded", "Tải lên (ký ngoài cổng)"
        PORTAL = "portal", "Cổng ký bằng chứng thư của đơn vị"

    plan = models.OneToOneField(Plan, verbose_name="kế hoạch", on_delete=models.CASCADE, related_name="signed_copy")
    file = models.FileField("tệp PDF đã ký", upload_to=_signed_copy_upload_to, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("dung lượng (byte)")
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    signer_name = models.CharField("người ký (chứng thư)", max_length=255, blank=True)
    signer_organisation = models.CharField("tổ chức (chứng thư)", max_length=255, blank=True)
    signed_at = models.DateTimeField("thời điểm ký", null=True, blank=True)
    certificate_serial = models.CharField("số hiệu chứng thư", max_length=80, blank=True)
    certificate_not_before = models.DateTimeField("chứng thư hiệu lực từ", null=True, blank=True)
    certificate_not_after = models.DateTimeField("chứng thư hiệu lực đến", null=True, blank=True)
    verified_ok = models.BooleanField("chữ ký hợp lệ", default=False)
    verification_reason = models.TextField("kết quả kiểm tra", blank=True)
    verified_at = models.DateTimeField("kiểm tra lúc")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tải lên / ký", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "bản ký số kế hoạch"
        verbose_name_plural = "bản ký số kế hoạch"

    def __str__(self) -> str:
        return f"Bản ký số – {self.plan}"
