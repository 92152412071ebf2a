"""/api/v1/: the REST API, its OpenAPI 3 schema and its documentation pages
(Swagger UI from drf-spectacular-sidecar's files and our own CSS: no CDN, no
inline style or script; ReDoc is not served, its page needs inline styles and Google Fonts).
Ids in paths are <api_id:...> (a positive bigint): a 30-digit id is a 404,
not a database error."""

from django.urls import path, register_converter
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import read_views, report_views, views
from .fallback import IdConverter
from .schema import SchemaView

register_converter(IdConverter, "api_id")

app_name = "api"

urlpatterns = [
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its script as a file of its own: the page keeps our CSP (no inline script).
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Reads (read_views.py): agencies, reference lists, plans and tasks, periods, summaries.
    path("v1/agencies/", read_views.AgencyList.as_view(), name="agency_list"),
    path("v1/agencies/<api_id:agency_id>/", read_views.AgencyDetail.as_view(), name="agency_detail"),
    path("v1/agencies/<api_id:agency_id>/deadlines/", read_views.AgencyDeadlines.as_view(), name="agency_deadlines"),
    path("v1/areas/", read_views.AreaList.as_view(), name="area_list"),
    path("v1/channels/", read_views.ChannelList.as_view(), name="channel_list"),
    path("v1/counters/", read_views.CounterList.as_view(), name="counter_list"),
    path("v1/plans/", read_views.PlanList.as_view(), name="plan_list"),
    path("v1/plans/<api_id:plan_id>/", read_views.PlanDetail.as_view(), name="plan_detail"),
    path("v1/plans/<api_id:plan_id>/pdf/", read_views.PlanPdf.as_view(), name="plan_pdf"),
    path("v1/tasks/", read_views.TaskList.as_view(), name="task_list"),
    path("v1/periods/", read_views.PeriodList.as_view(), name="period_list"),
    path("v1/periods/<api_id:period_id>/summary/<api_id:agency_id>/", read_views.PeriodSummary.as_view(),
         name="period_summary"),
    # Reports (report_views.py): read, the unit's draft, evidence, submit and review.
    path("v1/reports/", report_views.ReportListView.as_view(), name="report_list"),
    path("v1/reports/<api_id:report_id>/", report_views.ReportDetailView.as_view(), name="report_detail"),
    path("v1/reports/<api_id:report_id>/lines/<api_id:line_id>/", report_views.ReportLineView.as_view(),
         name="report_line"),
    path("v1/reports/<api_id:report_id>/submit/", report_views.ReportSubmitView.as_view(), name="report_submit"),
    path("v1/reports/<api_id:report_id>/accept/", report_views.ReportAcceptView.as_view(), name="report_accept"),
    path("v1/reports/<api_id:report_id>/return/", report_views.ReportReturnView.as_view(), name="report_return"),
    path("v1/reports/<api_id:report_id>/evidence/", report_views.EvidenceListView.as_view(),
         name="report_evidence_list"),
    path("v1/reports/<api_id:report_id>/evidence/<api_id:evidence_id>/", report_views.EvidenceView.as_view(),
         name="report_evidence"),
]
