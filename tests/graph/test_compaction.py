"""``kg compact``: the same quads afterwards, the sizes reported, and one sentence where it cannot run."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import StoreError
from kg.graph.compaction import compact, folder_bytes
from kg.graph.store import Store
from kg.ingest.flow import ingest
from tests.conftest import SAMPLE

runner = CliRunner()


def _quads(store: Store) -> list[str]:
    return sorted(str(q) for q in store.oxigraph.quads_for_pattern(None, None, None, None))


def test_compacting_keeps_every_quad_and_reports_the_sizes(tmp_path, pipeline):
    with Store(tmp_path / "store") as store:
        assert not ingest([SAMPLE], store, pipeline).failures
        before = _quads(store)
        done = compact(store)
        assert done.before > 0 and done.after == folder_bytes(tmp_path / "store") > 0
        assert done.seconds >= 0
        assert _quads(store) == before
    with Store(tmp_path / "store", read_only=True) as again:  # and it opens as a store afterwards
        assert _quads(again) == before


def test_a_read_only_store_is_not_compacted(tmp_path, pipeline):
    with Store(tmp_path / "store") as store:
        ingest([SAMPLE], store, pipeline)
    with Store(tmp_path / "store", read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        store.compact()


def test_the_command_prints_the_sizes_and_refuses_a_missing_store(tmp_path, pipeline):
    with Store(tmp_path / "store") as store:
        ingest([SAMPLE], store, pipeline)
    result = runner.invoke(app, ["compact", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "MiB before" in result.stderr and "MiB after" in result.stderr
    missing = runner.invoke(app, ["compact", "--store", str(tmp_path / "nothing-here")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    assert not (tmp_path / "nothing-here").exists()  # not made just to be compacted
