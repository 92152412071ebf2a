# Routes of the compliance dashboard (/dashboard/).
from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns: list = [
    path("", views.dashboard, name="index"),
    path("xlsx", views.dashboard_export, name="xlsx"),
]
