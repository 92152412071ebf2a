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
        SIGN_PLAN = "sign_plan", "Ký số kế hoạch bằng chứng thư của đơn vị"
        UPLOAD_SIGNED_PLAN = "upload_signed_plan", "Tải lên bản ký số"

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
    # The API token a write came through (api.audit.api_write_logged); empty for the browser.
    api_token = models.ForeignKey(
        "accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="audit_events", verbose_name="khóa API",
    )

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký đăng nhập và tải tệp"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "created_at"], name="audit_action_when")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.username or '—'}"


class ApiToken(models.Model):
    """A key another system (e-office, the ministry's software) calls the API
    with. Each token has its own system account: a user with no usable
    password, no e-mail and the roles chosen at issue as real Membership rows,
    so can() and the selectors treat it as any person with those roles. The
    key is kept only as its SHA-256; its first characters (prefix) name it in
    the admin and the log. Issued, revoked and checked by accounts/api_tokens.py."""

    name = models.CharField("tên", max_length=120, help_text="Ví dụ: Hệ thống quản lý văn bản của tỉnh.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token",
        verbose_name="tài khoản hệ thống",
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="api_tokens", verbose_name="đơn vị",
    )
    key_prefix = models.CharField("đầu khóa", max_length=16, db_index=True)
    key_hash = models.CharField("băm SHA-256 của khóa", max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="người cấp",
    )
    created_at = models.DateTimeField("thời điểm cấp", default=timezone.now)
    last_used_at = models.DateTimeField("lần dùng gần nhất", null=True, blank=True)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API (tài khoản hệ thống)"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
