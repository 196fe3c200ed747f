"""Ingest throughput on a corpus, against a read-and-parse baseline run in the same process.

    python bench/bench_ingest.py [PATH ...]      (default: data/sample, and ../shared/corpus/seeds if present)

Prints documents per second and kilobytes per second for three stages, each
the best of --repeat runs: read+parse (the baseline), +extract (entities and
relations), and the full ingest into a fresh Oxigraph store. The ratio to the
baseline is what to compare between machines and commits; seconds alone are
noisy on shared machines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import Pipeline, Store  # noqa: E402
from kg.errors import SourceError  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.ingest.parse import parse  # noqa: E402
from kg.ingest.sources import iter_sources  # noqa: E402


def best_of(repeat: int, work) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = work()
        times.append(time.perf_counter() - start)
    return min(times), count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    paths = args.paths or [str(ROOT / "data" / "sample")] + (
        [str(ROOT.parent / "shared" / "corpus" / "seeds")] if (ROOT.parent / "shared").is_dir() else []
    )
    sources = [s for s in iter_sources(paths) if not isinstance(s, SourceError)]
    kilobytes = sum(len(s.text.encode("utf-8")) for s in sources) / 1024
    pipeline = Pipeline()

    def parse_only():
        return sum(len(parse(s)) for s in iter_sources(paths) if not isinstance(s, SourceError))

    def extract_too():
        n = 0
        for s in iter_sources(paths):
            if isinstance(s, SourceError):
                continue
            for d in parse(s):
                pipeline.extract(d)
                n += 1
        return n

    def full():
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s") as store:
            return ingest(paths, store, pipeline).documents

    print(f"corpus: {len(sources)} files, {kilobytes:.0f} KB, paths={paths}")
    base_time, docs = best_of(args.repeat, parse_only)
    for name, work in (
        ("read+parse (baseline)", parse_only),
        ("+extract", extract_too),
        ("full ingest to store", full),
    ):
        seconds, docs = best_of(args.repeat, work)
        print(
            f"{name:24s} {docs:4d} docs  {seconds * 1000:8.1f} ms  {docs / seconds:8.1f} docs/s  {kilobytes / seconds:8.1f} KB/s  x{seconds / base_time:5.1f} baseline"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
