"""bench/scale.py: the copied-document stores the query benchmarks read are ordinary kg stores."""

from __future__ import annotations

import sys

from kg.graph import mentioncounts
from kg.graph.query import run_query
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402


def test_build_writes_copies_with_their_days_and_counts(tmp_path):
    paths = [str(ROOT / "data" / "sample")]
    base = len(scale.extracted(paths, scale.Pipeline()))
    with scale.build(tmp_path / "store", base + 3, paths) as store:
        documents = run_query(store, "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kg:Document }").rows[0][0]
        assert int(documents.value) == base + 3
        days = run_query(store, "SELECT (COUNT(?d) AS ?n) WHERE { ?d kg:issuedDay ?day }").rows[0][0]
        assert int(days.value) >= 3  # every copy has a full issue date
        titles = run_query(store, "SELECT ?t WHERE { ?d dcterms:title ?t FILTER(CONTAINS(?t, '(edition 1)')) }")
        assert len(titles.rows) == 3
        assert not mentioncounts.is_pending(store)
        assert mentioncounts.stored(store) and mentioncounts.differences(store) == {}
