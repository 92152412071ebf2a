from django.conf import settings
from django.db import models
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet


class Agency(TreeNode):
    """A state body in a tree of any depth (province -> commune, or the older
    province -> district -> commune). Merged or dissolved units stay as
    inactive historical nodes so their plans and reports still print."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", "Bộ, cơ quan ngang bộ"
        CENTRAL_UNIT = "central_unit", "Vụ, Cục, đơn vị thuộc Bộ"
        PROVINCE = "province", "Tỉnh/Thành phố (UBND cấp tỉnh)"
        DISTRICT = "district", "Huyện/Quận/Thị xã (UBND cấp huyện)"
        COMMUNE = "commune", "Xã/Phường/Đặc khu/Thị trấn (UBND cấp xã)"
        DEPARTMENT = "department", "Sở, ban, ngành"
        OFFICE = "office", "Phòng chuyên môn / Văn phòng"
        UNIT = "unit", "Đơn vị sự nghiệp / Trung tâm"
        ORGANIZATION = "organization", "Tổ chức ngoài hệ thống (MTTQ, đoàn thể…)"

    parent = TreeNodeForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(
        "mã đơn vị",
        max_length=40,
        unique=True,
        help_text="Mã duy nhất dùng khi nhập/xuất danh sách, ví dụ HD-BG-NV.",
    )
    name = models.CharField("tên đầy đủ", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=120, blank=True)
    kind = models.CharField("loại đơn vị", max_length=20, choices=Kind.choices)
    abbreviation = models.CharField(
        "chữ viết tắt trong ký hiệu văn bản",
        max_length=20,
        blank=True,
        help_text='Phần cơ quan trong ký hiệu, ví dụ "UBND" trong 255/KH-UBND, "SGTVT".',
    )
    place_name = models.CharField(
        "địa danh ghi ở dòng ngày tháng",
        max_length=120,
        blank=True,
        help_text='Ví dụ "Bình Giang" trong "Bình Giang, ngày … tháng … năm …".',
    )
    email = models.EmailField("thư điện tử liên hệ", blank=True)
    is_home_affairs = models.BooleanField(
        "là cơ quan Nội vụ",
        default=False,
        help_text="Sở/Phòng Nội vụ: xem xét báo cáo của các đơn vị trong phạm vi cấp trên của mình.",
    )
    is_active = models.BooleanField("đang hoạt động", default=True)
    dissolved_on = models.DateField("ngày sáp nhập/giải thể", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="sáp nhập vào",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = TreeQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_active=True) | models.Q(dissolved_on__isnull=False),
                name="agency_inactive_has_date",
                violation_error_message="Đơn vị ngừng hoạt động phải có ngày sáp nhập/giải thể.",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.is_active else f"{self.name} (đã sáp nhập/giải thể)"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    """A user's role at an agency. One row per role; a user may hold several."""

    class Role(models.TextChoices):
        DRAFTER = "drafter", "Chuyên viên soạn thảo"
        HEAD = "head", "Lãnh đạo đơn vị"
        REVIEWER = "reviewer", "Cán bộ Nội vụ (xem xét)"
        ADMIN = "admin", "Quản trị hệ thống"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                name="membership_unique_role",
                violation_error_message="Người dùng đã có vai trò này tại đơn vị.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency.display_name}"


def _certificate_upload_to(instance: "SigningCertificate", filename: str) -> str:
    from common.files import bounded_name

    return bounded_name(f"signing/certificates/{instance.agency_id}", filename, max_length=200)


class SigningCertificate(models.Model):
    """Chứng thư số của đơn vị (PKCS#12) the portal signs issued documents
    with, set by a system administrator. The passphrase is kept encrypted
    (common.secrets) and never shown back."""

    agency = models.OneToOneField(Agency, verbose_name="đơn vị", on_delete=models.CASCADE,
                                  related_name="signing_certificate")
    file = models.FileField("tệp chứng thư số (.p12, .pfx)", upload_to=_certificate_upload_to, max_length=200)
    passphrase_encrypted = models.TextField("mật khẩu (đã mã hóa)", blank=True, editable=False)
    organisation = models.CharField(
        "tên đơn vị trên ô chữ ký", max_length=255,
        help_text="In trong ô chữ ký số, ví dụ «UBND tỉnh Hải Dương». Để trống: lấy từ chứng thư số.", blank=True)
    subject_name = models.CharField("chủ thể chứng thư", max_length=255, editable=False)
    serial = models.CharField("số hiệu chứng thư", max_length=80, editable=False)
    not_before = models.DateTimeField("hiệu lực từ", editable=False)
    not_after = models.DateTimeField("hiệu lực đến", editable=False)
    is_active = models.BooleanField("đang dùng", default=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người cập nhật", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    class Meta:
        verbose_name = "chứng thư số của đơn vị"
        verbose_name_plural = "chứng thư số của đơn vị"

    def __str__(self) -> str:
        return f"{self.agency.display_name} – {self.subject_name}"


class TrustRoot(models.Model):
    """Chứng thư gốc tin cậy: a CA certificate signed PDFs must chain to
    (e.g. the Ban Cơ yếu Chính phủ's root, or a licensed CA's root)."""

    name = models.CharField("tên", max_length=255)
    pem = models.TextField("chứng thư (PEM)", editable=False)
    subject_name = models.CharField("chủ thể", max_length=255, editable=False)
    sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True, editable=False)
    not_before = models.DateTimeField("hiệu lực từ", editable=False)
    not_after = models.DateTimeField("hiệu lực đến", editable=False)
    is_active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("thêm lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư gốc tin cậy"
        verbose_name_plural = "chứng thư gốc tin cậy"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
