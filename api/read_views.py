"""Read endpoints: agencies (the tree and its history), the reference lists,
plans with their contents and tasks, reporting periods and deadlines, and
the period summary. Thin: every object comes through the apps' selectors
and can(), every list through the same scoped queries the pages use, in a
fixed number of queries per page of results."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from agencies.permissions import AGENCY_VIEW, can
from agencies.scope import user_scope
from agencies.tree import agency_ancestor_ids, subtree_sql
from plans.documents.storage import FORMATS, plan_document_bytes, plan_document_filename, plan_signed_copy
from plans.models import Area, Channel, Counter, Task
from plans.selectors import plan_get_for_user, plan_list_for_user
from reports.rules import SUMMARY_VIEW
from reports.selectors import period_summary
from schedule.models import ReportingChain, ReportingPeriod
from schedule.services import plan_deadline

from . import read_filters as filters
from . import read_serializers as out
from .audit import api_event_logged

NOT_FOUND = "Không tìm thấy, hoặc bạn không có quyền xem."
TAG_AGENCIES = "Đơn vị"
TAG_LISTS = "Danh mục"
TAG_PLANS = "Kế hoạch"
TAG_PERIODS = "Kỳ báo cáo và thời hạn"
TAG_SUMMARY = "Tổng hợp số liệu"


class FilteredList(generics.ListAPIView):
    # A paginated list whose query parameters are checked by `filter_class`.
    # (A comment: a docstring would be every subclass's description in the schema.)

    filter_class: type[filters.Filters] = filters.Filters

    def filters(self) -> dict:
        checked = self.filter_class(data=self.request.query_params)
        checked.is_valid(raise_exception=True)
        return checked.given()


# --- agencies -----------------------------------------------------------------------------------

def agencies_for_user(user) -> QuerySet[Agency]:
    """The units the user may see (AGENCY_VIEW as a query: the units they hold a
    role at or review, everything below and the units merged into these)."""
    scope = user_scope(user)
    agencies = Agency.objects.all()
    if not scope.is_admin:
        agencies = agencies.filter(pk__in=scope.read_sql())
    return _with_links(agencies)


def _with_links(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    """Each unit's children and the units merged into it: two queries per page."""
    ids_only = Agency.objects.only("id", "parent_id", "successor_id").order_by("pk")
    return agencies.prefetch_related(
        Prefetch("children", queryset=ids_only, to_attr="child_rows"),
        Prefetch("predecessors", queryset=ids_only, to_attr="predecessor_rows"),
    )


@extend_schema(tags=[TAG_AGENCIES], summary="Danh sách đơn vị trong phạm vi của tài khoản",
               description="Cây đơn vị: mỗi đơn vị có đơn vị cấp trên (parent_id), cấp dưới (children_ids), "
                           "và liên kết lịch sử: sáp nhập vào (successor_id), các đơn vị đã sáp nhập vào nó "
                           "(predecessor_ids). ?root=<id> cho cả cây con của một đơn vị.",
               parameters=[filters.AgencyFilters])
class AgencyList(FilteredList):
    serializer_class = out.AgencySerializer
    filter_class = filters.AgencyFilters

    def get_queryset(self):
        given = self.filters()
        agencies = agencies_for_user(self.request.user)
        if "root" in given:
            sql, params = subtree_sql(agency_ids=[given["root"]])
            agencies = agencies.filter(pk__in=RawSQL(sql, params))
        lookups = {"parent": "parent_id", "kind": "kind", "code": "code", "active": "is_active"}
        agencies = agencies.filter(**{lookups[name]: value for name, value in given.items() if name in lookups})
        return agencies.order_by("pk")


