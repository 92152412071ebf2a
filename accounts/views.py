"""Pages of the accounts app: two-factor enrolment and verification for
administrators, the admin login gate, and the audited password reset."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.permissions import can, is_system_admin

from .forms import OTPTokenForm
from .models import AuditEvent
from .rules import OTP_MANAGE
from .services import record_event

DEVICE_NAME = "Ứng dụng xác thực"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _require_otp_manager(request: HttpRequest) -> None:
    if not can(request.user, OTP_MANAGE):
        raise PermissionDenied("Xác thực hai bước dành cho quản trị hệ thống.")


def _is_verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def _secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Add a TOTP device to the acting administrator's own account. Replacing a
    device already confirmed needs a session verified with it first."""
    _require_otp_manager(request)
    user = request.user
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if has_device and not _is_verified(request):
        messages.info(request, "Tài khoản đã có ứng dụng xác thực. Nhập mã để xác thực trước khi đăng ký lại.")
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': reverse('accounts:otp_enrol')})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_event(request, AuditEvent.Action.OTP_ENROLLED, device)
            messages.success(request, "Đã bật xác thực hai bước cho tài khoản của bạn.")
            return redirect(_safe_next(request))
        record_event(request, AuditEvent.Action.OTP_FAILED, device)
        form.add_error("token", "Mã không đúng hoặc đã hết hạn. Kiểm tra giờ trên điện thoại rồi nhập mã mới."
                       if allowed else "Nhập sai nhiều lần. Chờ một lát rồi thử lại.")
    uri = device.config_url
    context = {
        "form": form,
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", omitsize=True, title="Mã QR đăng ký"),
        "secret": _secret(device),
        "uri": uri,
        "replacing": has_device,
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Enter a code from the enrolled app: this session becomes verified."""
    _require_otp_manager(request)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('accounts:otp_enrol')}?{urlencode({'next': _safe_next(request)})}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            record_event(request, AuditEvent.Action.OTP_VERIFIED, device)
            return redirect(_safe_next(request))
        record_event(request, AuditEvent.Action.OTP_FAILED, device)
        if not allowed:
            form.add_error("token", "Nhập sai nhiều lần. Chờ một lát rồi thử lại.")
        else:
            form.add_error("token", "Mã không đúng hoặc đã hết hạn. Nhập mã mới đang hiện trong ứng dụng.")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})


def admin_login_gate(original_login):
    """Wrap AdminSite.login: a signed-in administrator whose session is not
    verified goes to the two-factor page instead of seeing the login form again."""
    if getattr(original_login, "otp_gate", False):
        return original_login  # urls.py imported twice (a test reloading it): wrap once

    def login(request: HttpRequest, extra_context=None) -> HttpResponse:
        if (
            settings.ADMIN_REQUIRE_OTP
            and request.user.is_authenticated
            and is_system_admin(request.user)
            and not _is_verified(request)
        ):
            target = request.GET.get("next") or reverse("admin:index")
            return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': target})}")
        return original_login(request, extra_context)

    login.otp_gate = True  # type: ignore[attr-defined]
    return login


def admin_has_permission(request: HttpRequest) -> bool:
    """Django admin edits any agency's data, so only system administrators
    (superuser or the admin role) get in, not every is_staff account; with
    DJANGO_ADMIN_REQUIRE_OTP their session must also be verified by TOTP."""
    user = request.user
    if not (user.is_active and user.is_staff and is_system_admin(user)):
        return False
    return not settings.ADMIN_REQUIRE_OTP or _is_verified(request)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        record_event(self.request, AuditEvent.Action.PASSWORD_RESET, user=form.user)
        return response
