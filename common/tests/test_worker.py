"""A real Celery worker process on the configured broker (Redis in CI, the
filesystem broker on a bare machine): no eager mode."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from common.tasks import worker_ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo",
         "--queues", queue, "--loglevel=WARNING", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(0.5)
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.worker
def test_a_task_goes_through_the_broker_to_a_worker_process(worker_queue, settings):
    if os.environ.get("CI"):
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must use Redis"
    started = time.monotonic()
    result = worker_ping.apply_async(args=["abc"], queue=worker_queue)
    assert result.get(timeout=60) == "pong:abc"
    assert time.monotonic() - started < 60
