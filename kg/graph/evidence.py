"""How evidence names a place in a document's text: the ``kg:span`` literal (docs/evidence.md).

An annotation lists every place it stands for as ``kg:span`` values, ``"120-134"`` (character offsets
into the document text, end exclusive, as ``oa:start`` / ``oa:end``) or ``"120-134@3"`` when the source
has pages (the page the place begins on, from 1). Small literals like these are stored inline by
Oxigraph, so a place costs one quad and no string in the dictionary. The saved query ``web-annotations``
turns them back into the standard ``oa:TextPositionSelector`` form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.graph import rq, terms

if TYPE_CHECKING:
    from kg.graph.store import Store


def span(start: int, end: int, page: int | None = None) -> str:
    """A place as ``kg:span`` writes it: ``"120-134"``, or ``"120-134@3"`` on page 3."""
    return f"{start}-{end}@{page}" if page else f"{start}-{end}"


def parse_span(text: str) -> tuple[int, int, int | None] | None:
    """``(start, end, page)`` of a ``kg:span`` value, or None for a value that is not one."""
    where, _, page = text.partition("@")
    start, _, end = where.partition("-")
    try:
        return int(start), int(end), (int(page) if page else None)
    except ValueError:
        return None


def web_annotations(store: Store, document: str | None = None) -> list[terms.Triple]:
    """The evidence of ``document`` (every document when None) as standard Web Annotations, one per place."""
    from kg.graph.query import run_query

    bound = {"source": terms.NamedNode(document)} if document else None
    return run_query(store, rq.text("web-annotations"), bound).triples
