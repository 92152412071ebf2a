"""Report endpoints: thin views over reports.selectors (what the caller may
read), reports.services (every write) and can() (reports.rules), as the
report pages are. Writes need `If-Match` with the ETag read last (the
report's lock_version): 428 without it, 412 when someone saved since, and
nothing is written on any refusal (one transaction per request)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import can
from plans.models import Counter
from reports import services
from reports.forms import MAX_EVIDENCE_BYTES, EvidenceForm, ReportLineForm, ReviewForm
from reports.models import Evidence, Report
from reports.rules import REPORT_EDIT, REPORT_REVIEW, REPORT_SUBMIT
from reports.selectors import evidence_response, report_get_for_user, reports_readable_for_user

from .audit import api_event_logged, api_write_logged
from .exceptions import NON_FIELD, PreconditionFailed, PreconditionRequired
from .report_filters import ReportApiFilter
from .report_input import lines_values, narrative_values
from .report_serializers import (
    LINE_NOT_HERE,
    AcceptSerializer,
    EmptySerializer,
    ErrorDetailSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    LineFieldsSerializer,
    ReportDetailSerializer,
    ReportPatchSerializer,
    ReportSummarySerializer,
    ReturnSerializer,
)

TAG = "Báo cáo"
MALFORMED_JSON = "Nội dung yêu cầu không phải JSON hợp lệ (UTF-8)."
MALFORMED_MULTIPART = "Nội dung multipart/form-data không đọc được."
UNSUPPORTED = "Kiểu nội dung «{media_type}» không được nhận ở đây."
NULL_BODY = "Thân yêu cầu phải là một đối tượng JSON ({...}), không phải null."
STAR_REFUSED = ("If-Match: * không được nhận: hãy gửi đúng ETag đọc được lần trước, để biết đã có người lưu "
                "sau lần bạn đọc hay chưa.")
# A unit's drafter or head writing to its report once sent: the report is
# closed, not forbidden to them (a wrong role or unit keeps its 403/404).
NOTHING_TO_CHANGE = "Không có gì để sửa: hãy gửi ít nhất một trường."
CLOSED = "Báo cáo đã nộp (trạng thái {status}), không sửa được nữa."
EVIDENCE_GONE = "Tệp minh chứng không còn trong kho lưu trữ; hãy báo quản trị hệ thống."
TOO_LARGE = "Tệp lớn hơn 10 MB; hãy nén hoặc chia nhỏ."
# A multipart body's own framing (boundaries, headers) on top of the file.
MULTIPART_SLACK = 64 * 1024

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="ETag của báo cáo đọc được lần trước. Thiếu: 428; đã có người lưu sau lần bạn đọc: 412.",
)
# 400, 401, 403, 404 and 429 are documented for every operation by api/schema_hooks.py.
REFUSALS = {
    412: OpenApiResponse(ErrorDetailSerializer,
                         description="ETag cũ: báo cáo đã được lưu sau lần đọc; không ghi gì."),
    428: OpenApiResponse(ErrorDetailSerializer, description="Thiếu tiêu đề If-Match."),
    409: OpenApiResponse(ErrorDetailSerializer,
                         description="Báo cáo đã nộp (hoặc đã tiếp nhận): đơn vị không sửa, nộp lại được nữa."),
    413: OpenApiResponse(ErrorDetailSerializer, description="Thân yêu cầu vượt quá giới hạn; không ghi gì."),
}


class ReportClosed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "report_closed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = TOO_LARGE
    default_code = "too_large"


class VietnameseJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            raise exceptions.ParseError(MALFORMED_JSON) from exc


class VietnameseMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            raise exceptions.ParseError(MALFORMED_MULTIPART) from exc


class ReportApiView(APIView):
    parser_classes = [VietnameseJSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, exceptions.UnsupportedMediaType):
            media_type = getattr(self.request, "content_type", "") or ""
            exc = exceptions.UnsupportedMediaType(media_type, UNSUPPORTED.format(media_type=media_type[:100]))
        return super().handle_exception(exc)


# Helpers ----------------------------------------------------------------------------


def etag(report: Report) -> str:
    return f'"{report.pk}-{report.lock_version}"'


def if_match(request: Request, report: Report) -> int:
    """The lock_version the caller read, from If-Match; 428 without one, 412
    when it is not the report's current ETag."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        raise PreconditionRequired(STAR_REFUSED)
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        report_id, _, version = tag.partition("-")
        if report_id == str(report.pk) and version.isdigit() and len(version) < 12 \
                and int(version) == report.lock_version:
            return report.lock_version
    raise PreconditionFailed()


