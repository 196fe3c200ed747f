"""Content negotiation for ``kg serve``: Accept with q-values, and ``format=`` names, over :mod:`kg.graph.formats`."""

from __future__ import annotations

from kg.graph import formats

#: What Accept can choose, in the server's order of preference (the first is the default).
RESULT_OFFERS = formats.offers(formats.RESULT_FORMATS)
GRAPH_OFFERS = formats.offers(formats.GRAPH_FORMATS)
_FORMAT_HELP = "use json, xml, csv or tsv (SELECT, ASK) or turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE)"


class Problem(Exception):
    """An HTTP error with one sentence for the user."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs.

    >>> parse_accept("text/turtle;q=0.5, application/ld+json")
    [('text/turtle', 0.5), ('application/ld+json', 1.0)]
    """
    ranges = []
    for part in header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of ``offer`` under the most specific range that matches it (0 when none does)."""
    kind = offer.split("/")[0]
    best, q = -1, 0.0
    for media, value in ranges:
        if media == offer:
            rank = 3
        elif media == f"{kind}/*":
            rank = 2
        elif media in ("*/*", "*"):
            rank = 1
        else:
            continue
        if rank > best:
            best, q = rank, value
    return q


def negotiate(header: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The best offer for an Accept header (ties go to the server's order); None if none is acceptable.

    >>> negotiate("text/csv, application/sparql-results+json;q=0.9", RESULT_OFFERS)
    'CSV'
    >>> negotiate("", RESULT_OFFERS), negotiate("image/png", RESULT_OFFERS)
    ('JSON', None)
    """
    ranges = parse_accept(header or "")
    if not ranges:
        return offers[0][1]
    best, chosen = 0.0, None
    for media, name in offers:
        q = quality(media, ranges)
        if q > best:
            best, chosen = q, name
    return chosen


def is_browser(header: str | None) -> bool:
    """Whether an Accept header is a browser's page navigation (it lists text/html)."""
    return any(media == "text/html" and q > 0 for media, q in parse_accept(header or ""))


def choose_formats(params: dict[str, str], accept: str | None) -> tuple[str | None, str | None]:
    """(results format, graph format) from ``format``/``output`` or Accept; 406 when neither can be given."""
    name = (params.get("format") or params.get("output") or "").strip().lower()
    if name:
        found = formats.by_name(name, formats.RESULT_FORMATS), formats.by_name(name, formats.GRAPH_FORMATS)
        results, graph = (f.key if f is not None else None for f in found)
        if results is None and graph is None:
            raise Problem(406, f"Unknown format '{name}': {_FORMAT_HELP}.")
        return results, graph
    if is_browser(accept):
        return RESULT_OFFERS[0][1], GRAPH_OFFERS[0][1]
    results, graph = negotiate(accept, RESULT_OFFERS), negotiate(accept, GRAPH_OFFERS)
    if results is None and graph is None:
        raise Problem(406, f"None of the media types in the Accept header ({accept}) can be given: {_FORMAT_HELP}.")
    return results, graph
