"""The evidence pack's URLs (request, progress, download), added to par/urls.py."""

from django.urls import path

from . import pack_views

urlpatterns: list = [
    path("ho-so-minh-chung/<int:agency_id>/<int:year>/tao/", pack_views.pack_request_view, name="pack_request"),
    path("ho-so-minh-chung/<int:agency_id>/<int:year>/tien-do/", pack_views.pack_progress, name="pack_progress"),
    path("ho-so-minh-chung/<int:agency_id>/<int:year>/tai-ve/", pack_views.pack_download, name="pack_download"),
]
