from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Phục hồi một bản sao lưu của lệnh backup vào cơ sở dữ liệu đang cấu hình (mới, chưa có bảng) "
            "và MEDIA_ROOT (trống): kiểm tra mã sha256 trước, so số dòng và tệp sau.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Thư mục do lệnh backup tạo (có manifest.json).")

    def handle(self, *args, directory, **options):
        try:
            manifest = restore(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["database"]["tables"]
        self.stdout.write(
            f"Đã phục hồi từ {directory}: {len(tables)} bảng, {sum(tables.values())} dòng, "
            f"{len(manifest['media']['files'])} tệp; số dòng và mã kiểm tra khớp bản sao lưu."
        )
