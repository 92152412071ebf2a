"""/healthz stays a cheap liveness probe; /healthz/ready checks every service,
answers 200 or 503 (never 500), and shows details only to a token or an allowed address."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from common import health
from common.tasks import write_heartbeat
from reports.models import SweepRun


@pytest.fixture
def fresh_heartbeat(empty_cache, db):
    """A healthy portal: the worker's heartbeat is fresh and today's reminder
    sweep has finished (the reminders' check needs one)."""
    write_heartbeat("test")
    SweepRun.objects.create(day=timezone.localdate(), finished_at=timezone.now())


@pytest.mark.django_db
def test_liveness_is_cheap_and_says_ok(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_without_token_shows_statuses_only(client, settings, fresh_heartbeat):
    settings.HEALTH_TOKEN = "s3cret-token"
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "cache", "broker", "storage", "worker"} <= set(body["checks"])
    assert set(body["checks"].values()) == {"ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "kết nối" not in response.content.decode()  # no messages, no hosts


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["header", "query"])
def test_ready_with_token_shows_messages_and_figures(client, settings, fresh_heartbeat, how):
    settings.HEALTH_TOKEN = "s3cret-token"
    if how == "header":
        response = client.get(reverse("healthz_ready"), headers={"X-Health-Token": "s3cret-token"})
    else:
        response = client.get(reverse("healthz_ready") + "?token=s3cret-token")
    checks = json.loads(response.content)["checks"]
    assert checks["database"]["ok"] is True and "Cơ sở dữ liệu" in checks["database"]["message"]
    assert checks["storage"]["message"].startswith("Kho lưu tệp")
    assert isinstance(checks["cache"]["seconds"], float)


@pytest.mark.django_db
def test_a_wrong_or_empty_token_gets_no_details(client, settings, fresh_heartbeat):
    settings.HEALTH_TOKEN = "s3cret-token"
    assert isinstance(client.get("/healthz/ready?token=wrong").json()["checks"]["database"], str)
    settings.HEALTH_TOKEN = ""
    assert isinstance(client.get("/healthz/ready?token=").json()["checks"]["database"], str)


@pytest.mark.django_db
def test_an_allowed_address_gets_details(client, settings, fresh_heartbeat):
    settings.HEALTH_ALLOWED_IPS = ["127.0.0.1"]
    assert client.get("/healthz/ready").json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_a_failing_or_raising_app_check_gives_503_not_500(client, settings, monkeypatch, fresh_heartbeat):
    settings.HEALTH_TOKEN = "t"
    monkeypatch.setitem(health.HEALTH_CHECKS, "reminders", lambda: (False, "Quét nhắc hạn: quá 26 giờ", {"age": 99}))
    response = client.get("/healthz/ready?token=t")
    assert response.status_code == 503
    assert response.json()["checks"]["reminders"] == {
        "ok": False, "message": "Quét nhắc hạn: quá 26 giờ", "data": {"age": 99},
        "seconds": response.json()["checks"]["reminders"]["seconds"]}

    def boom():
        raise ZeroDivisionError

    monkeypatch.setitem(health.HEALTH_CHECKS, "reminders", boom)
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["reminders"] == "error"


@pytest.mark.django_db
def test_a_missing_heartbeat_with_a_shared_cache_gives_503(client, empty_cache):
    if not health.shared_cache():
        pytest.skip("a per-process cache cannot see the worker's heartbeat (no REDIS_URL)")
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "error"


@pytest.mark.django_db
def test_an_unreachable_broker_gives_503(client, fresh_heartbeat, monkeypatch):
    from celery import current_app

    monkeypatch.setattr(current_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(current_app, "_pool", None, raising=False)
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["broker"] == "error"


def test_check_services_runs_the_same_checks(tmp_path):
    from .test_settings import run

    # `make run` checks the services before `migrate`: the apps' checks are left
    # out then, so a database with no tables yet passes.
    result = run("check_services", "--core", DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/new.sqlite3")
    assert result.returncode == 0, result.stdout + result.stderr
    for start in ("Cơ sở dữ liệu", "Bộ nhớ đệm", "Hàng đợi Celery", "Kho lưu tệp"):
        assert start in result.stdout
    assert "nhắc hạn" not in result.stdout
    # Without --core the reminders' check runs too, and fails on that database.
    result = run("check_services", DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/new.sqlite3")
    assert result.returncode == 1 and "reminders" in result.stdout
