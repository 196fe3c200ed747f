"""Latency of every saved query: raw pyoxigraph, ``run_saved``, and over HTTP through ``kg serve``.

    python bench/bench_saved_queries.py [--docs 1000,10000] [--store DIR] [--runs N] [--http]
        [--only NAME,NAME] [--against DIR] [PATH ...]

With --docs, builds a store of each size with bench/scale.py (the sample, eval and seed texts
extracted once, copied under new titles and dates, bulk-loaded); with --store, uses that store;
otherwise ingests PATHs (default: data/sample, and ../shared/corpus/seeds if present) into a
temporary store. Each saved query runs with its default parameters --runs times:

* raw: ``pyoxigraph.Store.query`` with the same SPARQL, values written in as run_saved writes them, every solution read;
* run_saved: ``kg.graph.saved.run_saved`` (name resolution, binding, the result as rows);
* with --http, ``GET /api/saved/NAME`` (SPARQL JSON, one kept-alive connection) through a real
  server on a free loopback port (the round trip to a worker process and serialising there).

Prints p50 and p95 in milliseconds, the overhead of run_saved over raw per query (p50 / p50) and
overall (sum of run_saved p50 / sum of raw p50), and one line ``docs= query_p95_ms= query_overhead=``
per size (the worst p95 of run_saved). The baseline row, ``ASK {}``, is measured in the same run.
A query that takes longer than --slow seconds once is run only that once (its p50 = p95 = that time).
--offset N times each query's page at that offset (the default page size; a query without pages is run
whole, as run_saved runs it), e.g. a page deep in due-for-review.
--only limits the run to some saved queries; --against DIR (e.g. another checkout's kg/graph/queries)
also times that folder's text of each query, in the same run, as a row "NAME (against)": a rewrite
and the text it replaced, measured under the same load.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client as http_client
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from kg import Pipeline, Store  # noqa: E402
from kg.graph.paging import page_options  # noqa: E402
from kg.graph.query import run_query  # noqa: E402
from kg.graph.saved import load_saved, run_saved  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.web.server import create_app, running  # noqa: E402


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def timed(runs: int, work, slow: float = 1e9, first: float = 0.0) -> list[float]:
    if first > slow:  # too slow to repeat: one run is the figure
        start = time.perf_counter()
        work()
        return [time.perf_counter() - start]
    work()  # warm up: caches, the worker's snapshot of the store
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def raw_runner(store: Store, query, offset: int = 0) -> Callable[[], int]:
    """The same query straight on pyoxigraph: the SPARQL text run_saved sends (its values written in as
    constants: pyoxigraph's ``substitutions`` do not reach into a subquery), every solution read; the
    work returns the number of rows."""
    from kg.graph import namespaces as ns
    from kg.graph.binding import as_constants
    from kg.graph.names import store_names
    from kg.graph.saved import bind, page_options, paged_sparql

    names = store_names(store) if any(p.type == "entity" for p in query.params) else None
    # the first page, as run_saved asks for, its values written in as run_saved writes them
    limit = page_options(query)[0]
    bound = bind(query, {}, store.base, names)
    sparql, left = as_constants(paged_sparql(query, limit, offset if limit else 0, given=bound), bound)
    terms = {ox.Variable(k): v for k, v in left.items()}
    prefixes = ns.prefixes(store.base)

    def work() -> int:
        answer = store.oxigraph.query(sparql, prefixes=prefixes, substitutions=terms or None)
        rows = 0
        for solution in answer:  # type: ignore[union-attr]
            list(solution)
            rows += 1
        return rows

    return work


def chosen(only: str | None, against: str | None) -> dict:
    """The saved queries to time, by row name: --only's, each followed by its --against text."""
    saved = load_saved()
    if only:
        saved = {name: q for name, q in saved.items() if name in only.split(",")}
    other = load_saved(against) if against else {}
    rows = {}
    for name, query in saved.items():
        rows[name] = query
        if name in other:
            rows[f"{name} (against)"] = other[name]
    return rows


def measure(
    store: Store, saved: dict, runs: int, slow: float, http: bool, workers: int, label: str, offset: int = 0
) -> tuple[float, float]:
    """Print the table for one store; return (worst run_saved p95 in ms, overall overhead)."""
    with contextlib.ExitStack() as stack:
        fetch = None
        if http:
            app = create_app(store.location, workers=workers)
            address = urlsplit(stack.enter_context(running(app)))
            connection = http_client.HTTPConnection(address.hostname, address.port, timeout=600)
            stack.callback(connection.close)

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
                timed(runs, lambda: store.oxigraph.query("ASK {}"), slow),
                timed(runs, lambda: run_query(store, "ASK {}"), slow),
                timed(runs, lambda: fetch("/sparql?query=" + quote("ASK {}")), slow) if fetch else [],
            )
        ]
        for name, query in saved.items():
            start = time.perf_counter()
            at = offset if page_options(query)[0] else 0
            count = len(run_saved(store, query, offset=at).rows)
            first = time.perf_counter() - start
            rows.append(
                (
                    name,
                    count,
                    timed(runs, raw_runner(store, query, at), slow, first),
                    timed(runs, lambda q=query, o=at: run_saved(store, q, offset=o), slow, first),
                    timed(runs, lambda n=name: fetch(f"/api/saved/{n}"), slow, first) if fetch else [],
                )
            )
    width = max(len(r[0]) for r in rows)
    print(f"\n{label}; load average {os.getloadavg()[0]:.2f}" + (f"; pages at offset {offset}" if offset else ""))
    print(
        f"{'query':{width}s}  {'rows':>6s}  {'raw p50':>9s} {'p95':>8s}  {'run_saved p50':>13s} {'p95':>8s}"
        f"  {'overhead':>8s}" + (f"  {'HTTP p50':>9s} {'p95':>8s}" if http else "") + "   (ms)"
    )
    worst = 0.0
    raw_sum = saved_sum = 0.0
    for name, count, raw, local, remote in rows:
        r50, l50 = percentile(raw, 50), percentile(local, 50)
        if not name.startswith("ASK"):
            worst = max(worst, percentile(local, 95))
            raw_sum, saved_sum = raw_sum + r50, saved_sum + l50
        line = (
            f"{name:{width}s}  {count:6d}  {r50:9.2f} {percentile(raw, 95):8.2f}  {l50:13.2f} {percentile(local, 95):8.2f}"
            f"  {l50 / r50 if r50 else 0:8.2f}"
        )
        if http:
            line += f"  {percentile(remote, 50):9.2f} {percentile(remote, 95):8.2f}"
        print(line)
    overhead = saved_sum / raw_sum if raw_sum else 0.0
    return worst, overhead


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--store", help="an existing store to use instead of ingesting into a temporary one")
    ap.add_argument("--docs", help="comma-separated sizes of generated stores, e.g. 1000,10000")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--slow", type=float, default=5.0, help="a query slower than this (s) is run once")
    ap.add_argument("--http", action="store_true", help="also time each query through kg serve")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", help="comma-separated names of the saved queries to time (default: all)")
    ap.add_argument("--offset", type=int, default=0, help="time each paged query's page at this offset")
    ap.add_argument("--against", help="a folder of .rq files: also time its text of each query, same run")
    args = ap.parse_args()
    if args.against and args.http:
        ap.error("--against times texts that the server does not have: leave out --http")
    saved = chosen(args.only, args.against)
    summary = []
    with contextlib.ExitStack() as stack:
        if args.docs:
            sys.path.insert(0, str(ROOT / "bench"))
            import scale

            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            for size in [int(n) for n in args.docs.split(",")]:
                start = time.perf_counter()
                location = Path(tmp) / f"store-{size}"
                scale.build(location, size).close()
                with Store(location, read_only=True) as store:
                    label = f"generated store: {size} documents, {len(store)} triples (built in {time.perf_counter() - start:.0f} s)"
                    worst, overhead = measure(
                        store, saved, args.runs, args.slow, args.http, args.workers, label, args.offset
                    )
                summary.append((size, worst, overhead))
        else:
            if args.store:
                store = stack.enter_context(Store(args.store, read_only=True))
                label = f"store: {args.store}"
            else:
                shared = ROOT.parent / "shared" / "corpus" / "seeds"
                paths = args.paths or [str(ROOT / "data" / "sample")] + ([str(shared)] if shared.is_dir() else [])
                tmp = stack.enter_context(tempfile.TemporaryDirectory())
                store = stack.enter_context(Store(Path(tmp) / "store"))
                report = ingest(paths, store, Pipeline())
                label = f"store: {report.documents} documents from {paths}"
            docs = len(store.document_graphs())
            worst, overhead = measure(
                store,
                saved,
                args.runs,
                args.slow,
                args.http,
                args.workers,
                f"{label}, {len(store)} triples",
                args.offset,
            )
            summary.append((docs, worst, overhead))
    print()
    for docs, worst, overhead in summary:
        print(f"docs={docs} query_p95_ms={worst:.1f} query_overhead={overhead:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