def agency_get_for_user(*, user, agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None or not can(user, AGENCY_VIEW, agency):
        raise Http404(NOT_FOUND)
    return agency


@extend_schema(tags=[TAG_AGENCIES], summary="Một đơn vị", responses=out.AgencySerializer)
class AgencyDetail(APIView):
    def get(self, request: Request, agency_id: int) -> Response:
        agency = agency_get_for_user(user=request.user, agency_id=agency_id)
        agency = _with_links(Agency.objects.filter(pk=agency.pk)).get()
        return Response(out.AgencySerializer(agency).data)


@extend_schema(tags=[TAG_PERIODS], summary="Thời hạn của một đơn vị trong năm",
               description="Hạn gửi báo cáo của đơn vị theo từng kỳ báo cáo của năm (theo bộ quy định áp dụng "
                           "cho đơn vị) và hạn ban hành kế hoạch năm.",
               parameters=[filters.DeadlineFilters], responses=out.DeadlinesSerializer)
class AgencyDeadlines(APIView):
    def get(self, request: Request, agency_id: int) -> Response:
        checked = filters.DeadlineFilters(data=request.query_params)
        checked.is_valid(raise_exception=True)
        year = checked.given().get("year") or timezone.localdate().year
        agency = agency_get_for_user(user=request.user, agency_id=agency_id)
        book = ReportingChain.objects.rulebook()
        owners = book.owners_for(agency_ancestor_ids(agency_id=agency.pk)[:-1])
        periods = ReportingPeriod.objects.filter(year=year).select_related("rule").order_by("end", "rule__position")
        data = {
            "agency_id": agency.pk,
            "agency_code": agency.code,
            "year": year,
            "plan_deadline": plan_deadline(year=year, agency=agency),
            "reports": [{"period": period, "due_date": book.agency_due(period=period, agency_kind=agency.kind,
                                                                       owners=owners)}
                        for period in periods],
        }
        return Response(out.DeadlinesSerializer(data).data)


# --- reference lists ----------------------------------------------------------------------------

@extend_schema(tags=[TAG_LISTS], summary="Lĩnh vực CCHC")
class AreaList(generics.ListAPIView):
    serializer_class = out.AreaSerializer
    queryset = Area.objects.order_by("position", "pk")


@extend_schema(tags=[TAG_LISTS], summary="Hình thức tuyên truyền")
class ChannelList(generics.ListAPIView):
    serializer_class = out.ChannelSerializer
    queryset = Channel.objects.order_by("position", "pk")


@extend_schema(tags=[TAG_LISTS], summary="Chỉ tiêu thống kê",
               description="Các chỉ tiêu mà dòng báo cáo ghi số liệu; mã (code) là khóa của số liệu.")
class CounterList(generics.ListAPIView):
    serializer_class = out.CounterSerializer
    queryset = Counter.objects.prefetch_related(Prefetch("channels", queryset=Channel.objects.only("id").order_by("pk"))).order_by("position", "pk")


# --- plans and tasks ----------------------------------------------------------------------------

@extend_schema(tags=[TAG_PLANS], summary="Danh sách kế hoạch tài khoản được xem",
               description="Như danh sách kế hoạch trên giao diện: kế hoạch của đơn vị mình ở mọi trạng thái, "
                           "của cấp dưới khi đã trình hoặc ban hành, của cấp trên khi đã ban hành.",
               parameters=[filters.PlanFilters])
class PlanList(FilteredList):
    serializer_class = out.PlanSerializer
    filter_class = filters.PlanFilters

    def get_queryset(self):
        given = self.filters()
        plans = plan_list_for_user(user=self.request.user)
        if "year" in given:
            plans = plans.filter(year_start__lte=given["year"], year_end__gte=given["year"])
        lookups = {"status": "status", "issuer": "issuer_id", "kind": "kind", "updated_since": "updated_at__gte"}
        plans = plans.filter(**{lookups[name]: value for name, value in given.items() if name in lookups})
        return plans.order_by("pk")


@extend_schema(tags=[TAG_PLANS], summary="Một kế hoạch với đề mục, các mục nội dung, trách nhiệm và nhiệm vụ",
               responses=out.PlanDetailSerializer)
class PlanDetail(APIView):
    def get(self, request: Request, plan_id: int) -> Response:
        plan = plan_get_for_user(user=request.user, plan_id=plan_id)
        plan.signed_copy_checked = plan_signed_copy(plan)
        plan.pdf_url = reverse("api:plan_pdf", args=[plan.pk])
        return Response(out.PlanDetailSerializer(plan, context={"request": request}).data)


@extend_schema(tags=[TAG_PLANS], summary="Văn bản PDF của kế hoạch",
               description="Bản ký số khi kế hoạch đã ban hành và có bản ký số hợp lệ, nếu không là bản cổng in "
                           "(dự thảo: bản đang soạn). Quyền như trang kế hoạch.",
               responses={(200, "application/pdf"): OpenApiTypes.BINARY})
class PlanPdf(APIView):
    def get(self, request: Request, plan_id: int) -> HttpResponse:
        plan = plan_get_for_user(user=request.user, plan_id=plan_id)
        response = HttpResponse(plan_document_bytes(plan=plan, fmt="pdf"), content_type=FORMATS["pdf"].content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=plan_document_filename(plan, "pdf"))
        response["Cache-Control"] = "private, no-store"
        api_event_logged(request, "download_plan", plan)
        return response


def tasks_for_user(user) -> QuerySet[Task]:
    """The tasks of the plans the user may open (plan_list_for_user)."""
    return Task.objects.filter(plan__in=plan_list_for_user(user=user).values("pk")).select_related(
        "area", "channel", "lead_agency").prefetch_related(
        Prefetch("coordinating_agencies", queryset=Agency.objects.only("id")))


@extend_schema(tags=[TAG_PLANS], summary="Nhiệm vụ (phụ lục) của các kế hoạch tài khoản được xem",
               parameters=[filters.TaskFilters])
class TaskList(FilteredList):
    serializer_class = out.TaskSerializer
    filter_class = filters.TaskFilters

    def get_queryset(self):
        given = self.filters()
        tasks = tasks_for_user(self.request.user)
        if "year" in given:
            tasks = tasks.filter(plan__year_start__lte=given["year"], plan__year_end__gte=given["year"])
        lookups = {"plan": "plan_id", "lead_agency": "lead_agency_id", "updated_since": "plan__updated_at__gte"}
        tasks = tasks.filter(**{lookups[name]: value for name, value in given.items() if name in lookups})
        return tasks.order_by("pk")


# --- reporting periods and the summary ----------------------------------------------------------

@extend_schema(tags=[TAG_PERIODS], summary="Kỳ báo cáo", parameters=[filters.PeriodFilters])
class PeriodList(FilteredList):
    serializer_class = out.PeriodSerializer
    filter_class = filters.PeriodFilters

    def get_queryset(self):
        given = self.filters()
        periods = ReportingPeriod.objects.select_related("rule")
        lookups = {"year": "year", "kind": "rule__kind"}
        periods = periods.filter(**{lookups[name]: value for name, value in given.items() if name in lookups})
        return periods.order_by("start", "end", "pk")


def _groups(rows: dict, model) -> list[dict]:
    """The summary's rows by name (areas, channels) with their stable ids and codes."""
    known = {}
    for pk, code, name in model.objects.values_list("pk", "code", "name").order_by("-position", "-pk"):
        known[name] = (pk, code)  # a repeated name: the first in the list's order wins
    return [{"id": known.get(name, (None, None))[0], "code": known.get(name, (None, None))[1], **row}
            for name, row in rows.items()]


@extend_schema(tags=[TAG_SUMMARY], summary="Tổng hợp số liệu của một kỳ cho một đơn vị và cấp dưới",
               description="Cùng số liệu với trang Báo cáo tổng hợp (BC): chỉ báo cáo đã tiếp nhận được cộng; "
                           "đơn vị đã sáp nhập cộng vào đơn vị kế thừa.",
               parameters=[OpenApiParameter("period_id", int, OpenApiParameter.PATH, description="Mã (id) kỳ."),
                           OpenApiParameter("agency_id", int, OpenApiParameter.PATH,
                                            description="Mã (id) đơn vị tổng hợp.")],
               responses=out.SummarySerializer)
class PeriodSummary(APIView):
    def get(self, request: Request, period_id: int, agency_id: int) -> Response:
        agency = agency_get_for_user(user=request.user, agency_id=agency_id)
        if not can(request.user, SUMMARY_VIEW, agency):
            raise exceptions.PermissionDenied("Bạn không có quyền xem tổng hợp của đơn vị này.")
        period = get_object_or_404(ReportingPeriod, pk=period_id)
        summary = period_summary(period=period, root=agency, rows=0)
        data = {
            "period_id": period.pk,
            "agency_id": agency.pk,
            "agency_code": agency.code,
            "national": summary["national"],
            "counts": summary["counts"],
            "totals": summary["totals"],
            "counter_labels": summary["counter_labels"],
            "by_area": _groups(summary["by_area"], Area),
            "by_channel": _groups(summary["by_channel"], Channel),
            "by_agency": [{"agency_id": pk, **row} for pk, row in summary["by_agency"].items()],
        }
        return Response(out.SummarySerializer(data).data)
