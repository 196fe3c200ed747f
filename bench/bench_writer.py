"""The ingest's single writer alone: the same documents' graphs written into fresh stores several ways, same run.

    python bench/bench_writer.py [--docs 320] [--corpus FOLDER] [--batch 64] [--rounds 2]

The documents are read, parsed and extracted once here, in this process, as a worker would (that time is not
counted); then each way writes them through :class:`kg.ingest.writer.BatchWriter` (store and search index, one
transaction per batch) into a fresh store, and the seconds of writing are printed with the ratio to the first:

* ``parse``: the writer parses each graph's N-Quads and serialises the batch again with the union's copy
  (what the writer did before :class:`kg.graph.store.SerializedGraph`);
* ``bytes``: the worker's bytes (the graph's N-Quads and the union's N-Triples) loaded as they are;
* ``bulk``: those bytes given to Oxigraph's bulk loader (a batch of new graphs into a store no reader holds).

The ways alternate over ``--rounds`` so the machine's load weighs on each alike; the best round is printed.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def results(corpus: Path, docs: int) -> list:
    from kg.graph.namespaces import base_iri
    from kg.ingest import workers
    from kg.ingest.flow import Pipeline

    pipeline = Pipeline()
    base = base_iri()
    found: list = []
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in {".txt", ".md", ".html"})
    for path in itertools.islice(files, docs):
        task = workers.Task(len(found), str(path), str(corpus))
        steps = workers.work(task, pipeline, base)
        message = next(steps)
        while isinstance(message, workers.Parsed):
            sources = (message.here,)
            message = steps.send([sources for _ in message.documents])
        if isinstance(message, workers.Done):
            found += message.results
    return found


def write(way: str, documents: list, batch: int) -> tuple[float, int]:
    from kg.graph.search import SearchIndex
    from kg.graph.store import SerializedGraph, Store
    from kg.graph.terms import from_nquads
    from kg.ingest.writer import BatchWriter

    with tempfile.TemporaryDirectory(prefix="kg-bench-writer-") as tmp:
        with Store(Path(tmp) / "store") as store, SearchIndex(store.location) as index:
            store.bulk_new_graphs = way == "bulk"  # the store's default: False shows the transaction
            with BatchWriter(store, index, batch, 1e9) as writer:
                for r in documents:
                    row = (r.iri, "document", r.title, "", r.text, r.content_hash)
                    graph = from_nquads(r.nquads) if way == "parse" else SerializedGraph(r.nquads, r.union)
                    writer.write(r.iri, graph, row)
                writer.flush()
            return writer.seconds, store.quad_count()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=320)
    ap.add_argument("--corpus", type=Path, default=Path("/work/stores/c10000"))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--ways", default="parse,bytes,bulk")
    args = ap.parse_args()
    start = time.perf_counter()
    documents = results(args.corpus, args.docs)
    print(f"{len(documents)} documents extracted in {time.perf_counter() - start:.1f} s (not counted)")
    ways = args.ways.split(",")
    best: dict[str, float] = {}
    quads: dict[str, int] = {}
    for _ in range(args.rounds):
        for way in ways:
            seconds, quads[way] = write(way, documents, args.batch)
            best[way] = min(best.get(way, seconds), seconds)
    first = best[ways[0]]
    for way in ways:
        rate = len(documents) / best[way]
        print(
            f"{way:>8}: {best[way]:6.2f} s writing, {rate:6.1f} docs/s, {quads[way]} quads, "
            f"ratio to {ways[0]} {best[way] / first:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
