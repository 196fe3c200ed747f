"""How fast the map is laid out in Python and drawn in a browser: by nodes, and by documents of a library.

``--sizes`` (nodes; default 100,1000,10000): graphs drawn whole, as ``kg map`` draws a graph of up to
``FULL_LIMIT`` nodes (above that it opens on an overview, so the bigger sizes measure the overview).
``--documents`` (default 10000,100000): library-shaped graphs (a vocabulary of entities, each
document mentioning a dozen of them, relations between entities, publishers), written as
``kg map`` writes them (an overview page and the files it loads on demand) and loaded beside the
sample corpus's map, built in the same run: "first view" is navigation start to ``kgMapReady``;
"ego view" is the same for ``#node=<a mid-ranked entity>&hops=1``, which loads files on demand.

Synthetic graphs shaped like ours (a fifth documents, each mentioning a few
entities, every entity mentioned at least once, a few relations between
entities; mean degree about 2.5, mixed types, publishers and dates) go
through :func:`kg.web.mapview.map_data` and :func:`kg.web.mapview.render_map` (the same page
``kg map`` writes), and headless Chromium (tests/browser.py) loads each one
a few times. "load" is the time from navigation start to the map being drawn
(``window.kgMapReady``, set by map.js after the first drawing, or after
physics has settled for graphs small enough to have physics).

    .venv/bin/python bench/bench_map.py [--sizes 100,1000,10000] [--documents 10000,100000] [--runs 3]
    .venv/bin/python bench/bench_map.py --sizes '' --documents '' --page map.html   # a real store's map
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path
from urllib.parse import quote

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.web.layout import layout  # noqa: E402
from kg.web.mapfiles import FULL_LIMIT, bundle  # noqa: E402
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


def library(documents: int, *, entities: int = 2000, mentions: int = 12, seed: int = 1) -> nx.MultiDiGraph:
    """A graph shaped like a library's: ``documents`` documents, each mentioning ``mentions`` of ``entities``.

    Popular entities are mentioned far more often than rare ones (a Zipf-like choice); documents
    have publishers among the first entities; about six relations per document, found between
    entities, are merged into one edge per (subject, predicate, object) with the count as evidence.
    """
    rnd = random.Random(seed)
    types = styles()["types"]
    graph = nx.MultiDiGraph()
    names = [f"{' '.join(rnd.choice(WORDS) for _ in range(3)).capitalize()} {i}" for i in range(entities)]
    iris = [f"{BASE}id/entity-{i}" for i in range(entities)]
    publishers = iris[:40]
    for i, (iri, label) in enumerate(zip(iris, names, strict=True)):
        kind = "NationalBody" if i < 40 else ENTITY_TYPES[i % len(ENTITY_TYPES)]
        graph.add_node(
            iri,
            label=label,
            labels=[label],
            type=kind,
            type_label=types[kind]["label"],
            definition="",
            page=f"id/entity-{i}.html",
            document=False,
            mentions=0,
            degree=0,
        )
    weights = [1 / (i + 1) ** 0.9 for i in range(entities)]
    cumulative = list(accumulate(weights))
    relations: dict[tuple[int, str, int], int] = {}
    for d in range(documents):
        iri = f"{BASE}doc/document-{d}"
        kind = DOCUMENT_TYPES[d % len(DOCUMENT_TYPES)]
        publisher = publishers[d % len(publishers)]
        graph.add_node(
            iri,
            label=f"{' '.join(rnd.choice(WORDS) for _ in range(5)).capitalize()} {d}",
            type=kind,
            type_label=types[kind]["label"],
            definition="",
            page=f"doc/document-{d}.html",
            document=True,
            issued=f"{2010 + d % 15}-{1 + d % 12:02d}",
            publisher=graph.nodes[publisher]["label"],
            mentions=mentions,
            degree=0,
        )
        graph.add_edge(iri, publisher, key="publisher", predicate="publisher", evidence=0)
        chosen = {e for e in rnd.choices(range(entities), cum_weights=cumulative, k=mentions)}
        for e in chosen:
            graph.add_edge(iri, iris[e], key="mentions", predicate="mentions", evidence=1)
        picked = sorted(chosen)
        for _ in range(6 if len(picked) > 1 else 0):
            a, b = rnd.sample(picked, 2)
            key = (a, RELATIONS[(a + b) % len(RELATIONS)], b)
            relations[key] = relations.get(key, 0) + 1
    for (a, relation, b), count in relations.items():
        graph.add_edge(iris[a], iris[b], key=relation, predicate=relation, evidence=count)
    for node, degree in graph.degree():
        graph.nodes[node]["degree"] = degree
    return graph


def write_library_map(graph: nx.MultiDiGraph, folder: Path, name: str) -> tuple[Path, float, int]:
    """The page and its files as ``kg map`` writes them: (page, seconds to build and write, bytes written)."""
    started = time.perf_counter()
    files_dir = folder / f"{name}-files"
    data, files = bundle(graph, physics_limit=PHYSICS_LIMIT, base=files_dir.name + "/")
    page = folder / f"{name}.html"
    if not data["complete"]:
        files_dir.mkdir(exist_ok=True)
        for file_name, text in files.items():
            (files_dir / file_name).write_text(text, encoding="utf-8")
    page.write_text(render_map(data, files=files if data["complete"] else None), encoding="utf-8")
    seconds = time.perf_counter() - started
    size = (
        page.stat().st_size + sum(p.stat().st_size for p in files_dir.glob("*"))
        if files_dir.is_dir()
        else page.stat().st_size
    )
    return page, seconds, size


def sample_graph(folder: Path) -> nx.MultiDiGraph:
    """The map of the sample corpus (data/sample), ingested into a store in ``folder``."""
    from kg import Store
    from kg.ingest import ingest
    from kg.web.mapview import map_graph

    with Store(folder / "sample-store") as store:
        ingest([ROOT / "data" / "sample"], store)
        return map_graph(store)


def wait_ready(driver, url: str, timeout: float = 120.0) -> float:
    """Milliseconds from navigation start to ``window.kgMapReady`` of the page at ``url``, loaded afresh."""
    driver.get("about:blank")
    driver.get(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = driver.execute_script("return window.kgMapReady || null")
        if ready:
            return float(ready)
        time.sleep(0.05)
    raise RuntimeError(f"the map at {url} was not drawn within {timeout:.0f} s")


def load_times(driver, url: str, runs: int) -> list[float]:
    """:func:`wait_ready` ``runs`` times: one figure a load."""
    return [wait_ready(driver, url) for _ in range(runs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="node counts, comma-separated (none: '')")
    parser.add_argument("--documents", default="10000,100000", help="library sizes in documents (none: '')")
    parser.add_argument("--runs", type=int, default=3, help="page loads per size")
    parser.add_argument("--budget", type=float, default=5000.0, help="load time (ms) a size must stay under")
    parser.add_argument(
        "--page",
        type=Path,
        action="append",
        default=[],
        help="a map page written by `kg map` (e.g. of a real store), its first view measured too; repeatable",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    libraries = [int(s) for s in args.documents.split(",") if s.strip()]

    from tests.browser import start_chrome, stop_chrome

    rows = []
    library_rows = []
    page_rows: list[tuple[str, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-map-") as folder:
        pages = []
        for size in sizes:
            graph = synthetic(size)
            started = time.perf_counter()
            if PHYSICS_LIMIT < size <= FULL_LIMIT:
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
        built = []
        if libraries:
            graph = sample_graph(Path(folder))
            built.append(("sample", graph, *write_library_map(graph, Path(folder), "sample")))
            for documents in libraries:
                started = time.perf_counter()
                graph = library(documents)
                made = time.perf_counter() - started
                built.append(
                    (f"{documents:,} documents", graph, *write_library_map(graph, Path(folder), f"lib-{documents}"))
                )
                print(
                    f"built {documents:,} documents (graph {made:.1f} s): {built[-1][3]:.1f} s, {built[-1][4] / 1e6:.1f} MB",
                    flush=True,
                )
        driver = start_chrome(width=1400, height=1000)
        try:
            for page in args.page:
                first = load_times(driver, page.resolve().as_uri(), args.runs)
                shown = driver.execute_script("return kgMap.shownCount().nodes")
                page_rows.append((str(page), statistics.median(first), shown))
                print(f"loaded {page}: first view {', '.join(f'{t:.0f}' for t in first)} ms", flush=True)
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
            for name, graph, page, write_s, size_b in built:
                ranked = sorted(
                    (n for n, d in graph.nodes(data=True) if not d.get("document")), key=lambda n: -graph.degree(n)
                )
                # on an overview, one outside it (its files are loaded on demand); else the most connected
                ego = ranked[min(len(ranked) - 1, 300)] if graph.number_of_nodes() > FULL_LIMIT else ranked[0]
                first = load_times(driver, page.as_uri(), args.runs)
                url = page.as_uri() + "#node=" + quote(ego, safe="") + "&hops=1"
                egos = load_times(driver, url, args.runs)
                shown = driver.execute_script("return kgMap.shownCount().nodes")
                library_rows.append(
                    (
                        name,
                        graph.number_of_nodes(),
                        graph.number_of_edges(),
                        write_s,
                        size_b / 1e6,
                        statistics.median(first),
                        statistics.median(egos),
                        shown,
                    )
                )
                print(
                    f"loaded {name}: first view {', '.join(f'{t:.0f}' for t in first)} ms; ego view {', '.join(f'{t:.0f}' for t in egos)} ms",
                    flush=True,
                )
        finally:
            stop_chrome(driver)

    print()
    if rows:
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
    if library_rows:
        print()
        print(
            "| map | nodes | links | kg map write (s) | output (MB) | first view p50 (ms) | ego view p50 (ms) | ego nodes |"
        )
        print(
            "|-----|------:|------:|-----------------:|------------:|--------------------:|------------------:|----------:|"
        )
        for name, n, m, write_s, mb, first, ego, shown in library_rows:
            print(f"| {name} | {n:,} | {m:,} | {write_s:.1f} | {mb:.1f} | {first:.0f} | {ego:.0f} | {shown} |")
        base = library_rows[0][5]
        for name, *_, first, _ego, _shown in library_rows[1:]:
            verdict = "under" if first < args.budget else "OVER"
            print(f"{name}: first view {first / base:.2f}× the sample's, {verdict} {args.budget / 1000:g} s")
    if page_rows:
        print()
        print("| page written by kg map | first view p50 (ms) | nodes drawn |")
        print("|------------------------|--------------------:|------------:|")
        for name, first, shown in page_rows:
            print(f"| {name} | {first:.0f} | {shown} |")
            print(f"{name}: first view {'under' if first < args.budget else 'OVER'} {args.budget / 1000:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
