"""Bound values as pyoxigraph ``substitutions`` against the same values written in as constants, one query at a time.

    python bench/bench_bound_values.py --store DIR [--only NAME,NAME] [--runs N]

For each saved query that binds a value with its default parameters, runs the first page's text on pyoxigraph
both ways, alternately (so both see the same load), every solution read: with ``substitutions`` (as
``run_saved`` did before) and with the values written in by ``kg.graph.binding.as_constants`` (as it does now).
Prints p50 of each in milliseconds, the ratio, the row counts (they must agree) and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from kg import Store  # noqa: E402
from kg.graph import namespaces as ns  # noqa: E402
from kg.graph.binding import as_constants  # noqa: E402
from kg.graph.names import store_names  # noqa: E402
from kg.graph.saved import bind, load_saved, page_options, paged_sparql  # noqa: E402


def p50(times: list[float]) -> float:
    return sorted(times)[len(times) // 2] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--only", help="comma-separated names (default: every saved query that binds a value)")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    saved = load_saved()
    names = args.only.split(",") if args.only else sorted(saved)
    with Store(args.store, read_only=True) as store:
        prefixes = ns.prefixes(store.base)
        index = store_names(store)
        for name in names:
            query = saved[name]
            terms = bind(query, {}, store.base, index)
            if not terms:
                continue
            text = paged_sparql(query, *page_options(query), given=terms)
            constant, left = as_constants(text, terms)
            ways = {
                "substitutions": (text, {ox.Variable(k): v for k, v in terms.items()}),
                "constants": (constant, {ox.Variable(k): v for k, v in left.items()}),
            }
            times: dict[str, list[float]] = {way: [] for way in ways}
            counts = {}
            for _ in range(args.runs + 1):  # the first round warms up
                for way, (sparql, bound) in ways.items():
                    start = time.perf_counter()
                    counts[way] = sum(
                        1 for _ in store.oxigraph.query(sparql, prefixes=prefixes, substitutions=bound or None)
                    )
                    times[way].append(time.perf_counter() - start)
            a, b = p50(times["substitutions"][1:]), p50(times["constants"][1:])
            print(
                f"{name}: substitutions {a:.1f} ms, constants {b:.1f} ms, ratio {a / b if b else 0:.1f}"
                f" (rows {counts['substitutions']} / {counts['constants']}); load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
