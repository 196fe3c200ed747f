"""RDF/XML exports and SPARQL XML results stay well-formed when literals hold characters XML 1.0 cannot carry."""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox
import pytest
import rdflib
from lxml import etree

from kg import Store
from kg.graph.export import serialise
from kg.web.server import create_app, running
from tests.web.test_server import http

#: every character XML 1.0 cannot hold, even as a reference, and a few it can (tab, LF, CR, DEL, NEL)
FORBIDDEN = "".join(chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD)) + "\ufffe\uffff"
HOSTILE = f"before{FORBIDDEN}after\t\n\x7f\x85 é 😀"
S, P = "http://example.org/thing", "http://example.org/label"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("xml") / "store") as store:
        graph = ox.NamedNode("http://example.org/graph")
        store.oxigraph.add(ox.Quad(ox.NamedNode(S), ox.NamedNode(P), ox.Literal(HOSTILE), graph))
        store.oxigraph.add(ox.Quad(ox.NamedNode(S), ox.NamedNode(P), ox.Literal("\x00fr", language="fr"), graph))
        store.rebuild_union()  # written behind the store's back: bring its union default graph in line
        yield store


def _expected(text: str) -> str:
    return "".join("\ufffd" if ch in FORBIDDEN else ch for ch in text)


def test_rdf_xml_export_is_well_formed_and_says_where_text_was_replaced(hostile_store):
    data = serialise(hostile_store, "xml")
    etree.fromstring(data)  # raises on a document that is not well-formed
    graph = rdflib.Graph().parse(data=data, format="xml")
    values = sorted(str(o) for o in graph.objects(rdflib.URIRef(S), rdflib.URIRef(P)))
    # XML parsers turn a CR in text into LF (the export writes it raw), so compare with that
    assert values == sorted([_expected(HOSTILE).replace("\r", "\n"), "\ufffdfr"])
    assert {o.language for o in graph.objects() if isinstance(o, rdflib.Literal)} == {None, "fr"}


def test_other_formats_keep_the_text_as_it_is(hostile_store):
    graph = rdflib.Graph().parse(data=serialise(hostile_store, "nt"), format="nt")
    assert HOSTILE in {str(o) for o in graph.objects()}


@pytest.fixture(scope="module")
def url(hostile_store):
    with running(create_app(hostile_store.location, workers=1)) as served:
        yield served


def test_sparql_xml_results_are_well_formed(url):
    query = urllib.parse.urlencode({"query": "SELECT ?o WHERE { ?s ?p ?o }", "format": "xml"})
    answer = http(url, "/sparql?" + query)
    assert answer.status == 200 and "sparql-results+xml" in answer.type
    root = etree.fromstring(answer.body)
    texts = sorted(el.text for el in root.iter("{http://www.w3.org/2005/sparql-results#}literal"))
    assert texts == sorted([_expected(HOSTILE).replace("\r", "\n"), "\ufffdfr"])
    as_json = http(url, "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?o WHERE { ?s ?p ?o }"}))
    assert HOSTILE in {b["o"]["value"] for b in as_json.json()["results"]["bindings"]}


def test_construct_as_rdf_xml_is_well_formed(url):
    query = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "xml"})
    answer = http(url, "/sparql?" + query)
    assert answer.status == 200 and "rdf+xml" in answer.type
    etree.fromstring(answer.body)
    graph = rdflib.Graph().parse(data=answer.body, format="xml")
    assert len(graph) == 2
