"""Stage 6d, view: an interactive relationship map as one self-contained HTML file.

The map is drawn by pyvis (vis-network). pyvis links Bootstrap and a local
``node_modules`` copy from other places even in its inline mode; those
links are removed and vis-network's script and style are inlined, so the
file opens offline in any browser and asks no other host for anything.
Styling per type lives in ``viz/styles.json``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import networkx as nx
from pyvis.network import Network

from .query import display, run_query
from .store import Store
from .vocabulary import PROJECT_ROOT

RELATIONS = ("evolvesInto", "isExampleOf", "supersedes", "publishedBy", "partOf", "introducedBy", "requires")

_NODES = """
SELECT ?node ?label ?type ?definition WHERE {
  { ?node a kg:Document ; dcterms:title ?label . BIND(kg:Document AS ?type) }
  UNION
  { ?doc schema:mentions ?node . ?node skos:prefLabel ?label .
    OPTIONAL { ?node a ?type . FILTER(STRSTARTS(STR(?type), STR(kg:)) && ?type != kg:PolicyEntity) }
    OPTIONAL { ?node skos:definition ?definition } }
}"""
_EDGES = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { ?s schema:mentions ?o . BIND(schema:mentions AS ?p) }
  UNION { ?s dcterms:publisher ?o . BIND(dcterms:publisher AS ?p) }
  UNION { ?s ?p ?o . VALUES ?p { %s } }
}""" % " ".join(f"kg:{r}" for r in RELATIONS)


def styles() -> dict:
    return json.loads((PROJECT_ROOT / "viz" / "styles.json").read_text(encoding="utf-8"))


def map_graph(store: Store) -> nx.MultiDiGraph:
    """Documents, the entities they mention, and the relations between them."""
    graph = nx.MultiDiGraph()
    types = styles()["types"]
    for row in run_query(store, _NODES).rows:
        node, label, kind, definition = row
        key = display(node, store.base)
        kind_name = kind.value.rsplit("#", 1)[-1] if kind is not None else "Concept"
        current = graph.nodes.get(key)
        # keep the most specific type that has a style of its own
        if current and types.get(current["type"], {}).get("rank", 0) >= types.get(kind_name, {}).get("rank", 0):
            continue
        graph.add_node(key, label=label.value, type=kind_name, definition=definition.value if definition is not None else "")
    for s, p, o in run_query(store, _EDGES).rows:
        a, b = display(s, store.base), display(o, store.base)
        if a in graph and b in graph and a != b:
            graph.add_edge(a, b, key=display(p, store.base), predicate=display(p, store.base).split(":")[-1])
    return graph


def render(graph: nx.MultiDiGraph, title: str = "English health-policy knowledge graph") -> str:
    """The map as HTML text with no reference to any other host."""
    style = styles()
    net = Network(height="88vh", width="100%", directed=True, cdn_resources="in_line", heading="")
    net.set_options(json.dumps(style["options"]))
    for key, data in graph.nodes(data=True):
        look = style["types"].get(data["type"], style["types"]["Concept"])
        tooltip = f"{data['label']}\n{look['label']}" + (f"\n{data['definition']}" if data.get("definition") else "")
        net.add_node(key, label=data["label"], title=tooltip, color=look["color"], shape=look["shape"])
    for a, b, data in graph.edges(data=True):
        predicate = data["predicate"]
        edge = style["edges"].get(predicate, style["edges"]["default"])
        net.add_edge(a, b, label=edge["label"], title=edge["label"], color=edge["color"], dashes=edge.get("dashes", False), arrows="to")
    page = net.generate_html()
    page = _offline(page)
    legend = "".join(
        f'<li><span class="swatch" style="background:{html.escape(t["color"])}"></span>{html.escape(t["label"])}</li>'
        for name, t in style["types"].items()
        if any(d["type"] == name for _, d in graph.nodes(data=True))
    )
    header = (
        f'<header class="kg-header"><h1>{html.escape(title)}</h1>'
        f'<p id="kg-counts">{graph.number_of_nodes()} nodes, {graph.number_of_edges()} links</p>'
        f'<ul class="kg-legend" aria-label="Legend">{legend}</ul></header>'
    )
    page = page.replace("<body>", f"<body>\n<style>{style['css']}</style>\n{header}", 1)
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return page


def _offline(page: str) -> str:
    """Drop every link to another host or to node_modules; the inlined vis-network stays."""
    page = re.sub(r'<link[^>]+href="(?:https?:)?//[^"]*"[^>]*>\s*', "", page)
    page = re.sub(r'<link[^>]+href="\.\./node_modules/[^"]*"[^>]*>\s*', "", page)
    page = re.sub(r'<script[^>]+src="(?:(?:https?:)?//|\.\./node_modules/)[^"]*"[^>]*>\s*</script>\s*', "", page)
    page = re.sub(r"\s(?:integrity|crossorigin)=\"[^\"]*\"", "", page)
    return page


def write_map(store: Store, out: str | Path) -> nx.MultiDiGraph:
    """Write the map of the whole store to ``out``; return the graph that was drawn."""
    graph = map_graph(store)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(graph), encoding="utf-8")
    return graph

