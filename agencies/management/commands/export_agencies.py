import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from agencies.services import agency_export


class Command(BaseCommand):
    help = "Xuất danh sách đơn vị ra CSV hoặc XLSX (thứ tự cây, đơn vị cấp trên trước)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
        parser.add_argument("-o", "--output", help="Tệp ghi ra (mặc định: stdout cho CSV)")

    def handle(self, *args, format, output, **options):  # noqa: A002
        content = agency_export(file_format=format)
        if output:
            Path(output).write_bytes(content)
            self.stdout.write(f"Đã ghi {output}.")
        else:
            sys.stdout.buffer.write(content)
