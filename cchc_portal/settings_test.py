"""Test settings: only what makes tests faster or isolated."""

import os
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
# Tests and the workers they start use their own queue (and, without Redis,
# their own broker folder), so a running `make run` worker never takes a test's task.
os.environ.setdefault("CELERY_QUEUE", "cchc-test")
os.environ.setdefault("CELERY_BROKER_DIR", str(Path(__file__).resolve().parent.parent / "var" / "broker-test"))
# With Redis, a cache key prefix of this run's own, inherited by the worker
# processes the tests start (they copy os.environ), so two runs on one Redis
# never read or clear each other's keys (common.cache.RedisCache.clear).
os.environ.setdefault("CACHE_KEY_PREFIX", f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker processes started by tests choose their backend through the environment.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
MEDIA_ROOT = tempfile.mkdtemp(prefix="cchc-test-media-")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Only the accessibility checks of the browser tests load it (cchc_portal/tests/a11y.py).
STATICFILES_DIRS = [*STATICFILES_DIRS, ("vendor/axe-core", NODE_MODULES / "axe-core")]  # noqa: F405

# Worker processes started by tests must open the same database: on SQLite
# that means a file, not pytest's default in-memory database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # One file per test run, so two runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
AXES_ENABLED = False  # client.login() passes no request; accounts/tests turn it on around real login posts
