"""Exports for graph tools and JSON-LD with short keys, each re-read by an independent reader."""

from __future__ import annotations

import csv
import json

import networkx as nx
import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.export import export
from kg.graph.jsonld import CONTEXT_NAME, context
from kg.graph.namespaces import local_name
from kg.graph.predicates import map_relations
from kg.graph.query import run_query
from kg.web import exports

runner = CliRunner()


# ------------------------------------------------------------------ what the network should hold, asked of the RDF


@pytest.fixture(scope="module")
def expected(seeds_store):
    """Nodes and edges of the network, counted from the store with SPARQL (not from the code that draws it)."""
    docs = {
        r[0].value for r in run_query(seeds_store, "SELECT DISTINCT ?d { ?d a kg:Document ; dcterms:title ?t }").rows
    }
    linked = run_query(
        seeds_store,
        """SELECT DISTINCT ?e { { ?d schema:mentions ?e } UNION
           { ?d a kg:Document ; dcterms:publisher ?e FILTER(isIRI(?e)) } }""",
    ).rows
    nodes = docs | {r[0].value for r in linked}
    mentions = {
        (d.value, e.value)
        for d, e in run_query(seeds_store, "SELECT DISTINCT ?d ?e { ?d schema:mentions ?e }").rows
        if d.value in nodes and e.value in nodes and d.value != e.value
    }
    values = " ".join(f"<{iri}>" for iri in map_relations())
    relations = run_query(
        seeds_store,
        f"""SELECT DISTINCT ?s ?p ?o {{ {{ ?s ?p ?o VALUES ?p {{ {values} }} }} UNION
            {{ ?s a kg:Document ; dcterms:publisher ?o FILTER(isIRI(?o)) BIND(dcterms:publisher AS ?p) }} }}""",
    ).rows
    links = {
        (s.value, local_name(p.value), o.value)
        for s, p, o in relations
        if s.value in nodes and o.value in nodes and s.value != o.value
    }
    return {"nodes": len(nodes), "edges": len(mentions) + len(links), "documents": len(docs)}


def _check_network(graph: nx.MultiDiGraph, expected: dict) -> None:
    assert graph.number_of_nodes() == expected["nodes"]
    assert graph.number_of_edges() == expected["edges"]
    nhse = graph.nodes["https://w3id.org/nhs-policy-kg/id/nhs-england"]
    assert nhse["label"] == "NHS England" and nhse["type"] == "NationalBody"
    assert nhse["iri"] == "https://w3id.org/nhs-policy-kg/id/nhs-england"
    assert sum(1 for _, d in graph.nodes(data=True) if str(d["document"]).lower() == "true") == expected["documents"]
    predicates = {d["predicate"] for _, _, d in graph.edges(data=True)}
    assert {"mentions", "evolvesInto"} <= predicates
    assert all(int(d["evidence"]) >= 1 for _, _, d in graph.edges(data=True) if d["predicate"] == "mentions")


