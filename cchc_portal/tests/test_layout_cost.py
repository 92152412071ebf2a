"""The base layout around every page costs no query once warm (the session,
the user row, the roles and the bell come from the cache); its fixed
addresses are worked out once per process (common/templatetags/layout.py) yet
follow the settings and the sub-path the portal is served under; Django's
own texts stay Vietnamese without LocaleMiddleware."""

from __future__ import annotations

from django.template import Context, Template
from django.test.utils import override_settings
from django.urls import reverse, set_script_prefix

# The lightest signed-in page there is: the 404 page inside the base layout
# (the benchmark's "empty signed-in page").
MISSING = "/khong-co-trang-nay/"


def test_a_warm_signed_in_404_asks_the_database_nothing(client, personas, django_assert_num_queries):
    client.force_login(personas.reviewer)
    for _ in range(2):  # the user row, the roles, the bell and the idle clock stored
        client.get(MISSING)
    with django_assert_num_queries(0):
        response = client.get(MISSING)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert 'href="/dashboard/"' in html  # the menu of a reviewer
    assert 'action="/dang-xuat/"' in html or reverse("logout") in html


def test_a_warm_signed_in_page_goes_to_the_cache_twice(client, personas, monkeypatch):
    """The session, then the user's row with the roles and the bell in the
    same round trip: not one trip each."""
    from django.core.cache import cache

    client.force_login(personas.head)
    for _ in range(2):
        client.get(MISSING)
    reads, inside = [], []

    def spy(name, read):
        def counted(*args, **kwargs):
            if not inside:  # the local-memory cache's get_many calls get per key
                reads.append(name)
            inside.append(name)
            try:
                return read(*args, **kwargs)
            finally:
                inside.pop()
        return counted

    for name in ("get", "get_many"):
        monkeypatch.setattr(cache, name, spy(name, getattr(cache, name)))
    html = client.get(MISSING).content.decode()
    assert reads == ["get", "get_many"], reads
    assert 'href="/dashboard/"' in html  # the head's menu: computed from the roles read with the row


def test_the_layout_addresses_follow_the_sub_path():
    """Served under /cchc/ (SCRIPT_NAME, set per request by the WSGI handler)."""
    link = Template("{% load layout %}{% url_once 'plans:list' %}")
    assert link.render(Context()) == "/plans/"
    set_script_prefix("/cchc/")
    try:
        assert link.render(Context()) == "/cchc/plans/"
    finally:
        set_script_prefix("/")
    assert link.render(Context()) == "/plans/"


def test_the_layout_addresses_follow_a_settings_change(client, personas):
    client.force_login(personas.reviewer)
    assert "/static/css/portal.css" in client.get(MISSING).content.decode()
    with override_settings(STATIC_URL="/tinh/"):
        assert "/tinh/css/portal.css" in client.get(MISSING).content.decode()
    assert "/static/css/portal.css" in client.get(MISSING).content.decode()


def test_django_speaks_vietnamese_without_the_locale_middleware(client):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "<title>Đăng nhập |" in response.content.decode()  # Django's own "Log in"
