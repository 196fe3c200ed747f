"""Several texts of one saved query timed in turn, in one process: p50 and p95 of ``run_saved`` for each.

    python bench/interleave_texts.py --store DIR --query NAME [--runs N] [--offset N] LABEL=PATH ...

Each PATH is a ``.rq`` file or a folder of them (a checkout's ``kg/graph/queries``); the query's text in
this checkout is always timed too, as "this". The texts run one after the other in each round, after one
warm-up run each, so that a change of load falls on all of them alike (bench/bench_saved_queries.py
--against times one other text after the first, each in its own block of runs). Every text's whole answer
(every row, no page) must be this one's (as a multiset), else the script stops: only equal answers are
compared. (A page deep in the answer may differ where rows tie in one text's order and not in another's.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import Store  # noqa: E402
from kg.graph.saved import SavedQuery, find_saved, read_saved, run_saved  # noqa: E402


def text_of(name: str, path: str) -> SavedQuery:
    """The saved query ``name`` from a .rq file or a folder of them."""
    return find_saved(name, path) if Path(path).is_dir() else read_saved(path, name)


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("texts", nargs="+", help="LABEL=PATH: a .rq file or a folder of saved queries")
    ap.add_argument("--store", required=True)
    ap.add_argument("--query", required=True, help="the saved query's name")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--offset", type=int, default=0, help="the page at this offset (a paged query)")
    args = ap.parse_args()
    texts = {"this": find_saved(args.query)}
    for item in args.texts:
        label, _, path = item.partition("=")
        texts[label] = text_of(args.query, path)
    times: dict[str, list[float]] = {label: [] for label in texts}
    with Store(args.store, read_only=True) as store:
        expected = None
        for label, query in texts.items():
            rows = Counter(tuple(map(str, row)) for row in run_saved(store, query, limit=0).rows)
            if expected is None:
                expected = rows
            elif rows != expected:
                raise SystemExit(f"{label} gives other rows than this checkout's text")
        for _ in range(args.runs):
            for label, query in texts.items():
                start = time.perf_counter()
                run_saved(store, query, offset=args.offset)
                times[label].append(time.perf_counter() - start)
    width = max(len(label) for label in texts)
    print(f"{args.query} at offset {args.offset}, {args.runs} rounds; load average {os.getloadavg()[0]:.2f}")
    for label, taken in times.items():
        print(f"{label:{width}s}  p50 {percentile(taken, 50):9.1f}  p95 {percentile(taken, 95):9.1f}  (ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
