"""Fixtures shared by the PAR tests."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from common.tests.db import database_url
from par.tasks import evidence_pack_task

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def pack_worker(tmp_path):
    """A worker on the tests' queue, mailing to files; its MEDIA_ROOT (settings_test
    makes one per process) is found under the TMPDIR given to it."""
    mail_dir, worker_tmp = tmp_path / "mail", tmp_path / "worker-tmp"
    worker_tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test",
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "TMPDIR": str(worker_tmp),
    }
    queue = evidence_pack_task.app.conf.task_default_queue
    with evidence_pack_task.app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)  # earlier tests' packs name rows of other databases
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", queue,
         "-n", f"pack-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(worker_tmp.glob("cchc-test-media-*")):
        time.sleep(0.2)
    assert process.poll() is None, log.read_text()
    media_dirs = list(worker_tmp.glob("cchc-test-media-*"))
    assert len(media_dirs) == 1, log.read_text()
    yield media_dirs[0], mail_dir, log
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    connection.close()
