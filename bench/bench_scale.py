"""Library scale: ingest, re-ingest, store size, memory, export, saved queries and serving, per corpus size.

    python bench/bench_scale.py [--sizes 1000,10000] [--seed 1] [--workdir DIR] [--query-timeout 30]

``make bench`` runs it (``SIZES=1000`` by default). For each size it writes the synthetic corpus
(:mod:`bench.corpus`), then measures, each against a baseline measured in the same run:

* ``kg ingest`` of the corpus into a new store (a separate process; peak RSS of it and its children,
  sampled with psutil in a thread), against the same extraction written into rdflib's in-memory
  ``Dataset`` (parse, extract, ``document_graph``, ``Dataset.add``: what a Python user would write);
* ``kg ingest`` again, nothing changed (``reingest_ratio`` = its time / the first ingest's);
* ``kg export --format nq`` (peak RSS), beside pyoxigraph's own ``Store.dump`` of the same store;
* ``kg compact``, and the store's size on disk (with the search index) as the ingest left it and after
  (``store_mb``: after, what a library holds once it has compacted), and its named quads per document;
* every saved query with its default parameters, ``--runs`` times through ``kg.graph.saved.run_saved``
  and through raw ``pyoxigraph.Store.query`` of the same SPARQL and bindings, in a child process (a
  query over 1 s runs once each way; one whose run exceeds ``--query-timeout`` seconds is stopped
  and counts at the timeout, so p95 is then a lower bound, printed ">N");
* the same queries through ``kg serve`` over loopback (``GET /api/saved/NAME``);
* throughput of the light saved queries (raw time under 100 ms) with 8 and 32 concurrent clients,
  ``kg serve`` against ``oxigraph serve-read-only`` on a copy of the same store (the same SPARQL
  with its bindings written in by :func:`kg.graph.binding.bind_values`, as a remote store sends it).

Prints a table per size, then one line of keys for the largest size. ``x_vs_y`` is how many times
faster ours is than the other; an overhead is ours divided by raw pyoxigraph on the same store.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.bench_load import client_address, free_port  # noqa: E402
from bench.bench_saved_queries import percentile  # noqa: E402
from kg.graph.compaction import folder_bytes  # noqa: E402
from kg.ingest.filetable import RACY_NS  # noqa: E402

#: seconds to wait after writing a corpus: a file modified within RACY_NS of an ingest looking at it gets
#: no file-table row and is read again by the re-ingest, so the kg measured first would re-read the files
#: written last
SETTLE_S = RACY_NS / 1e9 + 0.5

BIN = Path(sys.executable).parent
KG = str(BIN / "kg")
LIGHT_MS = 100.0  #: a saved query whose raw time is under this is "light" for the throughput test
KEYS = (
    "docs ingest_docs_per_s ingest_vs_rdflib reingest_ratio quads_per_doc store_mb peak_rss_mb export_rss_mb "
    "query_p95_ms query_overhead http_overhead server_vs_oxigraph"
).split()


# ---------------------------------------------------------------------------- measuring processes


def run_measured(command: list[str], timeout: float | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB of the process and all its children, stdout) of one command."""
    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.is_set():
            try:
                family = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in family if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            finished.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for child in process.children(recursive=True):
            child.kill()
        process.kill()
        process.communicate()
        raise
    finally:
        finished.set()
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed ({process.returncode}): {err[-2000:]}")
    return time.perf_counter() - start, peak, out


def folder_mb(path: Path) -> float:
    return folder_bytes(path) / 1e6


# ---------------------------------------------------------------------------- children


def child_rdflib(folder: str) -> None:
    """The same extraction written into rdflib's in-memory Dataset; prints documents and quads."""
    import rdflib

    from kg import Pipeline
    from kg.errors import SourceError
    from kg.ingest.parse import parse
    from kg.ingest.sources import iter_sources
    from kg.ingest.triples import document_graph

    def term(t):  # noqa: ANN001, ANN202
        name = type(t).__name__
        if name == "NamedNode":
            return rdflib.URIRef(t.value)
        if name == "BlankNode":
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))

    pipeline, dataset, docs = Pipeline(), rdflib.Dataset(), 0
    for source in iter_sources([folder]):
        if isinstance(source, SourceError):
            continue
        for document in parse(source):
            iri, graph = document_graph(document, pipeline.extract(document), [source], pipeline.fingerprint(""))
            quads = graph.quads
            graph = dataset.graph(rdflib.URIRef(iri))
            for q in quads:
                graph.add((term(q.subject), term(q.predicate), term(q.object)))
            docs += 1
    print(json.dumps({"docs": docs, "quads": len(dataset)}))


