"""Settings read from the environment, and one clear line when a service is down."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = run("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_debug_flag_refuses_a_value_it_does_not_know():
    result = run("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "Unexpected value DJANGO_DEBUG='maybe'" in result.stderr


def test_database_url_selects_postgresql_and_the_broker_redis():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = run(
        "shell", "--no-imports", "-c", code,
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://u@db.example:5432/cchc",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "redis://cache.example:6379/0", "Asia/Ho_Chi_Minh", "vi",
    ]


def test_without_environment_it_runs_on_sqlite_and_a_serverless_broker():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    result = run("shell", "--no-imports", "-c", code, DJANGO_DEBUG="true")
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_unreachable_database_gives_one_line_not_a_traceback():
    result = run("migrate", DJANGO_DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:1/none")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Lỗi: không kết nối được cơ sở dữ liệu")


def test_check_services_names_the_unreachable_broker():
    result = run("check_services", DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0
    assert "Hàng đợi Celery (redis://127.0.0.1:1/0): KHÔNG kết nối được" in result.stdout
    assert "Traceback" not in result.stderr
