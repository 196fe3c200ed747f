"""Load on ``kg serve``: 32 clients, light requests and one heavy cross-product query in every 100.

    python bench/bench_load.py [--store DIR] [--clients 32] [--requests 2000] [--timeout 10] [--deadline 300]

Without --store, ingests data/sample into a temporary store. Starts ``kg serve`` as a separate
process on a free loopback port (so the clients do not share its interpreter), then runs two
phases over kept-alive connections, one per client, each client from its own loopback address
(as 32 users would be, so ``kg serve``'s cap on one address's queries applies to each):

1. baseline: ``--requests`` light requests alone (SELECTs over ``/sparql``, saved queries over
   ``/api/saved/NAME``, site pages, search);
2. load: the same mix with one heavy query in every 100 requests, alternately a cross-product
   ``ORDER BY`` (stopped by the worker memory bound) and a cross-product ``COUNT`` (stopped by the
   time limit, ``--timeout`` seconds).

Each phase is bounded in count and time (``--deadline`` seconds; requests not sent by then are
counted as such) and stops by itself. Prints, per phase: requests answered, errors (any light
answer other than 200, and heavy answers other than the deliberate 503s), p50/p99 of light
requests (in the load phase also of those that overlapped a heavy query), the heavy queries'
statuses, and the server's memory (its own RSS and its workers') before and after.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import Pipeline, Store  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.web.pages import page_path  # noqa: E402

HEAVY = [
    "SELECT ?a ?c ?o WHERE { ?a ?b ?c . ?d ?e ?f . ?s ?p ?o } ORDER BY ?c ?f ?o LIMIT 5",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
]
SELECTS = [
    "SELECT ?doc ?title WHERE { ?doc a kg:Document ; dcterms:title ?title } ORDER BY ?title LIMIT 50",
    "SELECT ?e ?label WHERE { ?e a skos:Concept ; skos:prefLabel ?label } LIMIT 100",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    "ASK { ?d schema:mentions ?e }",
]
SEARCHES = ["integrated care", "ACO", "five year forward view", "vanguard"]


@dataclass
class Done:
    kind: str  #: select, saved, page, search or heavy
    status: int  #: HTTP status, or 0 for a failed connection
    start: float
    end: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(process: psutil.Process) -> tuple[float, float]:
    """(server RSS, sum of its workers' RSS) in MiB."""
    own = process.memory_info().rss
    children = sum(c.memory_info().rss for c in process.children(recursive=True) if c.is_running())
    return own / 2**20, children / 2**20


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def light_requests(port: int, count: int) -> list[tuple[str, str]]:
    """The light mix: (kind, path), cycled to ``count``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/api/saved")
    saved = [q["name"] for q in json.loads(connection.getresponse().read())]
    query = "SELECT ?e WHERE { ?e a skos:Concept } LIMIT 40"
    connection.request("GET", "/sparql?" + urlencode({"query": query}))
    bindings = json.loads(connection.getresponse().read())["results"]["bindings"]
    pages = [p for p in (page_path(b["e"]["value"]) for b in bindings) if p] + ["index.html"]
    connection.close()
    mix: list[tuple[str, str]] = []
    for i in range(count):
        slot = i % 10
        if slot < 4:
            mix.append(("select", "/sparql?" + urlencode({"query": SELECTS[i % len(SELECTS)]})))
        elif slot < 7:
            mix.append(("saved", f"/api/saved/{quote(saved[i % len(saved)])}"))
        elif slot < 9:
            mix.append(("page", "/" + pages[i % len(pages)]))
        else:
            mix.append(("search", "/api/search?" + urlencode({"q": SEARCHES[i % len(SEARCHES)]})))
    return mix


def client_address(index: int) -> str:
    """Client ``index``'s own loopback address (127.0.1.x ...): the server's per-client cap sees 32 clients, not one."""
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def run_phase(port: int, plan: list[tuple[str, str]], clients: int, deadline: float) -> tuple[list[Done], int]:
    """Send ``plan`` from ``clients`` threads; returns what was answered and how many were never sent."""
    jobs: queue.Queue[tuple[str, str]] = queue.Queue()
    for item in plan:
        jobs.put(item)
    done: list[Done] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline

    def connect(source: str) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=90, source_address=(source, 0))

    def client(source: str) -> None:
        connection = connect(source)
        while time.monotonic() < stop_at:
            try:
                kind, path = jobs.get_nowait()
            except queue.Empty:
                break
            start = time.monotonic()
            try:
                connection.request("GET", path, headers={"Accept": "application/sparql-results+json, */*"})
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = connect(source)
            with lock:
                done.append(Done(kind, status, start, time.monotonic()))
        connection.close()

    threads = [threading.Thread(target=client, args=(client_address(i),)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, jobs.qsize()


def report(name: str, done: list[Done], unsent: int, elapsed: float) -> int:
    light = [d for d in done if d.kind != "heavy"]
    heavy = [d for d in done if d.kind == "heavy"]
    light_errors = [d for d in light if d.status != 200]
    heavy_errors = [d for d in heavy if d.status not in (503,)]
    during = [d for d in light if any(h.start < d.end and d.start < h.end for h in heavy)]
    ms = [1000 * (d.end - d.start) for d in light]
    ms_during = [1000 * (d.end - d.start) for d in during]
    print(f"\n{name}: {len(done)} answered in {elapsed:.1f} s ({len(done) / elapsed:.0f}/s), {unsent} not sent")
    print(
        f"  light: {len(light)}, errors {len(light_errors)} {dict(collections.Counter(d.status for d in light_errors))}"
    )
    print(f"  light p50 {percentile(ms, 50):.0f} ms, p99 {percentile(ms, 99):.0f} ms, max {max(ms, default=0):.0f} ms")
    by_kind = collections.defaultdict(list)
    for d in light:
        by_kind[d.kind].append(1000 * (d.end - d.start))
    print(
        "  by kind: "
        + ", ".join(
            f"{k} p50 {percentile(v, 50):.0f} / p99 {percentile(v, 99):.0f} ms" for k, v in sorted(by_kind.items())
        )
    )
    if heavy:
        print(
            f"  while a heavy query ran: {len(during)} light, p50 {percentile(ms_during, 50):.0f} ms, p99 {percentile(ms_during, 99):.0f} ms"
        )
        statuses = collections.Counter(d.status for d in heavy)
        print(
            f"  heavy: {len(heavy)}, statuses {dict(statuses)} (503 is the deliberate stop), other {len(heavy_errors)}"
        )
    return len(light_errors) + len(heavy_errors) + unsent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="an existing store (default: data/sample ingested into a temporary one)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's query time limit, seconds")
    ap.add_argument("--deadline", type=float, default=300.0, help="seconds each phase may take at most")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        location = args.store
        if location is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-load-"))
            location = os.path.join(folder, "store")
            with Store(location) as store:
                ingest([ROOT / "data" / "sample"], store, Pipeline())
        port = free_port()
        command = [sys.executable, "-m", "kg", "serve", "--store", location, "--port", str(port)]
        command += ["--timeout", str(args.timeout), "--workers", str(args.workers)]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stack.callback(server.wait, 10)
        stack.callback(server.terminate)
        process = psutil.Process(server.pid)
        started = time.monotonic()
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if server.poll() is not None or time.monotonic() - started > 120:
                print("the server did not start:", server.stderr.read() if server.stderr else "")
                return 2
            time.sleep(0.2)
        print(f"kg serve on port {port}: {args.workers} workers, time limit {args.timeout:g} s; {args.clients} clients")
        light = light_requests(port, args.requests)
        run_phase(port, light[: 2 * args.clients], args.clients, args.deadline)  # warm up: site, workers
        before = memory(process)
        print(f"memory before: server {before[0]:.0f} MiB, workers {before[1]:.0f} MiB")
        start = time.monotonic()
        done, unsent = run_phase(port, light, args.clients, args.deadline)
        problems = report("baseline (light only)", done, unsent, time.monotonic() - start)
        mixed = []
        for i, item in enumerate(light):
            mixed.append(("heavy", "/sparql?" + urlencode({"query": HEAVY[(i // 100) % 2]})) if i % 100 == 50 else item)
        start = time.monotonic()
        done, unsent = run_phase(port, mixed, args.clients, args.deadline)
        problems += report("load (one heavy query in 100)", done, unsent, time.monotonic() - start)
        time.sleep(1)
        after = memory(process)
        print(f"\nmemory after: server {after[0]:.0f} MiB, workers {after[1]:.0f} MiB")
        print(f"errors in all (besides deliberate time-outs and memory stops): {problems}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
