"""Project-wide responses no single app owns."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    """A page reached by GET that only acts on POST (a bookmark or a refresh
    after «Tiếp nhận») answers Django's empty 405; say in Vietnamese what
    happened and where to go instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.htmx:
            allowed = response.get("Allow", "")
            page = render(request, "405.html", status=405)
            page["Allow"] = allowed
            return page
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every page a signed-in user gets
    and on every download (a shared or browser cache must not keep a plan, a
    report or an export for the next person at the same computer or proxy).
    A view that chose its own Cache-Control keeps it; static files never get
    here (whitenoise answers them first)."""

    VALUE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or self._is_download(response):
            response["Cache-Control"] = self.VALUE
        return response

    @staticmethod
    def _is_download(response: HttpResponse) -> bool:
        return isinstance(response, FileResponse) or response.get("Content-Disposition", "").startswith("attachment")
