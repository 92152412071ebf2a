"""Backups of the portal: the database (pg_dump's custom format on PostgreSQL,
SQLite's online backup otherwise), the media folder as a tar.gz, and a
manifest (checksums, row counts per table, versions) that `restore` verifies
before it writes anything and checks again afterwards.

Knows no model: tables are counted through the database's introspection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import django
from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Vietnamese)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def database_settings() -> dict:
    """The database to dump or restore: DATABASE_DIRECT_URL when set (PostgreSQL
    itself, not PgBouncer in transaction mode), else the default one."""
    direct = getattr(settings, "DATABASE_DIRECT_URL", "")
    if direct:
        import environ

        return environ.Env.db_url_config(direct)
    if getattr(settings, "DATABASE_POOLER", ""):
        raise BackupError("DATABASE_URL trỏ tới PgBouncer (DATABASE_POOLER): đặt DATABASE_DIRECT_URL là địa chỉ "
                          "PostgreSQL trực tiếp cho pg_dump/pg_restore.")
    return dict(connection.settings_dict)


def _pg_env(db: dict) -> dict[str, str]:
    env = os.environ.copy()
    env.update({"PGHOST": str(db.get("HOST") or "127.0.0.1"), "PGPORT": str(db.get("PORT") or 5432),
                "PGUSER": str(db.get("USER") or ""), "PGDATABASE": str(db["NAME"])})
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"Không tìm thấy {command[0]} (cài gói postgresql-client).") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} lỗi: {done.stderr.strip()[-2000:]}")
    return done.stdout


def row_counts() -> dict[str, int]:
    """Rows per table of the configured database (every table, the portal's and Django's)."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        tables = [t.name for t in connection.introspection.get_table_list(cursor)
                  if t.type == "t" and not t.name.startswith("sqlite_")]
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_checksums(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {path.relative_to(root).as_posix(): sha256_of(path)
            for path in sorted(root.rglob("*")) if path.is_file()}


def _versions(vendor: str) -> dict[str, str]:
    versions = {"python": platform.python_version(), "django": django.get_version()}
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            versions["postgresql"] = cursor.fetchone()[0]
        else:
            versions["sqlite"] = sqlite3.sqlite_version
        cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
        versions["migrations"] = dict(cursor.fetchall())  # type: ignore[assignment]
    if vendor == "postgresql":
        versions["pg_dump"] = _run(["pg_dump", "--version"], os.environ.copy()).strip()
    return versions


def backup(target: Path) -> dict:
    """Write the database dump, the media archive and the manifest into `target`
    (created; it must not hold a backup already). Returns the manifest."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / MANIFEST).exists():
        raise BackupError(f"{target} đã có một bản sao lưu ({MANIFEST}); chọn thư mục khác.")
    vendor = connection.vendor
    if vendor == "postgresql":
        dump = "database.dump"
        # Rows are counted in the very snapshot pg_dump reads: a portal in use
        # keeps writing, and the manifest must describe the dump, not "now".
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "--file", str(target / dump)], _pg_env(database_settings()))
    elif vendor == "sqlite":
        dump = "database.sqlite3"
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(target / dump))
        with copy:
            source.backup(copy)
        source.close()
        tables = [row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
        copy.close()
    else:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
    media_root = Path(settings.MEDIA_ROOT)
    media = media_checksums(media_root)
    with tarfile.open(target / MEDIA_ARCHIVE, "w:gz") as archive:
        for relative in media:
            archive.add(media_root / relative, arcname=relative, recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "file": dump, "tables": counts},
        "media": {"file": MEDIA_ARCHIVE, "files": media},
        "files": {name: {"sha256": sha256_of(target / name), "size": (target / name).stat().st_size}
                  for name in (dump, MEDIA_ARCHIVE)},
        "versions": _versions(vendor),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {source / MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Bản sao lưu định dạng {manifest.get('format')!r}, lệnh này đọc định dạng {FORMAT}.")
    return manifest


def verify(source: Path, manifest: dict) -> None:
    """Every file of the backup is there with its checksum, before anything is written."""
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"Thiếu tệp {name} trong bản sao lưu.")
        if sha256_of(path) != expected["sha256"]:
            raise BackupError(f"Tệp {name} sai mã kiểm tra (sha256): bản sao lưu bị hỏng hoặc bị sửa.")


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(source: Path) -> dict:
    """Restore into the configured database (which must have no tables) and
    MEDIA_ROOT (which must hold no file), then check row counts and media
    checksums against the manifest. Returns the manifest."""
    manifest = read_manifest(source)
    verify(source, manifest)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"Bản sao lưu của {vendor}, cơ sở dữ liệu đang cấu hình là {connection.vendor}.")
    if not _database_is_empty():
        raise BackupError("Cơ sở dữ liệu đang cấu hình đã có bảng: chỉ phục hồi vào một cơ sở dữ liệu mới, trống.")
    media_root = Path(settings.MEDIA_ROOT)
    if media_checksums(media_root):
        raise BackupError(f"Thư mục tệp {media_root} đã có tệp: chỉ phục hồi vào một thư mục trống.")
    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        db = database_settings()
        connection.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", str(db["NAME"]), str(dump)], _pg_env(db))
    else:
        connection.close()
        name = Path(str(connection.settings_dict["NAME"]))
        shutil.copyfile(dump, name)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / manifest["media"]["file"], "r:gz") as archive:
        archive.extractall(media_root, filter="data")
    problems = []
    counts = row_counts()
    for table, expected in manifest["database"]["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"bảng {table}: {counts.get(table)} dòng, bản sao lưu có {expected}")
    restored = media_checksums(media_root)
    if restored != manifest["media"]["files"]:
        problems.append(f"tệp: {len(restored)} tệp phục hồi khác {len(manifest['media']['files'])} tệp đã sao lưu")
    if problems:
        raise BackupError("Phục hồi xong nhưng không khớp bản sao lưu: " + "; ".join(problems[:10]))
    return manifest
