"""The map's network as files for graph tools: GraphML, GEXF and CSV node and edge lists.

The network is the one the map draws (:func:`kg.web.mapview.map_graph`):
documents, the entities they mention, their publishers, and the mentions,
publishers and relations between them. Every node carries its IRI, label
and type; every edge its predicate, label and evidence count (how many
quoted sentences in documents back it). Gephi, Cytoscape, yEd and networkx
read these files as they are.

* GraphML and GEXF are written by networkx, one file each.
* CSV is two files beside the name given: ``NAME-nodes.csv`` (``Id``,
  ``Label``, then the attributes) and ``NAME-edges.csv`` (``Source``,
  ``Target``, ``Type``, then the attributes), the column names Gephi's
  spreadsheet import expects.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from kg.errors import UsageError
from kg.graph.export import write_file
from kg.graph.store import Store
from kg.web.mapview import map_graph

#: format name -> file ending
NETWORK_FORMATS = {"graphml": "graphml", "gexf": "gexf", "csv": "csv"}

#: node attributes written, in column order (all as text, numbers or booleans)
NODE_FIELDS = ("iri", "label", "type", "type_label", "document", "issued", "publisher", "mentions", "degree")
#: edge attributes written, in column order
EDGE_FIELDS = ("predicate", "label", "evidence")


def _plain(value: object) -> str | int | float | bool:
    """A value every graph format can hold: None becomes empty text, lists are joined."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return " | ".join(str(v) for v in value)
    return str(value)


def network(store: Store) -> nx.MultiDiGraph:
    """The map's network with plain attributes only: node keys are IRIs, edge keys predicates."""
    drawn = map_graph(store, mention_words=0)  # its files hold no quoted sentences
    graph = nx.MultiDiGraph()
    for key, data in drawn.nodes(data=True):
        attrs = {name: _plain(data.get(name)) for name in NODE_FIELDS if name != "iri"}
        attrs["document"] = bool(data.get("document"))
        graph.add_node(key, iri=key, **attrs)
    for a, b, key, data in drawn.edges(keys=True, data=True):
        graph.add_edge(a, b, key=key, **{name: _plain(data.get(name)) for name in EDGE_FIELDS})
    return graph


def _csv_paths(path: Path) -> tuple[Path, Path]:
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    return stem.with_name(stem.name + "-nodes.csv"), stem.with_name(stem.name + "-edges.csv")


def _csv_text(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def write_network(store: Store, fmt: str, path: str | os.PathLike) -> list[Path]:
    """Write the network in ``fmt`` (a key of :data:`NETWORK_FORMATS`) at ``path``; return the files written."""
    if fmt not in NETWORK_FORMATS:
        raise UsageError(f"unknown network format '{fmt}': choose one of {', '.join(NETWORK_FORMATS)}")
    graph = network(store)
    target = Path(path)
    if fmt == "csv":
        nodes_path, edges_path = _csv_paths(target)
        nodes = [["Id", "Label", *[f for f in NODE_FIELDS if f not in ("iri", "label")]]]
        for key, data in sorted(graph.nodes(data=True)):
            nodes.append([key, data["label"], *[data[f] for f in NODE_FIELDS if f not in ("iri", "label")]])
        edges = [["Source", "Target", "Type", *EDGE_FIELDS]]
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["predicate"])):
            edges.append([a, b, "Directed", *[data[f] for f in EDGE_FIELDS]])
        write_file(nodes_path, _csv_text(nodes))
        write_file(edges_path, _csv_text(edges))
        return [nodes_path, edges_path]
    out = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, out, encoding="utf-8", prettyprint=True)
    else:
        nx.write_gexf(graph, out, encoding="utf-8", prettyprint=True)
    write_file(target, out.getvalue())
    return [target]
