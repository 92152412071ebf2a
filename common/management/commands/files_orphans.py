import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from common.files import files_orphans


class Command(BaseCommand):
    help = ("Tìm tệp trong kho lưu trữ không còn dòng dữ liệu nào trỏ tới (tệp mồ côi, cũ hơn thời gian chờ) "
            "và các dòng dữ liệu mất tệp. Mặc định chỉ liệt kê; --delete để xóa tệp mồ côi.")

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Xóa các tệp mồ côi đã quá thời gian chờ.")
        parser.add_argument("--grace-hours", type=int, default=24,
                            help="Chỉ tính là mồ côi khi tệp cũ hơn số giờ này (mặc định 24: tệp đang tải lên được để yên).")

    def handle(self, *args, delete=False, grace_hours=24, **options):
        if grace_hours < 0:
            raise CommandError("--grace-hours không được âm.")
        result = files_orphans(delete=delete, grace=dt.timedelta(hours=grace_hours))
        for name in result.orphans:
            self.stdout.write(f"{'đã xóa' if name in result.deleted else 'mồ côi'}  {name}")
        for label, name in result.missing:
            self.stdout.write(f"mất tệp ({label})  {name}")
        self.stdout.write(
            f"{len(result.orphans)} tệp mồ côi"
            + (f", đã xóa {len(result.deleted)}" if delete else " (chạy lại với --delete để xóa)" if result.orphans else "")
            + f"; {len(result.young)} tệp mới chưa quá thời gian chờ; {len(result.missing)} dòng dữ liệu mất tệp."
        )
