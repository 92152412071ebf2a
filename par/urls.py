from django.urls import path

from . import pack_urls, tagging_urls, views

app_name = "par"

urlpatterns = [
    path("", views.home, name="home"),
    path("xep-hang/", views.ranking_view, name="ranking"),
    path("xep-hang/xlsx", views.ranking_export, name="ranking_xlsx"),
    path("<int:agency_id>/<int:year>/", views.assessment, name="assessment"),
    path("<int:agency_id>/<int:year>/gui/", views.submit, name="submit"),
    path("<int:agency_id>/<int:year>/tra-lai/", views.return_view, name="return"),
    path("<int:agency_id>/<int:year>/xlsx", views.assessment_export, name="assessment_xlsx"),
    path("<int:agency_id>/<int:year>/tep/<int:item_id>/", views.item_file, name="item_file"),
    *pack_urls.urlpatterns,
    *tagging_urls.urlpatterns,
]
