"""How soon ``kg serve`` answers on a large store, and what its site build costs: this checkout against another.

    python bench/bench_serve_start.py STORE [--base ../wt-base] [--limit 1800] [--rounds 1] [--parallel]

Starts ``kg serve --store STORE`` (the real command, which builds the site) from this checkout's
``.venv`` and, with ``--base``, from that checkout's, one after the other (``--parallel``: at once) on
free loopback ports, and
measures from the start of the process:

* ``api_s``: the first 200 of ``/api/saved/newest-documents`` (the first answer a user gets);
* ``site_s``: the first 200 of ``/index.html`` (the site's first build done);
* ``api_ms``: the median time of that saved query while the site is being built (8 asks; "-" when the
  server did not answer before its build was done);
* ``peak_mb``: the server process's peak RSS till the site was built (sampled every 0.2 s; its query
  workers' peak beside it) and ``after_mb``, its RSS once built.

Each server is stopped (SIGTERM, then its process group is killed) after the site is built or after
``--limit`` seconds. The store is only read. Prints one row per run, the ratios of this checkout
to the base, and the load average before and after.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent.parent
SAVED = "/api/saved/newest-documents"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 120.0) -> tuple[int, float]:
    """(status, seconds) of one GET; status 0 when the server does not take the connection."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status, time.perf_counter() - started
    except (ConnectionError, OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started


class Peak(threading.Thread):
    """The peak RSS (MiB) of a process and of its children, sampled every 0.2 s until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.own = self.children = self.last = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            try:
                own = self.process.memory_info().rss / 2**20
                kids = sum(c.memory_info().rss for c in self.process.children(recursive=True)) / 2**20
            except psutil.Error:
                continue
            self.own, self.children, self.last = max(self.own, own), max(self.children, kids), own


def one_run(checkout: Path, store: Path, limit: float) -> dict[str, object]:
    port = free_port()
    kg = checkout / ".venv" / "bin" / "kg"
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(kg), "serve", "--store", str(store), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    peak = Peak(server.pid)
    peak.start()
    api_s = site_s = None
    during: list[float] = []
    try:
        while time.perf_counter() - started < limit and server.poll() is None:
            if api_s is None:
                status, _ = get(port, SAVED)
                if status == 200:
                    api_s = time.perf_counter() - started
            if api_s is not None:
                status, _ = get(port, "/index.html")
                if status == 200:
                    site_s = time.perf_counter() - started
                    break
                if len(during) < 8:
                    status, seconds = get(port, SAVED)
                    if status == 200:
                        during.append(seconds * 1000)
            time.sleep(0.25)
    finally:
        peak.done.set()
        peak.join()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return {
        "checkout": checkout.name,
        "api_s": api_s,
        "site_s": site_s,
        "api_ms": statistics.median(during) if during else None,
        "peak_mb": peak.own,
        "workers_mb": peak.children,
        "after_mb": peak.last,
    }


def shown(value: object, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--base", type=Path, help="another checkout (with its own .venv) to compare with")
    parser.add_argument("--limit", type=float, default=1800.0, help="seconds a server may take to build its site")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--parallel", action="store_true", help="run the two servers at once (same load for both; each slower)"
    )
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}", flush=True)
    checkouts = [HERE] + ([args.base.resolve()] if args.base else [])
    rows = []
    for _ in range(args.rounds):
        if args.parallel:
            with ThreadPoolExecutor(len(checkouts)) as pool:
                done = list(pool.map(lambda c: one_run(c, args.store, args.limit), checkouts))
        else:
            done = [one_run(checkout, args.store, args.limit) for checkout in checkouts]
        for row in done:
            rows.append(row)
            print("  ".join(f"{k}={shown(v)}" for k, v in row.items()) + f"  load={os.getloadavg()[0]:.2f}", flush=True)
    if args.base:
        ours = [r for r in rows if r["checkout"] == HERE.name]
        base = [r for r in rows if r["checkout"] != HERE.name]
        for key in ("api_s", "site_s", "peak_mb"):
            a = [r[key] for r in ours if r[key] is not None]
            b = [r[key] for r in base if r[key] is not None]
            if a and b:
                print(f"{key}: base/ours = {statistics.median(b) / statistics.median(a):.2f}")  # type: ignore[arg-type]
    print(f"load after: {os.getloadavg()}", file=sys.stdout)


if __name__ == "__main__":
    main()
