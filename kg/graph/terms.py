"""RDF terms and Turtle reading for the modules outside :mod:`kg.graph`.

Only :mod:`kg.graph` talks to pyoxigraph; ingest and the web side build and
read terms through these names, so the store's library can change in one
package.

>>> iri("https://schema.org/mentions").value, literal("2018", XSD_GYEAR).datatype.value
('https://schema.org/mentions', 'http://www.w3.org/2001/XMLSchema#gYear')
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple, parse, serialize
from pyoxigraph import RdfFormat as _RdfFormat

from kg.graph import namespaces as ns

__all__ = [
    "BlankNode",
    "Literal",
    "NamedNode",
    "Quad",
    "Term",
    "Triple",
    "iri",
    "iri_text",
    "literal",
    "literal_text",
    "quoted",
    "term_text",
    "from_nquads",
    "read_turtle",
    "text_of",
    "to_nquads",
    "union_of",
    "value_of",
]

#: Any term that can appear in a query answer or a triple.
Term = NamedNode | BlankNode | Literal
XSD_GYEAR = ns.XSD + "gYear"


def iri(value: str) -> NamedNode:
    return NamedNode(value)


def literal(value: str, datatype: str | None = None, language: str | None = None) -> Literal:
    """A literal with a datatype IRI, or a language tag, or plain."""
    if datatype:
        return Literal(value, datatype=NamedNode(datatype))
    if language:
        return Literal(value, language=language)
    return Literal(value)


def value_of(term: Term | None) -> str | None:
    """The IRI or lexical value of a term (a blank node's id as text); None for unbound."""
    if term is None:
        return None
    return term.value if isinstance(term, (NamedNode, Literal)) else str(term)


def text_of(term: Term | None) -> str:
    """:func:`value_of` for a variable a query always binds; says so if it came back unbound."""
    text = value_of(term)
    if text is None:
        raise ValueError("a query left a variable it always binds unbound")
    return text


def read_turtle(path: Path) -> list[Triple]:
    """Every triple of one Turtle file; raises SyntaxError, ValueError or OSError with the line and column."""
    return [Triple(q.subject, q.predicate, q.object) for q in parse(path=str(path), format=_RdfFormat.TURTLE)]


def to_nquads(quads: list[Quad]) -> bytes:
    """Quads as N-Quads bytes (what :class:`kg.graph.store.SerializedGraph` holds)."""
    return serialize(quads, format=_RdfFormat.N_QUADS) or b""


def union_of(nquads: bytes, quads: list[Quad]) -> bytes:
    """The N-Triples of ``quads``' triples, cut from their N-Quads when all are in one named graph.

    An N-Quads line is the N-Triples line with the graph's term before its final `` .``, and a line
    break never stands inside a term (it is escaped), so ``" <G> .\\n"`` occurs once at the end of each
    line. When the byte count shows every line lost exactly its graph, that is the answer; else (other
    graphs, the default graph) the triples are serialised afresh.
    """
    if quads and isinstance(quads[0].graph_name, NamedNode):
        suffix = f" {quads[0].graph_name} .\n".encode()
        union = nquads.replace(suffix, b" .\n")
        if len(nquads) - len(union) == len(quads) * (len(suffix) - 3) and nquads.count(b"\n") == len(quads):
            return union
    return serialize([q.triple for q in quads], format=_RdfFormat.N_TRIPLES) or b""


def from_nquads(data: bytes) -> list[Quad]:
    """The quads of N-Quads bytes made by :func:`to_nquads`."""
    return list(parse(data, format=_RdfFormat.N_QUADS)) if data else []


# ---------------------------------------------------------------- N-Triples text written directly
# A worker writes a graph's lines as text rather than building a pyoxigraph ``Quad`` per line and serialising
# them (kg.ingest.triples.GraphBuilder): the text must be what Oxigraph's serialiser writes, byte for byte
# (tests/graph/test_ntriples_text.py checks it against pyoxigraph's on awkward literals and every code point).

#: what Oxigraph's N-Triples and N-Quads serialisers escape in a literal's lexical form, and how
_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f\ufffe\uffff]')
_XSD_STRING = ns.XSD + "string"

#: IRI → its N-Triples text, each IRI checked once by pyoxigraph's parser (as ``NamedNode`` would check it)
#: and shared by every graph a process writes; emptied at :data:`_IRI_TEXT_CACHE_SIZE` entries.
_IRI_TEXT: dict[str, str] = {}
_IRI_TEXT_CACHE_SIZE = 50_000


def iri_text(value: str) -> str:
    """``<value>`` once ``value`` is known to be an IRI (ValueError if it is not, as for :func:`iri`)."""
    text = _IRI_TEXT.get(value)
    if text is None:
        if len(_IRI_TEXT) >= _IRI_TEXT_CACHE_SIZE:
            _IRI_TEXT.clear()
        text = _IRI_TEXT[value] = str(NamedNode(value))
    return text


def quoted(value: str) -> str:
    """A literal's lexical form quoted and escaped as Oxigraph writes it."""
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    return f'"{value.translate(_ESCAPES)}"'


def literal_text(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """The N-Triples text of :func:`literal` ``(value, datatype, language)``, without making the literal."""
    if datatype:
        if datatype == _XSD_STRING:
            return quoted(value)
        return f"{quoted(value)}^^{iri_text(datatype)}"
    if language:
        return str(Literal(value, language=language))  # pyoxigraph checks and normalises the tag
    return quoted(value)


def term_text(term: Term | Triple) -> str:
    """The N-Triples text of a term (what the serialiser writes for it)."""
    return str(term)
