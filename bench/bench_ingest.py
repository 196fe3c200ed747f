"""Ingest throughput on a generated corpus: the new ingest against two baselines measured in the same command.

    python bench/bench_ingest.py [--sizes 1000,10000] [--jobs N]

For each size, a corpus is made by copying ``data/sample`` and ``data/eval/texts`` with each document's
title changed (so every copy is a new document), then ingested three ways, each in a fresh process
(so peak memory is that of the whole ingest: the process and its workers):

* ``kg ingest`` as it is: worker processes, one writer, batches of 64 documents per transaction;
* the old path: one process, one SPARQL ``UPDATE`` per document (``--jobs 1 --batch 1`` with the
  per-document update the store used before batches);
* a plain rdflib ``Dataset`` pipeline: the same read, parse and extraction in one process, the quads
  added to an in-memory rdflib Dataset (what a Python user would write).

It prints documents per second, peak resident memory (sum over the process tree), and for the new
ingest the time to ingest the unchanged corpus again as a share of the full ingest (target < 5 %).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_corpus(folder: Path, size: int) -> int:
    """``size`` documents or a few more: copies of the sample and dev texts with changed titles."""
    from kg.errors import SourceError
    from kg.ingest.parse import parse
    from kg.ingest.sources import iter_sources

    originals = []
    for source in iter_sources([ROOT / "data" / "sample", ROOT / "data" / "eval" / "texts"]):
        if isinstance(source, SourceError):
            continue
        titles = [d.title for d in parse(source)]
        originals.append((Path(source.location), titles))
    folder.mkdir(parents=True, exist_ok=True)
    made, edition = 0, 0
    while made < size:
        edition += 1
        for path, titles in originals:
            text = path.read_bytes().decode("utf-8", errors="replace")
            for title in titles:
                text = text.replace(title, f"{title} edition {edition}")
            (folder / f"{edition:05d}-{path.name}").write_text(text, encoding="utf-8")
            made += len(titles)
            if made >= size:
                break
    return made


def _peak_rss(process: subprocess.Popen) -> tuple[float, int]:
    """Wait for ``process``; (seconds, the largest resident size of it and its children together)."""
    start, peak = time.perf_counter(), 0
    tree = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            members = [tree, *tree.children(recursive=True)]
            peak = max(peak, sum(m.memory_info().rss for m in members if m.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    return time.perf_counter() - start, peak


def run_child(mode: str, corpus: Path, store: Path, jobs: int) -> dict:
    command = [sys.executable, __file__, "--child", mode, str(corpus), str(store), str(jobs)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    seconds, peak = _peak_rss(process)
    out = process.stdout.read() if process.stdout else ""
    result = json.loads(out.strip().splitlines()[-1])
    result.update(seconds=seconds, peak_mb=peak / 1024**2)
    return result


def child(mode: str, corpus: str, store_dir: str, jobs: int) -> None:
    from kg import Pipeline, Store
    from kg.ingest import ingest

    pipeline = Pipeline()
    start = time.perf_counter()
    if mode == "rdflib":
        documents, writing = _rdflib(corpus, pipeline), 0.0
    else:
        with Store(store_dir) as store:
            if mode == "old":
                store.replace_graphs = lambda graphs: [_old_replace(store, g, q) for g, q in graphs]  # type: ignore[method-assign]
                report = ingest([corpus], store, pipeline, jobs=1, batch_size=1)
            else:
                report = ingest([corpus], store, pipeline, jobs=jobs)
            documents, writing = report.documents, report.write_seconds
    print(json.dumps({"documents": documents, "work_seconds": time.perf_counter() - start, "write_seconds": writing}))


def _old_replace(store, graph: str, quads) -> None:
    """The store's write before batches: one SPARQL update per document (kept here to measure against)."""
    lines = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
    steps = [
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }} }}",
        f"DROP SILENT GRAPH <{graph}>",
    ]
    if quads:
        steps += [f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines} }} }}", f"INSERT DATA {{\n{lines} }}"]
    store.oxigraph.update(" ;\n".join(steps))


def _rdflib(corpus: str, pipeline) -> int:
    import pyoxigraph as ox
    import rdflib

    from kg.errors import SourceError
    from kg.ingest.parse import parse
    from kg.ingest.sources import iter_sources
    from kg.ingest.triples import document_graph

    def term(t):
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        return rdflib.Literal(
            t.value, lang=t.language, datatype=None if t.language else rdflib.URIRef(t.datatype.value)
        )

    dataset = rdflib.Dataset()
    documents = 0
    for source in iter_sources([corpus]):
        if isinstance(source, SourceError):
            continue
        for document in parse(source):
            extraction = pipeline.extract(document)
            iri, graph = document_graph(document, extraction, [source], pipeline.fingerprint(""))
            quads = graph.quads
            graph = dataset.graph(rdflib.URIRef(iri))
            for q in quads:
                graph.add((term(q.subject), term(q.predicate), term(q.object)))
            documents += 1
    return documents


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000", help="comma-separated corpus sizes (documents)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip", default="", help="comma-separated modes not to run: old, rdflib")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(
        f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}; {os.cpu_count()} CPUs"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            made = make_corpus(corpus, size)
            print(f"\n{made} documents in {sum(1 for _ in corpus.iterdir())} files")
            new = run_child("new", corpus, Path(tmp) / "new", args.jobs)
            again = run_child("new", corpus, Path(tmp) / "new", args.jobs)
            rows = [(f"kg ingest --jobs {args.jobs} (batched)", new)]
            for mode, label in (("old", "one UPDATE per document"), ("rdflib", "rdflib Dataset, same extraction")):
                if mode not in skip:
                    rows.append((label, run_child(mode, corpus, Path(tmp) / mode, 1)))
                    shutil.rmtree(Path(tmp) / mode, ignore_errors=True)
            for label, r in rows:
                print(
                    f"{label:34s} {r['documents']:6d} docs {r['seconds']:8.1f} s {r['documents'] / r['seconds']:7.1f} docs/s"
                    f"  peak RSS {r['peak_mb']:7.0f} MB   x{(r['documents'] / r['seconds']) / (new['documents'] / new['seconds']):.2f} of new"
                    f"   writer {r['write_seconds']:.1f} s of {r['work_seconds']:.1f} s"
                )
            print(
                f"re-ingest of the unchanged corpus: {again['seconds']:.1f} s = {100 * again['seconds'] / new['seconds']:.1f} % "
                f"of the full ingest (peak RSS {again['peak_mb']:.0f} MB)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
