"""The evidence model (store format 3, docs/evidence.md): compact nodes in the store, context cut from the text.

A mention's evidence is one node per document, entity and way of matching, ``<doc#m…>``, with
``oa:hasBody`` (the entity), ``kg:matchedBy``, every place as a ``kg:span`` and the first place's words as
``oa:exact``; a relation's is its ``rdf:Statement`` ``<doc#s…>`` with the same ``kg:span`` and ``oa:exact``
(the sentence). ``kg:span`` is ``"120-134"`` (character offsets into the document text, end exclusive, as
``oa:start`` / ``oa:end``) or ``"120-134@3"`` when the source has pages (the page the place begins on, from
1). Small literals like these are stored inline by Oxigraph, so a place costs one quad and no string in the
dictionary.

The text before and after a quote (``oa:prefix`` / ``oa:suffix``) is not stored: :class:`Context` cuts it
from the document text the search index holds. The saved query ``web-annotations`` makes the standard
W3C form (an annotation per place, with SpecificResource, TextPositionSelector and TextQuoteSelector), and
:func:`web_annotations` adds the prefix and suffix to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from kg.graph import namespaces as ns
from kg.graph import rq, terms

if TYPE_CHECKING:
    from kg.graph.search import SearchIndex
    from kg.graph.store import Store

CONTEXT_CHARS = 32  #: characters of text before and after a quote that the pages and the standard form show


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


class Context:
    """The text before and after a place, cut from the documents' texts in the search index beside a store.

    A document the index does not hold, or whose text there does not have the quoted words at the
    place (an index built by ``kg load`` from the graph's literals), gives no context: ``("", "")``.
    The last document's text is kept, so reading the places of one document in a row reads it once.
    """

    def __init__(self, store: Store | None):
        self._index: SearchIndex | None = None
        self._cached: tuple[str, str | None] = ("", None)
        if store is None:
            return
        from kg.errors import StoreError
        from kg.graph.search import INDEX_NAME, SearchIndex
        from kg.graph.store import local_folder

        try:
            if (local_folder(store.location) / INDEX_NAME).exists():
                self._index = SearchIndex(store.location)
        except StoreError:
            self._index = None

    def text(self, document: str) -> str | None:
        if self._index is None:
            return None
        if self._cached[0] != document:
            self._cached = (document, self._index.text(document))
        return self._cached[1]

    def around(self, document: str, start: int, end: int, exact: str | None = None) -> tuple[str, str]:
        """``(prefix, suffix)``: up to :data:`CONTEXT_CHARS` characters either side of ``start``-``end``."""
        text = self.text(document)
        if text is None or end > len(text) or (exact is not None and text[start:end] != exact):
            return "", ""
        return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def web_annotations(store: Store, document: str | None = None) -> list[terms.Triple]:
    """The evidence of ``document`` (every document when None) as standard Web Annotations, one per place,
    with ``oa:prefix`` and ``oa:suffix`` on each quote selector when the search index holds the text."""
    from kg.graph.query import run_query

    bound = {"source": terms.NamedNode(document)} if document else None
    triples = run_query(store, rq.text("web-annotations"), bound).triples
    return triples + _quote_context(store, triples)


def web_annotation_documents(store: Store, document: str | None = None) -> Iterator[list[terms.Triple]]:
    """The standard Web Annotations of every document (or of ``document``), one document at a time, so
    memory holds one document's evidence (``kg evidence``)."""
    from kg.graph.query import run_query

    if document:
        yield web_annotations(store, document)
        return
    rows = run_query(store, "SELECT DISTINCT ?d WHERE { GRAPH ?d { ?d a kg:Document } } ORDER BY ?d").rows
    for (d,) in rows:
        if isinstance(d, terms.NamedNode):
            yield web_annotations(store, d.value)


#: ``kg evidence`` formats: name -> pyoxigraph format name
EVIDENCE_FORMATS = {"nt": "N_TRIPLES", "turtle": "TURTLE"}


def write_web_annotations(store: Store, output: IO[bytes], fmt: str = "nt", document: str | None = None) -> int:
    """Write :func:`web_annotation_documents` to ``output`` as N-Triples or Turtle; the number of triples."""
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, EVIDENCE_FORMATS[fmt])
    count = 0
    for triples in web_annotation_documents(store, document):
        output.write(ox.serialize(triples, format=rdf_format) or b"")
        count += len(triples)
    return count


def _quote_context(store: Store, triples: list[terms.Triple]) -> list[terms.Triple]:
    """``oa:prefix`` / ``oa:suffix`` of every TextQuoteSelector of ``triples``, cut from the document text."""
    source: dict[str, str] = {}  # target -> document
    selectors: dict[str, list[str]] = {}  # target -> its selectors
    values: dict[str, dict[str, str]] = {}  # selector -> oa:start, oa:end or oa:exact -> value
    for t in triples:
        if isinstance(t.subject, terms.Triple) or isinstance(t.object, terms.Triple):
            continue
        s, p, o = terms.text_of(t.subject), t.predicate.value, terms.text_of(t.object)
        if p == ns.OA + "hasSource":
            source[s] = o
        elif p == ns.OA + "hasSelector":
            selectors.setdefault(s, []).append(o)
        elif p in (ns.OA + "start", ns.OA + "end", ns.OA + "exact"):
            values.setdefault(s, {})[p[len(ns.OA) :]] = o
    out: list[terms.Triple] = []
    with Context(store) as context:
        for target in sorted(selectors, key=lambda t: source.get(t, "")):
            found = {k: v for selector in selectors[target] for k, v in values.get(selector, {}).items()}
            quotes = [sel for sel in selectors[target] if "exact" in values.get(sel, {})]
            if not quotes or "start" not in found or target not in source:
                continue
            prefix, suffix = context.around(source[target], int(found["start"]), int(found["end"]), found["exact"])
            if prefix or suffix:
                node = terms.NamedNode(quotes[0])
                out.append(terms.Triple(node, terms.NamedNode(ns.OA + "prefix"), terms.literal(prefix)))
                out.append(terms.Triple(node, terms.NamedNode(ns.OA + "suffix"), terms.literal(suffix)))
    return out
