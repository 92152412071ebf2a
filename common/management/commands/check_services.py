from django.core.management.base import BaseCommand, CommandError

from common.health import check_worker, run_checks


class Command(BaseCommand):
    help = ("Kiểm tra các dịch vụ như /healthz/ready: cơ sở dữ liệu, bộ nhớ đệm, hàng đợi Celery, "
            "lưu trữ tệp và các kiểm tra của từng phần (với --worker: cả nhịp và một tác vụ thử của worker).")

    def add_arguments(self, parser):
        parser.add_argument("--worker", action="store_true",
                            help="Kiểm tra cả worker: nhịp gần nhất và một tác vụ thử chờ worker trả lời.")
        parser.add_argument("--core", action="store_true",
                            help="Chỉ các dịch vụ (cơ sở dữ liệu, bộ nhớ đệm, hàng đợi, lưu trữ tệp), "
                                 "bỏ qua kiểm tra của từng phần (dùng trước khi migrate).")

    def handle(self, *args, **options):
        failed = False
        # Without --worker (`make run` checks before it starts the worker) the heartbeat is left out.
        for result in run_checks(worker=options["worker"], apps=not options["core"]):
            self.stdout.write(result.message)
            failed |= not result.ok
        if options["worker"]:
            ok, line = check_worker()
            self.stdout.write(line)
            failed |= not ok
        if failed:
            raise CommandError("Dịch vụ chưa sẵn sàng (xem dòng trên).")
