"""common.files: the storage settings read from the environment, the
storage health check on disk and on a real S3-compatible server, and
files_atomic's bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.files import bounded_name, files_atomic, storage_check, storage_walk
from common.health import core_checks
from common.tests.s3 import BUCKET, s3_storage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def s3(settings):
    with s3_storage(settings) as client:
        yield client


def _settings_with(env: dict[str, str]) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.STORAGES['default'], default=str))")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STORAGE_S3_")} | {
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "DJANGO_SECRET_KEY": "x"} | env
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_local_disk_by_default_and_s3_when_a_bucket_is_set(tmp_path):
    assert _settings_with({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    secret = tmp_path / "s3-secret"
    secret.write_text("s3cr3t\n")
    configured = _settings_with({
        "STORAGE_S3_BUCKET": "cchc", "STORAGE_S3_ENDPOINT_URL": "https://s3.example.gov.vn",
        "STORAGE_S3_ACCESS_KEY_ID": "AK", "STORAGE_S3_SECRET_ACCESS_KEY_FILE": str(secret),
        "STORAGE_S3_REGION": "hn-1", "STORAGE_S3_ADDRESSING_STYLE": "virtual",
    })
    assert configured["BACKEND"] == "storages.backends.s3.S3Storage"
    options = configured["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["access_key"], options["secret_key"],
            options["region_name"], options["addressing_style"]) == (
        "cchc", "https://s3.example.gov.vn", "AK", "s3cr3t", "hn-1", "virtual")
    assert options["default_acl"] == "private" and options["file_overwrite"] is False


def test_the_storage_health_check_on_disk(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    assert core_checks()["storage"] is storage_check
    ok, message, data = storage_check()
    assert ok and "ghi và đọc được" in message and data == {"backend": "FileSystemStorage"}
    assert list(storage_walk(default_storage, "health/")) == []  # the probe is gone
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker / "media")
    ok, message, _ = storage_check()
    assert not ok and "KHÔNG ghi/đọc được" in message


def test_the_storage_health_check_on_s3(s3, settings):
    ok, message, data = storage_check()
    assert ok and data == {"backend": "S3Storage"}
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    settings.STORAGES = settings.STORAGES | {"default": settings.STORAGES["default"] | {
        "OPTIONS": settings.STORAGES["default"]["OPTIONS"] | {"bucket_name": "no-such-bucket"}}}
    ok, message, _ = storage_check()
    assert not ok and "KHÔNG ghi/đọc được" in message


def test_nested_blocks_hand_their_files_to_the_outer_one(settings, tmp_path, db):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from common import files

    with pytest.raises(RuntimeError), files_atomic():
        with files_atomic():
            name = default_storage.save("x/inner.txt", ContentFile(b"1"))
            files._stack()[-1].append((default_storage, name))
        assert default_storage.exists(name)
        raise RuntimeError
    assert not default_storage.exists(name) and files._stack() == []


def test_a_name_keeps_within_the_field():
    name = bounded_name("evidence/2026/12345", "a" * 500 + ".xlsx", max_length=300)
    assert len(name) <= 300 - 8 and name.endswith(".xlsx") and name.startswith("evidence/2026/12345/aaa")
    with pytest.raises(ValueError):
        bounded_name("x" * 295, "a.pdf", max_length=300)


def test_the_weekly_task_deletes_orphans(settings, tmp_path, db):
    from common.tasks import files_orphans_task

    settings.MEDIA_ROOT = str(tmp_path / "media")
    orphan = default_storage.save("evidence/2026/1/left-by-a-crash.pdf", ContentFile(b"%PDF-"))
    assert files_orphans_task() == {"deleted": 0, "missing": 0}  # too young: an upload may be under way
    assert files_orphans_task(grace_hours=0) == {"deleted": 1, "missing": 0}
    assert not default_storage.exists(orphan)
