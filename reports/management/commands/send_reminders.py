import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reports.sweep import reminders_sweep


class Command(BaseCommand):
    help = ("Gửi nhắc hạn trong ngày: hạn nộp báo cáo và hạn ban hành kế hoạch năm sau "
            "(cùng quy tắc với tác vụ Celery hằng ngày).")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày chạy, dạng YYYY-MM-DD (mặc định: hôm nay).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không ghi và không gửi.")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError("Ngày phải có dạng YYYY-MM-DD, ví dụ 2026-12-15.") from exc
        result = reminders_sweep(today=today, dry_run=dry_run)
        for item in result.due:
            self.stdout.write(f"{item.kind:<11} {item.day:%d/%m/%Y}  {item.describe()}")
        if dry_run:
            self.stdout.write(f"{len(result.due)} lượt nhắc sẽ được gửi (chạy thử, chưa gửi).")
        else:
            self.stdout.write(
                f"Đã ghi {result.created} lượt nhắc mới; e-mail do Celery worker gửi"
                f"{f'; gửi lại {result.requeued} lượt chưa gửi được' if result.requeued else ''}."
            )
