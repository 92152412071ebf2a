from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.onboarding import MAX_IMPORT_BYTES, UserImportError, users_import


class Command(BaseCommand):
    help = (
        "Nhập người dùng và vai trò từ tệp CSV (UTF-8) hoặc XLSX (cột: Họ tên, Thư điện tử, "
        "Mã đơn vị, Vai trò); có lỗi thì không ghi dòng nào. Tài khoản mới nhận thư mời đặt mật khẩu."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp .csv hoặc .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì.")

    def handle(self, *args, path, dry_run=False, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        if file.stat().st_size > MAX_IMPORT_BYTES:
            raise CommandError(f"Tệp lớn hơn {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        try:
            result = users_import(content=file.read_bytes(), filename=file.name, dry_run=dry_run)
        except UserImportError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(f"Không nhập được: {len(exc.errors)} lỗi, không dòng nào được ghi.") from exc
        self.stdout.write(result.summary())
