"""A province's users in one step: import a generated 1,000-row file (CSV and
XLSX) of users and roles spread over a province's units, and print the time,
the number of SQL queries and the peak memory of the import, then the time to
write the 1,000 invitation e-mails (rendered and sent to Django's in-memory
backend: no SMTP server is contacted).

Run from the repository root, on SQLite (default) or PostgreSQL:

    .venv/bin/python benchmarks/import_users.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python benchmarks/import_users.py

A throw-away test database is created and dropped (test_<name> on PostgreSQL).
Goal: each import under 10 s and a number of queries that does not grow per row.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings_test")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ROWS = 1000
HEADER = ["Họ tên", "Thư điện tử", "Mã đơn vị", "Vai trò"]
ROLES = ["Chuyên viên soạn thảo", "Lãnh đạo đơn vị", "drafter; head", "Cán bộ Nội vụ (xem xét)"]


def build_province():
    """A province, 10 districts, each with a home-affairs office and 10 communes (121 units)."""
    from agencies.models import Agency

    province = Agency.objects.create(code="BT", name="Ủy ban nhân dân tỉnh Thử", kind=Agency.Kind.PROVINCE)
    codes = ["BT"]
    for d in range(10):
        district = Agency.objects.create(
            code=f"BT-H{d}", name=f"Ủy ban nhân dân huyện {d}", kind=Agency.Kind.DISTRICT, parent=province
        )
        Agency.objects.create(code=f"BT-H{d}-NV", name="Phòng Nội vụ", kind=Agency.Kind.OFFICE,
                              parent=district, is_home_affairs=True)
        codes += [district.code, f"BT-H{d}-NV"]
        for c in range(10):
            commune = Agency.objects.create(
                code=f"BT-H{d}-X{c}", name=f"Ủy ban nhân dân xã {d}.{c}", kind=Agency.Kind.COMMUNE, parent=district
            )
            codes.append(commune.code)
    return codes


def rows(codes: list[str], prefix: str) -> list[list[str]]:
    return [HEADER] + [
        [f"Nguyễn Văn Thử {i}", f"{prefix}{i}@tinh-thu.gov.vn", codes[i % len(codes)], ROLES[i % len(ROLES)]]
        for i in range(ROWS)
    ]


def as_csv(table: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(table: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in table:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(label: str, codes: list[str], make) -> bool:
    """Time and queries of one import, then the peak memory of another (a
    second file, new e-mails: tracemalloc slows what it watches)."""
    from agencies.onboarding import users_import

    filename = f"nguoi-dung.{label}"
    content = make(rows(codes, f"{label}-"))
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = users_import(content=content, filename=filename)
        elapsed = time.perf_counter() - start
    tracemalloc.start()
    users_import(content=make(rows(codes, f"mem-{label}-")), filename=filename)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    print(f"{label:<6} {len(content) / 1024:>7.0f} KB {result.created:>6} users {result.roles_added:>6} roles "
          f"{elapsed:>7.2f} s {len(queries):>5} queries {peak:>7.1f} MB peak")
    return elapsed < 10 and len(queries) < 50


enqueued: list[int] = []


def main() -> int:
    from agencies import onboarding

    # The import's after-commit hook would put tasks on the broker for a worker
    # that has no business with this throw-away database: count them instead.
    onboarding.invitations_enqueue = enqueued.extend
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        codes = build_province()
        print(f"database: {connection.vendor}; {len(codes)} units; {ROWS} rows per file")
        print(f"{'file':<6} {'size':>10} {'new':>12} {'added':>12} {'time':>9} {'SQL':>13} {'memory':>12}")
        ok = measure("csv", codes, as_csv)
        ok &= measure("xlsx", codes, as_xlsx)
        print(f"invitation tasks enqueued after commit: {len(enqueued)} users (counted here, not sent to a broker)")
        from agencies.onboarding import users_invite

        ids = list(get_user_model().objects.filter(email__startswith="csv-").values_list("pk", flat=True))
        mail.outbox = []
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            failed = users_invite(ids)
            elapsed = time.perf_counter() - start
        print(f"invitations: {len(mail.outbox)} e-mails rendered and sent (in-memory backend) in {elapsed:.2f} s, "
              f"{len(queries)} queries, {len(failed)} failed")
        ok &= len(mail.outbox) == ROWS and elapsed < 30
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print("goal met" if ok else "goal NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
