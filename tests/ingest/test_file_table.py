"""The file table: an unchanged file (size and time as recorded) is not read again, and the table never lies."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from kg import Store
from kg.errors import StoreError
from kg.graph.search import SearchIndex
from kg.ingest import ingest
from kg.ingest.filetable import FileTable
from kg.ingest.flow import Pipeline
from tests.conftest import SAMPLE


def _age(folder, seconds: float = 600) -> None:
    """Set every file's time (or one file's) well in the past: a file written just now is "racy" and gets no row."""
    when = time.time() - seconds
    for path in [folder] if folder.is_file() else folder.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


def _one_brief(tmp_path):
    """A folder holding one aged briefing on ICSs: (the folder, the file)."""
    folder = tmp_path / "in"
    folder.mkdir()
    brief = folder / "brief.txt"
    brief.write_text("A briefing on ICSs\n\nNHS England wrote about ICSs.\n")
    _age(folder)
    return folder, brief


def _nquads(store: Store) -> list[str]:
    return sorted(str(q) for q in store.oxigraph if not q.predicate.value.endswith("endedAtTime"))


@pytest.fixture
def sample(tmp_path):
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    _age(folder)
    return folder


def _files(folder) -> int:
    return sum(1 for p in folder.rglob("*.txt"))


def test_an_unchanged_file_never_reaches_a_worker(tmp_path, sample, pipeline):
    with Store(tmp_path / "s") as store:
        first = ingest([sample], store, pipeline, jobs=2)
        before = _nquads(store)
        again = ingest([sample], store, pipeline, jobs=2)
        assert again.sources_read == 0 and again.not_read == first.sources_read == _files(sample)
        assert first.workers_started == 2 and again.workers_started == 0  # nothing to read: no worker started
        assert not again.written and sorted(again.unchanged) == sorted(first.written)
        assert [r[:2] for r in again.read_from] == [r[:2] for r in first.read_from]
        assert _nquads(store) == before and not again.removed
        rehashed = ingest([sample], store, pipeline, rehash=True)
        assert rehashed.sources_read == _files(sample) and rehashed.not_read == 0 and not rehashed.written


def test_a_touched_file_with_the_same_bytes_is_read_once_more(tmp_path, sample, pipeline):
    brief = sample / "03-accountable-care-systems.txt"
    with Store(tmp_path / "s") as store:
        ingest([sample], store, pipeline)
        when = time.time() - 60
        os.utime(brief, (when, when))
        touched = ingest([sample], store, pipeline)
        assert touched.sources_read == 1 and not touched.written and touched.not_read == _files(sample) - 1
        assert ingest([sample], store, pipeline).sources_read == 0  # its row has the new time


def _edit_keeping_size_and_time(brief) -> None:
    stat = brief.stat()
    brief.write_text(brief.read_text().replace("ICSs.", "STPs."))  # the same size
    os.utime(brief, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old time set back
    assert (brief.stat().st_size, brief.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_an_edit_that_keeps_size_and_time_is_seen_by_its_change_time(tmp_path, pipeline):
    folder, brief = _one_brief(tmp_path)
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
        _edit_keeping_size_and_time(brief)  # utime sets the inode's change time to now: it cannot go back
        seen = ingest([folder], store, pipeline)
        assert seen.sources_read == 1 and [t for _, t in seen.written] == ["A briefing on ICSs"]
        assert ingest([folder], store, pipeline).sources_read == 0
        replaced = folder / "brief.new"  # another file with the same size and time put in its place
        replaced.write_bytes(brief.read_bytes())
        os.utime(replaced, ns=(brief.stat().st_atime_ns, brief.stat().st_mtime_ns))
        os.replace(replaced, brief)
        assert ingest([folder], store, pipeline).sources_read == 1


def test_a_row_an_older_kg_wrote_is_trusted_as_then_and_completed(tmp_path, pipeline):
    folder, brief = _one_brief(tmp_path)
    with Store(tmp_path / "s") as store:
        with SearchIndex(store.location) as index, index.db as db:  # the table as kg 0.2 made it, no stamps
            db.execute(
                "CREATE TABLE files (location TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, "
                "name TEXT NOT NULL, sha256 TEXT NOT NULL, encoding TEXT NOT NULL, source TEXT NOT NULL, "
                "documents TEXT NOT NULL) WITHOUT ROWID"
            )
        ingest([folder], store, pipeline)
        with SearchIndex(store.location) as index, index.db as db:
            assert [r[0] for r in db.execute("SELECT location FROM file_stamps")] == [str(brief.resolve())]
            columns = [r[1] for r in db.execute("PRAGMA table_info(files)")]
            assert len(columns) == 8  # an older kg still writes its rows with INSERT ... VALUES of eight
            db.execute("DELETE FROM file_stamps")  # as if an older kg had written the row
        assert ingest([folder], store, pipeline).sources_read == 0  # size, time and name: as then
        with SearchIndex(store.location) as index:
            row = FileTable(index.db).get(str(brief.resolve()))
            assert row is not None and (row.ctime_ns, row.inode) == (brief.stat().st_ctime_ns, brief.stat().st_ino)
        _edit_keeping_size_and_time(brief)
        assert ingest([folder], store, pipeline).sources_read == 1  # the row completed: the edit is seen
        with SearchIndex(store.location) as index, index.db as db:
            db.execute("UPDATE file_stamps SET ctime_ns = 1")  # the stamp of a file since replaced by an older kg
        assert ingest([folder], store, pipeline).sources_read == 1
        assert ingest([folder], store, pipeline).sources_read == 0


def test_rehash_reads_every_file_whatever_its_row_says(tmp_path, pipeline):
    folder, _ = _one_brief(tmp_path)
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
        assert ingest([folder], store, pipeline).sources_read == 0
        again = ingest([folder], store, pipeline, rehash=True)
        assert again.sources_read == 1 and not again.written and again.not_read == 0


def test_an_edited_file_is_extracted_again_and_a_deleted_one_removed(tmp_path, sample, pipeline):
    with Store(tmp_path / "s") as store:
        ingest([sample], store, pipeline)
        edited = sample / "03-accountable-care-systems.txt"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text[: text.index("Refreshing NHS Plans for 2018/19 by")], encoding="utf-8")
        gone = next(p for p in sorted(sample.glob("*.txt")) if p != edited)
        gone.unlink()
        _age(edited, 300)
        report = ingest([sample], store, pipeline)
        assert report.sources_read == 1 and report.not_read == _files(sample) - 1
        assert "Refreshing NHS Plans for 2018/19" in {g.title for g in report.removed if g.removed}
        with Store(tmp_path / "clean") as clean:
            ingest([sample], clean, pipeline)
            assert _nquads(store) == _nquads(clean)
        with SearchIndex(store.location) as index:
            assert FileTable(index.db).get(str(gone.resolve())) is None
            assert set(index.documents()) == set(store.document_graphs())


def test_a_document_one_of_two_files_no_longer_holds_keeps_the_other_source(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    body = "A briefing on STPs\n\nSustainability and transformation partnerships (STPs) began in 2016.\n"
    (folder / "a.txt").write_text(body)
    (folder / "b.txt").write_text(body)
    _age(folder)
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
        (folder / "a.txt").write_text("Another briefing\n\nNHS England wrote about ICSs.\n")
        _age(folder / "a.txt", 300)
        report = ingest([folder], store, pipeline)
        assert report.not_read == 1 and [(g.title, g.removed) for g in report.removed] == [
            ("A briefing on STPs", False)
        ]
        with Store(tmp_path / "clean") as clean:
            ingest([folder], clean, pipeline)
            assert _nquads(store) == _nquads(clean)


class _NewRules(Pipeline):
    """A pipeline whose fingerprint differs, as after a vocabulary, pattern or decision change."""

    def fingerprint(self, document: str) -> str:
        return super().fingerprint(document) + "-changed"


def test_a_changed_fingerprint_extracts_every_file_again(tmp_path, sample, pipeline):
    with Store(tmp_path / "s") as store:
        first = ingest([sample], store, pipeline)
        report = ingest([sample], store, _NewRules(pipeline.vocabulary, pipeline.curation))
        assert report.sources_read == _files(sample) and sorted(report.written) == sorted(first.written)


def test_a_row_the_store_no_longer_agrees_with_is_not_trusted(tmp_path, sample, pipeline):
    with Store(tmp_path / "s") as store:
        ingest([sample], store, pipeline)
        before = _nquads(store)
        dropped = store.document_graphs()[0]
        store.replace_graphs([(dropped, ())])  # as another tool (kg load --replace) might have done
        report = ingest([sample], store, pipeline)
        assert report.sources_read == 1 and [iri for iri, _ in report.written] == [dropped]
        assert _nquads(store) == before


def test_a_stopped_ingest_leaves_rows_only_for_documents_the_store_holds(tmp_path, sample, pipeline, monkeypatch):
    with Store(tmp_path / "s") as store:
        real = store.replace_graphs
        calls = []

        def failing(graphs):  # noqa: ANN001, ANN202
            calls.append(1)
            if len(calls) == 6:  # two for the ontology and vocabulary, then a few documents
                raise StoreError("stopped")
            return real(graphs)

        monkeypatch.setattr(store, "replace_graphs", failing)
        with pytest.raises(StoreError):
            ingest([sample], store, pipeline, batch_size=1)
        monkeypatch.undo()
        held = set(store.document_graphs())
        with SearchIndex(store.location) as index:
            rows = index.db.execute("SELECT location FROM files").fetchall()
            table = FileTable(index.db)
            claimed = {d.iri for (loc,) in rows for d in table.get(loc).documents}
        assert rows and claimed <= held
        ingest([sample], store, pipeline)
        with Store(tmp_path / "clean") as clean:
            ingest([sample], clean, pipeline)
            assert _nquads(store) == _nquads(clean)


def test_the_store_holds_a_row_s_documents_as_its_one_query_of_every_source_says(tmp_path, sample, pipeline):
    from kg.graph.holdings import holds_source
    from kg.graph.store import source_key

    with Store(tmp_path / "s") as store:
        ingest([sample], store, pipeline)
        keys, holds = store.source_keys(), store.source_check()
        with SearchIndex(store.location) as index:
            table = FileTable(index.db)
            rows = [table.get(loc) for (loc,) in index.db.execute("SELECT location FROM files")]
        asked = []
        for row in rows:
            assert row is not None
            for doc in row.documents:
                claim = (doc.iri, doc.content_hash, row.source, row.name, row.sha256)
                asked.append(claim)
                for i, wrong in enumerate(("urn:x:other", "0" * 16, "urn:x:source", "other/name.txt", "f" * 64)):
                    asked.append(claim[:i] + (wrong,) + claim[i + 1 :])
                asked.append(("not an IRI", *claim[1:]))
        answers = [holds(*claim) for claim in asked]
        assert answers == [source_key(*claim) in keys for claim in asked]
        assert len(rows) == _files(sample)
        assert sum(answers) == sum(len(row.documents) for row in rows)  # each row's own claims, nothing else
        assert holds_source(store.oxigraph, *asked[0])


def test_the_paths_are_walked_once_and_counted_before_any_input_is_looked_at(tmp_path, sample, pipeline):
    from kg.ingest.sources import discover

    given = [sample, tmp_path / "not-there", sample / "03-accountable-care-systems.txt"]
    events: list[object] = []
    with Store(tmp_path / "s") as store:
        for _ in range(2):  # read, then not read again: the same count and calls
            events.clear()
            ingest(given, store, pipeline, on_source=events.append, on_found=lambda n: events.append(n))
            assert events[0] == len(list(discover(given))) == len(events) - 1
            assert all(isinstance(e, str) for e in events[1:])