def child_query(location: str, name: str, runs: int) -> None:
    """One saved query, ``runs`` times through run_saved and through raw pyoxigraph; prints seconds."""
    from bench.bench_saved_queries import raw_runner
    from kg.graph import namespaces as ns
    from kg.graph.binding import bind_values
    from kg.graph.names import store_names
    from kg.graph.saved import bind, load_saved, page_options, paged_sparql, run_saved
    from kg.graph.store import Store

    query = load_saved()[name]
    with Store(location, read_only=True) as store:
        names = store_names(store) if any(p.type == "entity" for p in query.params) else None
        terms = bind(query, {}, store.base, names)
        # the first page, as run_saved and the server ask for
        paged = paged_sparql(query, *page_options(query), given=terms)
        raw = raw_runner(store, query)  # the text run_saved sends, straight on pyoxigraph, the rows counted

        start = time.perf_counter()
        rows = raw()  # warm up (and the ours below: the store's name index)
        first = run_saved(store, query)
        ours_rows = len(first.rows) + bool(first.more)  # a paged query asks for one row past its page
        if ours_rows != rows:
            raise SystemExit(f"{name}: run_saved gave {ours_rows} rows and the raw query {rows}: not the same question")
        if time.perf_counter() - start > 1.0:
            runs = 1  # a slow query: one run each way, so a run stays within the parent's timeout
        ours_times, raw_times = [], []
        for _ in range(runs):
            start = time.perf_counter()
            run_saved(store, query)
            ours_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            raw()
            raw_times.append(time.perf_counter() - start)
        sparql = paged
        if terms:  # for a server without saved queries: the values written into the query, as a remote store sends
            sparql = bind_values(sparql, terms)
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.prefixes(store.base).items())
        print(json.dumps({"rows": rows, "ours": ours_times, "raw": raw_times, "sparql": prologue + sparql}))


# ---------------------------------------------------------------------------- HTTP


def wait_ready(port: int, path: str, seconds: float = 600) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer {path} in {seconds:.0f} s")


def get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    response = connection.getresponse()
    response.read()
    return response.status


def throughput(port: int, paths: list[str], clients: int, seconds: float) -> float:
    """Answers with status 200 per second from ``clients`` threads cycling through ``paths``.

    Each client connects from its own loopback address (:func:`bench.bench_load.client_address`), as
    that many users would: ``kg serve`` caps the queries of one address, and a client over its cap is
    answered 429 (not counted here) rather than queued.
    """
    answered = [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        def connect() -> http.client.HTTPConnection:
            return http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(client_address(i), 0))

        connection = connect()
        n = i
        while time.monotonic() < stop:
            try:
                if get(connection, paths[n % len(paths)]) == 200:
                    answered[i] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = connect()
            n += 1

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(answered) / (time.monotonic() - start)


