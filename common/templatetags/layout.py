"""The base layout's fixed addresses, worked out once per process: every
page shows the same stylesheets, scripts and menu links, and Django's
`{% static %}` and `{% url %}` cost a storage lookup or a URL reversal
each, on every page (14 of them in base.html)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

register = template.Library()


@lru_cache(maxsize=64)
def _static(path: str) -> str:
    return static(path)


@lru_cache(maxsize=64)
def _url(name: str, prefix: str) -> str:
    return reverse(name)


@register.simple_tag
def static_once(path: str) -> str:
    """`{% static path %}`, remembered (the manifest does not change while the process runs)."""
    return _static(path)


@register.simple_tag
def url_once(name: str) -> str:
    """`{% url name %}` for a route without arguments, remembered per script
    prefix (the portal may be served under a sub-path)."""
    return _url(name, get_script_prefix())


@receiver(setting_changed, dispatch_uid="layout_addresses_changed")
def _forget(**kwargs) -> None:
    # A test that changes STATIC_URL, STORAGES or the URLconf sees its own addresses.
    _static.cache_clear()
    _url.cache_clear()
