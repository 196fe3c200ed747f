"""Latency of every saved query, in process and over HTTP through ``kg serve``, against an ``ASK {}`` baseline.

    python bench/bench_saved_queries.py [--store DIR] [--runs N] [PATH ...]

Without --store, ingests PATHs (default: data/sample, and ../shared/corpus/seeds
if present) into a temporary store. Each saved query runs with its default
parameters: --runs times in this process (``kg.graph.saved.run_saved``), then --runs
times over HTTP (``GET /api/saved/NAME``, SPARQL JSON, one kept-alive
connection) through a real server on a free loopback port, which includes the
round trip to a worker process and serialising the result there. Prints p50
and p95 in milliseconds. The baseline row, ``ASK {}`` (``/sparql`` over HTTP),
is measured in the same run: compare rows with it rather than across machines.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import Pipeline, Store  # noqa: E402
from kg.graph.query import run_query  # noqa: E402
from kg.graph.saved import load_saved, run_saved  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.web.server import create_app, running  # noqa: E402


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def timed(runs: int, work) -> list[float]:
    work()  # warm up: caches, the worker's snapshot of the store
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--store", help="an existing store to use instead of ingesting into a temporary one")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        if args.store:
            store = stack.enter_context(Store(args.store, read_only=True))
            print(f"store: {args.store}")
        else:
            shared = ROOT.parent / "shared" / "corpus" / "seeds"
            paths = args.paths or [str(ROOT / "data" / "sample")] + ([str(shared)] if shared.is_dir() else [])
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            store = stack.enter_context(Store(Path(tmp) / "store"))
            report = ingest(paths, store, Pipeline())
            print(f"store: {report.documents} documents from {paths}")
        print(f"{len(store)} triples; {args.runs} runs per query; {args.workers} workers")
        saved = load_saved()
        app = create_app(store.location, workers=args.workers)
        address = urlsplit(stack.enter_context(running(app)))
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)

        def fetch(path: str) -> bytes:
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
            return body

        rows = [
            (
                "ASK {} (baseline)",
                1,
                timed(args.runs, lambda: run_query(store, "ASK {}")),
                timed(args.runs, lambda: fetch("/sparql?query=" + quote("ASK {}"))),
            )
        ]
        for name, query in saved.items():
            count = len(run_saved(store, query).rows)
            rows.append(
                (
                    name,
                    count,
                    timed(args.runs, lambda q=query: run_saved(store, q)),
                    timed(args.runs, lambda n=name: fetch(f"/api/saved/{n}")),
                )
            )
        connection.close()
    width = max(len(r[0]) for r in rows)
    print(f"{'query':{width}s}  {'rows':>5s}  {'in-process p50':>14s} {'p95':>7s}  {'HTTP p50':>9s} {'p95':>7s}   (ms)")
    for name, count, local, remote in rows:
        print(
            f"{name:{width}s}  {count:5d}  {percentile(local, 50):14.2f} {percentile(local, 95):7.2f}  {percentile(remote, 50):9.2f} {percentile(remote, 95):7.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
