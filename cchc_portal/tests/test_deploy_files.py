"""deploy/ agrees with the portal: the limits nginx enforces, the units'
restarts, Redis persistence in compose, and every variable of the env template
being one the portal reads."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _megabytes(conf: str) -> int:
    return int(re.search(r"client_max_body_size (\d+)m;", conf).group(1)) * 1024 * 1024


def test_nginx_accepts_what_the_portal_accepts_and_waits_longer_than_gunicorn():
    from reports.forms import MAX_EVIDENCE_BYTES

    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    gunicorn_timeout = int(re.search(r'GUNICORN_TIMEOUT", "(\d+)"', gunicorn).group(1))
    for conf in (DEPLOY / "nginx" / "cchc.conf", DEPLOY / "compose" / "nginx.conf"):
        text = conf.read_text()
        assert _megabytes(text) >= max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, MAX_EVIDENCE_BYTES), conf
        assert int(re.search(r"proxy_read_timeout (\d+)s;", text).group(1)) > gunicorn_timeout, conf
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
        assert "immutable" in text and "location /static/" in text


def test_every_unit_restarts_and_reads_the_env_file():
    units = sorted((DEPLOY / "systemd").glob("cchc-*.service"))
    assert [u.name for u in units] == ["cchc-beat.service", "cchc-web.service", "cchc-worker.service"]
    for unit in units:
        text = unit.read_text()
        assert "Restart=always" in text and "EnvironmentFile=/etc/cchc/cchc.env" in text, unit.name


def test_compose_runs_every_part_with_redis_persistence():
    text = (DEPLOY / "compose.yaml").read_text()
    services = set(re.findall(r"^  ([a-z]+):$", text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0],
                              flags=re.MULTILINE))
    assert {"postgres", "redis", "migrate", "web", "worker", "beat", "nginx"} == services
    assert 'command: ["redis-server", "--appendonly", "yes", "--appendfsync", "everysec"]' in text
    assert "x-app: &app" in text and "  restart: always" in text  # web, worker and beat share it


def test_every_variable_of_the_env_template_is_read_by_the_portal():
    template = (DEPLOY / "cchc.env.example").read_text()
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", template, flags=re.MULTILINE))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "HEALTH_TOKEN"} <= names
    read = (ROOT / "cchc_portal" / "settings.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    unknown = {name for name in names if f'"{name}"' not in read}
    assert not unknown, f"deploy/cchc.env.example sets variables nothing reads: {unknown}"
