"""Linked data on ``kg serve`` and in ``kg site``: conneg on IRIs, VoID, sitemap, Graph Store reads, dumps.

The real server (uvicorn on a loopback port, its query workers, a site it builds itself) over the sample
store; every RDF answer is read back by rdflib, the sitemap is checked against an XML Schema of the
sitemaps.org protocol (``tests/sitemap.xsd``) by lxml.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from lxml import etree

from kg.graph import jsonld
from kg.graph import namespaces as ns
from kg.graph.export import export
from kg.web.server import create_app, running
from kg.web.site import build_site
from tests.web.test_server import http

BASE = ns.base_iri()
ENTITY = BASE + "id/integrated-care-system"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SKOS = rdflib.Namespace(ns.SKOS)
SITEMAP_XSD = Path(__file__).with_name("sitemap.xsd")
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

#: Accept -> (content type served, rdflib parser); None: the HTML page
MEDIA = {
    "text/html": ("text/html", None),
    "text/turtle": ("text/turtle", "turtle"),
    "text/n3": ("text/turtle", "turtle"),
    "application/ld+json": ("application/ld+json", "json-ld"),
    "application/n-triples": ("application/n-triples", "nt"),
    "application/rdf+xml": ("application/rdf+xml", "xml"),
}


@pytest.fixture(scope="module")
def served(sample_store, tmp_path_factory):
    app = create_app(sample_store.location, build_site=True, site_dir=tmp_path_factory.mktemp("served"), workers=2)
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def document_iri(sample_store):
    return sorted(sample_store.document_graphs())[0]


def _path(iri: str) -> str:
    return "/" + iri[len(BASE) :]


def count(url: str, query: str) -> int:
    answer = http(url, "/sparql", params={"query": query})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("kind", ["entity", "document"])
@pytest.mark.parametrize("accept", list(MEDIA))
def test_an_iri_answers_its_page_or_its_description_by_accept(served, document_iri, kind, accept):
    iri = ENTITY if kind == "entity" else document_iri
    answer = http(served, _path(iri), headers={"Accept": accept})
    media, parser = MEDIA[accept]
    assert answer.status == 200, answer.text
    assert answer.type.split(";")[0] == media
    assert "Accept" in answer.headers["vary"]
    assert 'rel="alternate"' in answer.headers["link"]
    if parser is None:
        assert "<html" in answer.text and answer.headers["content-location"].endswith(".html")
        return
    graph = rdflib.Graph().parse(data=answer.body, format=parser)
    subject = rdflib.URIRef(iri)
    assert (subject, rdflib.RDF.type, None) in graph
    # the labels of what it links to come with it
    linked = {
        o for o in graph.objects(subject, None) if isinstance(o, rdflib.URIRef) and str(o).startswith(BASE + "id/")
    }
    assert linked, "the description links to other entities"
    named = {s for s in linked if (s, SKOS.prefLabel, None) in graph or (s, rdflib.RDFS.label, None) in graph}
    assert named == linked


def test_a_file_ending_chooses_the_format_whatever_accept_says(served):
    answer = http(served, _path(ENTITY) + ".ttl", headers={"Accept": "text/html"})
    assert answer.status == 200 and answer.type.startswith("text/turtle")
    graph = rdflib.Graph().parse(data=answer.body, format="turtle")
    assert (rdflib.URIRef(ENTITY), SKOS.prefLabel, rdflib.Literal("Integrated Care System", lang="en")) in graph


def test_unknown_iris_and_formats(served):
    assert http(served, "/id/no-such-entity", headers={"Accept": "text/turtle"}).status == 404
    assert http(served, "/id/no-such-entity", headers={"Accept": "text/html"}).status == 404
    refused = http(served, _path(ENTITY), headers={"Accept": "image/png"})
    assert refused.status == 406 and "HTML page or as RDF" in refused.text


def test_pages_link_to_their_rdf_and_embed_it(served, document_iri):
    for iri in (ENTITY, document_iri):
        page = http(served, _path(iri), headers={"Accept": "text/html"}).text
        links = dict(re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', page))
        assert set(links) == {"text/turtle", "application/ld+json"}
        folder = _path(iri).rsplit("/", 1)[0] + "/"
        turtle = http(served, folder + links["text/turtle"])
        assert turtle.status == 200
        embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
        graph = rdflib.Graph().parse(data=embedded, format="json-ld")
        assert (rdflib.URIRef(iri), rdflib.RDF.type, None) in graph
        assert len(graph) == len(rdflib.Graph().parse(data=turtle.body, format="turtle"))


def test_the_json_ld_context_is_published(served):
    answer = http(served, "/context.jsonld")
    assert answer.status == 200 and answer.type.startswith("application/ld+json")
    assert answer.json() == json.loads(jsonld.context_text()) and "@context" in answer.json()


def test_void_describes_the_dataset(served):
    for path in ("/.well-known/void", "/void.ttl"):
        answer = http(served, path)
        assert answer.status == 200 and answer.type.startswith("text/turtle")
        graph = rdflib.Graph().parse(data=answer.body, format="turtle")
        dataset = graph.value(None, rdflib.RDF.type, VOID.Dataset)
        assert dataset is not None
        assert int(graph.value(dataset, VOID.triples)) == count(served, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(graph.value(dataset, VOID.distinctSubjects)) == count(
            served, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
        )
        assert str(graph.value(dataset, VOID.sparqlEndpoint)) == served + "/sparql"
        dumps = {str(o) for o in graph.objects(dataset, VOID.dataDump)}
        assert dumps == {served + "/dump.nq", served + "/dump.trig"}
        vocabularies = {str(o) for o in graph.objects(dataset, VOID.vocabulary)}
        assert {ns.SKOS, ns.DCTERMS, ns.ONTOLOGY, ns.OA, ns.PROV} <= vocabularies
        partitions = {
            str(graph.value(p, VOID["class"])): int(graph.value(p, VOID.entities))
            for p in graph.objects(dataset, VOID.classPartition)
        }
        assert partitions[ns.ONTOLOGY + "Document"] == count(
            served, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }"
        )
    as_jsonld = http(served, "/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.type.startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=as_jsonld.body, format="json-ld")) > 10


def _valid_sitemap(body: bytes) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))
    document = etree.fromstring(body)
    schema.assertValid(document)
    return [loc.text for loc in document.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def test_sitemap_lists_every_page(served, sample_store):
    answer = http(served, "/sitemap.xml")
    assert answer.status == 200 and answer.type.startswith("application/xml")
    locs = _valid_sitemap(answer.body)
    assert served + "/" in locs and served + "/id/integrated-care-system.html" in locs
    for document in sample_store.document_graphs():
        assert served + _path(document) + ".html" in locs
    assert all(http(served, loc[len(served) :]).status == 200 for loc in locs[:5])


def test_the_schema_refuses_a_bad_sitemap():
    bad = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>x</lastmod></url></urlset>'
    with pytest.raises(etree.DocumentInvalid):
        _valid_sitemap(bad)


# --------------------------------------------------------------------------- Graph Store Protocol, dumps


def _quads(body: bytes, fmt: str) -> set:
    dataset = rdflib.Dataset()
    dataset.parse(data=body, format=fmt)
    return {
        (s, p, o, g)
        for s, p, o, g in dataset.quads((None, None, None, None))
        if g != rdflib.URIRef("urn:x-rdflib:default")
    }


@pytest.mark.parametrize("path, fmt", [("/dump.nq", "nquads"), ("/dump.trig", "trig")])
def test_streamed_dump_has_the_quads_of_kg_export(served, sample_store, path, fmt):
    answer = http(served, path)
    assert answer.status == 200
    assert "attachment" in answer.headers["content-disposition"]
    assert "content-length" not in answer.headers  # streamed, not built whole first
    exported = _quads(export(sample_store, "nq"), "nquads")
    assert _quads(answer.body, fmt) == exported
    assert len(exported) > 1000


@pytest.mark.parametrize("route", ["/sparql", "/rdf-graph-store"])
def test_graph_store_read_of_a_named_graph_and_the_default(served, document_iri, route):
    answer = http(served, route, params={"graph": document_iri}, headers={"Accept": "application/n-triples"})
    assert answer.status == 200 and answer.type.startswith("application/n-triples")
    graph = rdflib.Graph().parse(data=answer.body, format="nt")
    assert len(graph) == count(served, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{document_iri}> {{ ?s ?p ?o }} }}")
    default = http(served, route + "?default")
    assert default.status == 200 and default.type.startswith("text/turtle")
    union = rdflib.Graph().parse(data=default.body, format="turtle")
    assert len(union) == count(served, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert len(union) > len(graph)


def test_graph_store_errors(served):
    assert http(served, "/rdf-graph-store", params={"graph": BASE + "doc/none"}).status == 404
    assert http(served, "/rdf-graph-store", params={"graph": "not an iri"}).status == 400
    assert http(served, "/rdf-graph-store").status == 400
    both = http(served, "/rdf-graph-store?default&graph=" + BASE + "graph/vocabulary")
    assert both.status == 400 and "one graph" in both.text
    assert http(served, "/rdf-graph-store?default", headers={"Accept": "image/png"}).status == 406


def test_query_bodies_must_be_utf8_and_n3_is_turtle(served):
    utf16 = http(
        served,
        "/sparql",
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        method="POST",
    )
    assert utf16.status == 415 and "UTF-8" in utf16.text
    latin = http(
        served,
        "/sparql",
        data=b'ASK { ?s ?p "\xe9" }',
        headers={"Content-Type": "application/sparql-query"},
        method="POST",
    )
    assert latin.status == 400 and "UTF-8" in latin.text
    query = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3"
    by_accept = http(served, "/sparql", params={"query": query}, headers={"Accept": "text/n3"})
    by_format = http(served, "/sparql", params={"query": query, "format": "n3"})
    assert by_accept.status == by_format.status == 200
    assert by_accept.type == by_format.type
    assert len(rdflib.Graph().parse(data=by_accept.body, format="n3")) == 3


# --------------------------------------------------------------------------- the static site


def test_static_site_has_void_sitemap_dump_and_page_data(sample_store, tmp_path):
    out = tmp_path / "site"
    build_site(sample_store, out, base_url="https://example.org/kg/")
    locs = _valid_sitemap((out / "sitemap.xml").read_bytes())
    assert "https://example.org/kg/index.html" in locs
    assert "https://example.org/kg/id/integrated-care-system.html" in locs
    assert all(loc.startswith("https://example.org/kg/") for loc in locs)
    void = rdflib.Graph().parse(out / "void.ttl", format="turtle")
    dataset = void.value(None, rdflib.RDF.type, VOID.Dataset)
    assert str(void.value(dataset, VOID.dataDump)) == "https://example.org/kg/dump.nq"
    assert void.value(dataset, VOID.sparqlEndpoint) is None
    assert int(void.value(dataset, VOID.triples)) == len(sample_store)
    assert json.loads((out / "context.jsonld").read_text(encoding="utf-8")) == json.loads(jsonld.context_text())
    assert _quads((out / "dump.nq").read_bytes(), "nquads") == _quads(export(sample_store, "nq"), "nquads")
    page = (out / "id" / "integrated-care-system.html").read_text(encoding="utf-8")
    assert 'href="integrated-care-system.ttl"' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert any(node.get("@id") == ENTITY for node in data)
    turtle = rdflib.Graph().parse(out / "id" / "integrated-care-system.ttl", format="turtle")
    assert len(turtle) == len(rdflib.Graph().parse(out / "id" / "integrated-care-system.jsonld", format="json-ld"))


def test_base_url_must_be_a_web_address(sample_store):
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="--base-url"):
        create_app(sample_store.location, base_url="ftp://example.org/")
    app = create_app(sample_store.location, base_url="https://example.org/kg")
    with running(app) as url:
        moved = http(url, "/page", params={"iri": ENTITY})
        assert (
            moved.status == 303 and moved.headers["location"] == "https://example.org/kg/id/integrated-care-system.html"
        )
        manifest = http(url, "/reconcile").json()
        assert manifest["view"]["url"] == "https://example.org/kg/page?iri={{id}}"
        void = rdflib.Graph().parse(data=http(url, "/.well-known/void").body, format="turtle")
        dataset = void.value(None, rdflib.RDF.type, VOID.Dataset)
        assert str(void.value(dataset, VOID.sparqlEndpoint)) == "https://example.org/kg/sparql"
