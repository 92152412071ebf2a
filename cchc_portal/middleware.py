"""Project-wide responses no single app owns."""

from django.http import HttpRequest, HttpResponse
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
