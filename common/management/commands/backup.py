from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Sao lưu cơ sở dữ liệu (pg_dump hoặc bản sao SQLite), thư mục tệp (media.tar.gz) "
            "và manifest.json (mã kiểm tra sha256, số dòng từng bảng, phiên bản) vào một thư mục.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Thư mục đích (tạo mới nếu chưa có; không được chứa bản sao lưu khác).")

    def handle(self, *args, directory, **options):
        try:
            manifest = backup(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["database"]["tables"]
        self.stdout.write(
            f"Đã sao lưu vào {directory}: {len(tables)} bảng, {sum(tables.values())} dòng, "
            f"{len(manifest['media']['files'])} tệp."
        )
