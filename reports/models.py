"""Periodic reports on assigned tasks: reports with a line per task, evidence
files, every review round, and the reminders about them. The calendar they
follow (rules, periods) lives in the schedule app below plans."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from agencies.models import Agency
from common.files import bounded_name
from plans.models import Counter, Plan, PlanTransition, Task
from schedule.models import ReportingPeriod


class Report(models.Model):
    """One agency's report for one period: a line per assigned task."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Chưa nộp"
        SUBMITTED = "submitted", "Chờ xem xét"
        RETURNED = "returned", "Bị trả lại"
        ACCEPTED = "accepted", "Đã tiếp nhận"

    agency = models.ForeignKey(Agency, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, verbose_name="kỳ", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    due_date = models.DateField("hạn nộp")
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    results = models.TextField("kết quả đạt được", blank=True)
    shortcomings = models.TextField("tồn tại, hạn chế", blank=True)
    proposals = models.TextField("đề xuất, kiến nghị", blank=True)
    # Sent on paper outside the portal and entered later by a reviewer or an
    # admin (services.report_record): submitted_at is the paper's date.
    recorded = models.BooleanField("nộp ngoài cổng (ghi nhận lại)", default=False)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"
        ordering = ["-period__end", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["agency", "period"], name="report_unique_per_period")]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.agency.display_name} – {self.period.label}"

    @property
    def status_tone(self) -> str:
        """The Bootstrap colour of the status badge."""
        tones: dict[str, str] = {
            self.Status.ACCEPTED: "success", self.Status.SUBMITTED: "primary", self.Status.RETURNED: "warning",
        }
        return tones.get(self.status, "secondary")

    @property
    def days_late(self) -> int:
        """Calendar days past the due date at submission (0 if on time or not submitted)."""
        if self.submitted_at is None:
            return 0
        from django.utils import timezone

        submitted_on = timezone.localtime(self.submitted_at).date()
        return max(0, (submitted_on - self.due_date).days)


class ReportLine(models.Model):
    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Chưa triển khai"
        IN_PROGRESS = "in_progress", "Đang triển khai"
        DONE = "done", "Hoàn thành"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="report_lines")
    state = models.CharField("tình trạng", max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(
        "tiến độ (%)", default=0, validators=[MaxValueValidator(100)]
    )
    # The day the figures of this line start to count from: the day after the
    # period of the task's previous report line ends (so Q1 and the 6-month
    # report never count 15/12-14/03 twice), else the period's own start.
    stretch_start = models.DateField("số liệu tính từ ngày", null=True, blank=True)
    spent = models.PositiveBigIntegerField("kinh phí đã dùng (đồng)", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)
    review_comment = models.TextField("ý kiến xem xét", blank=True)

    class Meta:
        verbose_name = "dòng báo cáo"
        verbose_name_plural = "dòng báo cáo"
        ordering = ["task__plan_id", "task__position"]
        constraints = [models.UniqueConstraint(fields=["report", "task"], name="report_line_unique_task")]

    def __str__(self) -> str:
        return f"{self.report} – {self.task}"


class ReportFigure(models.Model):
    """One counter's figure on a report line, for the line's stretch (from
    `line.stretch_start` to the period's cut-off). The label and unit are kept
    as filed: renaming a counter later does not rewrite accepted reports."""

    line = models.ForeignKey(ReportLine, on_delete=models.CASCADE, related_name="figures")
    counter = models.ForeignKey(Counter, verbose_name="chỉ tiêu", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("tên chỉ tiêu khi nộp", max_length=200)
    unit = models.CharField("đơn vị tính khi nộp", max_length=40, blank=True)
    value = models.PositiveBigIntegerField("số liệu")
    approximate = models.BooleanField("số ước tính (khoảng, gần)", default=False)
    note = models.CharField("ghi chú số liệu", max_length=200, blank=True)

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
        ordering = ["counter__position", "counter__label"]
        constraints = [models.UniqueConstraint(fields=["line", "counter"], name="figure_once_per_line_counter")]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class ReportRollup(models.Model):
    """A sent report's lines added up per plan, area, channel and the day
    their figures count from (reports/rollup.py keeps it, from submission
    until a return): what the dashboard adds up instead of the lines. The
    report's agency and period are copied so a total needs no join."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    period_end = models.DateField()
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("plans.Area", null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("plans.Channel", null=True, on_delete=models.CASCADE, related_name="+")
    stretch_from = models.DateField()  # the lines' stretch_start, or the period's start
    tasks = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    in_progress = models.PositiveIntegerField()
    not_started = models.PositiveIntegerField()
    percent_sum = models.PositiveIntegerField()
    spent = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["period", "agency"], name="rollup_period_agency"),
                   models.Index(fields=["year", "agency"], name="rollup_year_agency")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.area_id} x {self.channel_id} from {self.stretch_from}"


class ReportRollupFigure(models.Model):
    """One counter's total over the lines of a rollup row."""

    rollup = models.ForeignKey(ReportRollup, on_delete=models.CASCADE, related_name="figures")
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="+")
    total = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.rollup_id}: {self.counter_id} = {self.total}"


