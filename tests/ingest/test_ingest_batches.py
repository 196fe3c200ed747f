"""The batched writer, the keyed search index and nothing stale: what an ingest leaves is what a clean one would."""

from __future__ import annotations

import shutil
import sqlite3

import pyoxigraph as ox

from kg import Store
from kg.graph.search import SearchIndex
from kg.ingest import ingest
from tests.conftest import SAMPLE

EX = "https://example.org/"
P = ox.NamedNode(EX + "p")


def _quad(s: str, o: str, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), P, ox.Literal(o), ox.NamedNode(EX + g))


def _union_is_the_set_of_named_triples(store: Store) -> None:
    named = {q.triple for q in store.oxigraph if isinstance(q.graph_name, ox.NamedNode)}
    default = {q.triple for q in store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert default == named


def test_a_batch_replaces_graphs_and_keeps_a_triple_another_graph_holds(store):
    store.replace_graphs([("https://example.org/a", [_quad("s", "shared", "a"), _quad("s", "only a", "a")])])
    store.replace_graphs([("https://example.org/b", [_quad("s", "shared", "b")]), ("https://example.org/c", [])])
    _union_is_the_set_of_named_triples(store)
    store.replace_graphs([("https://example.org/a", [_quad("s", "new a", "a")])])  # b still holds "shared"
    _union_is_the_set_of_named_triples(store)
    assert ox.Quad(ox.NamedNode(EX + "s"), P, ox.Literal("shared"), ox.DefaultGraph()) in store.oxigraph
    # both holders replaced in one batch: the shared triple leaves the union; a graph given no quads is removed
    store.replace_graphs([("https://example.org/a", [_quad("t", "x", "a")]), ("https://example.org/b", [])])
    _union_is_the_set_of_named_triples(store)
    assert ox.Quad(ox.NamedNode(EX + "s"), P, ox.Literal("shared"), ox.DefaultGraph()) not in store.oxigraph
    assert not store.oxigraph.contains_named_graph(ox.NamedNode(EX + "b"))


def test_the_search_index_finds_a_row_by_its_key(tmp_path):
    with SearchIndex(tmp_path) as index:
        index.put_many([(f"{EX}d{i}", "document", f"T{i}", "", "body text", "h") for i in range(50)])
        index.put(f"{EX}d7", "document", "Seven", "", "new body", "h2")
        assert index.has(f"{EX}d7", "h2") and not index.has(f"{EX}d7", "h")
        plans = [
            " ".join(str(x) for x in row)
            for sql in ("SELECT id FROM keys WHERE iri = ?", "DELETE FROM items WHERE rowid = ?")
            for row in index.db.execute("EXPLAIN QUERY PLAN " + sql, ("x",))
        ]
        # the key table by its primary key; FTS5 by rowid ("INDEX 0:=": a constraint on the rowid, where the
        # old lookup by the unindexed iri column was "INDEX 0:", a scan of every row)
        assert plans[0].endswith("SEARCH keys USING PRIMARY KEY (iri=?)") and plans[1].endswith("INDEX 0:="), plans
        assert index.db.execute("SELECT count(*) FROM items").fetchone() == (50,)


def test_an_index_from_before_the_keys_is_keyed_when_opened(tmp_path):
    db = sqlite3.connect(tmp_path / "search.sqlite")
    db.execute("CREATE VIRTUAL TABLE items USING fts5(iri UNINDEXED, kind UNINDEXED, title, labels, body)")
    db.execute("INSERT INTO items VALUES ('urn:d', 'document', 'Old', '', 'text')")
    db.commit()
    db.close()
    with SearchIndex(tmp_path) as index:
        assert index.has("urn:d")
        index.put("urn:d", "document", "New", "", "text")
        assert index.db.execute("SELECT count(*) FROM items").fetchone() == (1,)


def _nquads(store: Store) -> list[str]:
    """The store's quads without the ingest times (the one thing two runs differ in)."""
    return sorted(str(q) for q in store.oxigraph if not q.predicate.value.endswith("endedAtTime"))


def _clean(tmp_path, folder, pipeline, name) -> list[str]:
    with Store(tmp_path / name) as clean:
        ingest([folder], clean, pipeline)
        return _nquads(clean)


def test_an_edited_file_that_no_longer_holds_a_document_leaves_it_out(tmp_path, pipeline):
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    two = folder / "03-accountable-care-systems.txt"
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline, jobs=2)
        text = two.read_text(encoding="utf-8")
        two.write_text(text[: text.index("Refreshing NHS Plans for 2018/19 by")], encoding="utf-8")
        report = ingest([folder], store, pipeline, jobs=2)
        assert [(g.title, g.removed) for g in report.removed] == [("Refreshing NHS Plans for 2018/19", True)]
        assert report.removed[0].where == str(folder)
        assert _nquads(store) == _clean(tmp_path, folder, pipeline, "clean")
        with SearchIndex(store.location) as index:
            assert set(index.documents()) == set(store.document_graphs())


def test_a_document_one_of_two_files_no_longer_holds_keeps_the_other_source(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    body = "A briefing on STPs\n\nSustainability and transformation partnerships (STPs) began in 2016.\n"
    (folder / "a.txt").write_text(body)
    (folder / "b.txt").write_text(body)
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
        (folder / "a.txt").write_text("Another briefing\n\nNHS England wrote about ICSs.\n")
        report = ingest([folder], store, pipeline)
        assert [(g.title, g.removed) for g in report.removed] == [("A briefing on STPs", False)]
        assert _nquads(store) == _clean(tmp_path, folder, pipeline, "clean")


def test_a_deleted_file_goes_with_its_folder_and_an_orphan_with_prune(tmp_path, pipeline):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, title in ((first, "First briefing"), (second, "Second briefing")):
        folder.mkdir()
        (folder / "brief.txt").write_text(f"{title}\n\nNHS England wrote about ICSs.\n")
    with Store(tmp_path / "s") as store:
        ingest([first, second], store, pipeline)
        (first / "brief.txt").unlink()
        (first / "other.txt").write_text("Other briefing\n\nICSs again.\n")
        report = ingest([first], store, pipeline)  # first no longer holds "First briefing"
        assert [g.title for g in report.removed] == ["First briefing"] and not report.orphaned
        (second / "brief.txt").unlink()
        report = ingest([first], store, pipeline)  # second was not ingested: its document is only reported
        assert [title for _, title, _ in report.orphaned] == ["Second briefing"] and not report.pruned
        assert len(store.document_graphs()) == 2
        report = ingest([first], store, pipeline, prune=True)
        assert report.pruned and [title for _, title, _ in report.orphaned] == ["Second briefing"]
        assert len(store.document_graphs()) == 1
        with SearchIndex(store.location) as index:
            assert set(index.documents()) == set(store.document_graphs())


def test_an_input_that_fails_keeps_its_documents(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    brief = folder / "brief.txt"
    brief.write_text("A briefing\n\nNHS England wrote about ICSs.\n")
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
        brief.chmod(0)
        try:
            if brief.open("rb"):  # running as root, permissions do not stop reading: make it unreadable otherwise
                brief.chmod(0o644)
                brief.write_bytes(b"\0" * 10)
        except PermissionError:
            pass
        report = ingest([folder], store, pipeline)
        assert [f.location for f in report.failures] == [str(brief)]
        assert not report.removed and len(store.document_graphs()) == 1
