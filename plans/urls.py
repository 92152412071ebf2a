from django.urls import path

from . import import_views, views
from .document_urls import urlpatterns as document_urlpatterns

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("import/", import_views.plan_import_start, name="import"),
    path("import/<int:import_id>/", import_views.plan_import_review, name="import_review"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_id>/edit/to-chuc/", views.plan_edit_responsibilities, name="edit_responsibilities"),
    path("<int:plan_id>/edit/de-muc/", views.plan_edit_headings, name="edit_headings"),
    path("<int:plan_id>/edit/de-muc/<int:heading_id>/", views.plan_edit_heading, name="edit_heading"),
    path("<int:plan_id>/edit/<slug:section_slug>/", views.plan_edit_section, name="edit_section"),
    path("<int:plan_id>/tasks/", views.plan_tasks, name="tasks"),
    path("<int:plan_id>/tasks/new/", views.task_edit, name="task_new"),
    path("<int:plan_id>/tasks/<int:task_id>/", views.task_row, name="task_row"),
    path("<int:plan_id>/tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("<int:plan_id>/tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
    path("<int:plan_id>/submit/", views.plan_submit, name="submit"),
    path("<int:plan_id>/record/", views.plan_record, name="record"),
    path("<int:plan_id>/return/", views.plan_return, name="return"),
    path("<int:plan_id>/withdraw/", views.plan_withdraw, name="withdraw"),
    path("<int:plan_id>/delete/", views.plan_delete, name="delete"),
    path("<int:plan_id>/issue/", views.plan_issue, name="issue"),
    path("<int:plan_id>/amend/", views.plan_amend, name="amend"),
    path("<int:plan_id>/cong-khai/", views.plan_publish, name="publish"),
    path("<int:plan_id>/copy/", views.plan_copy, name="copy"),
    path("<int:plan_id>/cascade/", views.plan_cascade, name="cascade"),
    *document_urlpatterns,
]
