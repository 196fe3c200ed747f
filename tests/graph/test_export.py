"""What we export must be standard RDF that other parsers read without help."""

import subprocess

import pytest
import rdflib

from kg.graph.export import FORMATS, export
from tests.conftest import need_tool

RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads", "jsonld": "json-ld", "xml": "xml"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_reread_by_rdflib(seeds_store, fmt, tmp_path):
    path = tmp_path / f"graph.{FORMATS[fmt].extension}"
    export(seeds_store, fmt, path)
    if fmt in ("trig", "nq", "jsonld"):
        data = rdflib.Dataset()
        data.parse(path, format=RDFLIB_FORMAT[fmt])
        assert len(list(data.quads())) == len(seeds_store)
        assert len(set(seeds_store.document_graphs()) - {str(g.identifier) for g in data.graphs()}) == 0
    else:
        data = rdflib.Graph().parse(path, format=RDFLIB_FORMAT[fmt])
        assert len(data) == len({(q.subject, q.predicate, q.object) for q in seeds_store.oxigraph})


@pytest.mark.parametrize("fmt, syntax", [("turtle", "turtle"), ("trig", "trig"), ("nt", "ntriples"), ("xml", "rdfxml")])
def test_raptor_reads_our_exports(seeds_store, fmt, syntax, tmp_path):
    rapper = need_tool("rapper")
    path = tmp_path / f"graph.{FORMATS[fmt].extension}"
    export(seeds_store, fmt, path)
    done = subprocess.run([rapper, "-i", syntax, "-c", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "returned" in done.stderr and "Error" not in done.stderr


def test_exports_are_deterministic(seeds_store):
    assert export(seeds_store, "turtle") == export(seeds_store, "turtle")
    assert export(seeds_store, "trig") == export(seeds_store, "trig")


def test_ontology_and_vocabulary_files_are_valid_turtle():
    from kg.ingest.vocabulary import ontology_dir

    for path in sorted(ontology_dir().rglob("*.ttl")):
        assert len(rdflib.Graph().parse(path, format="turtle")) > 0, path
