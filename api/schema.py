"""The OpenAPI document, built once per process: it depends on the code
alone (SERVE_PUBLIC: every caller gets the same document) and building it
takes about a second of CPU, which a page fetched by every client, the docs
page and the fuzz tests would otherwise pay on each request."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

MAX_KEPT = 8  # versions × languages; anything past it is built each time, not kept


class SchemaView(SpectacularAPIView):
    _built: ClassVar[dict[tuple, Any]] = {}

    def _get_schema_response(self, request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        if key not in self._built:
            data = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns).get_schema(
                request=request, public=self.serve_public)
            if len(self._built) >= MAX_KEPT:
                return Response(data, headers=self._headers(request, version))
            self._built[key] = data
        return Response(self._built[key], headers=self._headers(request, version))

    def _headers(self, request, version) -> dict[str, str]:
        return {"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'}
