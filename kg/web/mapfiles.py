"""The map's data as the browser reads it: ``map-data.js`` and the files it loads on demand.

:func:`bundle` turns the map's graph (:func:`kg.web.mapview.graph_of`) into

* ``data``, the first view (``window.KG_MAP`` in ``map-data.js``): every node
  and link of a graph up to ``full_limit`` nodes; above that, an *overview*:
  the ``overview`` most connected nodes and the links between them, the legend
  and filters of the whole graph, and where the rest is;
* ``files``, scripts the page adds when it needs them (they work from
  ``file://``, where a page may not fetch JSON), each a call
  ``(window.KG_MAP_FILES ||= []).push([kind, number, payload])``:

  - ``evidence-K.js``: the quoted sentences behind the links that leave nodes
    ``K*CHUNK`` to ``(K+1)*CHUNK - 1`` (by index), at most ``QUOTES`` a link;
  - for an overview only: ``nodes-K.js`` (the records of nodes ``K*NODE_CHUNK``
    on), ``links-K.js`` (each one's neighbours, the ``LINKS`` most connected first,
    and how many it has in all) and ``ids-H.js`` (IRI → index, bucketed by a
    hash of the IRI that map.js computes alike), so that expanding a node, an
    ego view (``#node=…``) or the search reach any node without loading them all.

Node indices are global: in an overview, the overview's nodes come first (most
connected first) and the rest follow in the graph's order. An overview leaves
out the sentences behind "mentions" links (a document's page has them) so the
files stay near linear in the number of documents at a small constant.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Hashable

import networkx as nx

from kg.graph import predicates
from kg.ingest.dates import year_of

FULL_LIMIT = 3000  #: graphs with more nodes open on an overview
OVERVIEW = 200  #: nodes in an overview
CHUNK = 500  #: nodes per links- and evidence- file
NODE_CHUNK = 100  #: nodes per nodes- file (small: a node's neighbours are spread over many)
BUCKET = 2000  #: IRIs per ids- file, on average
LINKS = 150  #: neighbours listed per node in links- files
QUOTES = 3  #: quoted sentences per link in evidence- files
CONTEXT = 90  #: characters of text kept before and after a quote


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: the ids- bucket of an IRI (map.js computes the same).

    >>> fnv1a("a"), fnv1a("https://w3id.org/nhs-policy-kg/id/nhs-england") % 7
    (3826002220, 6)
    """
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def file_script(kind: str, number: int, payload: object) -> str:
    from kg.web.mapview import script_json

    return (
        f"(window.KG_MAP_FILES=window.KG_MAP_FILES||[]).push([{json.dumps(kind)},{number},{script_json(payload)}]);\n"
    )


def _node_record(key: Hashable, d: dict, types: dict, graph: nx.MultiDiGraph) -> dict[str, object]:
    kind = d.get("type") if d.get("type") in types else "Concept"
    label = str(d.get("label") or key)
    names = [str(n) for n in (d.get("labels") or [label])]
    if label not in names:
        names.insert(0, label)
    node: dict[str, object] = {"id": str(key), "label": label, "type": kind}
    if names != [label]:
        node["labels"] = names
    if d.get("definition"):
        node["definition"] = str(d["definition"])
    if d.get("page"):
        node["page"] = d["page"]
    if d.get("document"):
        node["document"] = True
        if d.get("publisher"):
            node["publisher"] = str(d["publisher"])
        if d.get("issued"):
            node["issued"] = str(d["issued"])
            year = year_of(str(d["issued"]))
            if year:
                node["year"] = int(year)
    node["mentions"] = int(d.get("mentions") or 0)
    degree = d.get("degree")
    node["degree"] = int(degree) if degree is not None else int(graph.degree(key))
    return node


def _trim(text: str, keep: int, *, end: bool) -> str:
    """At most ``keep`` characters of context, cut at a word boundary (``end``: keep the end of the text)."""
    text = " ".join(text.split())
    if len(text) <= keep:
        return text
    if end:
        cut = text[-keep:]
        return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    cut = text[:keep]
    return cut[: cut.rfind(" ")] + "…" if " " in cut else cut + "…"