def tree_cpu(pid: int) -> float:
    """Processor seconds used so far by a process and its living children (the query workers)."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for process in (root, *root.children(recursive=True)):
            with contextlib.suppress(psutil.Error):
                used = process.cpu_times()
                total += used.user + used.system
    except psutil.Error:
        pass
    return total


def measured_throughput(
    server: subprocess.Popen, port: int, paths: list[str], clients: int, seconds: float
) -> tuple[float, float]:
    """(answers per second, the server's processor milliseconds per answer) of :func:`throughput`.

    The processor time per answer does not depend on how busy the machine is, as the rate does on a
    shared machine (a server with more threads gets more of the processors); workers replaced during
    the test are not counted, so it is a lower bound for ``kg serve``.
    """
    before = tree_cpu(server.pid)
    start = time.monotonic()
    rate = throughput(port, paths, clients, seconds)
    answered = rate * (time.monotonic() - start)
    return rate, (tree_cpu(server.pid) - before) * 1000 / max(1.0, answered)


def start_server(command: list[str], port: int, ready: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, ready)
    except BaseException:
        process.kill()
        raise
    return process


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------- one size


def measure_size(n: int, args: argparse.Namespace) -> dict[str, float | str]:
    work = args.workdir / f"n{n}"
    folder, store = work / "corpus", work / "store"
    if args.reuse and store.is_dir():
        return measure_queries(n, work, store, args, {key: "n/a" for key in KEYS})
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    corpus.write(folder, n, args.seed)
    time.sleep(SETTLE_S)
    here = __file__
    python = sys.executable
    print(f"\n== {n:,} documents (seed {args.seed}, {folder_mb(folder):.1f} MB of text)", flush=True)

    ingest_s, ingest_rss, _ = run_measured([KG, "ingest", "--store", str(store), str(folder)])
    print(f"ingest: {ingest_s:.1f} s, peak RSS {ingest_rss:.0f} MB", flush=True)
    rdflib_s: float | None = None
    if n <= args.rdflib_max:
        rdflib_s, rdflib_rss, out = run_measured([python, here, "--child", "rdflib", str(folder)])
        print(f"rdflib Dataset baseline: {rdflib_s:.1f} s, peak RSS {rdflib_rss:.0f} MB, {out.strip()}", flush=True)
    else:
        print(f"rdflib Dataset baseline: not run above {args.rdflib_max:,} documents (--rdflib-max)", flush=True)
    again_s, _, _ = run_measured([KG, "ingest", "--store", str(store), str(folder)])
    print(f"re-ingest unchanged: {again_s:.1f} s", flush=True)

    dump = work / "export.nq"
    export_s, export_rss, _ = run_measured([KG, "export", "--store", str(store), "-f", "nq", "-o", str(dump)])
    code = f"import pyoxigraph as ox; ox.Store.read_only({str(store)!r}).dump({str(work / 'ox.nq')!r}, ox.RdfFormat.N_QUADS)"
    oxdump_s, oxdump_rss, _ = run_measured([python, "-c", code])
    print(
        f"export nq: {export_s:.1f} s, peak RSS {export_rss:.0f} MB; pyoxigraph Store.dump: {oxdump_s:.1f} s, "
        f"peak RSS {oxdump_rss:.0f} MB",
        flush=True,
    )
    dump.unlink(missing_ok=True)
    (work / "ox.nq").unlink(missing_ok=True)
    ingested_mb = folder_mb(store)
    compact_s, _, _ = run_measured([KG, "compact", "--store", str(store)])
    print(
        f"kg compact: {compact_s:.1f} s; store {ingested_mb:,.0f} MB as ingested, {folder_mb(store):,.0f} MB after",
        flush=True,
    )

    figures: dict[str, float | str] = {
        "ingest_docs_per_s": n / ingest_s,
        "ingest_vs_rdflib": rdflib_s / ingest_s if rdflib_s is not None else "n/a",
        "reingest_ratio": again_s / ingest_s,
        "peak_rss_mb": ingest_rss,
        "export_rss_mb": export_rss,
    }
    return measure_queries(n, work, store, args, figures)


def measure_queries(n: int, work: Path, store: Path, args: argparse.Namespace, figures: dict) -> dict:
    """The store's size and the query and server figures, added to ``figures``."""
    from kg.graph.store import Store

    with Store(store, read_only=True) as opened:
        quads, documents = opened.quad_count(), len(opened.document_graphs())
    if args.reuse:
        print(f"\n== {n:,} documents: the store in {store} reused (ingest and export not measured)", flush=True)
    queries = saved_queries(store, args)
    try:
        http_ratio, server_ratio = serve_figures(store, work, queries, args)
    except SystemExit as exc:
        print(f"serving not measured: {exc}", flush=True)
        http_ratio = server_ratio = "n/a"  # type: ignore[assignment]

    done = [q for q in queries.values() if "ours" in q]
    p95, worst = worst_p95(queries, args.query_timeout)
    pooled = percentile([t for q in queries.values() for t in q.get("ours", [args.query_timeout])], 95)
    print(
        f"query_p95_ms: the worst saved query's p95, {worst} ({p95:.0f} ms; all queries' runs pooled: {pooled:.0f} ms)"
    )
    timed_out = len(queries) - len(done)
    overhead = sum(_median(q["ours"]) for q in done) / max(1e-9, sum(_median(q["raw"]) for q in done))
    return {
        **figures,
        "docs": documents,
        "quads_per_doc": quads / max(1, documents),
        "store_mb": folder_mb(store),
        "query_p95_ms": f">{p95:.0f}" if timed_out and p95 >= args.query_timeout * 1000 else p95,
        "query_overhead": overhead,
        "http_overhead": http_ratio,
        "server_vs_oxigraph": server_ratio,
        "_timed_out": timed_out,
    }


def worst_p95(queries: dict[str, dict], timeout_s: float) -> tuple[float, str]:
    """(ms, name): the largest of the saved queries' own p95 (the target is per query, so the runs of
    all queries are not pooled); a stopped query counts at the timeout (a lower bound)."""
    each = {name: percentile(q["ours"], 95) if "ours" in q else timeout_s * 1000 for name, q in queries.items()}
    name = max(each, key=lambda n: each[n], default="none")
    return each.get(name, 0.0), name


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def saved_queries(store: Path, args: argparse.Namespace) -> dict[str, dict]:
    """Every saved query in a child process of its own, stopped after --query-timeout seconds."""
    from kg.graph.saved import load_saved

    results: dict[str, dict] = {}
    print(f"{'saved query':34s} {'rows':>6s} {'ours p50':>9s} {'p95':>8s} {'raw p50':>9s} {'p95':>8s}  (ms)")
    for name in load_saved():
        if args.queries and name not in args.queries:
            continue
        command = [sys.executable, __file__, "--child", "query", str(store), name, str(args.runs)]
        try:
            _, _, out = run_measured(command, timeout=args.query_timeout * 3 + 15)
        except subprocess.TimeoutExpired:
            results[name] = {}
            print(f"{name:34s} {'-':>6s} stopped: a run took over {args.query_timeout:.0f} s", flush=True)
            continue
        found = json.loads(out.strip().splitlines()[-1])
        results[name] = found
        ours, raw = found["ours"], found["raw"]
        print(
            f"{name:34s} {found['rows']:6d} {percentile(ours, 50):9.1f} {percentile(ours, 95):8.1f} "
            f"{percentile(raw, 50):9.1f} {percentile(raw, 95):8.1f}",
            flush=True,
        )
    return results


KG_SERVE = (
    "import sys; from kg.web.server.running import serve; "
    "serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]), query_timeout=float(sys.argv[3]), max_rows=10**6{options})"
)


def start_kg_serve(
    store: Path, query_timeout: float, python: str = sys.executable, options: str = ""
) -> tuple[subprocess.Popen, int]:
    """``kg serve``'s own server (kg.web.server.running.serve) run by ``python`` (another checkout's venv for
    an A/B run), without building the site first: the site's build is measured by the views benchmarks,
    and at 1,000 documents it held the port for over 10 minutes. ``options``: more keywords of ``serve``,
    as Python text (``"answer_cache_mb=0"``)."""
    port = free_port()
    code = KG_SERVE.format(options=", " + options if options else "")
    command = [python, "-P", "-c", code, str(store), str(port), str(query_timeout)]  # -P: its own checkout's kg
    return start_server(command, port, "/sparql?query=ASK%7B%7D"), port


def kg_serve_throughput(
    server: subprocess.Popen, port: int, light: list[str], seconds: float
) -> dict[int, tuple[float, float]]:
    """(answers/s, processor ms per answer) of the light saved queries through kg serve, 8 and 32 clients."""
    paths = [f"/api/saved/{quote(n)}" for n in light]
    return {c: measured_throughput(server, port, paths, c, seconds) for c in (8, 32)}


def oxigraph_throughput(store: Path, work: Path, sparqls: list[str], seconds: float) -> dict[int, tuple[float, float]]:
    """The same for ``oxigraph serve-read-only`` on a copy of the store, asked the saved queries' SPARQL."""
    copy = work / "store-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    port = free_port()
    oxigraph = start_server(
        [str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy), "--bind", f"127.0.0.1:{port}"],
        port,
        "/query?query=ASK%7B%7D",
    )
    try:
        paths = ["/query?" + urlencode({"query": sparql}) for sparql in sparqls]
        return {c: measured_throughput(oxigraph, port, paths, c, seconds) for c in (8, 32)}
    finally:
        stop_server(oxigraph)
        shutil.rmtree(copy, ignore_errors=True)


