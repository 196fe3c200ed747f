"""Worker processor time per document: the base checkout's worker code and this one's on one corpus, in one process.

    python bench/bench_workers.py CORPUS --base ../wt-base [--limit 2000] [--rounds 3] [--chunk 50]

The base checkout's ``kg`` (the commit its HEAD names, taken from this repository with ``git archive``)
is imported as ``kg_baseline`` beside this checkout's ``kg`` (``bench/bench_extract.py``), and each
builds its ``Pipeline`` once. Then, for ``--rounds`` rounds, the first ``--limit`` files of ``CORPUS``
(sorted) go through :func:`kg.ingest.workers.work` of each side in turn, ``--chunk`` files at a time
(base first in one chunk, this one first in the next), each to the end of the worker's conversation as
if every document were new (read, parse, extract, quads, N-Quads bytes). Each chunk is timed by the
process's processor time (``time.process_time``), so a busy moment of the machine falls on both sides
alike. Prints each round's ms a document of each side and their ratio, then the median of the rounds
(lower is cheaper). Nothing is written to a store.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import baseline_package  # noqa: E402


def runner(package: str, corpus: str):
    """A function sending files through ``package``'s worker code; returns the documents done."""
    workers = importlib.import_module(f"{package}.ingest.workers")
    pipeline = importlib.import_module(f"{package}.ingest.flow").Pipeline()
    pipeline.relations  # noqa: B018 (built once, as before the pool starts its workers)
    base = pipeline.vocabulary.base

    def run(paths: list[str]) -> int:
        documents = 0
        for seq, path in enumerate(paths):
            conversation = workers.work(workers.Task(seq, path, corpus), pipeline, base)
            parsed = next(conversation)
            if not isinstance(parsed, workers.Parsed):
                continue
            done = conversation.send([(parsed.here,)] * len(parsed.documents))
            documents += len(getattr(done, "results", ()))
        return documents

    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--base", required=True, help="the other checkout: its HEAD commit is the baseline")
    ap.add_argument("--limit", type=int, default=2000, help="files of the corpus to send through")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=50, help="files each side does before the other's turn")
    args = ap.parse_args()
    corpus = str(Path(args.corpus).resolve())
    files = sorted(str(p) for p in Path(corpus).rglob("*") if p.is_file())[: args.limit]
    commit = subprocess.run(
        ["git", "-C", args.base, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as scratch:
        sys.path.insert(0, scratch)
        sides = {"base": runner(baseline_package(commit, Path(scratch)), corpus), "branch": runner("kg", corpus)}
        for run in sides.values():
            run(files[:50])  # warm: first use of lazily compiled patterns and caches
        print(f"base {commit[:10]}, {len(files)} files, load average {os.getloadavg()[0]:.2f}")
        ratios = []
        for round_ in range(args.rounds):
            cpu = dict.fromkeys(sides, 0.0)
            documents = dict.fromkeys(sides, 0)
            for number, at in enumerate(range(0, len(files), args.chunk)):
                order = ["base", "branch"] if number % 2 == 0 else ["branch", "base"]
                for side in order:
                    start = time.process_time()
                    documents[side] += sides[side](files[at : at + args.chunk])
                    cpu[side] += time.process_time() - start
            ms = {side: cpu[side] / documents[side] * 1000 for side in sides}
            ratios.append(ms["branch"] / ms["base"])
            print(
                f"round {round_ + 1}: base {ms['base']:.3f}, branch {ms['branch']:.3f} ms/document "
                f"({documents['base']} documents each), ratio {ratios[-1]:.3f}, load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    print(f"ratio branch/base, median of {args.rounds} rounds: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
