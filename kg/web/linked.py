"""The site as linked data: the sitemap of its pages, and the links from a page to its RDF.

A sitemap (https://www.sitemaps.org/protocol.html) lists every page at an absolute URL, so it needs
the address the site is published at: ``--base-url`` of ``kg site`` and ``kg serve``, else
(``kg site``) the base of the IRIs, ``KG_BASE``, where the published site is expected to live.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from kg.errors import UsageError

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: A sitemap file may list at most this many addresses (the protocol's limit).
SITEMAP_MAX = 50_000
MANIFEST = ".kg-site.json"  #: the list of files a build wrote (:mod:`kg.web.site`)


def sitemap_xml(root: str, pages: list[str]) -> str:
    """The sitemap of ``pages`` (paths relative to ``root``, ``""`` for the root itself).

    >>> print(sitemap_xml("https://example.org/kg/", ["", "id/a b.html"]))  # doctest: +NORMALIZE_WHITESPACE
    <?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://example.org/kg/</loc></url>
    <url><loc>https://example.org/kg/id/a%20b.html</loc></url>
    </urlset>
    """
    if not root.endswith("/"):
        root += "/"
    if len(pages) > SITEMAP_MAX:
        raise ValueError(f"a sitemap lists at most {SITEMAP_MAX:,} pages, not {len(pages):,}")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    lines += [f"<url><loc>{escape(root + quote(page))}</loc></url>" for page in pages]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def site_pages(folder: Path) -> list[str]:
    """The HTML pages of a site folder, by the build's manifest (every ``.html`` file when it has none)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            files = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        except (ValueError, AttributeError):
            files = []
    else:
        files = [p.relative_to(folder).as_posix() for p in folder.rglob("*.html")]
    return sorted(f for f in files if isinstance(f, str) and f.endswith(".html"))


def page_links(page: str) -> dict[str, str]:
    """The files beside an entity's or document's page that hold its description.

    >>> page_links("id/integrated-care-system.html")
    {'turtle': 'integrated-care-system.ttl', 'jsonld': 'integrated-care-system.jsonld'}
    """
    stem = page.rsplit("/", 1)[-1].removesuffix(".html")
    return {"turtle": stem + ".ttl", "jsonld": stem + ".jsonld"}


def checked_base_url(url: str | None) -> str | None:
    """``--base-url`` as the server uses it (ending in ``/``); :class:`UsageError` unless it is an http(s) URL."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", url):
        raise UsageError(
            f"--base-url must be an http:// or https:// address such as https://example.org/kg/, not '{url}'"
        )
    return url if url.endswith("/") else url + "/"
