"""The client's address, as the portal and django-axes both read it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(raw: str) -> str | None:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, unless a trusted reverse proxy is configured
    (DJANGO_BEHIND_PROXY): then the header it sets (DJANGO_CLIENT_IP_HEADER).
    For X-Forwarded-For the right-most entry is taken: the one our proxy
    appended; what the client itself sent sits to its left and is ignored."""
    if settings.BEHIND_PROXY:
        meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        header = request.META.get(meta_key, "")
        if header:
            found = _valid(header.split(",")[-1])
            if found:
                return found
    return _valid(request.META.get("REMOTE_ADDR", "") or "")