def _quotes(graph: nx.MultiDiGraph, quotes: list) -> list[list[object]]:
    """[[title, page, before, exact, after], ...] for the first QUOTES (document IRI, Quote) pairs."""
    out: list[list[object]] = []
    for doc, quote in quotes[:QUOTES]:
        d = graph.nodes[doc] if doc in graph else {}
        out.append(
            [
                str(d.get("label") or doc),
                d.get("page") or "",
                _trim(quote.before, CONTEXT, end=True),
                " ".join(quote.exact.split()),
                _trim(quote.after, CONTEXT, end=False),
            ]
        )
    return out


OVERVIEW_LINKS = 6  #: an overview draws each node's strongest links only


def _strongest(graph: nx.MultiDiGraph, chosen: set) -> set[tuple]:
    """The links an overview draws: each chosen node's OVERVIEW_LINKS best-backed links to other chosen nodes."""
    around: dict[Hashable, list] = defaultdict(list)
    for a in chosen:
        for b, keyed in graph.succ[a].items():  # out-links only: a hub's thousands of in-links are not walked
            if b in chosen and b != a:
                for k, d in keyed.items():
                    weight = (-int(d.get("evidence") or 0), str(a), str(b), str(k))
                    around[a].append((weight, (a, b, k)))
                    around[b].append((weight, (a, b, k)))
    keep: set[tuple] = set()
    for links in around.values():
        links.sort()
        keep.update(edge for _, edge in links[:OVERVIEW_LINKS])
    return keep


