"""The one table of RDF and SPARQL results formats (kg.graph.formats) and what reads it: export, negotiation, worker."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.graph import formats
from kg.graph.export import FORMATS, format_for
from kg.web.server.negotiation import GRAPH_OFFERS, RESULT_OFFERS, Problem, choose_formats, negotiate

#: What format= accepted before the table (the server's own hand tables), as (value, results, graph).
FORMAT_PARAMETERS = [
    ("json", "JSON", "JSON_LD"),
    ("srj", "JSON", None),
    ("application/sparql-results+json", "JSON", None),
    ("application/json", "JSON", "JSON_LD"),
    ("xml", "XML", "RDF_XML"),
    ("srx", "XML", None),
    ("text/xml", "XML", "RDF_XML"),
    ("csv", "CSV", None),
    ("text/tab-separated-values", "TSV", None),
    ("ttl", None, "TURTLE"),
    ("text/rdf+n3", None, "TURTLE"),
    ("n-triples", None, "N_TRIPLES"),
    ("text/plain", None, "N_TRIPLES"),
    ("json-ld", None, "JSON_LD"),
    ("rdf", None, "RDF_XML"),
    ("Text/Turtle; charset=utf-8", None, "TURTLE"),
]


@pytest.mark.parametrize(("value", "results", "graph"), FORMAT_PARAMETERS)
def test_format_parameter_names(value, results, graph):
    assert choose_formats({"format": value}, None) == (results, graph)


def test_unknown_format_is_a_406_sentence():
    with pytest.raises(Problem) as caught:
        choose_formats({"format": "yaml"}, None)
    assert caught.value.status == 406 and "yaml" in caught.value.message


def test_accept_picks_by_quality_then_the_servers_order():
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_OFFERS) == "XML"
    assert negotiate("application/*", RESULT_OFFERS) == "JSON"
    assert negotiate("application/rdf+xml, text/turtle;q=0.9", GRAPH_OFFERS) == "RDF_XML"
    assert negotiate("text/*", GRAPH_OFFERS) == "TURTLE"
    assert negotiate("image/png", GRAPH_OFFERS) is None
    assert choose_formats({}, "application/json") == ("JSON", "JSON_LD")


def test_media_types_and_endings_come_from_pyoxigraph():
    for fmt in (*formats.RESULT_FORMATS, *formats.GRAPH_FORMATS, *formats.DATASET_FORMATS):
        enum = fmt.ox
        assert fmt.media_types[0] == enum.media_type.split(";")[0]
        assert enum.iri.startswith(("http://www.w3.org/ns/formats/", "https://www.w3.org/ns/formats/"))
        if fmt.content_type.startswith("text/"):
            assert fmt.content_type.endswith("charset=utf-8")
    assert formats.BY_KEY["TURTLE"].content_type == "text/turtle; charset=utf-8"
    assert formats.BY_KEY["JSON"].extension == "json" and formats.BY_KEY["N_QUADS"].extension == "nq"
    assert formats.rdf_format("TRIG") is ox.RdfFormat.TRIG


def test_export_names_and_file_endings():
    assert list(FORMATS) == ["turtle", "trig", "nt", "nq", "jsonld", "xml"]
    endings = {"a.ttl": "turtle", "a.n3": "turtle", "a.trig": "trig", "a.nt": "nt", "a.NQ": "nq"}
    endings |= {"a.jsonld": "jsonld", "a.json": "jsonld", "a.rdf": "xml", "a.owl": "xml", "a.txt": None}
    for name, expected in endings.items():
        assert format_for(name) == expected, name
