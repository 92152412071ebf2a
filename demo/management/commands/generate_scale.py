"""python manage.py generate_scale: a national-scale dataset (demo/scale.py)."""

from django.core.management.base import BaseCommand, CommandError

from demo.scale import ScaleExistsError, scale_generate


class Command(BaseCommand):
    help = (
        "Tạo bộ dữ liệu quy mô toàn quốc (đơn vị, kế hoạch đã ban hành, nhiệm vụ, kỳ và báo cáo ở mọi trạng thái) "
        "để đo hiệu năng và dùng thử bảng theo dõi. Mã đơn vị bắt đầu bằng tiền tố, không đụng dữ liệu mẫu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=34, help="số tỉnh/thành phố (mặc định 34)")
        parser.add_argument("--communes", type=int, default=3321, help="tổng số xã/phường (mặc định 3321)")
        parser.add_argument("--departments", type=int, default=25, help="số sở, ngành mỗi tỉnh (mặc định 25)")
        parser.add_argument("--tasks", type=int, default=20, help="số nhiệm vụ mỗi đơn vị (mặc định 20)")
        parser.add_argument("--year", type=int, default=None, help="năm kế hoạch và kỳ báo cáo (mặc định năm nay)")
        parser.add_argument("--prefix", default="SCALE", help="tiền tố mã đơn vị và tên đăng nhập (mặc định SCALE)")
        parser.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên (cùng hạt, cùng dữ liệu)")

    def handle(self, *args, **options):
        try:
            result = scale_generate(
                provinces=options["provinces"], communes=options["communes"], departments=options["departments"],
                tasks=options["tasks"], year=options["year"], prefix=options["prefix"], seed=options["seed"],
            )
        except (ScaleExistsError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Đã tạo {result.agencies} đơn vị, {result.plans} kế hoạch, {result.tasks} nhiệm vụ, "
            f"{result.periods} kỳ, {result.reports} báo cáo, {result.lines} dòng báo cáo "
            f"trong {result.seconds:.1f} giây."
        ))
        self.stdout.write("Tài khoản (mật khẩu như dữ liệu mẫu): " + ", ".join(result.users))
