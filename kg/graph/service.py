"""What the SPARQL endpoint says about itself (its service description), and the IRI check its protocol needs."""

from __future__ import annotations

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.graph.formats import GRAPH_FORMATS, RESULT_FORMATS, rdf_format

SD = "http://www.w3.org/ns/sparql-service-description#"


def is_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def describe_service(endpoint: str, graphs: list[str], fmt: str) -> bytes:
    """The service description of ``endpoint`` over the named ``graphs``, in RDF format ``fmt`` (a format key)."""
    body = ox.serialize(
        service_triples(endpoint, graphs),
        format=rdf_format(fmt),
        prefixes={"sd": SD, "dcterms": ns.DCTERMS, "formats": "http://www.w3.org/ns/formats/"},
    )
    return body or b""


def service_triples(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint, as triples."""
    a = ox.NamedNode(ns.RDF + "type")
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(ns.DCTERMS + "title"), ox.Literal("NHS policy knowledge graph (read-only)")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(default, ox.NamedNode(ns.DCTERMS + "description"), ox.Literal("the union of all the named graphs")),
    ]
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(fmt.iri)))
    for i, graph in enumerate(graphs):
        node = ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, a, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples
