"""``kg load``: a dump back into a store; export + load is a full backup and restore."""

from __future__ import annotations

import json

import pyoxigraph as ox
from typer.testing import CliRunner

from kg.cli import app
from kg.graph import mentioncounts
from kg.graph.store import Store, graph_iri

runner = CliRunner()


def _export(store: str, path, fmt: str = "nq") -> bytes:
    result = runner.invoke(app, ["export", "--store", store, "-f", fmt, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _search(store: str, words: str) -> set[tuple[str, str]]:
    result = runner.invoke(app, ["search", "--store", store, "-f", "json", "-n", "1000", words])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    hits = found["hits"] if isinstance(found, dict) else found
    return {(h["kind"], h["iri"]) for h in hits}


def test_export_load_export_is_byte_identical_and_search_finds_the_same(cli_store, tmp_path):
    first = _export(cli_store, tmp_path / "first.nq")
    restored = str(tmp_path / "restored")
    result = runner.invoke(app, ["load", str(tmp_path / "first.nq"), "--store", restored])
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output
    assert _export(restored, tmp_path / "second.nq") == first
    assert _export(restored, tmp_path / "second.ttl", "turtle") == _export(cli_store, tmp_path / "a.ttl", "turtle")
    for words in ("accountable care organisation", "ICS", "Five Year Forward View", "vanguard", "NHS England"):
        found = _search(cli_store, words)
        assert found and _search(restored, words) == found, words
    with Store(restored, read_only=True) as store, Store(cli_store, read_only=True) as original:
        assert len(store) == len(original)  # the union default graph was made again
        assert store.stats()["by_type"] == original.stats()["by_type"]


def test_trig_loads_the_same_named_graphs(cli_store, tmp_path):
    first = _export(cli_store, tmp_path / "first.nq")
    _export(cli_store, tmp_path / "all.trig", "trig")
    restored = str(tmp_path / "from-trig")
    assert runner.invoke(app, ["load", str(tmp_path / "all.trig"), "--store", restored]).exit_code == 0
    assert _export(restored, tmp_path / "again.nq") == first


def test_a_triple_file_goes_into_one_named_graph(cli_store, tmp_path):
    _export(cli_store, tmp_path / "all.nt", "nt")
    restored = str(tmp_path / "from-nt")
    result = runner.invoke(app, ["load", str(tmp_path / "all.nt"), "--store", restored])
    assert result.exit_code == 0, result.output
    with Store(restored, read_only=True) as store, Store(cli_store, read_only=True) as original:
        # the counts of graph/mention-counts are made again from the mentions, not kept in graph/loaded
        names = sorted(g.value for g in store.oxigraph.named_graphs())
        assert names == [graph_iri("loaded", store.base), graph_iri("mention-counts", store.base)]
        assert len(store) == len(original)
        assert mentioncounts.stored(store) == mentioncounts.stored(original)
    assert _search(restored, "vanguard") == _search(cli_store, "vanguard")


def test_unknown_format_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "graph.jsonld"
    path.write_text("{}")
    result = runner.invoke(app, ["load", str(path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "kg load reads .nq, .nquads, .trig, .nt, .ttl files" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "s").exists()


def test_a_store_with_data_needs_replace(cli_store, tmp_path):
    dump = tmp_path / "d.nq"
    _export(cli_store, dump)
    target = str(tmp_path / "t")
    assert runner.invoke(app, ["load", str(dump), "--store", target]).exit_code == 0
    again = runner.invoke(app, ["load", str(dump), "--store", target])
    assert again.exit_code == 2 and "--replace" in again.output
    other = tmp_path / "other.nq"
    other.write_text('<https://example.org/s> <https://example.org/p> "o" <https://example.org/g> .\n')
    assert runner.invoke(app, ["load", str(other), "--store", target, "--replace"]).exit_code == 0
    with Store(target, read_only=True) as store:
        assert [g.value for g in store.oxigraph.named_graphs()] == ["https://example.org/g"]
        assert ox.Quad(
            ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o")
        ) in (store.oxigraph)


def test_a_malformed_file_loses_nothing(cli_store, tmp_path):
    dump = tmp_path / "d.nq"
    before = _export(cli_store, dump)
    target = tmp_path / "t"
    assert runner.invoke(app, ["load", str(dump), "--store", str(target)]).exit_code == 0
    broken = tmp_path / "broken.nq"
    broken.write_bytes(before[: len(before) // 2] + b"<https://example.org/s> <oops\n" + before[len(before) // 2 :])
    result = runner.invoke(app, ["load", str(broken), "--store", str(target), "--replace"])
    assert result.exit_code == 2
    assert "is not valid N-Quads" in result.output and "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert _export(str(target), tmp_path / "after.nq") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary store left
