"""`manage.py backup` then `restore` into a fresh database (PostgreSQL in CI,
SQLite on a bare machine) and an empty media folder: the same rows per table
and the same files, byte for byte; a damaged backup or a database in use is refused."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from common.backup import media_checksums, row_counts

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, database_url: str, media_root: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))} | {
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "DJANGO_DEBUG": "true",
        "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def fresh_database(tmp_path):
    """(url, counts()) of a new, empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def counts():
            import sqlite3

            db = sqlite3.connect(path)
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}

        yield f"sqlite:///{path}", counts
        return
    import psycopg2

    db = connection.settings_dict
    name = f"cchc_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
              "password": db["PASSWORD"] or None}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def counts():
        with psycopg2.connect(dbname=name, **params) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            result = {}
            for (table,) in cursor.fetchall():
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                result[table] = cursor.fetchone()[0]
        return result

    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    yield f"postgres://{db['USER']}{password}@{params['host']}:{params['port']}/{name}", counts
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def some_data(transactional_db, personas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("evidence/2026/bien-ban ký.pdf", ContentFile(b"%PDF-1.4 " + os.urandom(2048)))
    default_storage.save("plans/issued/kh-1.docx", ContentFile(os.urandom(4096)))
    return Path(settings.MEDIA_ROOT)


def test_backup_then_restore_into_a_fresh_database_gives_the_same_rows_and_files(some_data, fresh_database, tmp_path):
    url, restored_counts = fresh_database
    target = tmp_path / "backup"
    call_command("backup", str(target))
    manifest = json.loads((target / "manifest.json").read_text())
    counts = row_counts()
    assert manifest["database"]["tables"] == counts
    assert counts["auth_user"] == 5 and counts["agencies_agency"] == 5
    assert manifest["media"]["files"] == media_checksums(some_data) and len(manifest["media"]["files"]) == 2
    assert manifest["versions"]["migrations"]["agencies"]

    media2 = tmp_path / "media-restored"
    result = manage("restore", str(target), database_url=url, media_root=media2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "số dòng và mã kiểm tra khớp" in result.stdout
    assert restored_counts() == counts
    assert media_checksums(media2) == media_checksums(some_data)

    # The same backup again: the database now has tables, so it is refused.
    again = manage("restore", str(target), database_url=url, media_root=tmp_path / "media-3")
    assert again.returncode != 0 and "đã có bảng" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(some_data, fresh_database, tmp_path):
    url, restored_counts = fresh_database
    target = tmp_path / "backup"
    call_command("backup", str(target))
    archive = target / "media.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10] + b"0123456789")
    result = manage("restore", str(target), database_url=url, media_root=tmp_path / "media-restored")
    assert result.returncode != 0 and "media.tar.gz sai mã kiểm tra" in result.stderr
    assert "Traceback" not in result.stderr
    assert restored_counts() == {}
    assert not (tmp_path / "media-restored").exists()


def test_backup_refuses_a_folder_holding_a_backup(some_data, tmp_path):
    call_command("backup", str(tmp_path / "b"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="đã có một bản sao lưu"):
        call_command("backup", str(tmp_path / "b"))


def test_behind_pgbouncer_without_a_direct_url_backup_says_what_to_set(some_data, settings, tmp_path):
    from django.core.management.base import CommandError

    if connection.vendor != "postgresql":
        pytest.skip("pg_dump only runs on PostgreSQL")
    settings.DATABASE_POOLER = "pgbouncer"
    settings.DATABASE_DIRECT_URL = ""
    with pytest.raises(CommandError, match="DATABASE_DIRECT_URL"):
        call_command("backup", str(tmp_path / "b"))
