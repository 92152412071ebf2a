import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from plans.documents.storage import FORMATS, plan_document_bytes, plan_document_filename
from plans.models import Plan
from plans.selectors import plan_get_for_user, plan_with_contents

REFERENCE = re.compile(r"^(?P<number>\d+)/(?P<symbol>[^/\s]+)$")


class Command(BaseCommand):
    help = (
        "Xuất kế hoạch ra PDF hoặc DOCX theo thể thức Nghị định 30. Ví dụ: "
        "render_plan 255/KH-UBND --format pdf --output KH-255.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("plan", help='mã kế hoạch (id) hoặc số, ký hiệu, ví dụ "255/KH-UBND"')
        parser.add_argument("--format", choices=sorted(FORMATS), default="pdf")
        parser.add_argument(
            "--output", help="đường dẫn tệp ghi ra (mặc định: tên tệp chuẩn trong thư mục hiện tại)"
        )
        parser.add_argument(
            "--year", type=int, help="năm ban hành, khi số, ký hiệu trùng giữa các năm hoặc đơn vị"
        )
        parser.add_argument(
            "--user",
            help="xuất với quyền của tài khoản này (như khi tải trên cổng); mặc định: quyền vận hành",
        )

    def handle(self, *args, **options):
        plan_id = self._plan_id(options["plan"], options["year"])
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Không có tài khoản {options['user']}.")
            try:
                plan = plan_get_for_user(user=user, plan_id=plan_id)
            except Http404:
                raise CommandError(f"Tài khoản {user.username} không xem được kế hoạch này.") from None
        else:
            # Whoever runs manage.py already holds the whole database.
            plan = plan_with_contents().get(pk=plan_id)

        fmt = options["format"]
        data = plan_document_bytes(plan=plan, fmt=fmt)
        output = Path(options["output"] or plan_document_filename(plan, fmt))
        output.write_bytes(data)
        self.stdout.write(f"Đã ghi {output} ({len(data) // 1024} KB).")

    def _plan_id(self, value: str, year: int | None) -> int:
        if value.isdigit():
            if not Plan.objects.filter(pk=int(value)).exists():
                raise CommandError(f"Không có kế hoạch mã {value}.")
            return int(value)
        match = REFERENCE.match(value.strip())
        if not match:
            raise CommandError('Ghi mã kế hoạch (số) hoặc số, ký hiệu dạng "255/KH-UBND".')
        plans = Plan.objects.filter(number=int(match["number"]), symbol__iexact=match["symbol"])
        if year:
            plans = plans.filter(issue_date__year=year)
        found = list(plans.select_related("issuer")[:10])
        if not found:
            raise CommandError(f"Không có kế hoạch số {value}.")
        if len(found) > 1:
            listing = "; ".join(f"mã {p.pk}: {p.issuer.name}, {p.year_start}" for p in found)
            raise CommandError(f"Có nhiều kế hoạch số {value} ({listing}). Ghi mã kế hoạch hoặc --year.")
        return found[0].pk
