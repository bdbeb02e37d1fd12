"""HTML templates to PDF with WeasyPrint, offline.

``render_pdf("contributions/billing/bill_pdf.html", {"bill": bill})`` renders the template with
Django (so the ``rupiah``/``long_date`` filters and ``{% static %}`` work) and lays it out as A4.
Nothing is fetched from the network: the URL fetcher serves our static files (``/static/…``,
through the staticfiles finders) and ``data:`` URLs, and refuses everything else. Text is set in
DejaVu (Debian's fonts-dejavu-core, see ``make pdf-deps``), which covers Indonesian and the
``Rp``/``–`` signs; a template may add its own CSS on top of the default sheet below.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string

# Base URL the HTML is resolved against: relative and root-relative URLs (``/static/x.css``)
# become ``https://jaminan.invalid/static/x.css`` which the fetcher maps to files, never to a host.
BASE_URL = "https://jaminan.invalid/"

DEFAULT_CSS = """
@page {
  size: A4;
  margin: 18mm 15mm 20mm 15mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; }
}
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; color: #111; }
h1 { font-size: 15pt; margin: 0 0 4mm 0; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm 0; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1.2mm 1.5mm; border-bottom: 0.3pt solid #bbb; vertical-align: top; text-align: left; }
th { background: #eef1f4; font-weight: bold; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.muted { color: #555; }
"""


class PdfResourceRefused(ValueError):
    """A template asked for a resource outside our static files (network or local file)."""


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``/static/…`` from the staticfiles finders and ``data:`` URLs; refuses the rest."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(
                static_prefix
            ):
                raise PdfResourceRefused(f"refused (not a static file): {url}")
            relative = unquote(parts.path[len(static_prefix) :])
            if ".." in relative.split("/"):
                raise PdfResourceRefused(f"refused (path escape): {url}")
            found = finders.find(relative)
            if not found or isinstance(found, list):
                raise PdfResourceRefused(f"static file not found: {relative}")
            with open(found, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyFetcher


def render_html(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> str:
    """The HTML that :func:`render_pdf` lays out (tests can read the text here)."""
    return render_to_string(template_name, context, request=request)


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes (A4, DejaVu fonts).

    Only our static files and ``data:`` URLs are loaded; other URLs are refused (WeasyPrint then
    leaves the resource out and logs a warning), so rendering never touches the network.
    """
    from weasyprint import CSS, HTML

    html = render_html(template_name, context, request=request)
    fetcher = _fetcher_class()(timeout=1, allow_redirects=False)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    # ``stylesheets`` have the "user" origin: the template's own CSS (author) wins over them.
    pdf = document.write_pdf(stylesheets=[CSS(string=DEFAULT_CSS, url_fetcher=fetcher)])
    assert pdf is not None
    return bytes(pdf)
