"""How a query worker ends at its heap cap, many times over on a busy machine: always a quick 503, never a hang.

    python bench/stress_memory_cap.py [--runs 40] [--load 2] [--memory-mb 256] [--wait 30]

Each run starts ``kg serve``'s app (one worker, its heap capped at ``--memory-mb``) on loopback and asks
it for an answer far larger than the cap (40,000 rows of 8 kB), while ``--load`` processes keep the
processors busy. The worker must stop at the cap and the server answer 503 in about a second; a run
with no answer within ``--wait`` seconds is a hang. Rust's panic backtraces are asked for
(``RUST_BACKTRACE=1``, as some machines set it): with them on in the worker, runs hung until the time
limit (the worker's deadlock described in docs/security.md): 10 of 30 here with ``--load 2`` beside a
full test run, against 0 of 30 with the worker turning them off (thirteenth round). Prints each run's status and seconds, then the count of 503s, other answers and hangs and
the median and longest time to answer.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPIN = "while True: pass"


def oversized_query(rows_per_side: int = 200, width: int = 8000) -> str:
    values = " ".join(str(i) for i in range(rows_per_side))
    return (
        f"SELECT ?a ?b ?s WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        f'BIND(CONCAT(STR(?a), "{"x" * width}", STR(?b)) AS ?s) }}'
    )


def ask(url: str, query: str, wait: float) -> tuple[str, float]:
    """The status (or "hang") and the seconds it took."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=wait)
    started = time.monotonic()
    try:
        connection.request("GET", "/sparql?" + urlencode({"query": query, "format": "json"}))
        response = connection.getresponse()
        response.read()
        return str(response.status), time.monotonic() - started
    except TimeoutError:
        return "hang", time.monotonic() - started
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--load", type=int, default=2, help="busy processes beside the server")
    parser.add_argument("--memory-mb", type=int, default=256)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds without an answer that make a hang")
    parser.add_argument("--store", help="an existing store (default: the sample corpus, ingested here)")
    args = parser.parse_args()

    os.environ["RUST_BACKTRACE"] = "1"  # inherited by the workers: the case that deadlocked
    from kg import Pipeline, Store
    from kg.ingest import ingest
    from kg.web.server import create_app, running

    scratch = tempfile.TemporaryDirectory(prefix="kg-stress-")  # the sample's store, when none is given
    location = args.store
    if location is None:
        location = str(Path(scratch.name) / "store")
        with Store(location) as store:
            ingest([str(ROOT / "data" / "sample")], store, Pipeline())
    query = oversized_query()
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.load)]
    results: list[tuple[str, float]] = []
    try:
        for run in range(args.runs):
            app = create_app(
                location, workers=1, max_rows=100_000, memory_mb=args.memory_mb, query_timeout=10 * args.wait
            )
            with running(app) as url:
                status, seconds = ask(url, query, args.wait)
            results.append((status, seconds))
            print(f"run {run + 1:3d}  {status:>4}  {seconds:6.2f} s", flush=True)
    finally:
        for spinner in spinners:
            spinner.kill()
        scratch.cleanup()
    answered = [s for status, s in results if status != "hang"]
    refused = sum(1 for status, _ in results if status == "503")
    hangs = sum(1 for status, _ in results if status == "hang")
    print(
        f"runs={len(results)} status_503={refused} other={len(results) - refused - hangs} hangs={hangs} "
        f"p50_s={statistics.median(answered) if answered else float('nan'):.2f} "
        f"max_s={max(answered) if answered else float('nan'):.2f}"
    )


if __name__ == "__main__":
    main()
