"""The public register, mounted at /cong-khai/ (cchc_portal/urls.py): no login."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.register, name="register"),
    path("ke-hoach/<int:plan_id>/", public_views.plan_page, name="plan"),
    path("ke-hoach/<int:plan_id>/van-ban.pdf", public_views.plan_pdf, name="pdf"),
    path("ke-hoach/<int:plan_id>/nhiem-vu.csv", public_views.plan_tasks_file, {"fmt": "csv"}, name="plan_tasks_csv"),
    path("ke-hoach/<int:plan_id>/nhiem-vu.json", public_views.plan_tasks_file, {"fmt": "json"},
         name="plan_tasks_json"),
    path("du-lieu-mo/", public_views.open_data, name="open_data"),
    path("du-lieu-mo/ke-hoach.csv", public_views.plans_file, {"fmt": "csv"}, name="plans_csv"),
    path("du-lieu-mo/ke-hoach.json", public_views.plans_file, {"fmt": "json"}, name="plans_json"),
    path("du-lieu-mo/nhiem-vu.csv", public_views.tasks_file, {"fmt": "csv"}, name="tasks_csv"),
    path("du-lieu-mo/nhiem-vu.json", public_views.tasks_file, {"fmt": "json"}, name="tasks_json"),
]
