"""Text cleaned once, where it enters: every form field and query parameter
arrives NFC-normalised and without control characters, so no view, form,
import or export has to remember to do it. The names of uploaded files and
the strings of a JSON body are cleaned the same way; a file's content is the
job of the reader that opens it (agencies.services, plans.importing)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict

from .text import clean_text

TOO_BIG = "Nội dung yêu cầu vượt quá giới hạn cho phép; không có gì được ghi."
# A password is compared byte for byte with what was set: never rewritten.
UNTOUCHED = ("password", "csrfmiddlewaretoken")


def clean_query_dict(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        if any(word in key for word in UNTOUCHED):
            cleaned.setlist(key, values)
        else:
            cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


def clean_files(files: MultiValueDict) -> MultiValueDict:
    """Uploaded files keep their content; their names lose control characters
    (a NUL in a file name is refused by PostgreSQL and by the file system)."""
    for upload in (upload for _, uploads in files.lists() for upload in uploads):
        name = clean_text(upload.name or "")
        if name != upload.name:
            upload.name = name
    return files


def clean_json(value: Any) -> Any:
    """Every string of decoded JSON, keys included, cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key) if isinstance(key, str) else key: clean_json(item) for key, item in value.items()}
    return value


class CleanTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("QUERY_STRING"):  # most pages have none: nothing to parse, nothing to copy
            request.GET = clean_query_dict(request.GET)  # type: ignore[assignment]  # read-only from here on
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ):
            request.POST = clean_query_dict(request.POST)  # type: ignore[assignment]
            clean_files(request.FILES)
        elif request.content_type == "application/json" or (request.content_type or "").endswith("+json"):
            try:
                self._clean_json_body(request)
            except RequestDataTooBig:  # past DATA_UPLOAD_MAX_MEMORY_SIZE: a JSON refusal for a JSON caller
                return JsonResponse({"detail": TOO_BIG}, status=413, json_dumps_params={"ensure_ascii": False})
        return self.get_response(request)

    @staticmethod
    def _clean_json_body(request: HttpRequest) -> None:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return  # not JSON after all: the view answers that
        cleaned = clean_json(data)
        if cleaned != data:
            request._body = json.dumps(cleaned, ensure_ascii=False).encode("utf-8")
