from django.urls import path

from . import views
from .document_urls import urlpatterns as document_urlpatterns

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    *document_urlpatterns,
]
