"""WeasyPrint may fetch nothing: not files on the server (file:), not other
hosts (http:, https:), not data: URIs. The print CSS is passed as a string and
the fonts come from the system's fontconfig, so a plan renders without a
single fetch; anything that asks for one (a URL that slipped into the HTML)
is refused instead of read."""

from __future__ import annotations

import logging

from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


class RefusingURLFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        logger.warning("Refused a resource while rendering a document: %.200s", url)
        # A plain error (not FatalURLFetchingError): the resource is skipped
        # and the document is still produced.
        raise ValueError(f"Documents may not load external resources: {url[:200]}")
