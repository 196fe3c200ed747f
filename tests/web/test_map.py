"""The map's data: the graph read from the store, the browser data, its script text, the layout, ``kg map``."""

from __future__ import annotations

import json
import math
import re

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg import Store
from kg.cli import app
from kg.graph.predicates import map_relations
from kg.graph.query import run_query
from kg.ingest import ingest
from kg.web.layout import layout
from kg.web.mapview import map_data, map_data_js, map_graph, render_map, styles
from kg.web.reading import gather
from kg.web.site import build_site
from tests.conftest import SAMPLE

BASE = "https://w3id.org/nhs-policy-kg/"
ICS = BASE + "id/integrated-care-system"
ACO = BASE + "id/accountable-care-organisation"
PREFIX = "window.KG_MAP = "


@pytest.fixture(scope="module")
def graph(sample_store):
    return map_graph(sample_store)


def _parse(js: str) -> dict:
    assert js.startswith(PREFIX)
    return json.loads(js[len(PREFIX) :].rstrip().removesuffix(";"))


def test_nodes_have_types_names_and_pages(graph):
    known = set(styles()["types"])
    assert graph.number_of_nodes() > 50 and graph.number_of_edges() > 100
    for node, d in graph.nodes(data=True):
        assert node.startswith(BASE), node  # full IRIs, not prefixed names
        assert d["type"] in known and d["type_label"] == styles()["types"][d["type"]]["label"]
        assert d["label"] and d["label"] in d["labels"]
        assert d["degree"] == graph.degree(node)
    ics = graph.nodes[ICS]
    assert ics["type"] == "CareModel" and ics["label"] == "Integrated Care System"
    assert "ICS" in ics["labels"] and ics["definition"]
    assert ics["page"] == "id/integrated-care-system.html"
    assert "ACO" in graph.nodes[ACO]["labels"]
    assert ics["mentions"] >= 2  # documents that mention it


def test_documents_carry_publisher_and_date(graph):
    docs = {n: d for n, d in graph.nodes(data=True) if d["document"]}
    assert len(docs) == 11
    for iri, d in docs.items():
        assert d["page"] == "doc/" + iri.rsplit("/", 1)[1] + ".html"
        assert d["mentions"] == sum(1 for _, _, k in graph.out_edges(iri, keys=True) if k == "mentions")
    forward_view = next(d for d in docs.values() if d["label"] == "Five Year Forward View")
    assert forward_view["publisher"] == "NHS England" and forward_view["issued"] == "2014-10"
    assert forward_view["type"] == "PolicyBriefing"
    assert {d["type"] for d in docs.values()} >= {"PolicyBriefing", "NewsItem"}
    assert any(d["issued"] and len(d["issued"]) == 10 for d in docs.values())  # a full date too
    assert any(d["publisher"] is None for d in docs.values())


def test_edges_carry_relation_and_evidence(graph):
    predicates = {d["predicate"] for *_, d in graph.edges(data=True)}
    assert {"mentions", "publisher", "evolvesInto", "introducedBy"} <= predicates
    for a, b, key, d in graph.edges(keys=True, data=True):
        assert key == d["predicate"] and d["label"] and d["evidence"] >= 0 and a != b
        if key == "mentions":
            assert graph.nodes[a]["document"] and d["evidence"] >= 1  # every mention has its quote
    # some relation between entities was read from a sentence, and says so
    assert any(
        d["evidence"] >= 1 for *_, d in graph.edges(data=True) if d["predicate"] not in ("mentions", "publisher")
    )


def test_small_map_data_uses_physics(graph):
    data = map_data(graph)
    assert data["physics"] is True and data["options"]["physics"]["enabled"] is True
    assert not any("x" in n or "y" in n for n in data["nodes"])
    assert data["total"] == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    assert len(data["nodes"]) == graph.number_of_nodes() and len(data["edges"]) == graph.number_of_edges()
    assert sum(t["count"] for t in data["types"]) == graph.number_of_nodes()
    assert all(t["shape"] and t["color"].startswith("#") and t["label"] for t in data["types"])
    # "published by" is one filter for the two predicates that mean it
    published = [r for r in data["relations"] if r["label"] == "published by"]
    assert len(published) == 1 and set(published[0]["predicates"]) == {"publisher", "publishedBy"}
    assert sum(r["count"] for r in data["relations"]) == graph.number_of_edges()
    # 7: "Source: NHS England and NHS Improvement" names NHS England first (kg.ingest.metadata.first_of)
    assert data["publishers"][0] == {"label": "NHS England", "count": 7}
    assert data["dates"] == {"min": 2014, "max": 2022}
    ics = next(n for n in data["nodes"] if n["id"] == ICS)
    assert "ICS" in ics["labels"] and ics["page"] == "id/integrated-care-system.html"
    json.dumps(data, allow_nan=False)


