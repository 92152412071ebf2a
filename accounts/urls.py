"""Password reset by e-mail and two-factor pages, at Vietnamese addresses.
Included without a namespace for the reset views, whose names Django's
templates and PasswordResetView expect (password_reset_done, ...)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

password_urls = [
    path(
        "quen-mat-khau/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("dat-lai-mat-khau/xong/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

app_name = "accounts"
urlpatterns = [
    path("xac-thuc-hai-buoc/", views.otp_verify, name="otp_verify"),
    path("xac-thuc-hai-buoc/dang-ky/", views.otp_enrol, name="otp_enrol"),
]
