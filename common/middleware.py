"""Text cleaned once, where it enters: every form field and query parameter
arrives NFC-normalised and without control characters, so no view, form,
import or export has to remember to do it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from .text import clean_text

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


class CleanTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = clean_query_dict(request.GET)  # type: ignore[assignment]  # read-only from here on
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ):
            request.POST = clean_query_dict(request.POST)  # type: ignore[assignment]
        return self.get_response(request)
