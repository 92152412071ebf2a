"""`make run` runs as production does: a generated secret read from a file,
no debug pages, a favicon."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from .test_settings import run


def test_secret_key_file_is_read_and_debug_stays_off(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("a-long-random-secret-for-this-test-only\n")
    code = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"
    result = run("shell", "--no-imports", "-c", code, DJANGO_SECRET_KEY_FILE=str(key))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "a-long-random-secret-for-this-test-only"]


def test_unreadable_secret_key_file_says_so_in_one_line(tmp_path):
    result = run("check", DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE cannot be read" in result.stderr


def test_makefile_runs_without_debug_on_a_generated_secret():
    from .test_settings import ROOT

    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DJANGO_DEBUG ?= false" in makefile
    assert "run: export DJANGO_SECRET_KEY_FILE ?= var/secret_key" in makefile
    assert "collectstatic" in makefile


@pytest.mark.django_db
def test_favicon_and_the_vietnamese_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert finders.find("img/favicon.svg")
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.content.decode()
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_a_post_only_address_opened_by_get_says_so_in_vietnamese(client, personas):
    personas.login(client, "reviewer")
    response = client.get(reverse("reports:review", args=[1]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Thao tác này chỉ thực hiện bằng nút bấm" in response.content.decode()
