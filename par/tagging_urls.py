"""The tagging pages' URLs, added to par/urls.py."""

from django.urls import path

from . import tagging_views

urlpatterns = [
    path("gan-nhan/ke-hoach/<int:plan_id>/", tagging_views.plan_tags, name="tag_plan"),
    path("gan-nhan/bao-cao/<int:report_id>/", tagging_views.report_tags, name="tag_report"),
]
