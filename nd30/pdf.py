"""PDF through WeasyPrint: any document's HTML with the shared print CSS
(templates/documents/print.css), fetching nothing."""

from __future__ import annotations

import threading
from functools import lru_cache

import weasyprint
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration

from .fetcher import RefusingURLFetcher

_local = threading.local()


@lru_cache(maxsize=1)
def print_stylesheet() -> weasyprint.CSS:
    # Parsed once per process; the template is plain CSS with no variables.
    return weasyprint.CSS(string=render_to_string("documents/print.css"), url_fetcher=RefusingURLFetcher())


def _font_config() -> FontConfiguration:
    """One per thread: setting fontconfig up is a tenth of a render, and
    Pango's font map is not known to be safe to share across threads."""
    if not hasattr(_local, "font_config"):
        _local.font_config = FontConfiguration()
    return _local.font_config


def html_to_pdf(html: str) -> bytes:
    """Any document of the portal: no base URL, no fetches, the shared print CSS."""
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=RefusingURLFetcher())
    return document.write_pdf(stylesheets=[print_stylesheet()], font_config=_font_config())


def pdf_join(parts: list[bytes]) -> bytes:
    """One PDF of `parts` in order, keeping the first one's metadata (title,
    language). Each part was laid out on its own, so it must number its own
    pages (a plan's appendix restarts at 1 anyway)."""
    if len(parts) == 1:
        return parts[0]
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(parts[0])))
    for data in parts[1:]:
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
