"""Invitations through the real broker (Redis in CI) and a real Celery worker
process: the import commits, then the worker sends one mail per new user."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from agencies.onboarding import users_import
from agencies.tasks import users_invite_task
from common.tests.db import database_url

ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture
def worker(tmp_path):
    """A worker on the tests' queue, mailing to files under tmp_path/mail."""
    mail_dir = tmp_path / "mail"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test",
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    queue = users_invite_task.app.conf.task_default_queue  # cchc-test: see settings_test
    # Invitations enqueued by earlier tests' commits name users of other
    # databases (ids repeat): drop them so this worker sends only this test's.
    with users_invite_task.app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", queue,
         "-n", f"invite-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    time.sleep(1)
    assert process.poll() is None, log.read_text()
    yield mail_dir, log
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    connection.close()  # SQLite: reopen after another process wrote the file


@pytest.mark.worker
def test_imported_users_get_their_invitation_from_the_worker(transactional_db, tree, worker, settings):
    if os.environ.get("CI"):
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must use Redis"
    mail_dir, log = worker
    rows = "\n".join(f"Người Mời {i},moi{i}@mot.gov.vn,D,drafter" for i in range(3))
    users_import(content=f"Họ tên,Thư điện tử,Mã đơn vị,Vai trò\n{rows}\n".encode(), filename="u.csv")

    def sent() -> list[str]:
        return [p.read_text(errors="replace") for p in mail_dir.glob("*.log")] if mail_dir.exists() else []

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(text.count("/kich-hoat/") for text in sent()) < 6:
        time.sleep(0.3)
    text = "".join(sent())
    # each mail has the link twice: the text and the HTML part
    assert text.count("/kich-hoat/") == 6, log.read_text()
    for i in range(3):
        assert f"To: moi{i}@mot.gov.vn" in text
