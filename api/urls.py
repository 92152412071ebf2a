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

# Reports (api/report_views.py): read, the unit's draft, evidence, submit and review.
from . import report_views  # noqa: E402

urlpatterns += [
    path("v1/reports/", report_views.ReportListView.as_view(), name="report_list"),
    path("v1/reports/<int:report_id>/", report_views.ReportDetailView.as_view(), name="report_detail"),
    path("v1/reports/<int:report_id>/lines/<int:line_id>/", report_views.ReportLineView.as_view(),
         name="report_line"),
    path("v1/reports/<int:report_id>/submit/", report_views.ReportSubmitView.as_view(), name="report_submit"),
    path("v1/reports/<int:report_id>/accept/", report_views.ReportAcceptView.as_view(), name="report_accept"),
    path("v1/reports/<int:report_id>/return/", report_views.ReportReturnView.as_view(), name="report_return"),
    path("v1/reports/<int:report_id>/evidence/", report_views.EvidenceListView.as_view(),
         name="report_evidence_list"),
    path("v1/reports/<int:report_id>/evidence/<int:evidence_id>/", report_views.EvidenceView.as_view(),
         name="report_evidence"),
]
