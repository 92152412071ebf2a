"""manage.py catalog_compile: the project's .po catalogs (LOCALE_PATHS)
compiled to .mo without GNU gettext (common/catalog.py). Commit both files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from common.catalog import compile_po, project_catalogs


class Command(BaseCommand):
    help = "Biên dịch các tệp .po của dự án (LOCALE_PATHS) thành .mo, không cần GNU gettext."

    def handle(self, *args, **options):
        for po in project_catalogs(settings.LOCALE_PATHS):
            mo = Path(po).with_suffix(".mo")
            mo.write_bytes(compile_po(po))
            self.stdout.write(f"{mo}")
