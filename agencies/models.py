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
