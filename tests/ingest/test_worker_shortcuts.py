"""The worker's shortcuts give what the plain ways give (docs/ingest-profile.md, eighth round)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from kg.graph.store import SerializedGraph
from kg.graph.terms import union_of
from kg.ingest.flow import Pipeline
from kg.ingest.parse import _any_of, parse
from kg.ingest.relations import _SPACED_PRONOUN, RelationExtractor, _overlaps, sentences
from kg.ingest.sources import read
from kg.ingest.triples import document_graph, source_record

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted((ROOT / "data" / "eval" / "texts").glob("*"))[:8]


def _plain_union(quads: list[ox.Quad]) -> bytes:
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b""


def test_union_cut_from_nquads_is_the_triples_serialised():
    pipeline = Pipeline()
    assert TEXTS
    for path in TEXTS:
        source = read(path)
        for document in parse(source):
            _, graph = document_graph(document, pipeline.extract(document), [source_record(source)], "f")
            quads = graph.quads
            assert SerializedGraph.of(quads).union == _plain_union(quads)


def test_union_of_awkward_literals_and_other_graphs():
    g = ox.NamedNode("https://example.org/doc/a")
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    tricky = ["x <https://example.org/doc/a> .", 'a "quoted"\nline', "tab\there ’", ""]
    quads = [ox.Quad(s, p, ox.Literal(t), g) for t in tricky]
    assert SerializedGraph.of(quads).union == _plain_union(quads)
    mixed = [*quads, ox.Quad(s, p, s, ox.NamedNode("https://example.org/doc/b"))]
    assert SerializedGraph.of(mixed).union == _plain_union(mixed)
    default = [ox.Quad(s, p, s, ox.DefaultGraph()), *quads]
    assert union_of(b"", []) == b"" and SerializedGraph.of(default).union == _plain_union(default)


def test_any_of_is_any_match():
    lines = ["Leave a reply", "12", "page 3 of 9", "share this", "Posted in news", "a line", "", "RECOMMEND"]
    sets = [
        [re.compile(r"^(?:leave a (reply|comment))$", re.I), re.compile(r"^(?:\d{1,3})$", re.I)],
        [re.compile(r"^(?:(a)\1)$", re.I), re.compile(r"^(?:page \d)$", re.I)],  # a back reference: one by one
        [re.compile(r"^(?:recommend)$"), re.compile(r"^(?:share this)$", re.I)],  # flags differ: one by one
        [],
    ]
    for patterns in sets:
        combined = _any_of(tuple(patterns))
        for line in lines:
            assert bool(combined(line)) == any(p.match(line) for p in patterns), (patterns, line)


def test_sentence_filters_lose_no_match():
    """A sentence the whole-text scans pass over has no match of its own."""
    extractor: RelationExtractor = Pipeline().relations
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in TEXTS]
    texts.append("We said so.\nThey merged because they could, and it was agreed.\n• us • We\nwhen\tit")
    for text in texts:
        spaced = [m.start() for m in _SPACED_PRONOUN.finditer(text)]
        we = [(m.start(), m.end()) for m in extractor._first_person.finditer(text)]
        for s, e in sentences(text):
            if not _overlaps(we, s, e):
                assert not list(extractor._first_person.finditer(text, s, e))
            at = [x for x in spaced if s <= x < e]
            if not at:
                assert not list(extractor._inner_pronoun.finditer(text, s, e))