def test_big_map_data_has_positions_and_no_physics(graph):
    data = map_data(graph, physics_limit=20)
    assert data["physics"] is False
    assert data["options"]["physics"] == {"enabled": False} and data["options"]["edges"]["smooth"] is False
    assert data["options"]["layout"]["improvedLayout"] is False
    for node in data["nodes"]:
        assert math.isfinite(node["x"]) and math.isfinite(node["y"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])


def test_script_text_cannot_close_the_script_element():
    evil = "</script><script>alert(1)</script> & <!-- \u2028line\u2029para"
    g = nx.MultiDiGraph()
    g.add_node("a", label=evil, labels=[evil, "A&B"], type="Concept", definition=evil, document=False)
    g.add_node("b", label="b", type="Nothing styled", document=True, publisher=evil, issued="2020")
    g.add_edge("b", "a", key="mentions", predicate="mentions", evidence=1)
    js = map_data_js(map_data(g))
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in js
    assert js.isascii()
    data = _parse(js)
    assert data["nodes"][0]["label"] == evil and data["nodes"][0]["definition"] == evil
    assert data["nodes"][1]["type"] == "Concept"  # unknown types fall back to a styled one
    assert data["publishers"] == [{"label": evil, "count": 1}]
    page = render_map(map_data(g))
    assert "<script>alert(1)" not in page and "<!--" not in page
    assert (
        len(re.findall(r"<script>", page)) == len(re.findall(r"</script>", page)) + 1
    )  # one is a string in vis-network


def _tree_like(n: int, seed: int) -> nx.Graph:
    """Documents (hubs) mentioning entities, a few links between entities, and some loose parts."""
    g = nx.random_labeled_tree(n, seed=seed) if hasattr(nx, "random_labeled_tree") else nx.random_tree(n, seed=seed)
    g = nx.relabel_nodes(g, {i: f"n{i:05d}" for i in g})
    g.add_edges_from([(f"n{i:05d}", f"n{(i * 7 + 3) % n:05d}") for i in range(0, n, 9)])
    g.add_nodes_from(f"lonely{i}" for i in range(5))
    g.add_edge("pair-a", "pair-b")
    return g


def test_layout_is_deterministic_and_spread():
    g = _tree_like(800, seed=3)
    first = layout(g)
    assert layout(g) == first
    shuffled = nx.Graph()
    shuffled.add_nodes_from(sorted(g.nodes, reverse=True))
    shuffled.add_edges_from((b, a) for a, b in reversed(list(g.edges)))
    assert layout(shuffled) == first  # the order nodes and edges were added in does not matter
    assert set(first) == set(g.nodes)
    assert len(set(first.values())) == len(first)

    # linked nodes sit nearer each other than nodes picked at random
    def dist(a, b):
        return math.dist(first[a], first[b])

    nodes = sorted(g.nodes)
    linked = sum(dist(a, b) for a, b in g.edges) / g.number_of_edges()
    apart = sum(dist(nodes[i], nodes[(i * 31 + 17) % len(nodes)]) for i in range(len(nodes))) / len(nodes)
    assert linked * 3 < apart


def test_layout_small_cases():
    assert layout(nx.Graph()) == {}
    assert layout(nx.path_graph(1)) == {0: (0.0, 0.0)}
    two = layout(nx.path_graph(2))
    assert two[0] != two[1]
    loops = nx.MultiDiGraph([("a", "a"), ("a", "b"), ("a", "b")])
    assert set(layout(loops)) == {"a", "b"}


