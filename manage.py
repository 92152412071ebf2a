#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError as DatabaseError
    from kombu.exceptions import OperationalError as BrokerError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError as exc:
        # One clear line instead of a traceback when PostgreSQL is down.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        sys.stderr.write(f"Lỗi: không kết nối được cơ sở dữ liệu (DATABASE_URL): {first_line}\n")
        sys.exit(2)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Lỗi cấu hình: {exc}\n")
        sys.exit(2)
    except BrokerError as exc:
        sys.stderr.write(f"Lỗi: không kết nối được hàng đợi Celery (REDIS_URL): {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