@pytest.mark.parametrize("ending, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_networkx_reads_graphml_and_gexf_with_the_expected_counts(seeds_store, expected, tmp_path, ending, reader):
    path = tmp_path / f"graph.{ending}"
    result = runner.invoke(app, ["export", "--store", seeds_store.location, "-o", str(path)])
    assert result.exit_code == 0, result.output
    graph = reader(path)
    assert isinstance(graph, nx.MultiDiGraph)
    _check_network(graph, expected)


def test_csv_node_and_edge_lists(seeds_store, expected, tmp_path):
    written = exports.write(seeds_store, "csv", tmp_path / "graph.csv")
    assert [p.name for p in written] == ["graph-nodes.csv", "graph-edges.csv"]
    with written[0].open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with written[1].open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    graph = nx.MultiDiGraph()
    for row in nodes:
        graph.add_node(row["Id"], label=row["Label"], iri=row["Id"], **{k: v for k, v in row.items() if k[0].islower()})
    for row in edges:
        assert row["Type"] == "Directed" and row["Source"] in graph and row["Target"] in graph
        graph.add_edge(
            row["Source"], row["Target"], key=row["predicate"], predicate=row["predicate"], evidence=row["evidence"]
        )
    _check_network(graph, expected)


def _edges(graph: nx.MultiDiGraph) -> list[tuple]:
    return sorted((a, b, d["predicate"], d["label"], int(d["evidence"])) for a, b, d in graph.edges(data=True))


@pytest.mark.parametrize("which", ["seeds", "sample"])
def test_the_streamed_network_is_the_maps_graph_node_for_node(which, seeds_store, sample_store, tmp_path, monkeypatch):
    """The export reads the store in batches of documents; the map builds its graph whole: the same network."""
    from kg.web import network as written_network
    from kg.web.mapview import map_graph

    store = seeds_store if which == "seeds" else sample_store
    monkeypatch.setattr(written_network, "BATCH", 3)  # several batches even for a small corpus
    drawn = map_graph(store, mention_words=0)
    read = nx.read_graphml(exports.write(store, "graphml", tmp_path / "net.graphml")[0])
    assert set(read.nodes) == set(drawn.nodes)
    for node, data in drawn.nodes(data=True):
        got = read.nodes[node]
        assert got["iri"] == node and got["label"] == data["label"] and got["type"] == data["type"]
        assert got["document"] is bool(data["document"]) and got["type_label"] == data["type_label"]
        assert (got["issued"], got["publisher"]) == (data.get("issued") or "", data.get("publisher") or "")
        assert (got["mentions"], got["degree"]) == (data["mentions"], data["degree"]), node
    assert _edges(read) == _edges(drawn)
    assert {"mentions", "publisher"} <= {edge[2] for edge in _edges(read)}


def test_a_failed_network_export_leaves_no_file(sample_store, tmp_path, monkeypatch):
    from kg.web import network as written_network

    def broken(*args, **kwargs):
        raise OSError("disk full")
        yield

    old = tmp_path / "net.gexf"
    old.write_text("the previous export", encoding="utf-8")
    monkeypatch.setattr(written_network._Network, "edges", broken)
    for fmt, name in (("gexf", "net.gexf"), ("csv", "net.csv")):
        with pytest.raises(OSError, match="disk full"):
            exports.write(sample_store, fmt, tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.gexf"]
    assert old.read_text(encoding="utf-8") == "the previous export"


# ------------------------------------------------------------------ JSON-LD with a published context


def test_jsonld_export_refers_to_the_context_written_beside_it(seeds_store, tmp_path):
    path = tmp_path / "graph.jsonld"
    export(seeds_store, "jsonld", path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_NAME
    assert json.loads((tmp_path / CONTEXT_NAME).read_text(encoding="utf-8"))["@context"] == context()

    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            keys.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert keys and not [k for k in keys if ":" in k]  # every key is a short term or a JSON-LD keyword

    # rdflib resolves the context from the file beside the export and reads back every quad of the TriG export
    reread = rdflib.Dataset()
    reread.parse(path, format="json-ld")
    trig = rdflib.Dataset()
    trig.parse(data=export(seeds_store, "trig").decode("utf-8"), format="trig")
    assert {q for q in reread.quads() if q[3] is not None} == {q for q in trig.quads() if q[3] is not None}
    assert seeds_store.quad_count() == len(list(reread.quads()))


def test_every_property_the_data_uses_has_a_short_key(both_stores):
    defined = context()
    prefixes = {k: v for k, v in defined.items() if isinstance(v, str) and not v.startswith("@")}

    def expand(curie: str) -> str:
        prefix, _, rest = curie.partition(":")
        return prefixes[prefix] + rest

    keyed = {expand(v["@id"]) for v in defined.values() if isinstance(v, dict)}
    used = {r[0].value for store in both_stores for r in run_query(store, "SELECT DISTINCT ?p { ?s ?p ?o }").rows}
    assert len(used) > 50
    assert used - keyed - {str(rdflib.RDF.type)} == set()


@pytest.fixture(scope="module")
def both_stores(seeds_store, sample_store):
    return [seeds_store, sample_store]


def test_jsonld_on_a_stream_embeds_the_context(sample_store):
    document = json.loads(export(sample_store, "jsonld"))
    assert document["@context"] == context()


# ------------------------------------------------------------------ kg export chooses the format by the file's ending


@pytest.mark.parametrize(
    "name, starts",
    [
        ("g.ttl", b"@prefix"),
        ("g.nt", b"<"),
        ("g.nq", b"<"),
        ("g.trig", b"@prefix"),
        ("g.rdf", b"<?xml"),
        ("g.xml", b"<?xml"),
        ("g.jsonld", b"{"),
        ("g.graphml", b"<?xml"),
        ("g.gexf", b"<?xml"),
    ],
)
def test_export_infers_the_format_from_the_ending(cli_store, tmp_path, name, starts):
    path = tmp_path / name
    result = runner.invoke(app, ["export", "--store", cli_store, "-o", str(path)])
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(starts)
    if name.endswith("graphml"):
        assert b"<graphml" in data[:400]
    if name.endswith("gexf"):
        assert b"<gexf" in data[:400]


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "graph.xyz"], "cannot tell the export format from the file name 'graph.xyz'"),
        (["-f", "csv"], "give -o FILE"),
        (["-f", "docx"], "unknown export format"),
    ],
)
def test_export_refuses_what_it_cannot_write_in_one_sentence(cli_store, tmp_path, args, message):
    result = runner.invoke(
        app, ["export", "--store", cli_store, *[str(tmp_path / a) if a.startswith("graph.") else a for a in args]]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "graph.xyz").exists()


@pytest.mark.parametrize(
    "name, taken", [("out.ttl", "out.ttl"), ("out.graphml", "out.graphml"), ("out.csv", "out-edges.csv")]
)
def test_export_onto_a_folder_is_one_sentence_and_writes_nothing(cli_store, tmp_path, name, taken):
    (tmp_path / taken).mkdir()
    result = runner.invoke(app, ["export", "--store", cli_store, "-o", str(tmp_path / name)])
    assert result.exit_code == 2
    assert f"cannot write {tmp_path / name}: Is a directory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken]  # no .part, no half of a pair
