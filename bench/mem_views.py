"""Where the memory of ``kg map`` goes: resident memory after each stage, on a store opened read-only.

    .venv/bin/python bench/mem_views.py STORE [--site] [--code DIR] [--trace] [--out DIR]

Stages: reading the read model (``kg.web.reading.gather``, as ``kg map`` reads it: ``map_graph``'s
``mention_words``; with ``--site`` every mention quoted, as ``kg site`` reads it), the map's graph
(``graph_of``), its browser data and files (``bundle``), the page and its files written. Prints the process's
resident memory (RSS) after each and its peak (``ru_maxrss``), with wall time; ``--trace`` adds tracemalloc's
count of Python's own heap (slower: about 2×) and its ten biggest allocation sites after reading.

``--code DIR`` runs another checkout's ``kg`` (e.g. a worktree of main, for a baseline in the same run); a
checkout whose ``gather`` has no ``mention_words`` reads everything either way. Run each measure in its own
process (peak RSS is the process's), and ``uptime`` beside it: the machine is shared.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("--site", action="store_true", help="read every mention's quote, as kg site does")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose kg to run (default: this one)")
    parser.add_argument("--trace", action="store_true", help="count Python's heap with tracemalloc too")
    parser.add_argument("--out", help="write the map here (default: a temporary folder)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    import inspect

    import kg
    from kg.graph.store import Store
    from kg.web import mapview
    from kg.web.mapfiles import FULL_LIMIT, bundle
    from kg.web.reading import gather

    print(f"code {Path(kg.__file__).resolve().parent.parent}")
    options = {}
    if "mention_words" in inspect.signature(gather).parameters and not args.site:
        options["mention_words"] = FULL_LIMIT
    me = psutil.Process()
    started = time.perf_counter()
    if args.trace:
        tracemalloc.start(1)

    def report(stage: str) -> None:
        rss = me.memory_info().rss / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        heap = ""
        if args.trace:
            now, top = tracemalloc.get_traced_memory()
            heap = f" heap {now / 2**20:,.0f} MB (peak {top / 2**20:,.0f})"
        print(f"{stage:<10} {time.perf_counter() - started:8.1f} s  rss {rss:7,.0f} MB  peak {peak:7,.0f} MB{heap}")
        sys.stdout.flush()

    store = Store(args.store, read_only=True)
    report("open")
    model = gather(store, **options)
    report("read")
    print(f"{len(model.documents)} documents, {len(model.entities)} entities")
    graph = mapview.graph_of(model)
    del model
    report("graph")
    if args.trace:
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:10]:
            print("   ", stat)
    out = Path(args.out or tempfile.mkdtemp(prefix="kg-mem-")) / "map.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    data, files = bundle(graph, physics_limit=mapview.PHYSICS_LIMIT, base="map-files/")
    report("bundle")
    del graph
    if not data["complete"]:
        (out.parent / "map-files").mkdir(exist_ok=True)
        for name, text in files.items():
            (out.parent / "map-files" / name).write_text(text, encoding="utf-8")
    out.write_text(mapview.render_map(data, files=files if data["complete"] else None), encoding="utf-8")
    report("written")
    print(f"{len(data['nodes'])} nodes shown of {data['total']['nodes']}, {data['total']['edges']} links, {out}")


if __name__ == "__main__":
    main()
