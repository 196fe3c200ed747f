"""Bounded work per input: a hostile file is stopped by its worker's time or memory bound, the rest goes in."""

from __future__ import annotations

import os
import shutil

import psutil

from kg import Store
from kg.ingest import ingest
from tests.conftest import SAMPLE
from tests.ingest.hostile import hostile_pdf, slow_text

LIMIT = 15.0  #: seconds per input in these tests (the default is 60); a busy machine needs the margin


def _folder(tmp_path, pipeline):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    (folder / "bomb.pdf").write_bytes(hostile_pdf())
    labels = [label for e in pipeline.vocabulary.entities.values() for label in e.labels]
    (folder / "names.txt").write_text(slow_text(labels), encoding="utf-8")
    return folder


def _workers():
    """This process's children other than multiprocessing's resource tracker (which lives as long as we do)."""
    return [p for p in psutil.Process().children(recursive=True) if "resource_tracker" not in " ".join(p.cmdline())]


def _reasons(report):
    return {os.path.basename(f.location): f.reason for f in report.failures}


def test_the_hostile_pdf_and_the_slow_text_are_stopped_and_the_folder_goes_in(tmp_path, pipeline):
    folder = _folder(tmp_path, pipeline)
    assert len((folder / "bomb.pdf").read_bytes()) == 26 * 1024 + 2
    assert len((folder / "names.txt").read_bytes()) == 32 * 1024
    with Store(tmp_path / "s") as store:
        report = ingest([folder], store, pipeline, jobs=2, time_limit=LIMIT, memory_limit=2 * 1024**3)
        reasons = _reasons(report)
        assert reasons["names.txt"] == f"too slow (stopped after {LIMIT:g} s)"
        # On a quick machine pypdf's own stream limit may refuse the bomb before the time bound: either way
        # it is reported within the bound and the run goes on.
        assert reasons["bomb.pdf"] == f"too slow (stopped after {LIMIT:g} s)" or reasons["bomb.pdf"].startswith(
            "the PDF is damaged or truncated"
        )
        assert set(reasons) == {"bomb.pdf", "names.txt"}
        titles = {t for _, t in report.written}
        assert "Health and Care Act 2022" in titles and len(titles) >= 10
        assert len(store.document_graphs()) == len({iri for iri, _ in report.written})
    assert not _workers()  # every worker, the killed ones too, has ended


def test_past_its_memory_bound_an_input_is_reported_too_large(tmp_path, pipeline):
    folder = _folder(tmp_path, pipeline)
    (folder / "names.txt").unlink()
    with Store(tmp_path / "s") as store:
        report = ingest([folder], store, pipeline, jobs=2, time_limit=120, memory_limit=64 * 1024**2)
    reasons = _reasons(report)
    assert set(reasons) == {"bomb.pdf"}
    assert reasons["bomb.pdf"] == "too large (it needed more than 64 MiB of memory)"
    assert "Health and Care Act 2022" in {t for _, t in report.written}


def test_the_order_of_the_report_does_not_depend_on_the_workers(tmp_path, pipeline):
    with Store(tmp_path / "a") as one, Store(tmp_path / "b") as two:
        alone = ingest([SAMPLE], one, pipeline, jobs=1)
        pooled = ingest([SAMPLE], two, pipeline, jobs=2)
        assert pooled.read_from == alone.read_from and pooled.written == alone.written
        assert [str(s) for s in pooled.skipped] == [str(s) for s in alone.skipped]
        same = sorted(str(q) for q in one.oxigraph if "endedAtTime" not in str(q.predicate))
        assert sorted(str(q) for q in two.oxigraph if "endedAtTime" not in str(q.predicate)) == same
