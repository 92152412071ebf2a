# Routes of the compliance dashboard (/dashboard/).
from django.urls import path

from . import dashboard_views

app_name = "dashboard"
urlpatterns: list = [
    path("", dashboard_views.dashboard, name="index"),
    path("xlsx", dashboard_views.dashboard_export, name="xlsx"),
]