def light_queries(queries: dict[str, dict], args: argparse.Namespace) -> list[str]:
    """--light, else the saved queries whose raw p50 is under :data:`LIGHT_MS`."""
    return args.light or [name for name, q in queries.items() if "ours" in q and _median(q["raw"]) * 1000 < LIGHT_MS]


def serve_figures(store: Path, work: Path, queries: dict[str, dict], args: argparse.Namespace) -> tuple[float, float]:
    """(http_overhead, server_vs_oxigraph): the saved queries through kg serve, and light-query throughput.

    Both keys are measured with the answers ``kg serve`` keeps turned off (``answer_cache_mb=0``), so that
    every request runs its query, as Oxigraph's server does: a benchmark that repeats one query would
    otherwise measure the kept answer. The throughput with kept answers (the default) is printed beside.
    """
    done = {name: q for name, q in queries.items() if "ours" in q}
    light = light_queries(done, args)
    server, port = start_kg_serve(store, args.query_timeout, options="answer_cache_mb=0")  # every answer a query run
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=args.query_timeout + 30)
        http_total = raw_total = 0.0
        refused: list[str] = []
        for name, q in done.items():
            path = f"/api/saved/{quote(name)}"
            statuses, times = [], []
            get(connection, path)  # warm up
            for _ in range(args.runs):
                start = time.perf_counter()
                statuses.append(get(connection, path))
                times.append(time.perf_counter() - start)
            print(f"  kg serve {name:30s} p50 {percentile(times, 50):8.1f} ms  statuses {sorted(set(statuses))}")
            if set(statuses) != {200}:
                refused.append(name)  # a refusal is quick and is not an answer: not counted in the overhead
                continue
            http_total += _median(times)
            raw_total += _median(q["raw"])
        connection.close()
        if refused:
            print(
                f"  http_overhead leaves out {len(refused)} saved queries kg serve did not answer with 200 "
                f"(with its default limits): {', '.join(refused)}"
            )
        unkept = kg_serve_throughput(server, port, light, args.seconds)
    finally:
        stop_server(server)
    server, port = start_kg_serve(store, args.query_timeout)
    try:
        kept = kg_serve_throughput(server, port, light, args.seconds)
    finally:
        stop_server(server)
    theirs = oxigraph_throughput(store, work, [done[n]["sparql"] for n in light], args.seconds)
    print(f"light saved queries: {', '.join(light)}")
    for c in (8, 32):
        print(
            f"light saved queries ({len(light)}), {c} clients: kg serve {unkept[c][0]:.1f}/s "
            f"({unkept[c][1]:.1f} ms of processor per answer; with kept answers {kept[c][0]:.1f}/s, "
            f"{kept[c][1]:.1f} ms), oxigraph {theirs[c][0]:.1f}/s ({theirs[c][1]:.1f} ms)"
        )
    kept_ratio = min(kept[c][0] / max(1e-9, theirs[c][0]) for c in (8, 32))
    print(
        f"server_vs_oxigraph with kept answers (the default, a repeated query answered from memory): {kept_ratio:.3f}"
    )
    ratio = min(unkept[c][0] / max(1e-9, theirs[c][0]) for c in (8, 32))
    return http_total / max(1e-9, raw_total), ratio


