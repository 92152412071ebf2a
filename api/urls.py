"""/api/v1/: the REST API, its OpenAPI 3 schema and its documentation pages
(Swagger UI and ReDoc from drf-spectacular-sidecar's files: no CDN)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file of its own: the page keeps our CSP (no inline script).
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