def report_for_write(request: Request, report_id: int, action: str) -> Report:
    """report_get_for_user for a unit's write (edit, submit): a caller who
    could do it were the report still open (its drafter/head) hears that the
    report is closed (409), not that they lack the right."""
    try:
        return report_get_for_user(user=request.user, report_id=report_id, action=action)
    except DjangoPermissionDenied:
        report = Report.objects.only("id", "agency_id", "status").get(pk=report_id)
        reopened = Report(pk=report.pk, agency_id=report.agency_id, status=Report.Status.RETURNED)
        if report.status not in (Report.Status.DRAFT, Report.Status.RETURNED) \
                and can(request.user, action, reopened):
            raise ReportClosed(CLOSED.format(status=report.get_status_display())) from None
        raise


def _validated(serializer_class: type, request: Request, **kwargs: Any) -> dict:
    if request.data is None:  # the JSON literal null
        raise exceptions.ParseError(NULL_BODY)
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _user_display(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _download_url(request: Request, evidence: Evidence) -> str:
    return request.build_absolute_uri(reverse("api:report_evidence", args=[evidence.report_id, evidence.pk]))


def report_detail_data(request: Request, report_id: int) -> tuple[Report, dict]:
    """The report as the caller may read it (404 otherwise), printed; a fixed
    number of queries whatever the number of lines, figures and files."""
    report = report_get_for_user(user=request.user, report_id=report_id)
    lines = list(report.lines.all())
    codes = {c.pk: c.code for line in lines if line.task.channel for c in line.task.channel.counter_set.all()}
    # A figure of a counter its channel no longer offers: its code read in one query.
    gone = {f.counter_id for line in lines for f in line.figures.all()} - set(codes)
    codes |= dict(Counter.objects.filter(pk__in=gone).values_list("pk", "code")) if gone else {}
    for line in lines:
        line.report = report
        line.api_counters = ReportLineForm(line=line).counters
        line.api_figures = list(line.figures.all())
        for figure in line.api_figures:
            figure.counter_code = codes.get(figure.counter_id, "")
    report.api_lines = lines
    report.api_evidence = list(report.evidence.all())
    for evidence in report.api_evidence:
        evidence.download_url = _download_url(request, evidence)
    report.api_events = list(report.events.all())
    for event in report.api_events:
        event.user_display = _user_display(event.user)
    user = request.user
    report.api_permissions = {"edit": can(user, REPORT_EDIT, report), "submit": can(user, REPORT_SUBMIT, report),
                              "review": can(user, REPORT_REVIEW, report)}
    return report, ReportDetailSerializer(report).data


def detail_response(request: Request, report_id: int, code: int = status.HTTP_200_OK) -> Response:
    report, data = report_detail_data(request, report_id)
    return Response(data, status=code, headers={"ETag": etag(report)})


def _refuse(errors: dict) -> None:
    raise exceptions.ValidationError(errors)


def _something_to_change(data: dict) -> None:
    """A PATCH of {} (or only "lines": []) would save nothing yet bump the
    ETag and log a write: refused, nothing written."""
    if not any(key != "lines" or value for key, value in data.items()):
        _refuse({NON_FIELD: [NOTHING_TO_CHANGE]})


def _save(request: Request, report: Report, version: int, *, lines: list[dict], narrative: dict) -> None:
    """Check every line with the web form, then save through report_save."""
    values, errors = lines_values(report, lines)
    if errors:
        _refuse({"lines": errors})
    services.report_save(report=report, lock_version=version, lines=values,
                         narrative=narrative_values(report, narrative, version))


# Views ------------------------------------------------------------------------------


@extend_schema(tags=[TAG])
class ReportListView(generics.ListAPIView):
    serializer_class = ReportSummarySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportApiFilter

    def get_queryset(self):
        return reports_readable_for_user(user=self.request.user).order_by("pk")

    @extend_schema(
        summary="Danh sách báo cáo người gọi được xem",
        description="Đơn vị thấy báo cáo của mình (cả bản nháp); cơ quan Nội vụ thấy mọi báo cáo trong phạm vi "
                    "xem xét; cấp trên thấy báo cáo cấp dưới đã gửi, không thấy bản nháp. Sắp theo id, phân "
                    "trang; lọc theo năm, kỳ, trạng thái, đơn vị và thời điểm sửa (updated_since) để đồng bộ dần.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=[TAG])
class ReportDetailView(ReportApiView):
    @extend_schema(
        summary="Một báo cáo: các dòng, số liệu, phần thuyết minh, minh chứng và lịch sử",
        description="Tiêu đề ETag (và trường lock_version) dùng cho If-Match khi sửa, nộp, xem xét.",
        responses={200: ReportDetailSerializer},
    )
    def get(self, request: Request, report_id: int) -> Response:
        return detail_response(request, report_id)

    @extend_schema(
        summary="Sửa bản nháp: các dòng, số liệu và phần thuyết minh",
        description="Người soạn hoặc lãnh đạo của đơn vị, khi báo cáo chưa nộp hoặc bị trả lại. Trường không "
                    "gửi giữ nguyên. Kiểm tra như trên giao diện web (tiến độ 0–100, tiền là số nguyên đồng, chỉ "
                    "tiêu đúng hình thức của nhiệm vụ, giá trị tối đa); lỗi trả về theo từng trường, không ghi gì.",
        parameters=[IF_MATCH], request=ReportPatchSerializer,
        responses={200: ReportDetailSerializer, **REFUSALS},
    )
    def patch(self, request: Request, report_id: int) -> Response:
        report = report_for_write(request, report_id, REPORT_EDIT)
        version = if_match(request, report)
        data = _validated(ReportPatchSerializer, request)
        _something_to_change(data)
        _save(request, report, version, lines=data.get("lines", []), narrative=data)
        api_write_logged(request, report)
        return detail_response(request, report_id)


@extend_schema(tags=[TAG])
class ReportLineView(ReportApiView):
    @extend_schema(
        summary="Sửa một dòng của bản nháp (tình trạng, tiến độ, kinh phí, ghi chú, số liệu)",
        description="Như sửa báo cáo, cho một dòng; If-Match là ETag của báo cáo.",
        parameters=[IF_MATCH], request=LineFieldsSerializer,
        responses={200: ReportDetailSerializer, **REFUSALS},
    )
    def patch(self, request: Request, report_id: int, line_id: int) -> Response:
        report = report_for_write(request, report_id, REPORT_EDIT)
        if not any(line.pk == line_id for line in report.lines.all()):
            raise Http404
        version = if_match(request, report)
        data = _validated(LineFieldsSerializer, request)
        _something_to_change(data)
        values, errors = lines_values(report, [{"id": line_id, **data}])
        if errors:
            _refuse(errors[0])
        services.report_save(report=report, lock_version=version, lines=values,
                             narrative=narrative_values(report, {}, version))
        api_write_logged(request, report)
        return detail_response(request, report_id)


@extend_schema(tags=[TAG])
class ReportSubmitView(ReportApiView):
    @extend_schema(
        summary="Nộp báo cáo (lãnh đạo đơn vị)",
        description="Báo cáo chưa nộp hoặc bị trả lại; chỉ lãnh đạo của đơn vị. Thân yêu cầu trống hoặc {}.",
        parameters=[IF_MATCH], request=EmptySerializer,
        responses={200: ReportDetailSerializer, **REFUSALS},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = report_for_write(request, report_id, REPORT_SUBMIT)
        version = if_match(request, report)
        _validated(EmptySerializer, request)
        with transaction.atomic():  # as the page's «Nộp»: the draft saved under the lock, then submitted
            services.report_save(report=report, lock_version=version, lines={},
                                 narrative=narrative_values(report, {}, version))
            services.report_submit(report=report, user=request.user)
        api_write_logged(request, report)
        return detail_response(request, report_id)


def _claim_for_review(report: Report, version: int) -> None:
    """Inside the review's transaction: the row locked and still at the version read."""
    if not Report.objects.select_for_update().filter(pk=report.pk, lock_version=version).exists():
        raise PreconditionFailed()


@extend_schema(tags=[TAG])
class ReportAcceptView(ReportApiView):
    @extend_schema(
        summary="Tiếp nhận báo cáo (cơ quan Nội vụ)",
        description="Báo cáo đang chờ xem xét, trong phạm vi xem xét của người gọi.",
        parameters=[IF_MATCH], request=AcceptSerializer,
        responses={200: ReportDetailSerializer, **REFUSALS},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = report_get_for_user(user=request.user, report_id=report_id, action=REPORT_REVIEW)
        version = if_match(request, report)
        data = _validated(AcceptSerializer, request)
        with transaction.atomic():
            _claim_for_review(report, version)
            services.report_accept(report=report, user=request.user, comment=data.get("comment", "").strip())
        api_write_logged(request, report)
        return detail_response(request, report_id)


@extend_schema(tags=[TAG])
class ReportReturnView(ReportApiView):
    @extend_schema(
        summary="Trả lại báo cáo kèm ý kiến (cơ quan Nội vụ)",
        description="Báo cáo đang chờ xem xét; ý kiến chung bắt buộc, ý kiến theo dòng tùy chọn.",
        parameters=[IF_MATCH], request=ReturnSerializer,
        responses={200: ReportDetailSerializer, **REFUSALS},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = report_get_for_user(user=request.user, report_id=report_id, action=REPORT_REVIEW)
        version = if_match(request, report)
        data = _validated(ReturnSerializer, request)
        form = ReviewForm({"decision": "return", "comment": data["comment"]})
        if not form.is_valid():
            _refuse({name: list(messages) for name, messages in form.errors.items()})
        own = {line.pk for line in report.lines.all()}
        comments: dict[int, str] = {}
        errors: dict[int, dict] = {}
        for index, entry in enumerate(data.get("line_comments", [])):
            if entry["line"] not in own:
                errors[index] = {"line": [LINE_NOT_HERE]}
            comments[entry["line"]] = entry["comment"]
        if errors:
            _refuse({"line_comments": errors})
        with transaction.atomic():
            _claim_for_review(report, version)
            services.report_return(report=report, user=request.user, comment=form.cleaned_data["comment"],
                                   line_comments=comments)
        api_write_logged(request, report)
        return detail_response(request, report_id)


@extend_schema(tags=[TAG])
class EvidenceListView(ReportApiView):
    parser_classes = [VietnameseMultiPartParser]

    @extend_schema(summary="Các tệp minh chứng của báo cáo",
                   responses={200: EvidenceSerializer(many=True)})
    def get(self, request: Request, report_id: int) -> Response:
        report = report_get_for_user(user=request.user, report_id=report_id)
        files = list(report.evidence.all())
        for evidence in files:
            evidence.download_url = _download_url(request, evidence)
        return Response(EvidenceSerializer(files, many=True).data, headers={"ETag": etag(report)})

    @extend_schema(
        summary="Tải lên tệp minh chứng (multipart/form-data, trường file)",
        description="Người soạn hoặc lãnh đạo của đơn vị, báo cáo đang mở. Kiểm tra như trên giao diện web: "
                    "loại tệp theo nội dung (PDF, PNG, JPEG, DOCX, XLSX), đuôi tên khớp nội dung, tối đa 10 MB. "
                    "Cùng một nội dung tải hai lần chỉ giữ một. Báo cáo nhận ETag mới (tiêu đề ETag).",
        parameters=[IF_MATCH], request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer, **REFUSALS,
                   413: OpenApiResponse(ErrorDetailSerializer, description=TOO_LARGE)},
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = report_for_write(request, report_id, REPORT_EDIT)
        version = if_match(request, report)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_EVIDENCE_BYTES + MULTIPART_SLACK:  # refused before the body is read
            raise PayloadTooLarge()
        unknown = sorted((set(request.data) | set(request.FILES)) - {"file"})
        if unknown:
            _refuse({key: ["Trường không được hỗ trợ ở đây; chỉ gửi trường file."] for key in unknown})
        form = EvidenceForm(request.data, request.FILES)
        if not form.is_valid():
            _refuse({name: list(messages) for name, messages in form.errors.items()})
        evidence = services.report_save_with_evidence(
            report=report, lock_version=version, lines={}, narrative=narrative_values(report, {}, version),
            name=form.cleaned_data["file"].name, content=form.cleaned_data["content"],
            content_type=form.cleaned_data["content_type"], user=request.user,
        )
        api_write_logged(request, evidence)
        evidence.download_url = _download_url(request, evidence)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED,
                        headers={"ETag": etag(report)})


@extend_schema(tags=[TAG])
class EvidenceView(ReportApiView):
    @extend_schema(
        summary="Tải về một tệp minh chứng",
        description="Người được xem báo cáo; tệp đi qua kho lưu trữ, không có địa chỉ công khai.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, report_id: int, evidence_id: int) -> HttpResponse:
        report = report_get_for_user(user=request.user, report_id=report_id)
        evidence = get_object_or_404(report.evidence.all(), pk=evidence_id)
        try:
            response = evidence_response(evidence)
        except FileNotFoundError:
            raise exceptions.NotFound(EVIDENCE_GONE) from None
        api_event_logged(request, "download_evidence", evidence)
        return response

    @extend_schema(
        summary="Xóa một tệp minh chứng",
        description="Người soạn hoặc lãnh đạo của đơn vị, báo cáo đang mở. Báo cáo nhận ETag mới.",
        parameters=[IF_MATCH], request=None,
        responses={204: OpenApiResponse(description="Đã xóa."), **REFUSALS},
    )
    def delete(self, request: Request, report_id: int, evidence_id: int) -> Response:
        report = report_for_write(request, report_id, REPORT_EDIT)
        evidence = get_object_or_404(report.evidence.all(), pk=evidence_id)
        version = if_match(request, report)
        with transaction.atomic():  # the lock claimed and the row deleted together
            services.report_save(report=report, lock_version=version, lines={},
                                 narrative=narrative_values(report, {}, version))
            services.evidence_delete(report=report, evidence=evidence)
        api_write_logged(request, report)
        return Response(status=status.HTTP_204_NO_CONTENT, headers={"ETag": etag(report)})

