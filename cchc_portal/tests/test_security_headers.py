"""Security headers: HSTS and the SSL redirect when HTTPS is on (health probe
exempt), Cache-Control on signed-in pages and downloads, and `check --deploy`
with the production variables the README lists."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from cchc_portal.middleware import PrivateCacheMiddleware
from plans.tests.factories import plan_draft

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRIVATE = "private, no-store"


# Cache-Control ---------------------------------------------------------------

def test_signed_in_pages_are_private_and_not_stored(client, personas):
    personas.login(client, "drafter")
    for url in (reverse("home"), reverse("plans:list"), reverse("reports:notifications")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url


def test_a_signed_in_download_is_private_and_not_stored(client, personas, tree):
    plan = plan_draft(issuer=tree["district"], leads=[tree["commune"]])
    personas.login(client, "drafter")
    response = client.get(reverse("plans:docx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == PRIVATE


def test_anonymous_pages_keep_their_own_caching(client, db):
    # The login page is never_cache'd by Django: its own header stays.
    login = client.get(reverse("login"))
    assert "no-store" in login["Cache-Control"] and "max-age=0" in login["Cache-Control"]
    # The favicon redirect says public, one day: not overridden.
    assert client.get("/favicon.ico")["Cache-Control"] == "max-age=86400, public"
    # An anonymous page that says nothing gets nothing (the health probe).
    assert not client.get(reverse("healthz")).has_header("Cache-Control")


def test_a_view_choosing_its_own_cache_control_keeps_it_for_a_signed_in_user(client, personas):
    personas.login(client, "admin")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    # Django's never_cache on the admin, not ours.
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_an_anonymous_file_response_is_private_too(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("a,b\n")
    request = RequestFactory().get("/x")
    request.user = AnonymousUser()
    with path.open("rb") as handle:
        response = PrivateCacheMiddleware(lambda request: FileResponse(handle))(request)
        assert response["Cache-Control"] == PRIVATE
    attachment = HttpResponse(b"x", headers={"Content-Disposition": 'attachment; filename="a.xlsx"'})
    assert PrivateCacheMiddleware(lambda request: attachment)(request)["Cache-Control"] == PRIVATE
    page = PrivateCacheMiddleware(lambda request: HttpResponse(b"<p>x</p>"))(request)
    assert not page.has_header("Cache-Control")


def test_static_files_are_left_to_whitenoise(client, personas, settings):
    settings.WHITENOISE_USE_FINDERS = True  # the test settings collect nothing
    personas.login(client, "drafter")
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert response.get("Cache-Control", "") != PRIVATE
    assert "no-store" not in response.get("Cache-Control", "")


# HTTPS: redirect and HSTS ----------------------------------------------------

@pytest.fixture
def https_on(settings):
    """The settings DJANGO_SECURE_COOKIES=true and DJANGO_BEHIND_PROXY=true give
    (test_production_settings checks that they do)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["kehoach.example.gov.vn"]
    return settings


def test_plain_http_is_redirected_to_https(client, db, https_on):
    response = client.get("/plans/?year=2026", HTTP_HOST="kehoach.example.gov.vn")
    assert response.status_code == 301
    assert response["Location"] == "https://kehoach.example.gov.vn/plans/?year=2026"
    # The proxy saying the client came over http: redirected too.
    assert client.get("/", HTTP_HOST="kehoach.example.gov.vn", HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_the_health_probe_answers_over_http(client, db, https_on):
    response = client.get("/healthz", HTTP_HOST="kehoach.example.gov.vn")
    assert response.status_code == 200
    assert not response.has_header("Strict-Transport-Security")


def test_https_through_the_proxy_gets_hsts_and_no_redirect(client, db, https_on):
    response = client.get(reverse("login"), HTTP_HOST="kehoach.example.gov.vn", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Settings as production reads them --------------------------------------------

SECRET_PLACEHOLDER = "DJANGO_SECRET_KEY"


def production_variables() -> dict[str, str]:
    """The README's table «Production variables»: variable -> the value in its
    first `code` span; the secret key is generated here."""
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Production variables", 1)[1].split("\n#", 1)[0]
    found = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`([A-Z_]+)`\s*\|([^|]*)\|", line)
        if not match:
            continue
        name, cell = match.groups()
        value = re.search(r"`([^`]*)`", cell)
        found[name] = secrets.token_urlsafe(50) if name == SECRET_PLACEHOLDER else (value.group(1) if value else "")
    return found


def run_under(variables: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """manage.py in a clean environment: only these variables, the production settings module."""
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
                   "DJANGO_SETTINGS_MODULE": "cchc_portal.settings", **variables}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=120)


SHOW_SETTINGS = (
    "from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k, None) for k in "
    "['DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'SECURE_REDIRECT_EXEMPT', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SILENCED_SYSTEM_CHECKS']}))"
)


def test_the_readme_lists_the_production_variables():
    variables = production_variables()
    for name in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_COOKIES",
                 "DJANGO_BEHIND_PROXY", "DATABASE_URL", "REDIS_URL"):
        assert name in variables, name
    assert variables["DJANGO_DEBUG"] == "false" and variables["DJANGO_SECURE_COOKIES"] == "true"


