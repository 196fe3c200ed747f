"""N-Triples text written directly is what pyoxigraph's serialiser writes, byte for byte (kg.graph.terms)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.graph import namespaces as ns
from kg.graph.store import SerializedGraph
from kg.graph.terms import iri_text, literal_text, quoted
from kg.ingest.flow import Pipeline
from kg.ingest.parse import parse
from kg.ingest.sources import read
from kg.ingest.triples import GraphBuilder, document_graph, source_record

ROOT = Path(__file__).resolve().parents[2]
G = "https://example.org/doc/a"
S, P = "https://example.org/s", "https://example.org/p"

AWKWARD = [
    "",
    "plain words",
    'say "quoted"',
    "back\\slash \\n not a break",
    "line\nbreak\r\nand\ttab",
    "\b\f\v\x00\x01\x1f\x7f",
    "non-ASCII: café – ’quotes’ ½ Ωμέγα 漢字 \U0001f600",
    "\ufeff\u2028\u2029\ufffe\uffff\ufffd",
    "x <https://example.org/doc/a> .",
    ' "@en ^^<x> ',
]


def _serialised(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def test_quoted_matches_the_serialiser_for_every_code_point():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    s, p, g = ox.NamedNode(S), ox.NamedNode(P), ox.NamedNode(G)
    for start in range(0, len(chars), 65536):
        chunk = chars[start : start + 65536]
        expected = _serialised([ox.Quad(s, p, ox.Literal(c), g) for c in chunk])
        written = "".join(f"<{S}> <{P}> {quoted(c)} <{G}> .\n" for c in chunk).encode()
        assert written == expected


@pytest.mark.parametrize("value", AWKWARD)
@pytest.mark.parametrize(
    "datatype, language",
    [
        (None, None),
        (ns.XSD + "string", None),
        (ns.XSD + "dateTime", None),
        (ns.XSD + "anyURI", None),
        ("https://example.org/type/é", None),
        (None, "en"),
        (None, "EN-gb"),
    ],
)
def test_literal_text_is_the_serialisers(value, datatype, language):
    made = ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value, language=language)
    g = GraphBuilder(G)
    g.add_literal(S, P, value, datatype, language)
    g.add(S, P, made)  # a term given as pyoxigraph's
    expected = _serialised([ox.Quad(ox.NamedNode(S), ox.NamedNode(P), made, ox.NamedNode(G))] * 2)
    assert g.serialized().nquads == expected
    assert literal_text(value, datatype, language) == str(made)
    assert g.quads == [ox.Quad(ox.NamedNode(S), ox.NamedNode(P), made, ox.NamedNode(G))] * 2


def test_iris_blank_nodes_and_the_union():
    g = GraphBuilder(ox.NamedNode(G))
    g.add("https://example.org/id/café-Ω", P, "https://example.org/o?q=1&r=%20#f")
    g.add(ox.BlankNode("b1"), P, ox.BlankNode("b2"))
    quads = g.quads
    assert g.serialized() == SerializedGraph.of(quads)
    assert g.serialized().union == ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    assert GraphBuilder(G).serialized() == SerializedGraph.of([])


def test_a_bad_iri_is_refused_as_by_named_node():
    for bad in ("not an iri", "https://example.org/a b", "https://example.org/<x>"):
        with pytest.raises(ValueError):
            iri_text(bad)
        with pytest.raises(ValueError):
            GraphBuilder(G).add(S, P, bad)


def test_quads_of_another_graph_are_refused():
    other = ox.Quad(ox.NamedNode(S), ox.NamedNode(P), ox.Literal("x"), ox.NamedNode(G + "b"))
    with pytest.raises(ValueError):
        GraphBuilder(G).add_quads([other])


def test_document_graphs_written_as_text_are_the_serialised_quads():
    pipeline = Pipeline()
    texts = sorted((ROOT / "data" / "eval" / "texts").glob("*"))[:12]
    assert texts
    for path in texts:
        source = read(path)
        for document in parse(source):
            _, g = document_graph(document, pipeline.extract(document), [source_record(source)], "f")
            assert g.serialized() == SerializedGraph.of(g.quads)
