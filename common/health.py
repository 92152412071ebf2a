"""Reachability of the services the portal needs (database, cache, broker, a
worker, storage, and what the apps register), shared by the health endpoint
(`/healthz/ready`), `manage.py check_services` and the tests."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .files import storage_check
from .tasks import HEARTBEAT_KEY, worker_ping

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


def check_cache() -> tuple[bool, str]:
    backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
    key, token = f"health:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, token, 30)
        read = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return False, f"Bộ nhớ đệm ({backend}): KHÔNG ghi/đọc được – {exc}"
    if read != token:
        return False, f"Bộ nhớ đệm ({backend}): đọc lại không đúng giá trị vừa ghi"
    return True, f"Bộ nhớ đệm ({backend}): ghi và đọc được"


def shared_cache() -> bool:
    """Whether other processes (the worker) write into the cache this process reads."""
    return not str(settings.CACHES["default"]["BACKEND"]).endswith("LocMemCache")


def check_heartbeat() -> tuple[bool, str, dict]:
    """The worker's last heartbeat (written at its start and by a beat task
    every minute, common.tasks.worker_heartbeat), read from the shared cache:
    no round trip, so the endpoint stays fast."""
    if not shared_cache():
        return True, "Nhịp của worker: không đo được với bộ nhớ đệm riêng từng tiến trình (đặt REDIS_URL)", {}
    beat = cache.get(HEARTBEAT_KEY)
    if not beat:
        return False, "Nhịp của worker: chưa có (worker hoặc beat không chạy)", {}
    at = dt.datetime.fromisoformat(beat["at"])
    age = (timezone.now() - at).total_seconds()
    data = {"at": beat["at"], "age_seconds": round(age, 1), "hostname": beat.get("hostname", ""),
            "source": beat.get("source", "")}
    limit = settings.WORKER_HEARTBEAT_MAX_AGE
    when = timezone.localtime(at).strftime("%d/%m/%Y %H:%M:%S")
    if age > limit:
        return False, f"Nhịp của worker: lần cuối lúc {when}, quá {limit} giây", data
    return True, f"Nhịp của worker: lúc {when} ({age:.0f} giây trước)", data


@dataclass
class CheckResult:
    name: str
    ok: bool
    message: str
    data: dict = field(default_factory=dict)
    seconds: float = 0.0


def _run(name: str, check: Callable[[], tuple]) -> CheckResult:
    started = time.monotonic()
    try:
        answer = check()
        ok, message = bool(answer[0]), str(answer[1])
        data = dict(answer[2]) if len(answer) > 2 and answer[2] else {}
    except Exception as exc:  # a check that fails to run reports it; it never breaks the endpoint
        ok, message, data = False, f"{name}: lỗi khi kiểm tra – {type(exc).__name__}: {exc}", {}
    return CheckResult(name, ok, message, data, round(time.monotonic() - started, 3))


def core_checks(*, worker: bool = True) -> dict[str, Callable[[], tuple]]:
    checks: dict[str, Callable[[], tuple]] = {
        "database": check_database,
        "cache": check_cache,
        "broker": check_broker,
        "storage": storage_check,
    }
    if worker:
        checks["worker"] = check_heartbeat
    return checks


def run_checks(*, worker: bool = True, apps: bool = True) -> list[CheckResult]:
    """Every check, core ones first, then the apps' (HEALTH_CHECKS) unless
    `apps` is off (before `migrate`, the apps' tables may not exist); none raises."""
    checks = core_checks(worker=worker) | (HEALTH_CHECKS if apps else {})
    return [_run(name, check) for name, check in checks.items()]
