"""A search result as JSON-ready data: one shape for ``kg search -f json`` and ``/api/search``.

Keys: ``query`` (the words asked for), ``expanded`` (every name searched for), ``hits`` (each with
``iri``, ``kind``, ``title``, ``snippet``, ``score``, ``page``, ``documents``: how many documents
mention an entity, and ``exact``: the query names this entity), ``see_also`` (each with
``relation``, ``label``, ``iri`` and ``page``) and ``suggestions`` ("did you mean": ``label``,
``iri``, ``kind``, ``page``). ``page`` is where the IRI's page is, as the caller
links to it (a path on the server, a file of the site), or None when it has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.graph.search import SearchResult

#: The keys of one hit, in the order a table shows them.
HIT_KEYS = ("kind", "title", "snippet", "iri", "score", "page", "documents", "exact")


def search_payload(
    result: SearchResult, page: Callable[[str], str | None] | None = None, message: str | None = None
) -> dict[str, Any]:
    """``result`` as a dict of plain values; ``page`` maps an IRI to its page's address (None: no pages)."""

    def link(iri: str) -> str | None:
        return page(iri) if page is not None else None

    payload: dict[str, Any] = {
        "query": result.query,
        "expanded": list(result.expanded),
        "hits": [
            {
                "iri": h.iri,
                "kind": h.kind,
                "title": h.title,
                "snippet": h.snippet,
                "score": h.score,
                "page": link(h.iri),
                "documents": h.documents,
                "exact": h.exact,
            }
            for h in result.hits
        ],
        "see_also": [
            {"relation": relation, "label": label, "iri": iri, "page": link(iri)}
            for relation, label, iri in result.see_also
        ],
        "suggestions": [
            {"label": s.label, "iri": s.iri, "kind": s.kind, "page": link(s.iri)} for s in result.suggestions
        ],
    }
    if message is not None:
        payload["message"] = message
    return payload
