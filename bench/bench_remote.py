"""Remote-store ingest (Oxigraph server, Virtuoso) against the embedded store, measured in the same run.

    python bench/bench_remote.py [--docs 1000 | --corpus DIR] [--batch 20] [--servers oxigraph,virtuoso]

Generates ``--docs`` synthetic documents (:mod:`bench.corpus`), then for the embedded store and each
server started on loopback (:mod:`tests.sparql_servers`; one missing is left out with a note):

* ``ingest``: the whole ``kg.ingest.ingest`` (read, parse, extract, write) into a fresh store, and of
  that the seconds its writer spent writing (``IngestReport.write_seconds``: store and search index);
* ``writes``: the same documents' graphs, extracted once beforehand, written alone with
  ``replace_graphs`` in batches of ``--batch`` documents (one request, or one transaction, per batch).

Each line gives seconds, documents a second and the ratio to the embedded store of the same column
(target: a server within 3x). Figures are noisy on a shared machine: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write as write_corpus  # noqa: E402
from bench.tables import GAP, print_table  # noqa: E402
from kg import Pipeline  # noqa: E402
from kg.errors import SourceError  # noqa: E402
from kg.graph.store import Store, open_store  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.ingest.parse import parse  # noqa: E402
from kg.ingest.sources import iter_sources  # noqa: E402
from kg.ingest.triples import document_graph, source_record  # noqa: E402


def graphs_of(corpus: Path, pipeline: Pipeline, base: str) -> list[tuple[str, list]]:
    """Every document's (graph IRI, quads), as ingest would write them."""
    out = []
    for source in iter_sources([corpus]):
        if isinstance(source, SourceError):
            continue
        for document in parse(source):
            extraction = pipeline.extract(document)
            iri, graph = document_graph(
                document, extraction, [source_record(source, base)], pipeline.fingerprint("x"), base=base
            )
            out.append((iri, graph.quads))
    return out


def write_all(store: Store, graphs: list[tuple[str, list]], batch: int) -> None:
    replace_graphs = getattr(store, "replace_graphs", None)
    for start in range(0, len(graphs), batch):
        chunk = graphs[start : start + batch]
        if replace_graphs is not None:
            replace_graphs(chunk)
        else:  # an embedded store of before replace_graphs: one transaction per graph
            for graph, quads in chunk:
                store.replace_graph(graph, quads)


def run_saved_queries(store: Store) -> dict[str, str]:
    """Each saved query run once with its default values (its first page): seconds and rows, or the
    first words of what went wrong."""
    from kg.graph.saved import find_saved, run_saved, saved_names

    out = {}
    for name in saved_names():
        start = time.perf_counter()
        try:
            result = run_saved(store, find_saved(name))
            out[name] = f"{time.perf_counter() - start:.1f} s {len(result.rows)}r"
        except Exception as exc:  # noqa: BLE001 -- a query that fails is reported, the others still run
            out[name] = f"fails: {' '.join(str(exc).split())[:60]}"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, help="an existing corpus folder (e.g. out/bench/n1000/corpus) instead")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--servers", default="oxigraph,virtuoso")
    ap.add_argument("--writes-only", action="store_true", help="leave out the whole-ingest column (faster)")
    ap.add_argument("--ingest-only", action="store_true", help="leave out the writes column (faster)")
    ap.add_argument("--queries", action="store_true", help="run every saved query on each ingested store, timed")
    args = ap.parse_args()
    from tests.sparql_servers import SERVERS

    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["KG_REMOTE_STATE"] = str(tmp / "state")
        corpus = args.corpus.resolve() if args.corpus else tmp / "corpus"
        if not args.corpus:
            write_corpus(corpus, args.docs)
        pipeline = Pipeline()
        started = time.perf_counter()
        graphs = [] if args.ingest_only else graphs_of(corpus, pipeline, pipeline.vocabulary.base)
        counted = {"documents": len(graphs)}  # else counted by the first ingest
        if graphs:  # extracted beforehand only for the writes column (12 minutes for 10,000 documents)
            quads = sum(len(q) for _, q in graphs)
            print(
                f"{len(graphs)} documents, {quads} quads ({quads / len(graphs):.0f} a document), "
                f"extracted in {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.2f}"
            )
        rows: list[tuple[str, float, float, float]] = []
        timings: dict[str, dict[str, str]] = {}  # saved query -> store -> seconds or what went wrong

        def measure(name: str, location_for) -> None:
            ingest_s = ingest_writes_s = float("nan")
            if not args.writes_only:
                with open_store(location_for("ingest")) as store:
                    start = time.perf_counter()
                    report = ingest([corpus], store, pipeline)
                    ingest_s = time.perf_counter() - start
                    ingest_writes_s = report.write_seconds
                    counted["documents"] = counted["documents"] or len(report.written) + len(report.unchanged)
                    if report.failures:
                        print(f"  {name}: {len(report.failures)} failures, first: {report.failures[0]}")
                    if args.queries:
                        for query, took in run_saved_queries(store).items():
                            timings.setdefault(query, {})[name] = took
                            print(f"    {name} {query}: {took}", flush=True)
            writes_s = float("nan")
            if not args.ingest_only:
                with open_store(location_for("writes")) as store:
                    store.load_vocabulary(pipeline.vocabulary)
                    start = time.perf_counter()
                    write_all(store, graphs, args.batch)
                    writes_s = time.perf_counter() - start
            rows.append((name, ingest_s, ingest_writes_s, writes_s))
            print(f"  {name}: ingest {ingest_s:.1f} s (writing {ingest_writes_s:.1f} s), writes {writes_s:.1f} s")

        measure("embedded", lambda what: str(tmp / f"embedded-{what}"))
        for name in [s for s in args.servers.split(",") if s]:
            servers = {}

            def location_for(what: str, name: str = name, servers: dict = servers) -> str:
                for running in servers.values():
                    running.stop()
                try:
                    servers[what] = SERVERS[name](tmp / f"{name}-{what}").start()
                except BaseException as exc:  # noqa: BLE001 -- a server that cannot start is left out
                    raise SystemExit(f"{name}: cannot start ({exc})") from None
                return servers[what].location

            try:
                measure(name, location_for)
            except SystemExit as exc:
                print(f"  left out: {exc}")
            finally:
                for running in servers.values():
                    running.stop()

        base_ingest, base_ingest_writes, base_writes = rows[0][1], rows[0][2], rows[0][3]
        n = counted["documents"]
        print()
        print_table(
            [("store", "10s"), ("ingest s", "9.1f"), ("docs/s", "8.1f"), ("x embedded", "10.2f"), GAP]
            + [("of it writing s", "15.1f"), ("x embedded", "10.2f"), GAP]
            + [("writes s", "9.1f"), ("docs/s", "8.1f"), ("x embedded", "10.2f")],
            [
                (
                    name,
                    ingest_s,
                    n / ingest_s,
                    ingest_s / base_ingest,
                    ingest_writes_s,
                    ingest_writes_s / base_ingest_writes,
                    writes_s,
                    n / writes_s,
                    writes_s / base_writes,
                )
                for name, ingest_s, ingest_writes_s, writes_s in rows
            ],
        )
        if timings:
            names = [row[0] for row in rows]
            print()
            print_table(
                [("saved query (default values)", "30s")] + [(name, "14s") for name in names],
                [(query, *(by_store.get(name, "-") for name in names)) for query, by_store in timings.items()],
            )
        print(f"load average after: {os.getloadavg()[0]:.2f} (batch {args.batch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
