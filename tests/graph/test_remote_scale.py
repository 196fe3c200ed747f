"""A remote store of 12,000 graphs: ``GRAPH ?document`` answers as on the embedded store, on both servers.

Sending every graph as a ``named-graph-uri`` stopped working here: Virtuoso refuses a list of more than
about 10,000 (SP030 "Too many arguments"), and each request grew with the store. Now the query's text keeps
``GRAPH ?g`` to kg's graphs (:mod:`kg.graph.graphscope`). The graphs are small and written straight by
``Store.replace_graphs`` (no extraction), the same ones into the embedded store and the server, with a
graph of someone else's beside them on the server, which must not show in any answer.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.graph.namespaces import DCTERMS, FOAF, ONTOLOGY, PROV, RDF, base_iri
from kg.graph.query import run_query
from kg.graph.saved import find_saved, run_saved
from kg.graph.store import Store, open_store
from tests.sparql_servers import SERVERS

GRAPHS = 12_000
REVIEWED_EVERY = 1_000  #: one graph in this many holds a librarian's review (rows of 'reviewed-claims')
FOREIGN = "http://someone.else.example/graph"


def small_graphs(count: int, title: str = "Scale") -> list[tuple[str, list[ox.Quad]]]:
    """``count`` document graphs of a title each, some with a review: kg's graphs, without extraction."""
    graphs = []
    for i in range(count):
        doc = ox.NamedNode(f"{base_iri()}doc/scale-{i}")

        def quad(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal, doc: ox.NamedNode = doc) -> ox.Quad:
            return ox.Quad(s, ox.NamedNode(p), o, doc)

        quads = [
            quad(doc, RDF + "type", ox.NamedNode(ONTOLOGY + "Document")),
            quad(doc, DCTERMS + "title", ox.Literal(f"{title} {i}")),
        ]
        if i % REVIEWED_EVERY == 0:
            review, who = ox.NamedNode(f"{doc.value}#review"), ox.NamedNode(f"{doc.value}#librarian")
            quads += [
                quad(review, RDF + "type", ox.NamedNode(ONTOLOGY + "Review")),
                quad(review, ONTOLOGY + "verdict", ox.Literal("confirmed")),
                quad(review, ONTOLOGY + "claimSubject", ox.NamedNode(f"{base_iri()}id/a")),
                quad(review, ONTOLOGY + "claimPredicate", ox.NamedNode(ONTOLOGY + "supersedes")),
                quad(review, ONTOLOGY + "claimObject", ox.NamedNode(f"{base_iri()}id/b")),
                quad(review, PROV + "wasAttributedTo", who),
                quad(who, FOAF + "name", ox.Literal("A librarian")),
            ]
        graphs.append((doc.value, quads))
    return graphs


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("scale") / "store") as store:
        store.replace_graphs(small_graphs(GRAPHS))
        yield store


@pytest.fixture(scope="module", params=sorted(SERVERS))
def served(request, tmp_path_factory):
    server = SERVERS[request.param](tmp_path_factory.mktemp(request.param)).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KG_REMOTE_STATE", str(tmp_path_factory.mktemp("state")))
            with open_store(server.location) as store:
                store.replace_graphs(small_graphs(GRAPHS))  # one call: the store cuts it into requests
                store.dataset.update(
                    f"INSERT DATA {{ GRAPH <{FOREIGN}> {{ <{FOREIGN}#x> a <{ONTOLOGY}Document> ; "
                    f'<{DCTERMS}title> "not ours" }} }}'
                )
                yield store
    finally:
        server.stop()


def _rows(result) -> list[tuple[str, ...]]:
    return sorted(tuple("" if t is None else str(t) for t in row) for row in result.rows)


def test_graph_of_a_variable_ranges_over_kgs_graphs_only(served, embedded):
    sparql = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?d a kg:Document } }"
    assert (
        _rows(run_query(served, sparql))
        == _rows(run_query(embedded, sparql))
        == [(f'"{GRAPHS}"^^<http://www.w3.org/2001/XMLSchema#integer>',)]
    )
    assert len(served.document_graphs()) == len(embedded.document_graphs()) == GRAPHS
    assert FOREIGN not in served.dataset.graphs()


def test_a_saved_query_reading_graph_document_gives_the_embedded_rows(served, embedded):
    query = find_saved("reviewed-claims")
    ours, theirs = run_saved(embedded, query), run_saved(served, query)
    assert theirs.variables == ours.variables
    assert _rows(theirs) == _rows(ours) and len(ours.rows) == GRAPHS // REVIEWED_EVERY


def test_a_graph_named_in_the_query_is_read_only_when_it_is_kgs(served, embedded):
    ours = f"SELECT ?t WHERE {{ GRAPH <{base_iri()}doc/scale-7> {{ ?d dcterms:title ?t }} }}"
    assert _rows(run_query(served, ours)) == _rows(run_query(embedded, ours)) == [('"Scale 7"',)]
    theirs = f"SELECT ?t WHERE {{ GRAPH <{FOREIGN}> {{ ?d dcterms:title ?t }} }}"
    assert run_query(served, theirs).rows == run_query(embedded, theirs).rows == []


def test_replacing_many_held_graphs_at_once_is_cut_into_requests_the_server_takes(served, embedded):
    again = small_graphs(600, title="Again")  # 600 graphs the server holds: four operations each
    sparql = 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?d dcterms:title ?t FILTER(STRSTARTS(?t, "Again")) } }'
    try:
        served.replace_graphs(again)
        embedded.replace_graphs(again)
        assert _rows(run_query(served, sparql)) == _rows(run_query(embedded, sparql))
        assert run_query(embedded, sparql).rows[0][0].value == "600"
    finally:  # as they were, for the next server's tests
        served.replace_graphs(small_graphs(600))
        embedded.replace_graphs(small_graphs(600))
    assert run_query(served, sparql).rows[0][0].value == "0"


def test_a_query_with_a_graph_variable_and_a_graph_iri_reads_both(served, embedded):
    sparql = (
        f"SELECT ?t (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH <{base_iri()}doc/scale-7> {{ ?d dcterms:title ?t }} "
        "GRAPH ?g { ?e a kg:Document } } GROUP BY ?t"
    )
    assert _rows(run_query(served, sparql)) == _rows(run_query(embedded, sparql))
    assert run_query(embedded, sparql).rows[0][1].value == str(GRAPHS)
