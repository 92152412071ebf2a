"""The public register (/cong-khai/): reads for anyone, logged in or not.

Only issued plans whose issuer chose to publish them (Plan.published) are
ever returned; drafts, plans waiting for approval or sent back, deleted and
unpublished plans are not, and nothing of reports or evidence is read here.
The open data rows (CSV, JSON) carry no personal data: no user, no signer,
no creator; ids and agency codes are stable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from agencies.models import Agency
from common.text import fold

from .models import Area, Clause, Plan, Task
from .selectors import plan_with_contents

# The issuer picker gives way to the search box past this many issuers (a whole country).
MAX_ISSUER_CHOICES = 300
# Years a filter may ask for: anything else is refused (open data) or ignored (the list).
YEAR_MIN, YEAR_MAX = 1990, 2100


def public_plans() -> QuerySet[Plan]:
    """Issued plans their issuer published, newest first, each with
    `has_public_amendment` (a published issued plan amends it)."""
    amended = Plan.objects.filter(amends=OuterRef("pk"), status=Plan.Status.ISSUED, published=True)
    return (
        Plan.objects.filter(status=Plan.Status.ISSUED, published=True)
        .select_related("issuer")
        .annotate(has_public_amendment=Exists(amended))
        .order_by("-issue_date", "-pk")
    )


def public_plan_get(*, plan_id: int) -> Plan:
    """A published issued plan with everything printed in it, else 404 (the
    same answer for a draft, an unpublished plan and an id that never was)."""
    plan = plan_with_contents().filter(pk=plan_id, status=Plan.Status.ISSUED, published=True).first()
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


def public_plan_head(*, plan_id: int) -> Plan:
    """The bare row of a published issued plan (no contents), else 404."""
    plan = Plan.objects.filter(pk=plan_id, status=Plan.Status.ISSUED, published=True).only(
        "id", "number", "number_text", "symbol", "year_start", "year_end").first()
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


def public_plan_relatives(*, plan: Plan) -> dict:
    """The published plan it amends (if any) and its published amendments,
    for the plan's public page. One query."""
    ids = Q(amends=plan)
    if plan.amends_id:
        ids |= Q(pk=plan.amends_id)
    relatives = list(Plan.objects.filter(ids, status=Plan.Status.ISSUED, published=True)
                     .select_related("issuer").order_by("issue_date", "pk"))
    return {
        "amends": next((p for p in relatives if p.pk == plan.amends_id), None),
        "amendments": [p for p in relatives if p.amends_id == plan.pk],
    }


def year_choices() -> list[tuple[str, str]]:
    """Every year a published plan covers, newest first. One query."""
    spans = public_plans().order_by().values_list("year_start", "year_end").distinct()
    years = {year for start, end in spans for year in range(start, end + 1)}
    return [(str(year), str(year)) for year in sorted(years, reverse=True)]


def _in_area(code: str) -> Q:
    """Plans with a content item or a task of the area."""
    return Q(Exists(Task.objects.filter(plan=OuterRef("pk"), area__code=code))) | Q(
        Exists(Clause.objects.filter(plan=OuterRef("pk"), area__code=code))
    )


class PublicPlanFilter(django_filters.FilterSet):
    """The register's filters: search (without diacritics), year, issuer, area.
    A value outside the choices is ignored, never an error page."""

    q = django_filters.CharFilter(
        label="Tìm kiếm", method="search",
        widget=forms.TextInput(attrs={"placeholder": "Trích yếu, số hiệu, cơ quan… (gõ có dấu hoặc không dấu)",
                                      "type": "search"}),
    )
    year = django_filters.ChoiceFilter(label="Năm", method="in_year", empty_label="Tất cả")
    issuer = django_filters.ChoiceFilter(label="Cơ quan ban hành", field_name="issuer_id", empty_label="Tất cả")
    area = django_filters.ChoiceFilter(label="Lĩnh vực", method="in_area", empty_label="Tất cả")

    class Meta:
        model = Plan
        fields = ["q", "year", "issuer", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Three queries for the choices, however many plans and issuers.
        self.filters["year"].extra["choices"] = year_choices()
        issuers = list(
            Agency.objects.filter(pk__in=self.queryset.order_by().values("issuer_id"))
            .order_by("name").values_list("pk", "name")[: MAX_ISSUER_CHOICES + 1]
        )
        if len(issuers) > MAX_ISSUER_CHOICES:
            del self.filters["issuer"]  # the search box matches issuer names
        else:
            self.filters["issuer"].extra["choices"] = [(str(pk), name) for pk, name in issuers]
        self.filters["area"].extra["choices"] = list(
            Area.objects.filter(is_active=True).values_list("code", "name")
        )
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        for word in fold(value).split()[:10]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def in_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(year_start__lte=year, year_end__gte=year)

    def in_area(self, queryset, name, value):
        return queryset.filter(_in_area(value))


# Open data ---------------------------------------------------------------------------

# Rows (plans) read from the database at a time, by keyset (pk > the last one
# read), so memory stays bounded for a whole country with any cursor (PgBouncer
# turns server-side cursors off); the tasks are read for PLAN_CHUNK plans at a time.
CHUNK = 500
PLAN_CHUNK = 100


def batches(queryset: QuerySet, size: int | None = None) -> Iterator[list]:
    """The rows of `queryset` in pk order, `size` (CHUNK) at a time."""
    size = size or CHUNK
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].pk


def year_param(value: str | None) -> int | None:
    """The `year` of an open data address: None when absent, else a year
    between YEAR_MIN and YEAR_MAX, or ValueError with the reason."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not value.isdigit() or len(value) != 4 or not YEAR_MIN <= int(value) <= YEAR_MAX:
        raise ValueError(f"Năm phải là số có bốn chữ số từ {YEAR_MIN} đến {YEAR_MAX}, ví dụ ?year=2026.")
    return int(value)


def open_plans(*, year: int | None = None) -> QuerySet[Plan]:
    """The published plans as open data rows read them, oldest id first (a
    stable order for another system's sync)."""
    plans = (Plan.objects.filter(status=Plan.Status.ISSUED, published=True).select_related("issuer")
             .only("id", "number", "number_text", "symbol", "title", "kind", "year_start", "year_end",
                   "issue_date", "version", "amends_id", "recorded", "budget_total", "issuer_id", "form",
                   "issuer__id", "issuer__code", "issuer__name").order_by("pk"))
    if year is not None:
        plans = plans.filter(year_start__lte=year, year_end__gte=year)
    return plans


def open_tasks(*, year: int | None = None, plan_id: int | None = None) -> QuerySet[Task]:
    """The tasks of published plans, plan by plan in their printed order."""
    tasks = (
        Task.objects.filter(plan__status=Plan.Status.ISSUED, plan__published=True)
        .select_related("plan", "lead_agency", "area", "channel")
        .only("id", "plan_id", "position", "content", "area_id", "channel_id", "lead_agency_id", "coordinating_text",
              "timeframe", "deadline", "product", "budget", "target_quantity", "note",
              "plan__id", "plan__number", "plan__number_text", "plan__symbol",
              "lead_agency__id", "lead_agency__code", "lead_agency__name",
              "area__id", "area__code", "area__name", "channel__id", "channel__code", "channel__name")
        .prefetch_related(Prefetch("coordinating_agencies",
                                   queryset=Agency.objects.only("id", "code", "name").order_by("name", "pk")))
        .order_by("plan_id", "position", "pk")
    )
    if year is not None:
        tasks = tasks.filter(plan__year_start__lte=year, plan__year_end__gte=year)
    if plan_id is not None:
        tasks = tasks.filter(plan_id=plan_id)
    return tasks


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# Each field of a row and what it means (the open data page lists them).
PLAN_FIELDS: list[tuple[str, str]] = [
    ("id", "Mã số kế hoạch trên cổng (không đổi)."),
    ("reference", "Số, ký hiệu như in, ví dụ «255/KH-UBND»."),
    ("number", "Số văn bản (số nguyên)."),
    ("symbol", "Ký hiệu văn bản, ví dụ «KH-UBND»."),
    ("title", "Trích yếu."),
    ("kind", "Loại: «yearly» (kế hoạch năm) hoặc «period» (kế hoạch giai đoạn)."),
    ("year_start", "Từ năm."),
    ("year_end", "Đến năm."),
    ("issue_date", "Ngày ban hành (YYYY-MM-DD)."),
    ("issuer_id", "Mã số cơ quan ban hành trên cổng."),
    ("issuer_code", "Mã cơ quan ban hành."),
    ("issuer_name", "Tên cơ quan ban hành."),
    ("version", "Phiên bản (1 là bản đầu; bản sửa đổi tăng dần)."),
    ("amends_id", "Mã số kế hoạch mà kế hoạch này sửa đổi (trống nếu không)."),
    ("recorded", "true: kế hoạch ban hành trên giấy, được ghi nhận lại trên cổng."),
    ("budget_total", "Tổng kinh phí (đồng, số nguyên; trống nếu không ghi)."),
    ("url", "Trang công khai của kế hoạch."),
    ("pdf_url", "Văn bản PDF (bản có chữ ký số khi đã có)."),
]

TASK_FIELDS: list[tuple[str, str]] = [
    ("id", "Mã số nhiệm vụ trên cổng (không đổi)."),
    ("plan_id", "Mã số kế hoạch (trường id của tệp kế hoạch)."),
    ("plan_reference", "Số, ký hiệu kế hoạch."),
    ("stt", "Số thứ tự trong phụ lục của kế hoạch."),
    ("content", "Nội dung nhiệm vụ."),
    ("area_code", "Mã lĩnh vực CCHC."),
    ("area_name", "Tên lĩnh vực CCHC."),
    ("channel_code", "Mã hình thức tuyên truyền."),
    ("channel_name", "Tên hình thức tuyên truyền."),
    ("lead_agency_id", "Mã số cơ quan chủ trì trên cổng."),
    ("lead_agency_code", "Mã cơ quan chủ trì."),
    ("lead_agency_name", "Tên cơ quan chủ trì."),
    ("coordinating_agency_codes", "Mã các cơ quan phối hợp (JSON: danh sách; CSV: cách nhau bởi «; »)."),
    ("coordinating_agency_names", "Tên các cơ quan phối hợp (như trên)."),
    ("coordinating_text", "Cơ quan, tổ chức phối hợp khác (ghi bằng chữ)."),
    ("timeframe", "Thời gian, tần suất, ví dụ «Hằng quý»."),
    ("deadline", "Hạn hoàn thành (YYYY-MM-DD)."),
    ("product", "Sản phẩm."),
    ("budget", "Kinh phí (đồng, số nguyên)."),
    ("target_quantity", "Chỉ tiêu số lượng."),
    ("note", "Ghi chú."),
]


def plan_row(plan: Plan, *, url: str, pdf_url: str) -> dict:
    """One plan as open data: no signer, no creator, no user."""
    issuer = plan.issuer
    return {
        "id": plan.pk, "reference": plan.reference, "number": plan.number, "symbol": plan.symbol,
        "title": plan.title, "kind": plan.kind, "year_start": plan.year_start, "year_end": plan.year_end,
        "issue_date": _iso(plan.issue_date), "issuer_id": issuer.pk, "issuer_code": issuer.code,
        "issuer_name": issuer.name, "version": plan.version, "amends_id": plan.amends_id,
        "recorded": plan.recorded, "budget_total": plan.budget_total, "url": url, "pdf_url": pdf_url,
    }


def plan_rows(plans: QuerySet[Plan], *, urls) -> Iterator[dict]:
    """The plans as open data, CHUNK at a time; `urls(plan)` gives (page, pdf) addresses."""
    for batch in batches(plans):
        for plan in batch:
            url, pdf_url = urls(plan)
            yield plan_row(plan, url=url, pdf_url=pdf_url)


def _tasks_in_order(tasks: QuerySet[Task]) -> Iterator[Task]:
    """The tasks, plan by plan (PLAN_CHUNK plans a read) in their printed order."""
    plans = Plan.objects.filter(pk__in=tasks.order_by().values("plan_id")).only("pk")
    for batch in batches(plans, PLAN_CHUNK):
        yield from tasks.filter(plan_id__in=[plan.pk for plan in batch])


def task_rows(tasks: QuerySet[Task]) -> Iterator[dict]:
    """The tasks as open data, each numbered as printed in its plan's appendix (stt)."""
    plan_id, stt = None, 0
    for task in _tasks_in_order(tasks):
        stt = stt + 1 if task.plan_id == plan_id else 1
        plan_id = task.plan_id
        lead, area, channel = task.lead_agency, task.area, task.channel
        coordinating = list(task.coordinating_agencies.all())
        yield {
            "id": task.pk, "plan_id": task.plan_id, "plan_reference": task.plan.reference, "stt": stt,
            "content": task.content,
            "area_code": area.code if area else None, "area_name": area.name if area else None,
            "channel_code": channel.code if channel else None, "channel_name": channel.name if channel else None,
            "lead_agency_id": lead.pk if lead else None, "lead_agency_code": lead.code if lead else None,
            "lead_agency_name": lead.name if lead else None,
            "coordinating_agency_codes": [agency.code for agency in coordinating],
            "coordinating_agency_names": [agency.name for agency in coordinating],
            "coordinating_text": task.coordinating_text, "timeframe": task.timeframe,
            "deadline": _iso(task.deadline), "product": task.product, "budget": task.budget,
            "target_quantity": task.target_quantity, "note": task.note,
        }
