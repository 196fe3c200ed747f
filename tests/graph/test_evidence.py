"""Evidence: every mention and relation keeps its quote, offsets, page and mechanism, at a cost that scales.

One node per document, entity and way of matching holds every place as a ``kg:span`` and the first
place's words (a relation's statement holds its own); no target or selector nodes are stored.
``kg/graph/sparql/web-annotations.rq`` gives the standard form, one oa:Annotation per place with a
TextPositionSelector and a TextQuoteSelector (prefix and suffix cut from the search index's text),
read back here by rdflib.
"""

from __future__ import annotations

import io
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

from kg.graph import namespaces as ns
from kg.graph.evidence import parse_span, span, web_annotations
from kg.graph.query import run_query
from kg.ingest.parse import parse
from kg.ingest.sources import Source, iter_sources
from kg.ingest.triples import document_graph, document_iri
from tests.conftest import SAMPLE

OA = rdflib.Namespace(ns.OA)
KG = rdflib.Namespace(ns.ONTOLOGY)


@pytest.mark.parametrize(("start", "end", "page"), [(0, 4, None), (120, 134, None), (5, 9, 3)])
def test_a_span_reads_back(start, end, page):
    assert parse_span(span(start, end, page)) == (start, end, page)


@pytest.mark.parametrize("text", ["", "12", "a-b", "1-2@x", "-"])
def test_what_is_not_a_span_is_none(text):
    assert parse_span(text) is None


@pytest.fixture(scope="module")
def sample_documents(pipeline):
    out = []
    for item in iter_sources([SAMPLE]):
        if isinstance(item, Source):
            for document in parse(item):
                out.append((document, pipeline.extract(document)))
    assert len(out) >= 5
    return out


def test_every_mention_and_relation_is_in_the_store_with_its_place(sample_store, sample_documents):
    for document, extraction in sample_documents:
        doc = document_iri(document, sample_store.base)
        rows = run_query(
            sample_store,
            "SELECT ?d ?body ?span ?how WHERE { GRAPH ?d { ?a kg:span ?span ."
            " OPTIONAL { ?a oa:hasBody ?body } OPTIONAL { ?a kg:matchedBy ?how } } }",
            {"d": ox.NamedNode(doc)},
        ).rows
        stored = {(b.value if b else None, parse_span(s.value)[:2], h.value if h else None) for _, b, s, h in rows}
        for m in extraction.mentions:
            assert (m.entity, (m.start, m.end), m.how) in stored, (doc, m)
        places = {(s, e) for _, (s, e), _ in stored}
        for r in extraction.relations:
            assert (r.start, r.end) in places, (doc, r)


def test_one_compact_node_per_entity_and_way_of_matching(pipeline, sample_documents):
    for document, extraction in sample_documents:
        _, graph = document_graph(document, extraction, [document.source], "fingerprint")
        quads = graph.quads
        nodes = {q.subject for q in quads if q.predicate.value == ns.ONTOLOGY + "span"}
        groups = {(m.entity, m.how) for m in extraction.mentions}
        assert len(nodes) == len(groups) + len(extraction.relations)
        spans = [q for q in quads if q.predicate.value == ns.ONTOLOGY + "span"]
        assert len(spans) == len({(m.entity, m.how, m.start, m.end) for m in extraction.mentions}) + len(
            extraction.relations
        )
        # one quote per node, no target or selector nodes and no types but the statement's
        exact = [q for q in quads if q.predicate.value == ns.OA + "exact"]
        assert {q.subject for q in exact} == nodes and len(exact) == len(nodes)
        assert not [q for q in quads if q.predicate.value in (ns.OA + "hasTarget", ns.OA + "hasSelector")]
        types = {q.object.value for q in quads if q.subject in nodes and q.predicate.value == ns.RDF + "type"}
        assert types <= {ns.RDF + "Statement"}
        for q in exact:  # the words are the first place's
            first = min(parse_span(x.object.value)[:2] for x in spans if x.subject == q.subject)
            assert q.object.value == document.text[first[0] : first[1]]


