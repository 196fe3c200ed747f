"""The union default graph is a set: counts over it count distinct triples, and it stays right as graphs change."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import Store
from kg.errors import StoreError
from kg.graph.query import run_query
from kg.ingest import ingest
from tests.conftest import SAMPLE, SEEDS, need_shared

EX = "https://example.org/"


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def _quad(s: str, o: str, graph: str) -> ox.Quad:
    return ox.Quad(_n(s), _n("p"), _n(o), _n(graph))


def count_all(store: Store) -> int:
    return int(run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value)


def named_triples(store: Store) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in store.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph)}


def union_triples(store: Store) -> set[tuple]:
    return {
        (q.subject, q.predicate, q.object)
        for q in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }


@pytest.fixture(scope="module")
def both_store(tmp_path_factory, pipeline):
    """Seeds and sample in one store: documents that share relations, source files and the extractor."""
    need_shared()
    with Store(tmp_path_factory.mktemp("both") / "store") as opened:
        report = ingest([SEEDS, SAMPLE], opened, pipeline)
        assert not report.failures, report.failures
        yield opened


def test_count_star_is_the_number_of_distinct_triples(both_store):
    distinct = named_triples(both_store)
    # the named graphs do repeat triples (relations several documents assert, the extractor, shared source files) ...
    assert both_store.quad_count() > len(distinct)
    # ... but the default graph, which queries read, holds each once
    assert count_all(both_store) == len(distinct) == len(both_store)
    assert union_triples(both_store) == distinct


def test_a_relation_two_documents_assert_is_counted_once(both_store):
    rows = run_query(
        both_store,
        """SELECT ?s ?p ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o . FILTER(STRSTARTS(STR(?p), STR(kg:)))
           FILTER EXISTS { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } FILTER(?a != ?b) } } GROUP BY ?s ?p ?o""",
    ).rows
    assert rows, "the corpus should hold a relation stated in two graphs"
    assert {row[3].value for row in rows} == {"1"}


def test_reingesting_changes_nothing(both_store, pipeline):
    before = (count_all(both_store), both_store.quad_count())
    report = ingest([SEEDS, SAMPLE], both_store, pipeline)
    assert not report.written and report.unchanged
    assert (count_all(both_store), both_store.quad_count()) == before


def test_replacing_graphs_keeps_the_union_a_set(store):
    store.replace_graph(EX + "a", [_quad("x", "y", "a"), _quad("only-a", "y", "a")])
    store.replace_graph(EX + "b", [_quad("x", "y", "b")])
    assert count_all(store) == 2 and union_triples(store) == named_triples(store)
    store.replace_graph(EX + "a", [])  # b still says x p y: it stays; only-a goes
    assert union_triples(store) == named_triples(store) == {(_n("x"), _n("p"), _n("y"))}
    store.replace_graph(EX + "b", [_quad("z", "y", "b")])
    assert union_triples(store) == named_triples(store) == {(_n("z"), _n("p"), _n("y"))}
    assert count_all(store) == 1


def test_a_store_written_before_the_union_is_brought_up_to_date(tmp_path):
    with Store(tmp_path / "s") as store:
        store.replace_graph(EX + "a", [_quad("x", "y", "a")])
        store.replace_graph(EX + "b", [_quad("x", "y", "b")])
        store.oxigraph.update("CLEAR DEFAULT")  # as an older kg left it
        assert store.union_is_missing()
    with pytest.raises(StoreError, match="older kg: run 'kg ingest' once"):
        Store(tmp_path / "s", read_only=True)  # a reader cannot mend it, and says how
    with Store(tmp_path / "s") as store:  # opening it for writing rebuilds the union
        assert not store.union_is_missing()
        assert count_all(store) == 1


def test_sources_are_recorded_by_name_below_the_folder_ingested(both_store):
    paths = {row[0].value for row in run_query(both_store, "SELECT ?p WHERE { ?s kg:sourcePath ?p }").rows}
    assert paths and all(not p.startswith("/") and ":" not in p for p in paths)
    assert {p.split("/", 1)[0] for p in paths} == {"seeds", "sample"}
    assert "sample/01-five-year-forward-view.txt" in paths


def test_a_file_given_by_itself_is_recorded_by_its_name(store, pipeline):
    ingest([SAMPLE / "01-five-year-forward-view.txt"], store, pipeline)
    paths = [row[0].value for row in run_query(store, "SELECT ?p WHERE { ?s kg:sourcePath ?p }").rows]
    assert paths == ["01-five-year-forward-view.txt"]


def test_the_same_folder_by_another_path_is_unchanged(tmp_path, pipeline):
    with Store(tmp_path / "s") as store:
        first = ingest([SAMPLE], store, pipeline)
        again = ingest([SAMPLE.resolve().parent / ".." / SAMPLE.parent.name / SAMPLE.name], store, pipeline)
        assert first.written and not again.written and len(again.unchanged) == len(first.written)
