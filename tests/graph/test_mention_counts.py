"""Each entity's number of documents (kg:mentionedInDocuments, kg.graph.mentioncounts).

The counts are checked against the mentions counted here, in Python, from the union default graph's
``schema:mentions`` triples: after an ingest, after documents change and go, after a run that stopped
before its count, in a store of format 5 (before the counts), after ``kg load`` of a dump without them;
and ``kg validate`` must notice a wrong one.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg import Store, StoreError
from kg.graph import mentioncounts
from kg.graph import namespaces as ns
from kg.graph.store import FORMAT_FILE, FORMAT_VERSION
from kg.ingest import ingest

MENTIONS = ox.NamedNode(ns.SCHEMA + "mentions")
COUNT = ox.NamedNode(mentioncounts.PREDICATE)
runner = CliRunner()


def app():
    from kg.cli import app as kg_app

    return kg_app


def by_hand(store: Store) -> dict[str, int]:
    """Entity → documents mentioning it, from the mention triples themselves."""
    counted: Counter[str] = Counter()
    for q in store.oxigraph.quads_for_pattern(None, MENTIONS, None, ox.DefaultGraph()):
        counted[q.object.value] += 1
    return dict(counted)


def in_union(store: Store) -> dict[str, int]:
    """The counts as a query of the default graph reads them."""
    return {
        q.subject.value: int(q.object.value)
        for q in store.oxigraph.quads_for_pattern(None, COUNT, None, ox.DefaultGraph())
    }


def texts(folder: Path, **documents: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


ACO = "Accountable Care Organisations\n\nNHS England wrote about accountable care organisations and the ACO contract.\n"
PCN = "Primary Care Networks\n\nNHS England and the King's Fund wrote about primary care networks.\n"


def test_ingest_counts_the_documents_of_each_entity(sample_store):
    stored = mentioncounts.stored(sample_store)
    assert stored == by_hand(sample_store) == in_union(sample_store)
    assert len(stored) > 20 and max(stored.values()) > 1
    assert not mentioncounts.is_pending(sample_store) and mentioncounts.differences(sample_store) == {}
    graph = mentioncounts.counts_graph(sample_store.base).value
    assert graph not in sample_store.document_graphs()
    assert sample_store.document_count() == len(sample_store.document_graphs())


def test_counts_follow_documents_that_change_and_go(tmp_path, pipeline):
    folder = texts(tmp_path / "docs", aco=ACO, pcn=PCN, other=ACO.replace("Organisations", "Systems"))
    with Store(tmp_path / "store") as store:
        assert not ingest([folder], store, pipeline).failures
        first = mentioncounts.stored(store)
        assert first == by_hand(store) and first
        (folder / "aco.txt").write_text(PCN.replace("Networks", "Networks again"), encoding="utf-8")
        (folder / "other.txt").unlink()
        assert not ingest([folder], store, pipeline, prune=True).failures
        second = mentioncounts.stored(store)
        assert second == by_hand(store) == in_union(store)
        assert second != first
        gone = set(first) - set(second)  # entities only the changed and removed documents named: no count left
        assert all(entity not in by_hand(store) for entity in gone)


def test_a_run_stopped_before_its_count_is_put_right_by_the_next(tmp_path, pipeline):
    folder = texts(tmp_path / "docs", aco=ACO, pcn=PCN)
    with Store(tmp_path / "store") as store:
        assert not ingest([folder], store, pipeline).failures
        right = mentioncounts.stored(store)
        entity = next(iter(right))
        graph = mentioncounts.counts_graph(store.base)
        wrong = [ox.Quad(ox.NamedNode(e), COUNT, ox.Literal(n + 7), graph) for e, n in right.items()]
        store.replace_graphs([(graph.value, wrong)])  # as a run would leave it that wrote batches, then stopped
        mentioncounts.mark_pending(store)
        assert mentioncounts.is_pending(store)
        assert mentioncounts.differences(store)[entity] == (right[entity] + 7, right[entity])
        assert not ingest([folder], store, pipeline).failures  # nothing changed, yet every count is redone
        assert mentioncounts.stored(store) == right == by_hand(store)
        assert not mentioncounts.is_pending(store)


def test_validate_finds_a_wrong_count(tmp_path, pipeline):
    folder = texts(tmp_path / "docs", aco=ACO, pcn=PCN)
    location = tmp_path / "store"
    with Store(location) as store:
        assert not ingest([folder], store, pipeline).failures
    clean = runner.invoke(app(), ["validate", "--store", str(location)])
    assert clean.exit_code == 0, clean.output
    with Store(location) as store:
        right = mentioncounts.stored(store)
        entity = sorted(right)[0]
        graph = mentioncounts.counts_graph(store.base)
        quads = [ox.Quad(ox.NamedNode(e), COUNT, ox.Literal(n + (e == entity)), graph) for e, n in right.items()]
        store.replace_graphs([(graph.value, quads)])
    found = runner.invoke(app(), ["validate", "--store", str(location)])
    assert found.exit_code == 1
    said = " ".join(found.output.split())  # the report is wrapped to the terminal's width
    assert "number of documents is not the number of documents that mention it" in said
    assert "1 violation(s)" in said and entity in found.output.replace("\n", "")


def _format_5(location: Path) -> None:
    """The store as a kg of format 5 left it: no counts graph."""
    with Store(location) as store:
        graph = mentioncounts.counts_graph(store.base)
        store.replace_graphs([(graph.value, [])])
        assert not mentioncounts.stored(store) and not in_union(store)
    (location / FORMAT_FILE).write_text(json.dumps({"format": "kg-store", "version": 5}))


def test_a_store_of_format_5_gets_its_counts(tmp_path, sample_store):
    location = tmp_path / "store"
    shutil.copytree(sample_store.location, location, ignore=shutil.ignore_patterns("LOCK"))
    _format_5(location)
    with pytest.raises(StoreError) as refused:
        Store(location, read_only=True)
    assert f"kg upgrade --store {location}" in str(refused.value) and "document count" in str(refused.value)
    upgraded = runner.invoke(app(), ["upgrade", "--store", str(location)])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"{len(by_hand(sample_store)):,} entities' document counts" in upgraded.output
    with Store(location, read_only=True) as store:
        assert mentioncounts.stored(store) == by_hand(store) == mentioncounts.stored(sample_store)
    assert json.loads((location / FORMAT_FILE).read_text())["version"] == FORMAT_VERSION


def test_kg_load_of_a_dump_without_counts_counts_them(tmp_path, sample_store):
    dump, restored = tmp_path / "old.nq", tmp_path / "restored"
    graph = mentioncounts.counts_graph(sample_store.base)
    named = (
        q
        for q in sample_store.oxigraph.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name != graph
    )
    ox.serialize(named, str(dump), ox.RdfFormat.N_QUADS)
    loaded = runner.invoke(app(), ["load", str(dump), "--store", str(restored)])
    assert loaded.exit_code == 0, loaded.output
    with Store(restored, read_only=True) as store:
        assert mentioncounts.stored(store) == mentioncounts.stored(sample_store) == in_union(store)


def test_the_entities_of_graphs_about_to_be_written_are_read_from_their_quads_or_bytes(sample_store):
    from kg.graph.serialized import SerializedGraph

    for graph in sample_store.document_graphs()[:4]:
        quads = sample_store.graph_quads(graph)
        expected = {q.object.value for q in quads if q.predicate == MENTIONS}
        assert expected
        assert mentioncounts.mentioned_by([quads]) == expected
        assert mentioncounts.mentioned_by([SerializedGraph.of(quads)]) == expected
        assert mentioncounts.mentioned(sample_store, [graph]) == expected
    assert mentioncounts.mentioned_by([(), SerializedGraph(b"", b"")]) == set()
