"""One shape for every refusal the API gives: JSON with a Vietnamese
message, per field where there is a field. The services raise Django's
ValidationError and the apps' stale-edit errors; DRF knows neither."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from plans.services.drafting import StaleEditError
from reports.services.reports import StaleReportError

NON_FIELD = "non_field_errors"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "Dữ liệu đã được người khác lưu sau lần bạn đọc. Hãy đọc lại rồi gửi lại."
    default_code = "stale"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = ("Cần gửi tiêu đề If-Match với ETag đọc được lần trước, để biết đã có người lưu sau lần bạn "
                      "đọc hay chưa.")
    default_code = "precondition_required"


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """{field: [messages]} from a Django ValidationError; messages with no
    field go under non_field_errors, as DRF's serializers put them."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in DjangoValidationError(msgs).messages]
            for field, msgs in error.error_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, StaleReportError | StaleEditError):
        exc = PreconditionFailed(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Không tìm thấy, hoặc bạn không có quyền xem.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real error: Django's 500 handling and logging
    if isinstance(response.data, list):
        response.data = {NON_FIELD: response.data}
    return response


def error_response(detail: dict, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response(detail, status=code)
