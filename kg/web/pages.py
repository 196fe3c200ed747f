"""Stable page addresses for the site: one HTML page per entity and per document.

A page's path comes from its IRI, so a link stays the same across rebuilds
and machines: ``<base>id/accountable-care-organisation`` is
``id/accountable-care-organisation.html`` and ``<base>doc/x`` is ``doc/x.html``.
IRIs outside our base have no page of their own.

>>> page_path("https://w3id.org/nhs-policy-kg/id/integrated-care-system", "https://w3id.org/nhs-policy-kg/")
'id/integrated-care-system.html'
>>> page_path("https://w3id.org/nhs-policy-kg/doc/nhs-five-year-forward-view-2014-10", "https://w3id.org/nhs-policy-kg/")
'doc/nhs-five-year-forward-view-2014-10.html'
>>> page_path("https://schema.org/mentions", "https://w3id.org/nhs-policy-kg/") is None
True
"""

from __future__ import annotations

import re

from kg.graph.namespaces import base_iri

#: The folders of our IRIs that have pages, each a folder of the site too.
PAGE_FOLDERS = ("id", "doc")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


def page_path(iri: str, base: str | None = None) -> str | None:
    """The site-relative path of the page for ``iri``, or None when it has no page."""
    base = base or base_iri()
    if not iri.startswith(base):
        return None
    folder, _, name = iri[len(base) :].partition("/")
    if folder not in PAGE_FOLDERS or not _SAFE.match(name):
        return None
    return f"{folder}/{name}.html"


def iri_for_path(path: str, base: str | None = None) -> str | None:
    """The IRI whose page is ``path`` (the inverse of :func:`page_path`)."""
    base = base or base_iri()
    folder, _, name = path.strip("/").partition("/")
    if folder not in PAGE_FOLDERS or not name.endswith(".html"):
        return None
    name = name[: -len(".html")]
    return f"{base}{folder}/{name}" if _SAFE.match(name) else None
