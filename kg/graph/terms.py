"""RDF terms and Turtle reading for the modules outside :mod:`kg.graph`.

Only :mod:`kg.graph` talks to pyoxigraph; ingest and the web side build and
read terms through these names, so the store's library can change in one
package.

>>> iri("https://schema.org/mentions").value, literal("2018", XSD_GYEAR).datatype.value
('https://schema.org/mentions', 'http://www.w3.org/2001/XMLSchema#gYear')
"""

from __future__ import annotations

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
    "literal",
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
