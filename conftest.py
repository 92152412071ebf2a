import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership
from agencies.tests.factories import PASSWORD, user_with_roles


@pytest.fixture(autouse=True, scope="session")
def _ci_runs_on_postgresql(django_db_setup, django_db_blocker):
    """CI must test against PostgreSQL: never a silent fallback to SQLite."""
    from django.db import connection

    if os.environ.get("CI"):
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "CI must run the suite on PostgreSQL (DATABASE_URL)"
    yield
    if connection.vendor == "postgresql":
        # Live-server threads and worker processes may leave sessions open;
        # close them so the test database can be dropped at the end.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _every_test_starts_with_an_empty_cache():
    """Each test's rows go when it ends (rolled back or flushed), but the
    cache (Redis in CI, shared by the whole run) keeps what pages read of
    them for a while: the dashboard's list of periods, the tree. The next
    test would see choices whose ids no longer exist (the dashboard picked a
    period of an earlier test and found no report)."""
    from django.core.cache import cache

    cache.clear()
    yield


def make_agency(code, *, parent=None, kind=Agency.Kind.OFFICE, **fields):
    defaults = {"name": f"Đơn vị {code}", "abbreviation": "UBND", "place_name": "Bình Giang"}
    return Agency.objects.create(code=code, parent=parent, kind=kind, **(defaults | fields))


@dataclass
class Personas:
    """One person per role on the small `tree`, after healthchecks' alice/bob/charlie:
    the district's drafter and head (who also heads the commune), the district's
    Phòng Nội vụ reviewer, an outsider who drafts and heads in the sibling
    district, and a system administrator."""

    drafter: object
    head: object
    reviewer: object
    outsider: object
    admin: object
    password: str = PASSWORD

    def login(self, client, persona: str):
        assert client.login(username=getattr(self, persona).username, password=self.password)
        return client


@pytest.fixture
def tree(db):
    """province
        ├── district (the agency whose plans are tested)
        │     ├── home_affairs (Phòng Nội vụ)
        │     └── commune
        └── district2 (a sibling)"""
    province = make_agency("P", kind=Agency.Kind.PROVINCE, name="Ủy ban nhân dân tỉnh Thử")
    district = make_agency("D", parent=province, kind=Agency.Kind.DISTRICT, name="Ủy ban nhân dân huyện Một")
    home_affairs = make_agency("D-NV", parent=district, name="Phòng Nội vụ", is_home_affairs=True)
    commune = make_agency("D-X", parent=district, kind=Agency.Kind.COMMUNE, name="Ủy ban nhân dân xã Một")
    district2 = make_agency("D2", parent=province, kind=Agency.Kind.DISTRICT, name="Ủy ban nhân dân huyện Hai")
    return {
        "province": province,
        "district": district,
        "home_affairs": home_affairs,
        "commune": commune,
        "district2": district2,
    }


@pytest.fixture
def personas(tree) -> Personas:
    Role = Membership.Role
    return Personas(
        drafter=user_with_roles("drafter", (tree["district"], Role.DRAFTER)),
        head=user_with_roles("head", (tree["district"], Role.HEAD), (tree["commune"], Role.HEAD)),
        reviewer=user_with_roles("reviewer", (tree["home_affairs"], Role.REVIEWER)),
        outsider=user_with_roles("outsider", (tree["district2"], Role.DRAFTER), (tree["district2"], Role.HEAD)),
        admin=user_with_roles("admin", is_superuser=True, is_staff=True),
    )


@pytest.fixture
def empty_cache():
    """A cache emptied before and after the test (pages keep fragments keyed by ids that repeat)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def _make(username, *roles):
        """roles: (agency, role) pairs."""
        user = get_user_model().objects.create_user(username=username, password="pw-Test-123")
        for agency, role in roles:
            Membership.objects.create(user=user, agency=agency, role=role)
        return user

    return _make


# Browser tests: Debian's Chromium driven by Playwright (no browser download),
# against pytest-django's live server.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture
def browser(monkeypatch, settings, tmp_path):
    from playwright.sync_api import sync_playwright

    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Playwright runs an event loop in this thread; the test's own ORM calls
    # are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def log_in(browser, live_server):
    """log_in(username[, password]) -> a page signed in (with the demo password
    unless given), on the home page."""
    from demo.loader import DEMO_PASSWORD

    def _log_in(username, password=DEMO_PASSWORD):
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN", accept_downloads=True)
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/dang-nhap/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        return page

    return _log_in


@pytest.fixture
def pack_worker(tmp_path):
    """A worker on the tests' queue, mailing to files; its MEDIA_ROOT (settings_test
    makes one per process) is found under the TMPDIR given to it."""
    from common.tests.db import database_url
    from par.tasks import evidence_pack_task

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
        cwd=Path(__file__).resolve().parent, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
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
    from django.db import connection

    connection.close()
