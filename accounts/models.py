"""The audit log: who did what, when, from which address."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One login, logout, lockout or download. Written by accounts.services.record_event
    only; never edited (the admin is read-only)."""

    class Action(models.TextChoices):
        LOGIN = "login", "Đăng nhập"
        LOGIN_FAILED = "login_failed", "Đăng nhập sai"
        LOGOUT = "logout", "Đăng xuất"
        SESSION_EXPIRED = "session_expired", "Hết phiên do không hoạt động"
        LOCKOUT = "lockout", "Bị khóa do đăng nhập sai nhiều lần"
        PASSWORD_RESET = "password_reset", "Đặt lại mật khẩu qua e-mail"
        OTP_ENROLLED = "otp_enrolled", "Đăng ký xác thực hai bước"
        OTP_VERIFIED = "otp_verified", "Xác thực hai bước"
        OTP_FAILED = "otp_failed", "Mã xác thực hai bước sai"
        DOWNLOAD_EVIDENCE = "download_evidence", "Tải minh chứng"
        DOWNLOAD_PLAN = "download_plan", "Tải kế hoạch (PDF/DOCX)"
        DOWNLOAD_SUMMARY = "download_summary", "Tải báo cáo tổng hợp (BC)"
        EXPORT_XLSX = "export_xlsx", "Xuất XLSX"
        EXPORT_AGENCIES = "export_agencies", "Xuất danh sách đơn vị"
        API_WRITE = "api_write", "Ghi dữ liệu qua API"
        SIGN_PLAN = "sign_plan", "Đưa bản ký số của kế hoạch (tải lên hoặc cổng ký)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="audit_events", verbose_name="người dùng",
    )
    # Kept as text: a failed login names no user, and a deleted user's trail stays readable.
    username = models.CharField("tên đăng nhập", max_length=150, blank=True, db_index=True)
    action = models.CharField("hành động", max_length=32, choices=Action.choices)
    object_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    object_repr = models.CharField("đối tượng", max_length=255, blank=True)
    created_at = models.DateTimeField("thời điểm", default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    user_agent = models.CharField("trình duyệt", max_length=255, blank=True)

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký đăng nhập và tải tệp"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "created_at"], name="audit_action_when")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.username or '—'}"