class RootRollup(models.Model):
    """The rollup of a whole tree (a province: every unit of its scope, the
    units merged into them included) per period, plan, area, channel and
    stretch start: the national and province dashboards add up these, a few
    hundred rows, instead of every report's (reports/rollup.py)."""

    root = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    period_end = models.DateField()
    # Plans issued by a root only (those the dashboard filters whole trees by); None: the units' plans.
    plan = models.ForeignKey(Plan, null=True, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("plans.Area", null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("plans.Channel", null=True, on_delete=models.CASCADE, related_name="+")
    stretch_from = models.DateField()
    counter = models.ForeignKey(Counter, null=True, on_delete=models.CASCADE, related_name="+")  # None: the lines
    tasks = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    percent_sum = models.PositiveIntegerField(default=0)
    spent = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)  # the counter's

    class Meta:
        indexes = [models.Index(fields=["root", "period"], name="root_rollup_root_period"),
                   models.Index(fields=["root", "year", "stretch_from"], name="root_rollup_root_stretch")]

    def __str__(self) -> str:
        return f"{self.root_id} {self.period_id}: {self.area_id} x {self.channel_id} {self.counter_id or ''}"


class RootRollupTree(models.Model):
    """The agency tree the root rollups were built on (a checksum): when the
    tree has changed since, the dashboard adds up the reports' rollup instead
    until they are built again."""

    stamp = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.stamp


EVIDENCE_NAME_MAX_LENGTH = 300


def evidence_path(instance, filename: str) -> str:
    """evidence/<year>/<report id>/<sha256 prefix>-<file name>, shortened to
    fit the field and a file system's 255-byte names (an uploaded name may be
    400 characters long); the name as uploaded stays in original_name."""
    folder = f"evidence/{instance.report.period.year}/{instance.report_id}"
    return bounded_name(folder, f"{instance.sha256[:16]}-{filename}", max_length=EVIDENCE_NAME_MAX_LENGTH)


class Evidence(models.Model):
    """A file proving the work (PDF, image, DOCX, XLSX); never public static."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=EVIDENCE_NAME_MAX_LENGTH)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ReportEvent(models.Model):
    """Every submission and review round, kept."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Nộp báo cáo"
        RETURNED = "returned", "Trả lại"
        ACCEPTED = "accepted", "Tiếp nhận"
        RECORDED = "recorded", "Ghi nhận báo cáo nộp ngoài cổng"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    comment = models.TextField(blank=True)
    # Per-line comments of a return round: {task id: comment}.
    line_comments = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.report}"



