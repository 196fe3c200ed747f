"""Serving only: light saved-query throughput of ``kg serve`` against ``oxigraph serve-read-only``, A/B.

    python bench/bench_serve.py STORE --light reviewed-claims,lineage [--base /work/wt-x-base/.venv/bin/python]
        [--rounds 2] [--seconds 10] [--profile-seconds 0]

The serving part of :mod:`bench.bench_scale` (its ``serve_figures`` pieces) on a store built
beforehand, so the part a change to the server touches can be measured again and again: each round
runs ``kg serve`` with this checkout's Python (with its answer cache and without, ``no-cache``) and, with ``--base``, with another checkout's (``before``, ``before-no-cache``: main's
code for a before/after), interleaved, then Oxigraph's server on a copy of the store, each with 8
and 32 keep-alive clients. Every figure is printed with the load average beside it; compare
ratios within one run, not figures across runs on a shared machine.

``--profile-seconds N``: while this checkout's server (``--profile-base``: the ``--base`` one) answers
8 clients, py-spy (``--py-spy PATH``) records it and its workers for N seconds into
``--workdir``/profile.speedscope.json; the server runs without kept answers unless
``--profile-options`` says otherwise (``--profile-options ""``: as it runs by default).

``--side NAME=OPTIONS`` adds a server of this checkout with more keywords of ``serve`` (``--side
"w4=answer_cache_mb=0, workers=4"``); ``--no-cache-only`` leaves out the servers that keep answers.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_scale import (  # noqa: E402
    kg_serve_throughput,
    oxigraph_throughput,
    saved_queries,
    start_kg_serve,
    stop_server,
    throughput,
)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in psutil.getloadavg())


def own_cpu(pid: int) -> float:
    """Processor seconds of one process alone (the server's event loop and its threads, not its workers)."""
    try:
        used = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return used.user + used.system


def answered(figures: dict[int, tuple[float, float]], seconds: float) -> float:
    """About how many answers a run of :func:`kg_serve_throughput` got (its rates times their seconds)."""
    return sum(rate * seconds for rate, _ in figures.values())


def profile(store: Path, light: list[str], args: argparse.Namespace) -> None:
    python = args.base if args.profile_base else sys.executable
    server, port = start_kg_serve(store, args.query_timeout, python, args.profile_options)
    out = args.workdir / ("profile.speedscope.json" if args.profile_format == "speedscope" else "profile.txt")
    try:
        spy = subprocess.Popen(
            [
                args.py_spy,
                "record",
                "--pid",
                str(server.pid),
                "--subprocesses",
                "--format",
                args.profile_format,
                "--duration",
                str(int(args.profile_seconds)),
                "--output",
                str(out),
                "--rate",
                "200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        load_thread = threading.Thread(
            target=throughput, args=(port, [f"/api/saved/{n}" for n in light], 8, args.profile_seconds + 2)
        )
        load_thread.start()
        spy.wait()
        load_thread.join()
    finally:
        stop_server(server)
    print(f"profile: {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--light", type=lambda t: [n.strip() for n in t.split(",") if n.strip()], required=True)
    parser.add_argument("--base", help="the Python of another checkout's venv: its kg serve is measured too")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--query-timeout", type=float, default=30.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / "out" / "bench-serve")
    parser.add_argument("--profile-seconds", type=float, default=0.0)
    parser.add_argument("--py-spy", default="/tmp/pyspy/bin/py-spy")
    parser.add_argument(
        "--profile-options", default="answer_cache_mb=0", help="keywords of serve for the profiled server"
    )
    parser.add_argument("--profile-format", default="speedscope", help="py-spy's: speedscope, or raw (folded stacks)")
    parser.add_argument("--profile-base", action="store_true", help="profile --base's server instead of this one")
    parser.add_argument(
        "--side",
        action="append",
        default=[],
        metavar="NAME=OPTIONS",
        help="one more server of this checkout, with these keywords of serve (repeatable): 'w4=answer_cache_mb=0, workers=4'",
    )
    parser.add_argument("--no-cache-only", action="store_true", help="leave out the servers with kept answers")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.runs, args.queries = 1, args.light
    found = saved_queries(args.store, args)  # the SPARQL with its bindings written in, for Oxigraph
    if args.profile_seconds:
        profile(args.store, args.light, args)
        return 0
    sides = [("after", sys.executable, ""), ("no-cache", sys.executable, "answer_cache_mb=0")]
    sides += [("before", args.base, ""), ("before-no-cache", args.base, "answer_cache_mb=0")] if args.base else []
    sides += [(name, sys.executable, options) for name, _, options in (s.partition("=") for s in args.side)]
    if args.no_cache_only:
        sides = [side for side in sides if "answer_cache_mb=0" in side[2]]
    results: dict[str, list[dict[int, tuple[float, float]]]] = {
        name: [] for name, _, _ in sides + [("oxigraph", "", "")]
    }
    for round_ in range(args.rounds):
        for name, python, options in sides if round_ % 2 == 0 else sides[::-1]:
            server, port = start_kg_serve(args.store, args.query_timeout, python, options)
            try:
                loop_before = own_cpu(server.pid)
                figures = kg_serve_throughput(server, port, args.light, args.seconds)
                loop_ms = (own_cpu(server.pid) - loop_before) * 1000 / max(1.0, answered(figures, args.seconds))
            finally:
                stop_server(server)
            results[name].append(figures)
            shown = ", ".join(f"{c} clients {r:.0f}/s ({ms:.2f} ms cpu/answer)" for c, (r, ms) in figures.items())
            print(
                f"round {round_ + 1} {name:15s} {shown}, of which the server's own process {loop_ms:.2f} ms"
                f"  load {load()}",
                flush=True,
            )
        figures = oxigraph_throughput(args.store, args.workdir, [found[n]["sparql"] for n in args.light], args.seconds)
        results["oxigraph"].append(figures)
        shown = ", ".join(f"{c} clients {r:.0f}/s ({ms:.2f} ms cpu/answer)" for c, (r, ms) in figures.items())
        print(f"round {round_ + 1} {'oxigraph':15s} {shown}  load {load()}", flush=True)
    print(f"\nlight queries: {', '.join(args.light)}; load average {load()}")
    for name in results:
        if name == "oxigraph":
            continue
        ratios = [
            min(ours[c][0] / max(1e-9, theirs[c][0]) for c in (8, 32))
            for ours, theirs in zip(results[name], results["oxigraph"], strict=True)
        ]
        print(f"server_vs_oxigraph {name}: " + ", ".join(f"{r:.3f}" for r in ratios) + " (one per round)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