def bundle(
    graph: nx.MultiDiGraph,
    *,
    physics_limit: int,
    full_limit: int | None = None,
    overview: int | None = None,
    base: str = "map/",
) -> tuple[dict, dict[str, str]]:
    """``(data, files)``: the first view and the files under ``base`` (relative to the page) it may load.

    ``full_limit`` and ``overview`` default to :data:`FULL_LIMIT` and :data:`OVERVIEW`.
    """
    full_limit = FULL_LIMIT if full_limit is None else full_limit
    overview = OVERVIEW if overview is None else overview
    from kg.web.mapview import styles

    style = styles()
    types, edge_styles = style["types"], style["edges"]
    keys = list(graph.nodes)
    big = len(keys) > full_limit
    if big:
        ranked = sorted(keys, key=lambda k: (-graph.degree(k), str(graph.nodes[k].get("label") or k).casefold(), k))
        first = ranked[:overview]
        chosen = set(first)
        order = first + [k for k in keys if k not in chosen]
    else:
        order, chosen = keys, set(keys)
    index = {key: i for i, key in enumerate(order)}
    shown = order[: len(chosen)]

    records = [_node_record(key, graph.nodes[key], types, graph) for key in order]
    type_counts: dict[str, int] = defaultdict(int)
    publishers: dict[str, int] = defaultdict(int)
    years: list[int] = []
    for node in records:
        type_counts[str(node["type"])] += 1
        if node.get("publisher"):
            publishers[str(node["publisher"])] += 1
        if "year" in node:
            years.append(int(str(node["year"])))

    strongest = _strongest(graph, chosen) if big else None
    positioned = big or len(shown) > physics_limit
    if positioned:
        from kg.web.layout import layout

        drawn = graph
        if big:
            drawn = nx.MultiDiGraph()
            drawn.add_nodes_from(shown)
            drawn.add_edges_from(strongest)
        for key, (x, y) in layout(drawn).items():
            records[index[key]]["x"], records[index[key]]["y"] = x, y

    def predicate_of(d: dict, key: str) -> str:
        name = str(d.get("predicate") or key)
        return name if name in edge_styles else "default"

    edges = []
    relation_counts: dict[str, int] = defaultdict(int)
    evidence: dict[int, dict[str, list]] = defaultdict(dict)
    for a, b, key, d in graph.edges(keys=True, data=True):
        predicate = predicate_of(d, key)
        relation_counts[predicate] += 1
        ia, ib = index[a], index[b]
        if a in chosen and b in chosen and (strongest is None or (a, b, key) in strongest):
            edge: dict[str, object] = {"from": ia, "to": ib, "predicate": predicate}
            if d.get("evidence"):
                edge["evidence"] = int(d["evidence"])
            edges.append(edge)
        if d.get("quotes") and not (big and predicate == "mentions"):
            evidence[ia // CHUNK].setdefault(str(ia), []).append(
                [ib, predicate, int(d.get("evidence") or len(d["quotes"])), _quotes(graph, d["quotes"])]
            )

    relations: dict[str, dict] = {}
    for name, look in edge_styles.items():
        if relation_counts.get(name):
            label = predicates.map_label(name)
            group = relations.setdefault(
                label,
                {
                    "key": name,
                    "label": label,
                    "color": look["color"],
                    "dashes": bool(look.get("dashes")),
                    "predicates": [],
                    "count": 0,
                },
            )
            group["predicates"].append(name)
            group["count"] += relation_counts[name]

    options = json.loads(json.dumps(style["options"]))
    for part in ("layout", "interaction", "edges", "nodes"):
        options.setdefault(part, {})
    # no label is drawn smaller than 11 px on screen: it is hidden until a zoom makes it readable
    options["nodes"].setdefault("scaling", {})["label"] = {"enabled": False, "drawThreshold": 12, "maxVisible": 30}
    options["edges"].setdefault("scaling", {})["label"] = {"enabled": False, "drawThreshold": 12, "maxVisible": 24}
    if positioned:
        options["physics"] = {"enabled": False}
        options["edges"]["smooth"] = False
        options["layout"]["improvedLayout"] = False
        options["interaction"].update(hideEdgesOnDrag=True, hideEdgesOnZoom=True)
    else:
        options["layout"].setdefault("randomSeed", 7)
        options["physics"]["enabled"] = True

    files: dict[str, str] = {}
    for chunk, payload in sorted(evidence.items()):
        files[f"evidence-{chunk}.js"] = file_script("evidence", chunk, payload)
    predicate_names = sorted(relation_counts)
    buckets = 0
    if big:
        code = {name: i for i, name in enumerate(predicate_names)}
        for start in range(0, len(order), NODE_CHUNK):
            number = start // NODE_CHUNK
            files[f"nodes-{number}.js"] = file_script("nodes", number, records[start : start + NODE_CHUNK])
        for start in range(0, len(order), CHUNK):
            number = start // CHUNK
            links = []
            for key in order[start : start + CHUNK]:
                around = []
                for _, b, k, d in graph.out_edges(key, keys=True, data=True):
                    around.append((index[b], code[predicate_of(d, k)], 1, int(d.get("evidence") or 0)))
                for a, _, k, d in graph.in_edges(key, keys=True, data=True):
                    around.append((index[a], code[predicate_of(d, k)], 0, int(d.get("evidence") or 0)))
                # entities before documents, then the most connected: what a reader expands to see first
                around.sort(key=lambda t: (bool(records[t[0]].get("document")), -int(str(records[t[0]]["degree"])), t))
                links.append([len(around), [v for t in around[:LINKS] for v in t]])
            files[f"links-{number}.js"] = file_script("links", number, links)
        buckets = max(1, math.ceil(len(order) / BUCKET))
        ids: list[dict[str, int]] = [{} for _ in range(buckets)]
        for key, i in index.items():
            ids[fnv1a(str(key)) % buckets][str(key)] = i
        for h, bucket_ids in enumerate(ids):
            files[f"ids-{h}.js"] = file_script("ids", h, bucket_ids)

    data = {
        "nodes": records[: len(shown)],
        "edges": edges,
        "types": [
            {
                "key": name,
                "label": look["label"],
                "color": look["color"],
                "shape": look["shape"],
                "count": type_counts[name],
            }
            for name, look in types.items()
            if type_counts.get(name)
        ],
        "relations": list(relations.values()),
        "publishers": [
            {"label": p, "count": c} for p, c in sorted(publishers.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
        ],
        "dates": {"min": min(years), "max": max(years)} if years else None,
        "physics": not positioned,
        "options": options,
        "total": {"nodes": len(order), "edges": graph.number_of_edges()},
        "complete": not big,
        "files": {
            "base": base,
            "chunk": CHUNK,
            "nodeChunk": NODE_CHUNK,
            "evidence": sorted(evidence),
            "buckets": buckets,
            "predicates": predicate_names,
            "links": LINKS,
        },
    }
    return data, files
