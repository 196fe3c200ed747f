"""Stage 6d, view: the explorable relationship map (the site's ``map.html`` and ``kg map``).

Three steps, each usable alone:

* :func:`graph_of` turns the site's read model (:class:`kg.web.readmodel.SiteData`,
  read by :func:`kg.web.reading.gather`) into a networkx graph: every document,
  every entity a document mentions, every document's publisher, and the links
  between them (mentions, publishers and the relations that
  :func:`kg.graph.predicates.map_relations` puts on the map), with names,
  types, definitions, dates and evidence counts. The map and the pages read
  the store once, through the same model, so they name things alike;
  :func:`map_graph` is gather + graph_of for callers that hold a store.
* :func:`map_data` turns a graph into the plain data the browser draws first
  (``map-data.js`` through :func:`map_data_js`); a graph bigger than
  ``physics_limit`` nodes gets its positions from :mod:`kg.web.layout` so the
  browser only draws, and one above :data:`kg.web.mapfiles.FULL_LIMIT` opens
  on an overview, the rest in files loaded on demand (:mod:`kg.web.mapfiles`).
* The page is ``kg/web/templates/map.html`` with ``kg/web/static/map.js``
  and ``map.css`` on the vendored vis-network. The site builds it with
  its own ``base.html``; :func:`render_map` inlines everything into one file
  for ``kg map``, so that file opens offline and asks no other host for anything.

Colours, shapes and relation names are in ``kg/web/styles.json``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import jinja2
import networkx as nx

from kg import resources
from kg.graph import namespaces as ns
from kg.graph import predicates
from kg.graph.namespaces import local_name
from kg.graph.store import Store
from kg.web.csp import with_standalone_policy
from kg.web.readmodel import SiteData

STYLES = resources.web_dir("styles.json")
STATIC = resources.web_dir("static")
VIS_NETWORK = resources.web_dir("vendor", "vis-network")
TITLE = "English health-policy knowledge graph"
PHYSICS_LIMIT = 300


def map_assets() -> dict[str, Path]:
    """The files the map page loads from ``assets/``: name there → file here."""
    return {
        "vis-network.min.js": VIS_NETWORK / "standalone" / "umd" / "vis-network.min.js",
        "vis-network.min.css": VIS_NETWORK / "styles" / "vis-network.min.css",
        "map.js": STATIC / "map.js",
        "map.css": STATIC / "map.css",
    }


def styles() -> dict:
    return json.loads(STYLES.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ read model → graph

MENTIONS = ns.SCHEMA + "mentions"
_NONE: tuple = ()  #: the quotes of a link with none: one empty value for the millions of such links of a big map
PUBLISHER = ns.DCTERMS + "publisher"


def best_type(candidates: set[str], types: dict[str, dict], default: str) -> str:
    """The most specific styled type (highest rank; ties by name, so the choice is stable)."""
    styled = [c for c in candidates if c in types]
    return max(styled, key=lambda c: (types[c].get("rank", 0), c)) if styled else default


def map_graph(store: Store, *, mention_words: int | None = None) -> nx.MultiDiGraph:
    """The map of the whole store: :func:`graph_of` the site's read model.

    The sentences behind "mentions" links are read for a store of up to ``mention_words`` documents
    (default :data:`kg.web.mapfiles.FULL_LIMIT`: a map with more nodes opens on an overview, which does not
    show them; every map has at least as many nodes as documents); above it the links are counted only.
    """
    from kg.web.mapfiles import FULL_LIMIT
    from kg.web.reading import gather

    return graph_of(gather(store, mention_words=FULL_LIMIT if mention_words is None else mention_words))


def graph_of(data: SiteData) -> nx.MultiDiGraph:
    """Documents, the entities they mention, their publishers, and the links between them.

    Node keys are full IRIs. Node attributes: ``label``, ``labels`` (every
    name, acronyms, hidden and weak labels too), ``type`` (a key of
    styles.json), ``type_label``, ``definition``, ``page`` (site path or
    None), ``document`` (bool), ``mentions`` (documents that mention an
    entity, or entities a document mentions), ``degree``; documents also
    ``publisher`` (its label), ``publisher_iri`` and ``issued`` (ISO text: a
    year, year-month or date). Edges are keyed by predicate name, with
    ``predicate``, ``label`` and ``evidence`` (how many quoted sentences in
    documents back it) and ``quotes`` (those sentences: (document IRI,
    :class:`~kg.web.readmodel.Quote`) pairs).
    """
    types = styles()["types"]
    graph = nx.MultiDiGraph()
    drawn = {iri for doc in data.documents.values() for iri in (*doc.mentions, *doc.publishers)}

    for iri in sorted(data.documents):
        doc = data.documents[iri]
        kind = best_type({local_name(c) for c in doc.types} | {"Document"}, types, "Document")
        publisher = doc.publishers[0] if doc.publishers else None
        graph.add_node(
            iri,
            label=doc.title,
            labels=[doc.title],
            type=kind,
            type_label=types[kind]["label"],
            definition="",
            page=doc.page,
            document=True,
            issued=doc.issued,
            publisher=data.label(publisher) if publisher else None,
            publisher_iri=publisher,
            mentions=0,
            degree=0,
        )
    for iri in sorted(drawn):
        entity = data.entities.get(iri)
        if entity is None or iri in data.documents:
            continue
        kind = best_type({local_name(c) for c in entity.types}, types, "Concept")
        graph.add_node(
            iri,
            label=entity.label,
            labels=entity.all_names or [entity.label],
            type=kind,
            type_label=types[kind]["label"],
            definition=entity.definition,
            page=entity.page,
            document=False,
            mentions=0,
            degree=0,
        )

    quoted: dict[tuple[str, str, str], list] = defaultdict(list)  # (s, p, o) -> [(document, Quote)]
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    stated: dict[tuple[str, str, str], None] = {}
    for iri in sorted(data.documents):
        for link in data.documents[iri].relations:
            counted[(link.subject, link.predicate, link.object)] += 1
            if link.quote is not None:
                quoted[(link.subject, link.predicate, link.object)].append((iri, link.quote))
    for entity in data.entities.values():
        for link in entity.links:
            stated.setdefault((link.subject, link.predicate, link.object))

    labels: dict[str, str] = {}  # edge name -> the map's label: read from the ontology once per name, not per edge

    def draw(a: str, predicate: str, b: str, count: int, quotes: Sequence) -> bool:
        if a not in graph or b not in graph or a == b:
            return False
        name = local_name(predicate)
        label = labels.get(name)
        if label is None:
            label = labels[name] = predicates.map_label(name)
        graph.add_edge(a, b, key=name, predicate=name, label=label, evidence=count, quotes=quotes)
        return True

    for iri in sorted(data.documents):
        doc = data.documents[iri]
        for entity_iri in sorted(doc.mentions):
            said = doc.mentions[entity_iri]
            if draw(iri, MENTIONS, entity_iri, len(said), [(iri, q) for q in said if q.exact] or _NONE):
                graph.nodes[iri]["mentions"] += 1
                graph.nodes[entity_iri]["mentions"] += 1
        for publisher in doc.publishers:
            key = (iri, PUBLISHER, publisher)
            draw(iri, PUBLISHER, publisher, counted.get(key, 0), quoted.get(key) or _NONE)
    on_map = predicates.map_relations()
    for s, p, o in sorted(stated):
        if p in on_map:
            draw(s, p, o, counted.get((s, p, o), 0), quoted.get((s, p, o)) or _NONE)
    for node, degree in graph.degree():
        graph.nodes[node]["degree"] = degree
    return graph


# ------------------------------------------------------------------ graph → browser data


def map_data(
    graph: nx.MultiDiGraph,
    *,
    physics_limit: int = PHYSICS_LIMIT,
    full_limit: int | None = None,
    overview: int | None = None,
) -> dict:
    """What ``map.js`` draws first, as JSON-able data (:func:`kg.web.mapfiles.bundle` without its files).

    ``nodes`` and ``edges`` (edges refer to nodes by their index in ``nodes``),
    ``types`` (the legend: types present, in styles.json order, with colour,
    shape and count), ``relations`` (relation filters; predicates with the same
    name share one), ``publishers`` (documents' publishers with counts),
    ``dates`` (``{"min", "max"}`` years of issue, or None), ``physics`` (False
    when positions were computed here, for graphs above ``physics_limit``
    nodes), ``options`` (vis-network options), ``total`` counts of the whole
    graph, ``complete`` (False for an overview of a graph above ``full_limit``
    nodes) and ``files`` (where the files loaded on demand are).
    """
    from kg.web.mapfiles import bundle

    return bundle(graph, physics_limit=physics_limit, full_limit=full_limit, overview=overview)[0]


_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: object) -> str:
    """JSON that is safe inside an HTML <script>: no string can close the element or break a JS line.

    >>> print(script_json({"title": "</script>"}))
    {"title":"\\u003c/script\\u003e"}
    """
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _SCRIPT_SAFE.items():
        text = text.replace(raw, escaped)
    return text


def map_data_js(data: dict) -> str:
    """``map-data.js``: ``window.KG_MAP = {...};``."""
    return "window.KG_MAP = " + script_json(data) + ";\n"


# ------------------------------------------------------------------ one self-contained file

_STANDALONE_BASE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{% block title %}{% endblock %} – {{ site_title }}</title>
{% block head %}{% endblock %}
</head>
<body class="kg-standalone">
<a class="kg-skip" href="#kg-search">Skip to the map search</a>
<main id="main">
{% block content %}{% endblock %}
</main>
{% block scripts %}{% endblock %}
</body>
</html>
"""


def _inline_safe(text: str, tag: str) -> str:
    """Text to put inside <script> or <style>: nothing in it may end the element early."""
    return text.replace(f"</{tag}", f"<\\/{tag}").replace(f"</{tag.upper()}", f"<\\/{tag.upper()}")


def render_map(data: dict, *, title: str = TITLE, files: dict[str, str] | None = None) -> str:
    """The map page as one HTML text with vis-network, the map's script, style and data inlined.

    ``files`` (name -> script text, from :func:`kg.web.mapfiles.bundle`) are inlined too, so the page
    has them without loading them.
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.DictLoader({"base.html": _STANDALONE_BASE}),
                jinja2.FileSystemLoader(str(resources.templates_dir())),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    assets = {name: path.read_text(encoding="utf-8") for name, path in map_assets().items()}
    inline = {
        "css": _inline_safe(assets["vis-network.min.css"] + "\n" + assets["map.css"], "style"),
        "js": [
            _inline_safe(assets["vis-network.min.js"], "script"),
            map_data_js(data),
            *(_inline_safe(text, "script") for _, text in sorted((files or {}).items())),
            _inline_safe(assets["map.js"], "script"),
        ],
    }
    page = env.get_template("map.html").render(
        root="",
        server=False,
        site_title=title,
        nav="map",
        standalone=True,
        inline=inline,
    )
    page = with_standalone_policy(page)  # its inline scripts and styles by hash (kg.web.csp)
    if not data.get("complete", True):
        # an overview reads the rest from script files in its folder beside it: the page's own origin may serve scripts
        page = page.replace("script-src ", "script-src 'self' ", 1)
    return page


def write_map(store: Store, out: str | Path) -> nx.MultiDiGraph:
    """Write the map of the whole store to ``out``; return the graph drawn.

    A map of up to :data:`kg.web.mapfiles.FULL_LIMIT` nodes is one self-contained file. A bigger one opens on an
    overview and loads the rest from a folder beside it, ``NAME-files/`` (see :mod:`kg.web.mapfiles`).
    """
    from kg.web.mapfiles import bundle

    graph = map_graph(store)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.parent / (path.stem + "-files")
    data, files = bundle(graph, physics_limit=PHYSICS_LIMIT, base=folder.name + "/")
    if folder.is_dir():  # our files of an earlier, bigger map
        for old in folder.glob("*.js"):
            if old.name.split("-", 1)[0] in ("evidence", "nodes", "links", "ids"):
                old.unlink()
    if not data["complete"]:
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    path.write_text(render_map(data, files=files if data["complete"] else None), encoding="utf-8")
    return graph
