"""Ontology hygiene: every kg: term the data uses is declared, labelled, explained and defined by the ontology."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.graph.export import export
from kg.resources import ontology_dir

KG = "https://w3id.org/nhs-policy-kg/ontology#"
ONTOLOGY = rdflib.URIRef("https://w3id.org/nhs-policy-kg/ontology")
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "kg.ttl", format="turtle")


@pytest.fixture(scope="module")
def exported(seeds_store, sample_store) -> rdflib.Graph:
    """The seeds and the sample as another tool sees them: their Turtle exports, re-read by rdflib."""
    graph = rdflib.Graph()
    for store in (seeds_store, sample_store):
        graph.parse(data=export(store, "turtle").decode("utf-8"), format="turtle")
    return graph


def test_the_ontology_names_its_prefix_namespace_and_version(ontology):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "kg"
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespaceUri)) == KG
    version = ontology.value(ONTOLOGY, OWL.versionIRI)
    info = ontology.value(ONTOLOGY, OWL.versionInfo)
    assert version is not None and info is not None and str(version).endswith("/" + str(info))


def test_every_term_is_labelled_explained_and_defined_here(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(KG)}
    assert len(terms) > 50
    for term in sorted(terms):
        assert set(ontology.objects(term, RDF.type)) & KINDS, term
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert ontology.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"
        assert (term, RDFS.isDefinedBy, ONTOLOGY) in ontology, f"{term} has no rdfs:isDefinedBy"


def test_every_kg_term_the_data_uses_is_declared(ontology, exported):
    used = {
        term for triple in exported for term in triple if isinstance(term, rdflib.URIRef) and str(term).startswith(KG)
    }
    assert {rdflib.URIRef(KG + n) for n in ("matchedBy", "extractionRule", "sourcePath", "odsCode", "Document")} <= used
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(KG)}
    assert sorted(used - declared) == []


def test_every_scheme_the_data_puts_concepts_in_is_declared(exported):
    schemes = set(exported.objects(None, SKOS.inScheme))
    assert rdflib.URIRef("https://w3id.org/nhs-policy-kg/id/scheme-discovered") in schemes
    assert sorted(s for s in schemes if (s, RDF.type, SKOS.ConceptScheme) not in exported) == []


def test_pylode_documents_every_term(ontology, tmp_path):
    """``make docs``: pyLODE (the docs extra) writes one HTML page that shows every term."""
    pytest.importorskip("pylode")
    import subprocess
    import sys

    out = tmp_path / "ontology.html"
    command = [sys.executable, "-m", "pylode", str(ontology_dir() / "kg.ttl"), "--sort", "-o", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    for term in {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(KG)}:
        assert str(term) in page, term