def test_the_web_annotation_view_is_standard_and_complete(sample_store, sample_documents):
    document, extraction = next(
        (d, e) for d, e in sample_documents if len(e.mentions) > len({m.entity for m in e.mentions})
    )
    doc = document_iri(document, sample_store.base)
    triples = web_annotations(sample_store, doc)
    text = io.BytesIO()
    ox.serialize(triples, text, ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph().parse(data=text.getvalue().decode("utf-8"), format="nt")  # an independent parser
    places = Counter()
    quoted = 0
    for ann in graph.subjects(rdflib.RDF.type, OA.Annotation):
        [target] = list(graph.objects(ann, OA.hasTarget))
        assert (target, rdflib.RDF.type, OA.SpecificResource) in graph
        assert (target, OA.hasSource, rdflib.URIRef(doc)) in graph
        [position] = [
            s for s in graph.objects(target, OA.hasSelector) if (s, rdflib.RDF.type, OA.TextPositionSelector) in graph
        ]
        start, end = int(graph.value(position, OA.start)), int(graph.value(position, OA.end))
        body = str(graph.value(ann, OA.hasBody))
        places[(body, start, end)] += 1
        assert graph.value(ann, OA.motivatedBy) is not None
        for quote in graph.objects(target, OA.hasSelector):
            if (quote, rdflib.RDF.type, OA.TextQuoteSelector) in graph:  # the first place: its words in context
                assert str(graph.value(quote, OA.exact)) == document.text[start:end]
                assert str(graph.value(quote, OA.prefix)) == document.text[max(0, start - 32) : start]
                assert str(graph.value(quote, OA.suffix)) == document.text[end : end + 32]
                quoted += 1
    for m in extraction.mentions:
        assert places[(m.entity, m.start, m.end)] >= 1, m
    assert sum(places.values()) >= len({(m.entity, m.start, m.end) for m in extraction.mentions})
    assert quoted == len({(m.entity, m.how) for m in extraction.mentions}) + len(extraction.relations)
    for r in extraction.relations:  # a relation's annotation has the statement as body and its sentence
        assert any(body.startswith(doc + "#s") and (s, e) == (r.start, r.end) for body, s, e in places), r
    assert len(web_annotations(sample_store)) > len(triples)  # unbound: every document's evidence


def test_context_is_cut_from_the_indexed_text_and_only_where_the_words_match(sample_store, sample_documents):
    from kg.graph.evidence import CONTEXT_CHARS, Context

    document, extraction = sample_documents[0]
    doc = document_iri(document, sample_store.base)
    m = max(extraction.mentions, key=lambda m: m.start)
    with Context(sample_store) as context:
        before, after = context.around(doc, m.start, m.end, document.text[m.start : m.end])
        assert before == document.text[max(0, m.start - CONTEXT_CHARS) : m.start]
        assert after == document.text[m.end : m.end + CONTEXT_CHARS]
        assert context.around(doc, m.start, m.end, "words that are not there") == ("", "")
        assert context.around(doc + "-none", 0, 3) == ("", "")
    assert Context(None).around(doc, 0, 3) == ("", "")  # no store, no index: quotes without context


def test_kg_evidence_writes_the_standard_form_with_prefix_and_suffix(sample_store, sample_documents, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    document, _ = sample_documents[0]
    doc = document_iri(document, sample_store.base)
    out = tmp_path / "evidence.nt"
    result = CliRunner().invoke(app, ["evidence", "--document", doc, "-o", str(out), "--store", sample_store.location])
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(out, format="nt")
    assert len(set(graph.subjects(rdflib.RDF.type, OA.Annotation))) > 1
    assert len(set(graph.objects(None, OA.prefix))) > 1 and len(set(graph.objects(None, OA.suffix))) > 1
    wrong = CliRunner().invoke(app, ["evidence", "-f", "xml", "--store", sample_store.location])
    assert wrong.exit_code != 0 and "choose nt or turtle" in wrong.output


def test_a_format_2_store_is_refused_in_one_sentence_saying_to_ingest_again(tmp_path):
    import json

    from kg.errors import StoreError
    from kg.graph.store import FORMAT_FILE, Store

    with Store(tmp_path / "store"):
        pass
    (tmp_path / "store" / FORMAT_FILE).write_text(json.dumps({"format": "kg-store", "version": 2}))
    with pytest.raises(StoreError, match=r"format version 2, from an older kg .* ingest the documents again"):
        Store(tmp_path / "store")
