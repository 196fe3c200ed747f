"""The store and the ingest flow: transactions, identity, idempotence, bad input."""

import pyoxigraph as ox
import pytest

from kg import Store, StoreError, run_query
from kg.ingest import ingest
from tests.conftest import SEEDS, need_shared

DOCS_WITH_TITLES = "SELECT ?d ?title WHERE { ?d a kg:Document ; dcterms:title ?title } ORDER BY ?title"


def test_seeds_ingest_into_one_named_graph_per_document(seeds_store):
    rows = run_query(seeds_store, DOCS_WITH_TITLES).rows
    assert len(rows) == 8  # nine records, one of them a copy
    graphs = set(seeds_store.document_graphs())
    assert {row[0].value for row in rows} == graphs


def test_same_briefing_in_two_files_is_one_document_with_two_sources(seeds_store):
    rows = run_query(
        seeds_store,
        """SELECT ?d (COUNT(DISTINCT ?src) AS ?n) WHERE {
             ?d dcterms:title "Integrating care: contracting for accountable models" ; prov:hadPrimarySource ?src }
           GROUP BY ?d""",
    ).rows
    assert len(rows) == 1 and int(rows[0][1].value) == 2


def test_reingest_leaves_the_store_unchanged(tmp_path, pipeline):
    need_shared()
    with Store(tmp_path / "s") as store:
        ingest([SEEDS], store, pipeline)
        before = sorted(str(q) for q in store.oxigraph)
        report = ingest([SEEDS], store, pipeline)
        assert not report.written and len(report.unchanged) == 9
        assert sorted(str(q) for q in store.oxigraph) == before


def test_a_changed_file_is_rewritten_in_place(tmp_path, pipeline):
    doc = tmp_path / "in" / "brief.txt"
    doc.parent.mkdir()
    doc.write_text("A briefing on STPs\n\nSustainability and transformation partnerships (STPs) began in 2016.\n")
    with Store(tmp_path / "s") as store:
        ingest([doc.parent], store, pipeline)
        doc.write_text("A briefing on STPs\n\nSTPs later became integrated care systems.\n")
        report = ingest([doc.parent], store, pipeline)
        assert len(report.written) == 1
        texts = [r[0].value for r in run_query(store, "SELECT ?exact WHERE { ?q oa:exact ?exact }").rows]
        assert "integrated care systems" in texts and "Sustainability and transformation partnerships" not in texts
        assert len(store.document_graphs()) == 1


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "good.txt").write_text("Good briefing\n\nNHS England wrote about ICSs.\n")
    with Store(tmp_path / "s") as store:
        report = ingest([folder], store, pipeline)
        assert sorted(f.location.rsplit("/", 1)[-1] for f in report.failures) == ["empty.txt", "junk.txt"]
        assert [t for _, t in report.written] == ["Good briefing"]


def test_replacing_a_graph_swaps_it_whole(store):
    graph = "https://example.org/g"
    p = ox.NamedNode("https://example.org/p")
    old = [
        ox.Quad(ox.NamedNode(f"https://example.org/old{i}"), p, ox.Literal(str(i)), ox.NamedNode(graph))
        for i in range(3)
    ]
    new = [ox.Quad(ox.NamedNode("https://example.org/new"), p, ox.Literal('line one\nline "two"'), ox.NamedNode(graph))]
    store.replace_graph(graph, old)
    store.replace_graph(graph, new)
    assert list(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))) == new


def test_store_in_use_gives_one_clear_error(tmp_path):
    with Store(tmp_path / "s"):
        with pytest.raises(StoreError, match="in use"):
            Store(tmp_path / "s")


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        Store(tmp_path / "nothing", read_only=True)
