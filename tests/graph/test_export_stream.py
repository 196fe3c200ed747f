"""Streamed export: every format gives the store's quads, deterministically, in memory that does not grow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib

from kg.graph.export import FORMATS, export
from tests.conftest import ROOT

RDFLIB_FORMAT = {"turtle": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads", "jsonld": "json-ld", "xml": "xml"}
KG = os.path.join(os.path.dirname(sys.executable), "kg")


def _whole(store, dataset: bool) -> set:
    """What the export held before it was streamed: every named quad (or the union), read by rdflib."""
    named = [q for q in store.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph)]
    if dataset:
        data = rdflib.Dataset()
        data.parse(data=ox.serialize(named, format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
        return {q for q in data.quads() if q[3] is not None}
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in named}
    graph = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return set(graph)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_holds_the_same_quads_as_the_whole_store(sample_store, fmt, tmp_path):
    path = tmp_path / f"graph.{FORMATS[fmt].extension}"
    export(sample_store, fmt, path)
    if fmt in ("trig", "nq", "jsonld"):
        data = rdflib.Dataset()
        data.parse(path, format=RDFLIB_FORMAT[fmt])
        found = {q for q in data.quads() if q[3] is not None}
        assert found == _whole(sample_store, dataset=True)
    else:
        assert set(rdflib.Graph().parse(path, format=RDFLIB_FORMAT[fmt])) == _whole(sample_store, dataset=False)
    assert not list(tmp_path.glob("*.part"))


def test_a_stream_and_a_file_are_the_same_bytes(sample_store, tmp_path):
    for fmt in ("nq", "trig"):
        path = tmp_path / f"g.{FORMATS[fmt].extension}"
        export(sample_store, fmt, path)
        assert path.read_bytes() == export(sample_store, fmt)


def test_exports_are_byte_identical_across_processes(sample_store, tmp_path):
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        files = {}
        for fmt in ("nq", "trig", "turtle", "jsonld", "xml"):
            path = tmp_path / seed / f"g.{FORMATS[fmt].extension}"
            path.parent.mkdir(exist_ok=True)
            done = subprocess.run(
                [KG, "export", "--store", sample_store.location, "-f", fmt, "-o", str(path)],
                env=env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
            files[fmt] = path.read_bytes()
        outputs.append(files)
    assert outputs[0] == outputs[1]
    nq = outputs[0]["nq"].decode().splitlines()
    graphs = [line.rsplit(" ", 2)[-2] for line in nq]
    assert graphs == sorted(graphs) and len(set(graphs)) > 5  # graph by graph, in sorted order
    assert json.loads(outputs[0]["jsonld"])["@graph"]


def _generated_nquads(path, documents: int, per_document: int = 150) -> None:
    """N-Quads of a store shaped like ours: a graph per document, evidence with quoted text."""
    base = "https://w3id.org/nhs-policy-kg/"
    with path.open("w", encoding="utf-8") as out:
        for d in range(documents):
            doc = f"<{base}doc/generated-{d:06d}>"
            out.write(f'{doc} <http://purl.org/dc/terms/title> "Generated document {d}" {doc} .\n')
            out.write(f"{doc} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{base}ontology#Document> {doc} .\n")
            for m in range(per_document):
                quote = f"sentence {m} of document {d} quotes the integrated care board and its partners"
                out.write(
                    f'<{base}doc/generated-{d:06d}#m{m}-quote> <http://www.w3.org/ns/oa#exact> "{quote}" {doc} .\n'
                )


PEAK = """
import resource, sys
from kg.graph.export import export
from kg.graph.store import Store
with Store(sys.argv[1], read_only=True) as store:
    export(store, sys.argv[2], sys.argv[3])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_export_memory_does_not_grow_with_the_store(tmp_path):
    """A store ten times the size exports in about the same peak memory (the old export sorted a list of all)."""
    peaks = {}
    for documents in (200, 2000):
        dump = tmp_path / f"in-{documents}.nq"
        _generated_nquads(dump, documents)
        store = tmp_path / f"store-{documents}"
        done = subprocess.run([KG, "load", str(dump), "--store", str(store)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        for fmt in ("nq", "trig"):
            out = tmp_path / f"out-{documents}.{FORMATS[fmt].extension}"
            run = subprocess.run(
                [sys.executable, "-c", PEAK, str(store), fmt, str(out)], capture_output=True, text=True, cwd=ROOT
            )
            assert run.returncode == 0, run.stderr
            peaks[documents, fmt] = int(run.stdout.split()[-1])
        assert sum(1 for _ in out.open("rb")) > documents * 150  # it was all written
    for fmt in ("nq", "trig"):
        assert peaks[2000, fmt] / peaks[200, fmt] < 1.3, peaks
