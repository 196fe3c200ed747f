"""The read model keeps mention quotes only where a view shows them, and the views are as they were.

``gather(store, mention_words=N)`` counts, not quotes, the mentions of a store of more than N documents;
``kg map`` passes :data:`kg.web.mapfiles.FULL_LIMIT`, since a map that big opens on an overview, which leaves
the sentences behind "mentions" links out. These tests check that rule above and at the limit, that the map
is the same either way, and (with ``KG_BASELINE``, a checkout of main with its own ``.venv``) that ``kg map``
and ``kg site`` write byte for byte what that checkout writes for the sample and the seeds.
"""

from __future__ import annotations

import dataclasses
import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.web import mapfiles, mapview
from kg.web.reading import gather
from kg.web.readmodel import UNREAD
from tests.conftest import ROOT, SAMPLE, SEEDS, need_shared


def _bundled(graph, full_limit: int) -> tuple[str, dict[str, str]]:
    data, files = mapfiles.bundle(graph, physics_limit=mapview.PHYSICS_LIMIT, full_limit=full_limit, overview=20)
    return json.dumps(data, sort_keys=True), files


def _places(model) -> dict[tuple[str, str], list]:
    return {(d, e): quotes for d, doc in model.documents.items() for e, quotes in doc.mentions.items()}


def test_above_the_limit_mentions_are_counted_not_quoted(sample_store):
    full = gather(sample_store)
    counted = gather(sample_store, mention_words=len(full.documents) - 1)
    places, kept = _places(full), _places(counted)
    assert kept.keys() == places.keys()
    assert any(q.exact for quotes in places.values() for q in quotes)  # the full model does quote them
    for pair, quotes in kept.items():
        assert len(quotes) == len(places[pair])
        assert all(q is UNREAD for q in quotes), pair
        doc, entity = pair
        assert counted.entities[entity].mentions[doc] is quotes  # both sides see the same places
    assert UNREAD == dataclasses.replace(UNREAD)  # no reader changed the shared value
    assert UNREAD.exact == "" and UNREAD.start is None and not UNREAD.marks


def test_above_the_limit_sentences_keep_their_marks(sample_store):
    """The places that mark a relation's entities in its sentence are read even when mentions are not quoted."""
    full = gather(sample_store)
    counted = gather(sample_store, mention_words=0)

    def sentences(model) -> list:
        return [
            (link.document, link.subject, link.predicate, link.object, dataclasses.astuple(link.quote))
            for doc in model.documents.values()
            for link in doc.relations
            if link.quote is not None
        ]

    said = sentences(full)
    marks = [f.name for f in dataclasses.fields(UNREAD)].index("marks")
    assert said and any(quote[marks] for *_, quote in said)  # some sentences have marks to compare
    assert sentences(counted) == said

    def links(model) -> list:
        return [(iri, [dataclasses.astuple(link) for link in e.links]) for iri, e in model.entities.items()]

    assert links(counted) == links(full)


def test_at_or_below_the_limit_the_model_is_the_whole_one(sample_store):
    full = gather(sample_store)
    at_limit = gather(sample_store, mention_words=len(full.documents))
    assert {k: [dataclasses.astuple(q) for q in v] for k, v in _places(at_limit).items()} == {
        k: [dataclasses.astuple(q) for q in v] for k, v in _places(full).items()
    }


def test_the_map_above_the_limit_is_the_map_of_the_whole_model(sample_store, tmp_path, monkeypatch):
    """Below the map's limit nothing is left out; above it, the overview and its files are as from every quote."""
    full = mapview.graph_of(gather(sample_store))
    counted = mapview.graph_of(gather(sample_store, mention_words=0))
    limit = full.number_of_nodes() - 1  # an overview: every document-mention quote left out
    assert _bundled(counted, limit) == _bundled(full, limit)
    # and kg map does read it so when the store has more documents than FULL_LIMIT
    monkeypatch.setattr(mapfiles, "FULL_LIMIT", 2)
    drawn = mapview.map_graph(sample_store)
    mentions = [d for _, _, k, d in drawn.edges(keys=True, data=True) if k == "mentions"]
    assert mentions and all(not d["quotes"] and d["evidence"] >= 0 for d in mentions)
    assert sum(d["evidence"] for d in mentions) == sum(
        d["evidence"] for _, _, k, d in full.edges(keys=True, data=True) if k == "mentions"
    )
    assert _bundled(drawn, 2) == _bundled(full, 2)
    mapview.write_map(sample_store, tmp_path / "map.html")
    monkeypatch.setattr(mapview, "map_graph", lambda store: full)  # the same page from the whole model
    mapview.write_map(sample_store, tmp_path / "whole" / "map.html")
    compared = filecmp.dircmp(tmp_path / "map-files", tmp_path / "whole" / "map-files")
    assert compared.left_list and not compared.diff_files and not compared.left_only and not compared.right_only
    assert (tmp_path / "map.html").read_bytes() == (tmp_path / "whole" / "map.html").read_bytes()


def _kg(python: Path, *args: str | Path, cwd: Path) -> None:
    """Run ``kg`` of the venv of ``python``."""
    done = subprocess.run(
        [str(python.parent / "kg"), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _same_tree(a: Path, b: Path) -> list[str]:
    """The files that differ or are in one tree only (empty: the same bytes)."""
    names = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {
        p.relative_to(b) for p in b.rglob("*") if p.is_file()
    }
    return sorted(
        str(n) for n in names if not ((a / n).is_file() and (b / n).is_file() and filecmp.cmp(a / n, b / n, False))
    )


@pytest.mark.shared
def test_kg_map_and_kg_site_write_what_the_baseline_writes(tmp_path):
    base = os.environ.get("KG_BASELINE")
    if not base:
        pytest.skip("set KG_BASELINE to a checkout of main with its own .venv to compare against")
    need_shared()
    base_python = Path(base) / ".venv" / "bin" / "python"
    assert base_python.is_file(), f"no {base_python}"
    here = Path(sys.executable)
    _kg(here, "ingest", "--jobs", "1", "--store", tmp_path / "store", SAMPLE, SEEDS, cwd=ROOT)
    for name, python, cwd in (("new", here, ROOT), ("base", base_python, Path(base))):
        _kg(python, "site", "--store", tmp_path / "store", tmp_path / name / "site", cwd=cwd)
        _kg(python, "map", "--store", tmp_path / "store", "-o", tmp_path / name / "map" / "map.html", cwd=cwd)
    assert len(list((tmp_path / "new" / "site").rglob("*.html"))) > 50
    assert _same_tree(tmp_path / "new", tmp_path / "base") == []
