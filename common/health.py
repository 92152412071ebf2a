"""Reachability of the services the portal needs (database, broker, a
worker), shared by `manage.py check_services` and the tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import connection

from .tasks import worker_ping

# Checks the apps add for the health endpoint (`/healthz?full=1`) and
# `check_services`: name -> function answering (ok, Vietnamese message, data).
# Apps register theirs in AppConfig.ready(); common knows none of them.
HealthCheck = Callable[[], tuple[bool, str, dict]]
HEALTH_CHECKS: dict[str, HealthCheck] = {}


def register_check(name: str, check: HealthCheck) -> None:
    HEALTH_CHECKS[name] = check


def _redact(url: str) -> str:
    """Hide a password in a service URL before printing it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def check_database() -> tuple[bool, str]:
    db = settings.DATABASES["default"]
    where = f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''} {db['NAME']}".strip()
    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error means "not reachable"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return False, f"Cơ sở dữ liệu ({where}): KHÔNG kết nối được – {message}"
    return True, f"Cơ sở dữ liệu ({where}): kết nối được"


def check_broker() -> tuple[bool, str]:
    url = _redact(settings.CELERY_BROKER_URL)
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # kombu raises OperationalError and socket errors
        return False, f"Hàng đợi Celery ({url}): KHÔNG kết nối được – {exc}"
    return True, f"Hàng đợi Celery ({url}): kết nối được"


def check_worker(timeout: float = 20) -> tuple[bool, str]:
    token = uuid.uuid4().hex[:8]
    try:
        answer = worker_ping.delay(token).get(timeout=timeout)
    except Exception as exc:
        return False, f"Celery worker: không trả lời trong {timeout:.0f} giây – {exc!r}"
    ok = answer == f"pong:{token}"
    return ok, "Celery worker: đang chạy" if ok else f"Celery worker: trả lời sai {answer!r}"
