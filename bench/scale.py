"""A store of N documents made fast, for benchmarks of what reads the store (queries, evidence size).

Extracts the given sources once (default: data/sample, data/eval/texts and ../shared/corpus/seeds),
then writes N documents cycling over them, each a copy under a new title and issue date (so a new
document IRI), through the ordinary :func:`kg.ingest.triples.document_graph` and loaded with
pyoxigraph's bulk loader into the store's layout (one named graph per document, the union default
graph beside them). What is measured on it is the data model and the queries, not ingest speed.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import Pipeline, Store  # noqa: E402
from kg.graph import mentioncounts, terms  # noqa: E402
from kg.ingest.dates import PartialDate  # noqa: E402
from kg.ingest.parse import ParsedDocument, parse  # noqa: E402
from kg.ingest.sources import Source, iter_sources  # noqa: E402
from kg.ingest.triples import document_graph  # noqa: E402


def default_paths() -> list[str]:
    shared = ROOT.parent / "shared" / "corpus" / "seeds"
    paths = [ROOT / "data" / "sample", ROOT / "data" / "eval" / "texts"]
    return [str(p) for p in paths + ([shared] if shared.is_dir() else []) if p.is_dir()]


def extracted(paths: list[str], pipeline: Pipeline) -> list[tuple[ParsedDocument, Source, object]]:
    out = []
    for item in iter_sources(paths):
        if not isinstance(item, Source):
            continue
        for document in parse(item):
            out.append((document, item, pipeline.extract(document)))
    return out


def copies(base: list[tuple[ParsedDocument, Source, object]], n: int) -> Iterator[tuple[str, list[terms.Quad]]]:
    """``n`` documents: the base ones, then copies under new titles and dates, as (IRI, quads)."""
    for i in range(n):
        document, source, extraction = base[i % len(base)]
        if i >= len(base):
            year = 2000 + i % 26
            document = dataclasses.replace(
                document,
                title=f"{document.title} (edition {i // len(base)})",
                issued=PartialDate(f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}", "date"),
            )
        iri, graph = document_graph(document, extraction, [source], "bench")  # type: ignore[arg-type]
        yield iri, graph.quads


def build(location: str | Path, n: int, paths: list[str] | None = None) -> Store:
    """A new store at ``location`` with ``n`` documents (returned open for writing)."""
    pipeline = Pipeline()
    base = extracted(paths or default_paths(), pipeline)
    store = Store(location)
    store.load_vocabulary(pipeline.vocabulary)

    def quads() -> Iterator[terms.Quad]:
        for _iri, graph in copies(base, n):
            for q in graph:
                yield q
                yield terms.Quad(q.subject, q.predicate, q.object)  # the union default graph

    store.oxigraph.bulk_extend(quads())
    mentioncounts.recount(store)  # each entity's number of documents, as the ingest's writer keeps it
    return store


if __name__ == "__main__":
    import argparse
    import time

    ap = argparse.ArgumentParser(description="Build a store of N documents for benchmarks.")
    ap.add_argument("store")
    ap.add_argument("--docs", type=int, default=1000)
    args = ap.parse_args()
    start = time.perf_counter()
    with build(args.store, args.docs) as built:
        print(f"{args.store}: {args.docs} documents, {built.quad_count()} quads in {time.perf_counter() - start:.1f} s")
