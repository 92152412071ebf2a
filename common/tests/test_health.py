"""The health checks themselves: the shared cache's scoped clear, the worker's
heartbeat from a real worker process, and a check that raises."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.utils import timezone

from common import health
from common.tasks import HEARTBEAT_KEY, write_heartbeat

ROOT = Path(__file__).resolve().parents[2]
needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")


@needs_redis
def test_redis_cache_lives_apart_from_the_broker_and_clears_only_its_own_keys(settings):
    import redis

    location = settings.CACHES["default"]["LOCATION"]
    assert settings.CACHES["default"]["BACKEND"] == "common.cache.RedisCache"
    assert location != settings.CELERY_BROKER_URL, "cache and broker must not share a Redis database"
    client = redis.Redis.from_url(location)
    foreign = f"another-run:1:{uuid.uuid4().hex}"
    client.set(foreign, "theirs", ex=60)
    cache.set("mine", "ours", 60)
    assert client.exists(f"{settings.CACHES['default']['KEY_PREFIX']}:1:mine")
    cache.clear()
    assert cache.get("mine") is None
    assert client.get(foreign) == b"theirs", "clear() must not empty another run's keys"
    client.delete(foreign)


def test_cache_check_writes_and_reads_back():
    ok, message = health.check_cache()
    assert ok, message


@needs_redis
def test_heartbeat_is_fresh_stale_or_missing(settings, empty_cache):
    ok, message, _ = health.check_heartbeat()
    assert not ok and "chưa có" in message
    write_heartbeat("test")
    ok, message, data = health.check_heartbeat()
    assert ok and data["source"] == "test" and data["age_seconds"] < 5
    old = timezone.now() - timezone.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 5)
    cache.set(HEARTBEAT_KEY, {"at": old.isoformat(), "hostname": "h", "source": "beat"})
    ok, message, _ = health.check_heartbeat()
    assert not ok and f"quá {settings.WORKER_HEARTBEAT_MAX_AGE} giây" in message


def test_a_check_that_raises_is_reported_not_raised(monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(health.HEALTH_CHECKS, "broken", broken)
    results = {r.name: r for r in health.run_checks(worker=False)}
    assert results["broken"].ok is False and "RuntimeError: boom" in results["broken"].message
    assert list(results)[:4] == ["database", "cache", "broker", "storage"]


@needs_redis
@pytest.mark.worker
@pytest.mark.django_db
def test_a_real_worker_writes_its_heartbeat_into_the_shared_cache(tmp_path, empty_cache):
    """A worker process (its own environment, this run's cache prefix) writes
    the heartbeat when it starts; the task beat sends every minute writes it too."""
    assert caches["default"].get(HEARTBEAT_KEY) is None
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test"}
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "--queues", queue,
         "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        ok, message, data = health.check_heartbeat()
        assert ok, message + log.read_text()
        assert data["source"] == "worker-start"
        cache.delete(HEARTBEAT_KEY)
        from common.tasks import worker_heartbeat

        worker_heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 30
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cache.get(HEARTBEAT_KEY)["source"] == "beat"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


DOWN = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0", "KEY_PREFIX": "down",
                    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


def test_a_redis_cache_that_is_down_misses_and_drops_writes(settings, caplog):
    settings.CACHES = DOWN
    down = caches["default"]
    assert down.get("k", "fallback") == "fallback"
    down.set("k", 1)
    assert down.add("k", 1) is False and down.get_many(["a", "b"]) == {} and down.has_key("k") is False
    assert down.set_many({"a": 1}) == ["a"] and down.delete("k") is False and down.touch("k") is False
    down.delete_many(["a"])
    down.clear()
    assert "Cache unavailable (get)" in caplog.text
    ok, message = health.check_cache()
    assert not ok and "đọc lại không đúng" in message


@pytest.mark.django_db
def test_pages_and_logins_stay_up_while_the_cache_is_down(settings, client, personas):
    """Sessions (cached_db) fall back to the database; the dashboard recomputes."""
    settings.CACHES = DOWN
    personas.login(client, "head")
    assert client.get("/").status_code == 200
    assert client.get("/dashboard/").status_code == 200
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["cache"] == "error"