# ---------------------------------------------------------------------------- main


def shown(value: float | str) -> str:
    if isinstance(value, str) or isinstance(value, int):
        return str(value)
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--runs", type=int, default=5, help="runs per saved query (default 5)")
    parser.add_argument(
        "--query-timeout", type=float, default=30.0, help="seconds one run of a saved query may take (default 30)"
    )
    parser.add_argument(
        "--rdflib-max",
        type=int,
        default=10_000,
        help="largest size at which the rdflib baseline runs (default 10000: it holds every quad in memory; "
        "the target ingest_vs_rdflib is stated at 10,000)",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of each throughput test")
    parser.add_argument("--reuse", action="store_true", help="reuse a size's store from an earlier run: queries only")
    parser.add_argument(
        "--queries",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        default=[],
        help="only these saved queries (comma-separated; default all): with --reuse, a quick serving measure",
    )
    parser.add_argument(
        "--light",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        default=[],
        help="the light queries for the throughput test (default: those whose raw p50 is under 100 ms); "
        "a fixed list compares runs on a busy machine, where the raw times move",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "rdflib":
            child_rdflib(rest[0])
        else:
            child_query(rest[0], rest[1], int(rest[2]))
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in psutil.getloadavg())}")
    tables = {n: measure_size(n, args) for n in sizes}
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in psutil.getloadavg())}")
    width = max(len(k) for k in KEYS)
    print(f"\n{'key':{width}s} " + " ".join(f"{n:>12,}" for n in sizes))
    for key in KEYS:
        print(f"{key:{width}s} " + " ".join(f"{shown(tables[n][key]):>12s}" for n in sizes))
    for n in sizes:
        if tables[n].get("_timed_out"):
            print(f"at {n:,} documents {tables[n]['_timed_out']} saved queries were stopped (counted at the timeout)")
    largest = tables[max(sizes)]
    print(" ".join(f"{key}={shown(largest[key])}" for key in KEYS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
