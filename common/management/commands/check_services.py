from django.core.management.base import BaseCommand, CommandError

from common.health import check_broker, check_database, check_worker


class Command(BaseCommand):
    help = "Kiểm tra kết nối cơ sở dữ liệu và hàng đợi Celery (và worker, nếu cần)."

    def add_arguments(self, parser):
        parser.add_argument("--worker", action="store_true", help="Gửi một tác vụ thử và chờ worker trả lời.")

    def handle(self, *args, **options):
        checks = [check_database, check_broker] + ([check_worker] if options["worker"] else [])
        failed = False
        for check in checks:
            ok, line = check()
            self.stdout.write(line)
            failed |= not ok
        if failed:
            raise CommandError("Dịch vụ chưa sẵn sàng (xem dòng trên).")
