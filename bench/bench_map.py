"""How fast the map is laid out in Python and drawn in a browser, at 100, 1,000 and 10,000 nodes.

Synthetic graphs shaped like ours (a fifth documents, each mentioning a few
entities, every entity mentioned at least once, a few relations between
entities; mean degree about 2.5, mixed types, publishers and dates) go
through :func:`kg.web.mapview.map_data` and :func:`kg.web.mapview.render_map` (the same page
``kg map`` writes), and headless Chromium (tests/browser.py) loads each one
a few times. "load" is the time from navigation start to the map being drawn
(``window.kgMapReady``, set by map.js after the first drawing, or after
physics has settled for graphs small enough to have physics).

    .venv/bin/python bench/bench_map.py [--sizes 100,1000,10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.web.layout import layout  # noqa: E402
from kg.web.mapview import PHYSICS_LIMIT, map_data, render_map, styles  # noqa: E402

ENTITY_TYPES = [
    "CareModel",
    "Concept",
    "NationalBody",
    "Plan",
    "Legislation",
    "Contract",
    "Trust",
    "ThinkTank",
    "PolicyProgramme",
    "OrganisationType",
    "Commissioner",
    "LocalAuthority",
]
DOCUMENT_TYPES = ["PolicyBriefing", "PolicyBriefing", "PolicyBriefing", "NewsItem", "Document"]
RELATIONS = ["partOf", "evolvesInto", "isExampleOf", "introducedBy", "requires", "publishedBy", "supersedes"]
WORDS = (
    "care integrated system provider accountable health trust fund plan board network primary acute "
    "community partnership contract budget framework review alliance model programme council"
).split()
BASE = "https://w3id.org/nhs-policy-kg/"


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    """A graph with the attributes :func:`kg.web.mapview.map_graph` gives, ``n`` nodes, mean degree about 2.5."""
    rnd = random.Random(seed)
    types = styles()["types"]
    graph = nx.MultiDiGraph()
    n_docs = max(2, n // 5)
    n_entities = n - n_docs
    publishers = [f"{BASE}id/publisher-{i}" for i in range(max(1, n_entities // 50))]

    def name(words: int) -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(words)).capitalize()

    entities = []
    for i in range(n_entities):
        iri = f"{BASE}id/entity-{i}"
        kind = "NationalBody" if i < len(publishers) else rnd.choice(ENTITY_TYPES)
        if i < len(publishers):
            iri = publishers[i]
        label = f"{name(3)} {i}"
        acronym = "".join(w[0] for w in label.split()[:3]).upper() + str(i)
        graph.add_node(
            iri,
            label=label,
            labels=[label, acronym],
            type=kind,
            type_label=types[kind]["label"],
            definition=f"A synthetic {types[kind]['label'].lower()} used to measure the map.",
            page=f"id/{iri.rsplit('/', 1)[1]}.html",
            document=False,
            mentions=0,
            degree=0,
        )
        entities.append(iri)
    docs = []
    for d in range(n_docs):
        iri = f"{BASE}doc/document-{d}"
        kind = rnd.choice(DOCUMENT_TYPES)
        year, month = rnd.randint(2010, 2024), rnd.randint(1, 12)
        publisher = rnd.choice(publishers)
        graph.add_node(
            iri,
            label=f"{name(5)} {d}",
            labels=[f"{name(5)} {d}"],
            type=kind,
            type_label=types[kind]["label"],
            definition="",
            page=f"doc/document-{d}.html",
            document=True,
            issued=f"{year}-{month:02d}",
            publisher=graph.nodes[publisher]["label"],
            mentions=0,
            degree=0,
        )
        graph.add_edge(iri, publisher, key="publisher", predicate="publisher", label="published by", evidence=0)
        docs.append(iri)
    weights = [1 / (i + 1) ** 0.9 for i in range(n_entities)]
    for entity in entities:  # every entity is mentioned somewhere; popular ones often
        doc = rnd.choice(docs)
        if not graph.has_edge(doc, entity, "mentions"):
            graph.add_edge(
                doc, entity, key="mentions", predicate="mentions", label="mentions", evidence=rnd.randint(1, 4)
            )
    for doc in docs:
        for entity in rnd.choices(entities, weights, k=2):
            if not graph.has_edge(doc, entity, "mentions"):
                graph.add_edge(
                    doc, entity, key="mentions", predicate="mentions", label="mentions", evidence=rnd.randint(1, 4)
                )
    for _ in range(n // 8):
        a, b = rnd.sample(entities, 2)
        relation = rnd.choice(RELATIONS)
        graph.add_edge(a, b, key=relation, predicate=relation, label=relation, evidence=rnd.randint(0, 3))
    for node, degree in graph.degree():
        graph.nodes[node]["degree"] = degree
        graph.nodes[node]["mentions"] = sum(1 for _, _, k in graph.edges(node, keys=True) if k == "mentions") + sum(
            1 for _, _, k in graph.in_edges(node, keys=True) if k == "mentions"
        )
    return graph


def load_times(driver, url: str, runs: int, timeout: float = 120.0) -> list[float]:
    """Milliseconds from navigation start to ``window.kgMapReady``, one per run."""
    times = []
    for _ in range(runs):
        driver.get("about:blank")
        driver.get(url)
        deadline = time.monotonic() + timeout
        ready = None
        while time.monotonic() < deadline:
            ready = driver.execute_script("return window.kgMapReady || null")
            if ready:
                break
            time.sleep(0.05)
        if not ready:
            raise RuntimeError(f"the map at {url} was not drawn within {timeout:.0f} s")
        times.append(float(ready))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="node counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="page loads per size")
    parser.add_argument("--budget", type=float, default=5000.0, help="load time (ms) a size must stay under")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    from tests.browser import start_chrome, stop_chrome

    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-map-") as folder:
        pages = []
        for size in sizes:
            graph = synthetic(size)
            started = time.perf_counter()
            if size > PHYSICS_LIMIT:
                layout(graph)
            layout_s = time.perf_counter() - started
            started = time.perf_counter()
            data = map_data(graph)
            data_s = time.perf_counter() - started
            page = Path(folder) / f"map-{size}.html"
            page.write_text(render_map(data), encoding="utf-8")
            pages.append((size, graph, layout_s, data_s, page))
            print(
                f"built {size:>6} nodes: layout {layout_s:.2f} s, map_data {data_s:.2f} s, page {page.stat().st_size / 1e6:.1f} MB",
                flush=True,
            )
        driver = start_chrome()
        try:
            for size, graph, layout_s, data_s, page in pages:
                times = load_times(driver, page.as_uri(), args.runs)
                rows.append(
                    (
                        size,
                        graph.number_of_edges(),
                        layout_s,
                        data_s,
                        page.stat().st_size / 1e6,
                        statistics.median(times),
                        min(times),
                        max(times),
                        size > PHYSICS_LIMIT,
                    )
                )
                print(f"loaded {size:>6} nodes: {', '.join(f'{t:.0f}' for t in times)} ms", flush=True)
        finally:
            stop_chrome(driver)

    print()
    print("| nodes | links | physics | layout (s) | map_data (s) | page (MB) | load p50 (ms) | min | max |")
    print("|------:|------:|:-------:|-----------:|-------------:|----------:|--------------:|----:|----:|")
    for size, links, layout_s, data_s, mb, p50, low, high, precomputed in rows:
        print(
            f"| {size:,} | {links:,} | {'off' if precomputed else 'on'} | {layout_s:.2f} | {data_s:.2f} | {mb:.1f} | {p50:.0f} | {low:.0f} | {high:.0f} |"
        )
    fits = [size for size, *_, p50, low, high, _ in rows if p50 < args.budget]
    print()
    print(
        f"largest size loading under {args.budget / 1000:g} s (p50): {max(fits):,} nodes"
        if fits
        else f"no size loads under {args.budget / 1000:g} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
