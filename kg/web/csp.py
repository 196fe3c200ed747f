"""The Content-Security-Policy of every HTML page: only our own scripts and styles, nothing inline.

The site's pages, the query page and the server's small HTML answers load scripts, styles and
data only from files of their own site (``'self'``) and hold no inline script, style or event
attribute, so a title or quote that got into a page as markup could not run or restyle anything.
The same policy is sent as a header by ``kg serve`` (:mod:`kg.web.server.headers`) and written as a
``<meta http-equiv>`` into the pages of the offline site (``base.html``), where it also holds when
the pages are opened from disk. ``frame-ancestors`` only works in the header, so the meta form
leaves it out.

One exception, for styles only: the map page (:data:`MAP_PAGES`) runs the vendored vis-network,
whose bundle adds its own style sheets to the page as ``<style>`` elements when it starts, so that
page's ``style-src`` also allows inline styles. Its scripts are held to ``'self'`` like every page.

>>> "script-src 'self'" in POLICY and "'unsafe-inline'" not in POLICY
True
>>> "frame-ancestors" in META_POLICY
False
"""

from __future__ import annotations

#: directive -> sources; one place for the policy's contents
_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
_HEADER_ONLY = {"frame-ancestors": "'none'"}

#: pages (paths in the site) whose script adds inline styles: see above
MAP_PAGES = frozenset({"map.html"})


def _join(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


_MAP = {**_DIRECTIVES, "style-src": "'self' 'unsafe-inline'"}
META_POLICY = _join(_DIRECTIVES)
POLICY = _join({**_DIRECTIVES, **_HEADER_ONLY})
MAP_META_POLICY = _join(_MAP)
MAP_POLICY = _join({**_MAP, **_HEADER_ONLY})


def header_policy(path: str) -> str:
    """The policy header for an HTML response at ``path`` (a URL path of the server).

    >>> header_policy("/map.html") == MAP_POLICY, header_policy("/id/nhs-england.html") == POLICY
    (True, True)
    """
    return MAP_POLICY if path.lstrip("/") in MAP_PAGES else POLICY