class Notice(models.Model):
    """One message about one subject: a report (its deadline, or an event of
    its review: submitted, returned, accepted), a unit's plan for a year (the
    deadline for issuing it, when no plan may exist yet), or a plan (a move
    of its lifecycle: submitted, returned, withdrawn, issued). A unique key
    makes each notice go out once: a second sweep, a second worker, a retry
    or a second click finds the row and sends nothing new. Deadline notices
    are keyed by (subject, kind, day); event notices by the event itself
    (`event` for a report, `transition` and the unit told for a plan), since
    a plan or a report may be returned twice in one day. Each key is
    conditional because NULLs never collide in a unique index (PostgreSQL
    and SQLite alike)."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Sắp đến hạn"
        DUE = "due", "Đến hạn hôm nay"
        OVERDUE = "overdue", "Quá hạn"
        ESCALATION = "escalation", "Báo cáo cơ quan Nội vụ: quá hạn lâu"
        RETURNED = "returned", "Bị trả lại"
        MANUAL = "manual", "Nhắc từ cơ quan Nội vụ"
        # Events of a report's review or of a plan's lifecycle.
        SUBMITTED = "submitted", "Đã trình, chờ xử lý"
        ACCEPTED = "accepted", "Đã tiếp nhận"
        WITHDRAWN = "withdrawn", "Đã thu hồi"
        ISSUED = "issued", "Đã ban hành"

    # A report's reminders: what its submission answers.
    DEADLINE_KINDS = (Kind.BEFORE_DUE, Kind.DUE, Kind.OVERDUE, Kind.ESCALATION, Kind.MANUAL)

    # Exactly one subject (notice_has_one_subject): `report`; or `agency` with
    # `year` (the unit owing its plan for that year); or `plan`, with the unit
    # told (`agency`: the issuer, or a lead unit of an issued plan's tasks).
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    agency = models.ForeignKey(Agency, verbose_name="đơn vị", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="plan_notices")
    year = models.PositiveSmallIntegerField("năm kế hoạch", null=True, blank=True)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    # The event a notice tells of: a report's review round, a plan's move.
    event = models.ForeignKey(ReportEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    transition = models.ForeignKey(PlanTransition, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField("ngày nhắc")
    recipients = models.JSONField("người nhận (e-mail)", default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("đã gửi e-mail lúc", null=True, blank=True)
    # Set by the worker that is sending; another worker leaves the notice
    # alone unless the claim is older than a send could take (a dead worker).
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The database, not the broker, says what is left to send: the requeue
    # enqueues every unsent notice still relevant whose time has come (set
    # when it is enqueued, claimed, or failed: capped backoff).
    next_attempt_at = models.DateTimeField("thử gửi lại từ", null=True, blank=True)
    # What the notice asked for was done (the report was submitted, the plan
    # moved on): its bell rows were marked read and an e-mail not sent yet never goes.
    closed_at = models.DateTimeField("đã đóng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt thông báo"
        verbose_name_plural = "lượt thông báo"
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(report__isnull=False, agency__isnull=True, year__isnull=True, plan__isnull=True,
                             transition__isnull=True)
                    | models.Q(report__isnull=True, agency__isnull=False, year__isnull=False, plan__isnull=True,
                               event__isnull=True, transition__isnull=True)
                    | models.Q(report__isnull=True, year__isnull=True, plan__isnull=False, event__isnull=True)
                ),
                name="notice_has_one_subject",
            ),
            # A plan's move is told to a unit: the key needs it.
            models.CheckConstraint(condition=models.Q(transition__isnull=True) | models.Q(agency__isnull=False),
                                   name="notice_of_a_move_names_its_unit"),
            models.UniqueConstraint(fields=["report", "kind", "day"],
                                    condition=models.Q(report__isnull=False, event__isnull=True),
                                    name="notice_once_per_report_kind_day"),
            models.UniqueConstraint(fields=["event", "kind"], condition=models.Q(event__isnull=False),
                                    name="notice_once_per_report_event"),
            models.UniqueConstraint(fields=["agency", "year", "kind", "day"], condition=models.Q(year__isnull=False),
                                    name="notice_once_per_plan_year_kind_day"),
            models.UniqueConstraint(fields=["plan", "kind", "day"],
                                    condition=models.Q(plan__isnull=False, transition__isnull=True),
                                    name="notice_once_per_plan_kind_day"),
            models.UniqueConstraint(fields=["transition", "kind", "agency"],
                                    condition=models.Q(transition__isnull=False),
                                    name="notice_once_per_plan_move_unit"),
        ]
        indexes = [
            models.Index(fields=["sent_at"]),
            # The requeue's and the health check's read: the few unsent notices.
            models.Index(fields=["next_attempt_at"], name="notice_unsent_next_attempt",
                         condition=models.Q(sent_at__isnull=True, closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.subject_label} – {self.day:%d/%m/%Y}"

    @property
    def subject_label(self) -> str:
        if self.report_id:
            return str(self.report)
        if self.plan_id:
            return str(self.plan)
        return f"Kế hoạch năm {self.year} – {self.agency}"

    @property
    def target_noun(self) -> str:
        """What the notice opens: "báo cáo" or "kế hoạch"."""
        return "báo cáo" if self.report_id else "kế hoạch"

    @property
    def target_name(self) -> str:
        """Which one, as a button names it: "Quý I/2026 – Ủy ban nhân dân xã
        Một", "45/KH-UBND năm 2026 – …", "năm 2027 – …" (with report, period,
        plan, agency and issuer selected)."""
        if self.report_id:
            assert self.report is not None
            return f"{self.report.period.label} – {self.report.agency.name}"
        if self.plan_id:
            assert self.plan is not None
            plan = self.plan
            number = plan.reference if plan.number is not None else "dự thảo"
            return f"{number} năm {plan.years_label} – {plan.issuer.name}"
        return f"năm {self.year} – {self.agency.name if self.agency else ''}"

    @property
    def target_label(self) -> str:
        return f"{self.target_noun} {self.target_name}"


class NotificationPreference(models.Model):
    """A user's choice for one topic of notices: bell and e-mail (the
    default, when no row exists) or the bell only."""

    class Topic(models.TextChoices):
        PLAN_SUBMITTED = "plan_submitted", "Kế hoạch trình chờ phê duyệt"
        PLAN_RETURNED = "plan_returned", "Kế hoạch bị trả lại"
        PLAN_WITHDRAWN = "plan_withdrawn", "Kế hoạch đã trình được thu hồi"
        PLAN_ISSUED = "plan_issued", "Kế hoạch ban hành giao đơn vị chủ trì nhiệm vụ"
        PLAN_DEADLINE = "plan_deadline", "Nhắc hạn ban hành kế hoạch năm sau"
        REPORT_DEADLINE = "report_deadline", "Nhắc hạn nộp báo cáo"
        REPORT_SUBMITTED = "report_submitted", "Báo cáo được nộp, chờ xem xét"
        REPORT_RETURNED = "report_returned", "Báo cáo bị trả lại"
        REPORT_ACCEPTED = "report_accepted", "Báo cáo được tiếp nhận"
        REPORT_ESCALATION = "report_escalation", "Đơn vị quá hạn lâu chưa nộp báo cáo"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    topic = models.CharField("loại thông báo", max_length=20, choices=Topic.choices)
    email = models.BooleanField("gửi cả e-mail", default=True)

    class Meta:
        verbose_name = "tùy chọn thông báo"
        verbose_name_plural = "tùy chọn thông báo"
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_topic_display()}: {'chuông và e-mail' if self.email else 'chỉ chuông'}"


class Notification(models.Model):
    """The in-app copy of a notice, one per user (the bell)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="notification_once_per_user")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class SweepRun(models.Model):
    """One run of the daily reminder sweep: started, and finished unless it
    died midway. The hourly catch-up re-runs a day whose sweep did not
    finish; the health check reports the age of the last finished one."""

    day = models.DateField("ngày quét")
    started_at = models.DateTimeField("bắt đầu lúc", auto_now_add=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    created = models.PositiveIntegerField("thông báo mới", default=0)
    requeued = models.PositiveIntegerField("gửi lại", default=0)

    class Meta:
        verbose_name = "lượt quét nhắc hạn"
        verbose_name_plural = "lượt quét nhắc hạn"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["day", "finished_at"])]

    def __str__(self) -> str:
        return f"Quét ngày {self.day:%d/%m/%Y}"


SUMMARY_JOB_PREFIX = "documents/summaries/"


class SummaryDocumentJob(models.Model):
    """A period summary's BC (PDF, DOCX) or XLSX too large to build within a
    request: asked for on the summary page, built by the worker
    (reports.tasks.summary_document_task), which moves `progress` along;
    the asker downloads the stored file once it is done. The file is derived
    data: the job can be asked for again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang tạo"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Không tạo được"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_jobs")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name="đơn vị tổng hợp", on_delete=models.CASCADE, related_name="+")
    file_format = models.CharField("định dạng", max_length=4, choices=Format.choices)
    signer = models.JSONField("người ký, nơi lưu", default=dict, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0, validators=[MaxValueValidator(100)])
    step = models.CharField("bước", max_length=120, blank=True)
    file = models.FileField(upload_to=SUMMARY_JOB_PREFIX, max_length=255, blank=True)
    error = models.CharField("lỗi", max_length=255, blank=True)
    created_at = models.DateTimeField("yêu cầu lúc", auto_now_add=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "yêu cầu tạo báo cáo tổng hợp"
        verbose_name_plural = "yêu cầu tạo báo cáo tổng hợp"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_file_format_display()} tổng hợp {self.period} · {self.agency}"
