from django.urls import path, re_path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/review/", views.report_review, name="review"),
    path("<int:report_id>/record/", views.report_record, name="record"),
    path("<int:report_id>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("<int:report_id>/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("summary/<int:period_id>/", views.summary, name="summary"),
    path("summary/<int:period_id>/xlsx", views.summary_export, name="summary_xlsx"),
    re_path(r"^summary/(?P<period_id>[0-9]+)/(?P<file_format>pdf|docx)$", views.summary_document_download, name="summary_document"),
    path("summary/<int:period_id>/remind/", views.summary_remind, name="summary_remind"),
    re_path(r"^summary/(?P<period_id>[0-9]+)/more/(?P<part>units|missing|late|told)/$", views.summary_more,
            name="summary_more"),
    re_path(r"^summary/(?P<period_id>[0-9]+)/build/(?P<file_format>pdf|docx|xlsx)$", views.summary_job_create,
            name="summary_job_create"),
    path("summary/jobs/<int:job_id>/", views.summary_job, name="summary_job"),
    path("summary/jobs/<int:job_id>/status", views.summary_job_status, name="summary_job_status"),
    path("summary/jobs/<int:job_id>/download", views.summary_job_download, name="summary_job_download"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
]
