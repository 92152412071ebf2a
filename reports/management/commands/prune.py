from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.services.retention import prune


class Command(BaseCommand):
    help = ("Xóa dữ liệu quá hạn lưu giữ (RETENTION_DAYS, mặc định 365 ngày): phiên đăng nhập hết hạn, "
            "lượt thông báo đã xong và thông báo chuông đã đọc. Lượt thông báo chưa gửi được không bao giờ bị xóa.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"Giữ lại bao nhiêu ngày (mặc định RETENTION_DAYS = {settings.RETENTION_DAYS}).")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days phải từ 1 trở lên.")
        result = prune(days=days)
        self.stdout.write(
            f"Đã xóa {result.sessions} phiên hết hạn, {result.notices} lượt thông báo và "
            f"{result.notifications} thông báo chuông tạo trước {result.cutoff:%d/%m/%Y}."
        )
