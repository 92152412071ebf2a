from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "Quản trị Cổng kế hoạch tuyên truyền CCHC"
admin.site.site_title = "Quản trị CCHC"
admin.site.index_title = "Danh mục và người dùng"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("plans/", include("plans.urls")),
    path("admin/", admin.site.urls),
]
