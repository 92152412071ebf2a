from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from accounts.urls import password_urls
from accounts.views import admin_has_permission, admin_login_gate
from api.fallback import api_not_found

from . import views

# Only system administrators get in (and, with DJANGO_ADMIN_REQUIRE_OTP, only
# once their session is verified by TOTP): accounts/views.py.
admin.site.has_permission = admin_has_permission
admin.site.login = admin_login_gate(admin.site.login)  # type: ignore[method-assign]
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
    # The public register of issued plans and its open data: no login.
    path("cong-khai/", include("plans.public_urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("chi-so-cchc/", include("par.urls")),
    path("api/", include("api.urls")),
    re_path(r"^api/", api_not_found),  # an /api/ address no endpoint matches: JSON, not the HTML page
    path("", include(password_urls)),
    path("tai-khoan/", include("accounts.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # ONBOARDING: the invitation's set-password page (/kich-hoat/<uidb64>/<token>/)
    path("", include("agencies.urls")),
]
