from django.urls import path

from . import pack_urls, tagging_urls, views

app_name = "par"

urlpatterns = [
    path("", views.home, name="home"),
    *pack_urls.urlpatterns,
    *tagging_urls.urlpatterns,
]
