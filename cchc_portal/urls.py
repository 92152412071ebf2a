from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.permissions import is_system_admin

from . import views


def _admin_site_has_permission(request):
    # Django admin edits any agency's data, so only system administrators
    # (superuser or the admin role) get in, not every is_staff account.
    return request.user.is_active and request.user.is_staff and is_system_admin(request.user)


admin.site.has_permission = _admin_site_has_permission
admin.site.site_header = "Quản trị Cổng kế hoạch tuyên truyền CCHC"
admin.site.site_title = "Quản trị CCHC"
admin.site.index_title = "Danh mục và người dùng"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    # Browsers ask for /favicon.ico before reading the page's <link rel=icon>.
    path("favicon.ico", views.favicon),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("plans/", include("plans.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]