def test_kg_map_writes_one_self_contained_file(tmp_path, pipeline):
    with Store(tmp_path / "store") as store:
        ingest([SAMPLE / "01-five-year-forward-view.txt", SAMPLE / "08-primary-care-networks.txt"], store, pipeline)
    out = tmp_path / "map.html"
    result = CliRunner().invoke(app, ["map", "--store", str(tmp_path / "store"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # nothing is fetched from anywhere: no src/href to another host, no @import, no url() to one
    assert re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", page, re.I) == []
    assert re.findall(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=", page, re.I) == []
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", page)
    assert 'id="kg-search"' in page and 'id="kg-panel"' in page and "vis.Network" in page
    start = page.index(PREFIX)
    data = _parse(page[start : page.index(";\n", start) + 2])
    nodes = int(re.search(r"(\d+)\s+nodes", result.output).group(1))
    assert data["total"]["nodes"] == nodes > 10


# ------------------------------------------------------------------ one read model for the map and the pages

# The map's evidence counts, counted straight from the store as the map once did with its own queries:
# the tests keep them as an independent check on what the map now takes from the site's read model.
# A mention is one kg:span place of an evidence node in the document's graph (docs/evidence.md).
_MENTION_EVIDENCE = """
SELECT ?doc ?node (COUNT(DISTINCT ?span) AS ?n) WHERE {
  ?doc schema:mentions ?node .
  OPTIONAL { GRAPH ?doc { ?a oa:hasBody ?node ; kg:span ?span } }
} GROUP BY ?doc ?node"""
_RELATION_EVIDENCE = """
SELECT ?s ?p ?o (COUNT(DISTINCT ?st) AS ?n) WHERE {
  ?s ?p ?o . FILTER(isIRI(?o))
  OPTIONAL { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
} GROUP BY ?s ?p ?o"""


def _counted(store, sparql: str) -> dict[tuple[str, ...], int]:
    rows = run_query(store, sparql).rows
    return {tuple(term.value for term in row[:-1]): int(row[-1].value) for row in rows}


def test_map_names_things_as_the_pages_do(sample_store, graph):
    data = gather(sample_store)
    entities = [(iri, d) for iri, d in graph.nodes(data=True) if not d["document"]]
    assert entities
    for iri, d in entities:
        entity = data.entities[iri]
        assert d["label"] == entity.label and d["definition"] == entity.definition and d["page"] == entity.page
        assert d["labels"][0] == entity.label and set(entity.alt_labels) <= set(d["labels"])
        assert len({n.casefold() for n in d["labels"]}) == len(d["labels"])  # each name once, case ignored
    for iri, d in graph.nodes(data=True):
        if d["document"]:
            assert d["label"] == data.documents[iri].title and d["issued"] == data.documents[iri].issued
    # hidden and weak labels are names the map searches, kept apart from the names the pages show
    extra = [
        (iri, n) for iri, _ in entities for n in (*data.entities[iri].hidden_labels, *data.entities[iri].weak_labels)
    ]
    assert extra
    for iri, name in extra:
        assert name.casefold() in {n.casefold() for n in graph.nodes[iri]["labels"]}
    assert any(name not in (data.entities[iri].label, *data.entities[iri].alt_labels) for iri, name in extra)


def test_map_evidence_matches_the_store(sample_store, graph):
    mentions = _counted(sample_store, _MENTION_EVIDENCE)
    relations = _counted(sample_store, _RELATION_EVIDENCE)
    seen = 0
    for a, b, key, d in graph.edges(keys=True, data=True):
        if key == "mentions":
            assert d["evidence"] == mentions[(a, b)], (a, b)
        else:
            assert d["evidence"] == relations[(a, _predicate_iri(key), b)], (a, key, b)
        seen += 1
    drawn_mentions = {(a, b) for a, b, k in graph.edges(keys=True) if k == "mentions"}
    assert drawn_mentions == {(a, b) for a, b in mentions if a in graph and b in graph and a != b}
    assert seen == graph.number_of_edges() > 100


def _predicate_iri(name: str) -> str:
    """The full IRI of an edge key: the map's relations, and the publisher edge."""
    if name == "publisher":
        return "http://purl.org/dc/terms/publisher"
    return next(iri for iri, p in map_relations().items() if p.name == name)


def test_site_reads_the_store_once(sample_store, tmp_path, monkeypatch):
    """Building the site asks the store no more than reading the model does: the map comes from that model."""
    original = Store.oxigraph
    calls = []

    def counting(self):
        calls.append(1)
        return original.fget(self)

    monkeypatch.setattr(Store, "oxigraph", property(counting))
    gather(sample_store)
    reading = len(calls)
    calls.clear()
    build_site(sample_store, tmp_path / "site")
    # one more: the pages' RDF (descriptions, VoID's counts, the dump) is read in one go (kg.graph.linked.for_site)
    assert reading > 0 and len(calls) == reading + 1


# ------------------------------------------------------------------ the files a map loads on demand


def _payload(text: str) -> tuple[str, int, object]:
    start = "(window.KG_MAP_FILES=window.KG_MAP_FILES||[]).push("
    assert text.startswith(start) and text.rstrip().endswith(");")
    kind, number, payload = json.loads(text.rstrip()[len(start) : -2])
    return kind, number, payload


def test_links_carry_their_quoted_sentences(graph):
    quoted = [(a, b, k, d) for a, b, k, d in graph.edges(keys=True, data=True) if d["quotes"]]
    assert any(k == "mentions" for *_, k, _ in quoted) and any(
        k not in ("mentions", "publisher") for *_, k, _ in quoted
    )
    for a, _, k, d in quoted:
        assert len(d["quotes"]) <= d["evidence"]
        assert all(quote.exact for _, quote in d["quotes"])
        if k == "mentions":
            assert {doc for doc, _ in d["quotes"]} == {a}  # the document's own sentences


def test_evidence_files_hold_each_quoted_link(graph):
    from kg.web.mapfiles import CHUNK, QUOTES, bundle

    data, files = bundle(graph, physics_limit=300)
    assert data["complete"] is True and len(data["nodes"]) == graph.number_of_nodes()
    evidence = {}
    for name, text in files.items():
        kind, number, payload = _payload(text)
        assert kind == "evidence" and name == f"evidence-{number}.js" and number in data["files"]["evidence"]
        evidence.update(payload)
    order = [n["id"] for n in data["nodes"]]
    checked = 0
    for a, b, k, d in graph.edges(keys=True, data=True):
        if not d["quotes"]:
            continue
        entry = next(e for e in evidence[str(order.index(a))] if e[0] == order.index(b) and e[1] == k)
        assert entry[2] == d["evidence"] and len(entry[3]) == min(QUOTES, len(d["quotes"]))
        title, page, _before, exact, _after = entry[3][0]
        doc, quote = d["quotes"][0]
        assert title == graph.nodes[doc]["label"] and page == graph.nodes[doc]["page"]
        assert exact == " ".join(quote.exact.split())
        assert order.index(a) // CHUNK in data["files"]["evidence"]
        checked += 1
    assert checked > 100


def test_a_big_graph_opens_on_an_overview_with_files_for_the_rest(graph):
    from kg.web.mapfiles import bundle, fnv1a

    data, files = bundle(graph, physics_limit=300, full_limit=50, overview=20)
    assert data["complete"] is False and len(data["nodes"]) == 20
    assert data["total"] == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    degrees = [graph.degree(n["id"]) for n in data["nodes"]]
    assert degrees == sorted(degrees, reverse=True)
    assert min(degrees) >= max(d for n, d in graph.degree() if n not in {x["id"] for x in data["nodes"]})
    assert all("x" in n for n in data["nodes"]) and data["physics"] is False  # laid out here: no physics to wait for
    assert sum(t["count"] for t in data["types"]) == graph.number_of_nodes()  # the legend is the whole graph's
    meta = data["files"]
    records, links, ids = {}, {}, {}
    for text in files.values():
        kind, number, payload = _payload(text)
        if kind == "nodes":
            records.update({number * meta["nodeChunk"] + k: r for k, r in enumerate(payload)})
        elif kind == "links":
            links.update({number * meta["chunk"] + k: entry for k, entry in enumerate(payload)})
        elif kind == "ids":
            assert all(fnv1a(iri) % meta["buckets"] == number for iri in payload)
            ids.update(payload)
    assert sorted(records) == list(range(graph.number_of_nodes())) == sorted(ids.values())
    assert {records[i]["id"] for i in records} == set(graph.nodes) and all(records[ids[k]]["id"] == k for k in ids)
    assert [records[i] for i in range(20)] == data["nodes"]
    for i, (count, flat) in links.items():
        iri = records[i]["id"]
        assert count == graph.degree(iri)
        listed = {
            (records[flat[k]]["id"], meta["predicates"][flat[k + 1]], flat[k + 2]) for k in range(0, len(flat), 4)
        }
        expected = {(b, k, 1) for _, b, k in graph.out_edges(iri, keys=True)}
        expected |= {(a, k, 0) for a, _, k in graph.in_edges(iri, keys=True)}
        assert listed <= expected and len(listed) == min(count, meta["links"])
    # sentences behind "mentions" are left to the documents' pages; those behind relations are kept
    kinds = {e[1] for text in files.values() if text.startswith("(window") for e in _evidence_entries(text)}
    assert kinds and "mentions" not in kinds


def _evidence_entries(text: str) -> list:
    kind, _, payload = _payload(text)
    return [e for entries in payload.values() for e in entries] if kind == "evidence" else []


def test_kg_map_of_a_big_graph_writes_its_files_beside_it(sample_store, tmp_path, monkeypatch):
    from kg.web import mapfiles
    from kg.web.mapview import map_graph, write_map

    monkeypatch.setattr(mapfiles, "FULL_LIMIT", 40)
    out = tmp_path / "big.html"
    result = CliRunner().invoke(app, ["map", "--store", str(sample_store.location), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "big-files" in result.output and "on demand" in result.output
    graph = map_graph(sample_store)
    folder = tmp_path / "big-files"
    names = {p.name for p in folder.iterdir()}
    assert {"nodes-0.js", "links-0.js", "ids-0.js"} <= names
    page = out.read_text(encoding="utf-8")
    data = _parse(page[page.index(PREFIX) : page.index(";\n", page.index(PREFIX)) + 2])
    assert data["complete"] is False and data["files"]["base"] == "big-files/"
    assert data["total"]["nodes"] == graph.number_of_nodes()
    # a smaller map later is one file again, and our files of the bigger one are gone
    monkeypatch.setattr(mapfiles, "FULL_LIMIT", 3000)
    write_map(sample_store, out)
    assert not list(folder.glob("*.js"))
