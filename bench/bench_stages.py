"""CPU milliseconds per document of each worker stage, on main (or another git ref) and on this checkout, in one run.

    python bench/bench_stages.py [PATH ...] [--baseline-ref main] [--repeat 3] [--profile STAGE]

The stages are what an ingest worker does with a document (``kg/ingest/workers.py``): ``parse`` (the source
text into documents), ``extract`` (``Pipeline.extract``: entities, relations, curation), ``quads``
(``document_graph`` and the curation's quads) and ``serialise`` (``GraphBuilder.serialized``: the N-Quads
and union N-Triples bytes the writer loads). Reading files is left out: both sides get the same ``Source``
objects, read once. The baseline is the ``kg`` package at ``--baseline-ref`` unpacked as ``kg_baseline``
(as in ``bench/bench_extract.py``); the two take turns for ``--repeat`` rounds and the least CPU time
(``time.process_time``) of each stage is kept. Prints ms per document for each stage and side, the ratio
old/new, and the load average. ``--profile extract`` (or another stage) prints a cProfile of that stage
of the new side over one pass.

(default corpus: data/sample, data/eval/texts, data/eval/heldout/texts, ../shared/corpus/seeds if present;
give a synthetic corpus too, e.g. ``python bench/corpus.py --docs 1000 /tmp/syn`` then ``/tmp/syn``)
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import baseline_package, default_paths  # noqa: E402

STAGES = ("parse", "extract", "quads", "serialise")


class Side:
    """One ``kg`` package's stages, run over a list of sources."""

    def __init__(self, package: str):
        self.parse = importlib.import_module(f"{package}.ingest.parse").parse
        self.pipeline = importlib.import_module(f"{package}.ingest.flow").Pipeline()
        triples = importlib.import_module(f"{package}.ingest.triples")
        self.document_graph, self.source_record = triples.document_graph, triples.source_record
        self.sources = importlib.import_module(f"{package}.ingest.sources")
        self.errors = importlib.import_module(f"{package}.errors").SourceError

    def read(self, paths: list[str]) -> list:
        return [s for s in self.sources.iter_sources(paths) if not isinstance(s, self.errors)]

    def run(self, sources: list, clock=time.process_time, profile: str | None = None) -> tuple[dict[str, float], int]:
        """CPU seconds per stage over every source, and the documents done."""
        spent = dict.fromkeys(STAGES, 0.0)
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        documents = 0

        def timed(stage, call, *args, **kwargs):
            if profiler and stage == profile:
                profiler.enable()
            start = clock()
            result = call(*args, **kwargs)
            spent[stage] += clock() - start
            if profiler and stage == profile:
                profiler.disable()
            return result

        pipeline = self.pipeline
        for source in sources:
            record = self.source_record(source)
            for document in timed("parse", self.parse, source):
                extraction = timed("extract", pipeline.extract, document)

                def built(document=document, extraction=extraction, record=record):
                    iri, graph = self.document_graph(document, extraction, [record], "fixed")
                    graph.add_quads(pipeline.curation.quads(iri, graph.iter_quads()))
                    return graph

                timed("serialise", timed("quads", built).serialized)
                documents += 1
        if profiler:
            import pstats

            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(30)
        return spent, documents


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--baseline-ref", default="main")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", choices=STAGES, help="also profile this stage of the new side over one pass")
    args = ap.parse_args()
    paths = args.paths or default_paths()
    with tempfile.TemporaryDirectory() as tmp:
        name = baseline_package(args.baseline_ref, Path(tmp))
        sys.path.insert(0, tmp)
        old, new = Side(name), Side("kg")
        old_sources, new_sources = old.read(paths), new.read(paths)
        old.run(old_sources), new.run(new_sources)  # warm up: imports, compiled patterns, caches of the vocabulary
        best: list[dict[str, float]] = [dict.fromkeys(STAGES, float("inf")) for _ in range(2)]
        docs = [0, 0]
        for _ in range(args.repeat):
            for i, (side, sources) in enumerate(((old, old_sources), (new, new_sources))):
                spent, docs[i] = side.run(sources)
                best[i] = {s: min(best[i][s], spent[s]) for s in STAGES}
        if args.profile:
            new.run(new_sources, profile=args.profile)
    print(f"corpus: {paths}")
    print(f"documents: old {docs[0]}, new {docs[1]}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'stage':<10s} {'old ms/doc':>10s} {'new ms/doc':>10s} {'old/new':>8s}")
    for stage in (*STAGES, "total"):
        o = sum(best[0].values()) if stage == "total" else best[0][stage]
        n = sum(best[1].values()) if stage == "total" else best[1][stage]
        print(f"{stage:<10s} {1000 * o / docs[0]:10.2f} {1000 * n / docs[1]:10.2f} {o / n if n else 0:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
