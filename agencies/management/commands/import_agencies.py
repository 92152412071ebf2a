from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.services import AgencyImportError, agency_import


class Command(BaseCommand):
    help = "Nhập danh sách đơn vị từ tệp CSV (UTF-8) hoặc XLSX; có lỗi thì không ghi dòng nào."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp .csv hoặc .xlsx")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            result = agency_import(content=file.read_bytes(), filename=file.name)
        except AgencyImportError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(f"Không nhập được: {len(exc.errors)} lỗi, không dòng nào được ghi.") from exc
        self.stdout.write(f"Đã nhập: {result.created} đơn vị mới, {result.updated} đơn vị cập nhật.")