def test_check_deploy_with_the_production_variables_finds_nothing():
    result = run_under(production_variables(), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "?: (" not in output, output


def test_check_deploy_does_warn_without_https():
    # The same with DJANGO_SECURE_COOKIES off: the check is not blind.
    variables = {**production_variables(), "DJANGO_SECURE_COOKIES": "false"}
    result = run_under(variables, "check", "--deploy")
    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output, output


def test_production_settings_turn_https_on():
    result = run_under(production_variables(), "shell", "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True and values["SESSION_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False and values["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert any(re.match(pattern, "healthz") for pattern in values["SECURE_REDIRECT_EXEMPT"])


def test_without_https_nothing_is_forced():
    variables = {key: value for key, value in production_variables().items()
                 if key not in ("DJANGO_SECURE_COOKIES", "DJANGO_BEHIND_PROXY")}
    result = run_under(variables, "shell", "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_preload_on_request_lifts_the_silence():
    variables = {**production_variables(), "DJANGO_HSTS_PRELOAD": "true"}
    result = run_under(variables, "shell", "-c", SHOW_SETTINGS)
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_PRELOAD"] is True and values["SILENCED_SYSTEM_CHECKS"] == []
    check = run_under(variables, "check", "--deploy", "--fail-level", "WARNING")
    assert check.returncode == 0 and "no issues (0 silenced)" in check.stdout + check.stderr


# No inline code in the markup ---------------------------------------------------

# Rendered only into PDFs (WeasyPrint) and e-mails, where no browser applies the policy.
NOT_BROWSER_PAGES = ("templates/documents/", "templates/emails/")
SOURCE_DIRS = [d for d in sorted(BASE_DIR.iterdir())
               if d.is_dir() and not d.is_symlink() and not d.name.startswith((".", "node_modules", "var"))]
INLINE = re.compile(r"""\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=\s*["']|<script(?![^>]*\ssrc=)(?![^>]*type="application/json")[^>]*>|javascript:""",
                    re.IGNORECASE)


def test_no_template_carries_inline_script_or_style():
    """The Content-Security-Policy refuses them: a new one would be blocked in the browser."""
    found = []
    paths = [path for folder in SOURCE_DIRS for path in folder.glob("**/*.html") if "templates" in path.parts]
    assert len(paths) > 50
    for path in paths:
        relative = path.relative_to(BASE_DIR).as_posix()
        if relative.startswith(NOT_BROWSER_PAGES):
            continue
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)  # comments
        found += [f"{relative}: {match.group(0)}" for match in INLINE.finditer(text)]
    assert found == []


def test_no_python_builds_markup_with_a_style_attribute():
    found = []
    for path in [path for folder in SOURCE_DIRS for path in folder.glob("**/*.py")]:
        relative = path.relative_to(BASE_DIR).as_posix()
        if "/tests/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{relative}: {match.group(0)}" for match in re.finditer(r"""<[a-z][^<>]*\s(style|on[a-z]+)=["'{]""", text)]
    assert found == []
