from django.core.management.base import BaseCommand

from demo.loader import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: cây đơn vị, 4 kế hoạch thật (seed 000, 002, 003, 004) và tài khoản demo."

    def handle(self, *args, **options):
        result = demo_load()
        self.stdout.write(
            f"Đơn vị: {result.agencies_created} mới, {result.agencies_updated} cập nhật. "
            f"Kế hoạch mới: {', '.join(result.plans_created) or 'không (đã có)'}. "
            f"Tài khoản mới: {', '.join(result.users_created) or 'không (đã có)'}. "
            f"Báo cáo mẫu mới: {result.reports_created}."
        )
        self.stdout.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, (full_name, roles, _) in DEMO_USERS.items():
            where = "; ".join(f"{role} @ {code}" for code, role in roles)
            self.stdout.write(f"  {username:<18} {full_name} — {where}")
