"""Answers for /api/ addresses no endpoint matches, and the id converter of
the API's paths: JSON in Vietnamese, never Django's HTML 404 page, and never
an id the database cannot hold (a 30-digit id is "not found", not a 500)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from common.ids import BIGINT_MAX

NOT_FOUND = "Không tìm thấy địa chỉ API này. Xem danh sách tại /api/v1/docs/."


class IdConverter:
    """<api_id:name>: a positive id within bigint."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= BIGINT_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))


@csrf_exempt  # writes nothing: a PATCH or POST to a wrong address is a JSON 404 too, not the CSRF page
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False})
