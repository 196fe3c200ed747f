"""bench/bench_stages.py and bench/bench_remote.py still drive the ingest's stages as ingest runs them."""

from __future__ import annotations

import sys

from kg import Pipeline
from kg.errors import SourceError
from kg.graph.namespaces import base_iri
from kg.ingest.parse import parse
from kg.ingest.sources import iter_sources
from kg.ingest.triples import document_iri
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import bench_remote  # noqa: E402
import bench_stages  # noqa: E402

SAMPLE = ROOT / "data" / "sample"


def test_stages_time_every_stage_of_every_sample_document():
    side = bench_stages.Side("kg")
    sources = side.read([str(SAMPLE)])
    spent, documents = side.run(sources)
    assert documents >= len(sources) > 0
    assert set(spent) == set(bench_stages.STAGES)
    assert all(seconds > 0 for seconds in spent.values()), spent


def test_remote_bench_writes_the_graphs_ingest_writes():
    base = base_iri()
    graphs = bench_remote.graphs_of(SAMPLE, Pipeline(), base)
    documents = [d for s in iter_sources([SAMPLE]) if not isinstance(s, SourceError) for d in parse(s)]
    assert len(graphs) == len(documents) > 0
    assert [iri for iri, _ in graphs] == [document_iri(d, base) for d in documents]  # one graph a document
    for iri, quads in graphs:
        assert quads and {q.graph_name.value for q in quads} == {iri}
