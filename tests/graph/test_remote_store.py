"""``--store sparql+http://…``: the same graph on Oxigraph server and on Virtuoso as in the embedded store.

Both servers are real processes on loopback (:mod:`tests.sparql_servers`). The sample corpus is ingested
into each; the N-Quads of every named graph, the saved queries' rows, the exports, the site and the
served endpoint must then agree with the embedded store of the same corpus. Two differences are the
servers' and are normalised before comparing: each ingest records its own time (``prov:endedAtTime``),
and Oxigraph stores every integer type as ``xsd:integer`` while Virtuoso keeps the type written
(``xsd:nonNegativeInteger`` offsets).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.errors import KGError, StoreError
from kg.graph import export as exporting
from kg.graph.binding import bind_values
from kg.graph.query import run_query
from kg.graph.remote import RemoteStore
from kg.graph.saved import find_saved, run_saved, saved_names
from kg.graph.sparqlhttp import parse_location
from kg.graph.store import OWN_GRAPHS, Store, open_store
from kg.graph.worker import GRAPHS_TTL
from kg.ingest import ingest
from tests.conftest import SAMPLE
from tests.sparql_servers import SERVERS, free_port

EX = "https://w3id.org/nhs-policy-kg/doc/remote-test-"
STATE: dict[str, str] = {}  #: each server's local folder (search index), by address
_TIME = re.compile(r'"[^"]*"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>')
_INTEGER = "<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"


def normal(line: str) -> str:
    """An N-Quads line with the two server differences taken out (see the module's docstring)."""
    if "prov#endedAtTime" in line:
        line = _TIME.sub('"TIME"', line)
    return line.replace(_INTEGER, "<http://www.w3.org/2001/XMLSchema#integer>")


def by_graph(store) -> dict[str, set[str]]:
    """Each named graph's quads as normalised N-Quads lines, read back by rdflib (an independent parser)."""
    data = exporting.serialise(store, "nq")
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    graphs: dict[str, set[str]] = defaultdict(set)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g is not None and str(g) != str(rdflib.Dataset().default_graph.identifier):
            graphs[str(g)].add(normal(f"{s.n3()} {p.n3()} {o.n3()}"))
    return dict(graphs)


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request, tmp_path_factory):
    started = SERVERS[request.param](tmp_path_factory.mktemp(request.param)).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def remote(server, pipeline, tmp_path_factory):
    """The sample corpus ingested into the server (read-only use, please)."""
    with pytest.MonkeyPatch.context() as patch:
        STATE[server.location] = str(tmp_path_factory.mktemp("state"))
        patch.setenv("KG_REMOTE_STATE", STATE[server.location])
        with open_store(server.location) as store:
            assert isinstance(store, RemoteStore)
            report = ingest([SAMPLE], store, pipeline)
            assert not report.failures, report.failures
            yield store


def test_ingest_writes_the_same_named_graphs_as_the_embedded_store(remote, sample_store):
    ours, theirs = by_graph(sample_store), by_graph(remote)
    assert set(theirs) == set(ours) and len(ours) == len(sample_store.document_graphs()) + len(OWN_GRAPHS)
    for graph, lines in ours.items():
        assert theirs[graph] == lines, graph
    assert remote.document_graphs() == sample_store.document_graphs()


def test_count_star_counts_distinct_triples_on_the_server(remote, sample_store):
    def count(store) -> int:
        return int(run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value)

    assert count(remote) == count(sample_store) == len(sample_store) == len(remote)
    assert remote.quad_count() == sample_store.quad_count() > len(remote)  # the graphs do repeat triples
    shared = ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("shared"))
    before = count(remote)
    remote.replace_graphs([(EX + "a", [shared]), (EX + "b", [shared])])  # one triple, two graphs, one request
    try:
        assert count(remote) == before + 1
        assert remote.quad_count() == sample_store.quad_count() + 2
        remote.replace_graphs([(EX + "a", [])])
        assert count(remote) == before + 1  # graph b still holds it
    finally:
        remote.replace_graphs([(EX + "a", []), (EX + "b", [])])
    assert count(remote) == before and EX + "b" not in remote.document_graphs()


def _cell(term) -> str:
    """A cell to compare: GROUP_CONCAT joins its values in no set order, so the parts are sorted (the
    saved queries join with ", " or " | ")."""
    if term is None:
        return ""
    for separator in (" | ", ", "):
        if isinstance(term, ox.Literal) and separator in term.value:
            return separator.join(sorted(term.value.split(separator)))
    return normal(str(term))


def _rows(result) -> list[tuple[str, ...]]:
    return sorted(tuple(_cell(t) for t in row) for row in result.rows)


#: Saved queries whose rows Virtuoso 7.2 gives otherwise, from its SPARQL dialect, not from the store.
#: Strict: one that comes right fails here. Found so far, and written around in the saved queries that are
#: no longer listed (docs/remote-store.md): SUBSTR from an unbound position stops the whole query; STR of
#: an unbound value is "" and CONCAT with one no error; GROUP_CONCAT drops language tags and gives "" for
#: no values; a path joined from a variable the pattern before it binds matches for its first value only.
#: catalogue-gaps and entities-without-definition: an OPTIONAL whose filter names a variable bound outside
#: it finds nothing; COUNT over nested OPTIONALs differs. (lineage's rewrite with plain joins gives the same
#: rows; its first form, a FILTER of BOUND(...) || NOT EXISTS {...}, made Virtuoso 7.2 drop the connection.) documents-with-entity-counts: Virtuoso's OPTIONAL of its grouped subquery (the
#: class count, with the page repeated inside) matches nothing, so every count is 0; a portable form (a
#: join, with an empty UNION branch for documents that count 0) gives the same rows on both but took 4.5x
#: as long on the embedded store at 1,000 documents, so it is not used.
VIRTUOSO_DIFFERS = {
    "catalogue-gaps",
    "documents-with-entity-counts",
    "entities-without-definition",
}


@pytest.mark.parametrize("name", saved_names())
def test_saved_queries_give_the_same_rows(remote, sample_store, name, request):
    if name in VIRTUOSO_DIFFERS and "virtuoso" in request.node.callspec.id:
        request.applymarker(pytest.mark.xfail(reason="Virtuoso's SPARQL dialect (see VIRTUOSO_DIFFERS)", strict=True))
    query = find_saved(name)
    ours, theirs = run_saved(sample_store, query), run_saved(remote, query)
    assert theirs.variables == ours.variables
    assert _rows(theirs) == _rows(ours)


def test_bound_values_are_terms_never_text():
    sparql = "SELECT ?d ?entity WHERE { ?d <http://schema.org/mentions> ?entity }"
    bound = bind_values(sparql, {"entity": ox.Literal('"} ; DROP ALL ; #')})
    assert bound.count("DROP") == 2 and bound.count('"\\"} ; DROP ALL ; #"') == 2  # quoted, in VALUES and in place
    construct = bind_values("CONSTRUCT { ?s ?p ?x } WHERE { ?s ?p ?x }", {"x": ox.NamedNode("http://a")})
    assert construct == "CONSTRUCT { ?s ?p ?x } WHERE { VALUES (?x) { (<http://a>) }  ?s ?p <http://a> }"


@pytest.mark.parametrize("fmt", ["turtle", "trig", "jsonld", "xml"])
def test_export_reads_back_as_the_embedded_export(remote, sample_store, fmt):
    parse_as = {"turtle": "turtle", "trig": "trig", "jsonld": "json-ld", "xml": "xml"}[fmt]
    if fmt in ("trig", "jsonld"):
        ours, theirs = rdflib.Dataset(), rdflib.Dataset()
    else:
        ours, theirs = rdflib.Graph(), rdflib.Graph()
    ours.parse(data=exporting.serialise(sample_store, fmt), format=parse_as)
    theirs.parse(data=exporting.serialise(remote, fmt), format=parse_as)
    assert len(theirs) == len(ours) > 5_000


def test_network_export_is_the_embedded_one(remote, sample_store, tmp_path):
    """The network is read from the server a batch of documents at a time, as from the embedded store."""
    from kg.web import exports

    ours = exports.write(sample_store, "csv", tmp_path / "ours.csv")
    theirs = exports.write(remote, "csv", tmp_path / "theirs.csv")
    for mine, yours in zip(ours, theirs, strict=True):
        lines = mine.read_text(encoding="utf-8").splitlines()
        assert sorted(yours.read_text(encoding="utf-8").splitlines()) == sorted(lines) and len(lines) > 100


def test_validate_and_stats_agree(remote, sample_store):
    from kg.graph.validate import validate

    assert validate(remote).conforms == validate(sample_store).conforms
    ours, theirs = sample_store.stats(), remote.stats()
    for key in ("documents", "entities", "entities_mentioned", "triples", "distinct_triples", "by_type"):
        assert theirs[key] == ours[key], key


def test_the_site_builds_the_same_pages(remote, sample_store, tmp_path):
    from kg.web.site import build_site

    build_site(sample_store, tmp_path / "ours")
    build_site(remote, tmp_path / "theirs")
    pages = sorted(str(p.relative_to(tmp_path / "ours")) for p in (tmp_path / "ours").rglob("*.html"))
    assert pages == sorted(str(p.relative_to(tmp_path / "theirs")) for p in (tmp_path / "theirs").rglob("*.html"))
    assert len(pages) > 50


def test_serve_answers_queries_through_its_workers_and_connects_nowhere_else(remote):
    from kg.web.server import create_app, running
    from tests.graph.test_sparqlguard import Listener, spellings
    from tests.web.test_server import ask, http, triple_count

    listener = Listener()
    try:
        app = create_app(remote.location, query_timeout=20.0, workers=1, build_site=True)
        with running(app) as url:
            dump = http(url, "/dump.nq")
            assert dump.status == 200 and len(dump.text.splitlines()) == remote.quad_count()
            page = http(url, "/vocabulary.html")
            assert page.status == 200 and "Integrated Care System" in page.text
            assert triple_count(url) == remote.quad_count()
            answer = ask(url, "SELECT ?t WHERE { ?d a kg:Document ; dcterms:title ?t }", headers={"Accept": "text/csv"})
            assert answer.status == 200 and answer.text.count("\n") == len(remote.document_graphs()) + 1
            graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            before = int(ask(url, graphs).json()["results"]["bindings"][0]["n"]["value"])
            added = ox.Quad(ox.NamedNode(EX + "d"), ox.NamedNode(EX + "p"), ox.Literal("added while serving"))
            remote.replace_graphs([(EX + "d", [added])])
            try:
                time.sleep(GRAPHS_TTL + 0.5)  # a worker reads the server's list of graphs again after this
                assert int(ask(url, graphs).json()["results"]["bindings"][0]["n"]["value"]) == before + 1
            finally:
                remote.replace_graphs([(EX + "d", [])])
            for name, sparql in spellings(listener.endpoint, listener.port).items():
                refused = ask(url, sparql)
                assert refused.status == 400, (name, refused.status, refused.text)
            time.sleep(0.3)
            assert listener.connections == 0
    finally:
        listener.close()


def test_the_served_site_sees_a_new_ingest_by_its_signature(remote):
    from kg.graph.store import data_signature

    before = data_signature(remote.location)
    stamp = ox.Quad(
        ox.NamedNode(EX + "c#ingest"),
        ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"),
        ox.Literal("2999-01-01T00:00:00Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
    )
    remote.replace_graphs([(EX + "c", [stamp])])
    try:
        assert data_signature(remote.location) != before
    finally:
        remote.replace_graphs([(EX + "c", [])])
    assert data_signature(remote.location) == before


def test_the_endpoints_follow_the_path_or_the_options():
    oxigraph = parse_location("sparql+http://127.0.0.1:7878/", "https://b/")
    assert (oxigraph.query, oxigraph.update, oxigraph.gsp, oxigraph.union) == (
        "http://127.0.0.1:7878/query",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
        None,
    )
    virtuoso = parse_location("sparql+https://h:8890/sparql", "https://b/")
    assert (virtuoso.query, virtuoso.update, virtuoso.gsp, virtuoso.union) == (
        "https://h:8890/sparql",
        "https://h:8890/sparql",
        "https://h:8890/sparql-graph-crud",
        "https://b/graph/union",
    )
    given = parse_location("sparql+http://h/x/?query=/q&update=/u&gsp=/g&union=default&timeout=5", "https://b/")
    assert (given.query, given.update, given.gsp, given.union, given.timeout) == (
        "http://h/q",
        "http://h/u",
        "http://h/g",
        None,
        5.0,
    )
    with pytest.raises(StoreError, match="unknown option"):
        parse_location("sparql+http://h/?quer=/q", "https://b/")


def _kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_a_server_that_is_not_there_is_one_sentence():
    port = free_port()
    answer = _kg("query", "--store", f"sparql+http://127.0.0.1:{port}/", "-e", "ASK {}")
    assert answer.returncode == 2
    assert answer.stderr.count("\n") == 1 and "Traceback" not in answer.stderr
    assert f"127.0.0.1:{port}" in answer.stderr and "cannot be reached" in answer.stderr


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_a_server_that_stops_mid_ingest_loses_nothing_and_a_reingest_converges(
    tmp_path, pipeline, sample_store, monkeypatch, kind
):
    monkeypatch.setenv("KG_REMOTE_STATE", str(tmp_path / "state"))
    server = SERVERS[kind](tmp_path / kind).start()
    try:
        with open_store(server.location) as store:
            seen: list[str] = []

            def stop_after_four(location: str) -> None:
                seen.append(location)
                if len(seen) == 5:
                    server.stop()  # the fifth file and the rest meet a server that is gone

            # one document per batch, so the documents read before the stop are committed one by one
            with pytest.raises(KGError) as stopped:
                ingest([SAMPLE], store, pipeline, on_source=stop_after_four, batch_size=1)
            message = str(stopped.value)
            assert "cannot be reached" in message and "\n" not in message
            assert "those before it were" in message
        server.start()  # the same folder and port: what was acknowledged is there, whole
        ours = by_graph(sample_store)
        with open_store(server.location) as store:
            kept = by_graph(store)
            written = {graph for graph in set(kept) & set(ours) if "/doc/" in graph}
            assert written, "the documents committed before the stop are kept"
            for graph in written:
                assert kept[graph] == ours[graph]
            again = ingest([SAMPLE], store, pipeline)
            assert not again.failures
            assert {iri for iri, _ in again.unchanged} >= written
            assert by_graph(store) == ours
            total = len(store)
        assert total == len(sample_store)
    finally:
        server.stop()


def test_kg_commands_run_on_a_server(remote, tmp_path):
    location = remote.location
    env = {**os.environ, "KG_REMOTE_STATE": str(tmp_path / "state")}
    answer = _kg("query", "--store", location, "documents-mentioning", "-p", "entity=ACOs", "-f", "csv", env=env)
    assert answer.returncode == 0, answer.stderr
    assert "Draft accountable care organisation contract" in answer.stdout
    out = tmp_path / "graph.nq"
    assert _kg("export", "--store", location, "-o", str(out), env=env).returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == remote.quad_count()
    stats = _kg("stats", "--store", location, env=env)
    assert stats.returncode == 0 and "documents" in stats.stdout
    site = _kg("site", "--store", location, str(tmp_path / "site"), env=env)
    assert site.returncode == 0, site.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert _kg("map", "--store", location, "-o", str(tmp_path / "map.html"), env=env).returncode == 0
    found = _kg(
        "search", "--store", location, "accountable care", "-f", "csv", env={**env, "KG_REMOTE_STATE": STATE[location]}
    )
    assert found.returncode == 0, found.stderr
    assert "Draft accountable care organisation contract" in found.stdout
    assert Path(tmp_path / "map.html").stat().st_size > 10_000


def test_kg_upgrade_gives_a_server_the_days_an_older_kg_did_not_write(remote, sample_store, tmp_path):
    # a server records no format version: take the stored days out, as a kg of format 4 left them, and
    # kg upgrade writes them back, in the graphs and in the union, and says how many
    from kg.graph.days import DAY_OF

    before = by_graph(remote)
    days = {f"<{day}>" for day in DAY_OF.values()}
    written = sum(1 for lines in before.values() for line in lines if line.split(" ")[1] in days)
    assert written > 10
    for day in DAY_OF.values():
        remote.dataset.update(f"DELETE {{ GRAPH ?g {{ ?d <{day}> ?x }} }} WHERE {{ GRAPH ?g {{ ?d <{day}> ?x }} }}")
    remote.rebuild_union()
    try:
        assert by_graph(remote) != before
        assert not _rows(run_query(remote, "SELECT ?d WHERE { ?d kg:reviewDay ?x }"))
        env = {**os.environ, "KG_REMOTE_STATE": str(tmp_path / "state")}
        upgraded = _kg("upgrade", "--store", remote.location, env=env)
        assert upgraded.returncode == 0, upgraded.stderr
        assert f"{written:,} days written" in upgraded.stderr
        assert by_graph(remote) == before
        for name in ("due-for-review", "newest-documents"):
            query = find_saved(name)
            assert _rows(run_saved(remote, query, limit=0)) == _rows(run_saved(sample_store, query, limit=0))
        again = _kg("upgrade", "--store", remote.location, env=env)
        assert again.returncode == 0 and " 0 days written" in again.stderr
    finally:
        from kg.graph.days import add_missing_days

        add_missing_days(remote)  # the other tests share this server's store


def test_due_for_review_and_newest_documents_page_by_page_with_ties(remote, sample_store, tmp_path):
    # documents that tie on day (one day written as a year, a month and a day), on title, a briefing with
    # two rows, and non-briefings due first, added to the server and to a copy of the embedded store:
    # every page the server gives, joined, is the embedded store's whole answer
    from kg import Store
    from tests.graph.test_days import tie_documents

    graphs = tie_documents(EX)
    with Store(tmp_path / "embedded") as embedded:
        embedded.oxigraph.extend(sample_store.oxigraph.quads_for_pattern(None, None, None, None))
        embedded.replace_graphs(graphs)
        remote.replace_graphs(graphs)
        try:
            cases = [
                ("due-for-review", {}),
                ("due-for-review", {"before": "2020-01-02"}),
                ("due-for-review", {"before": "2020"}),
                ("newest-documents", {}),
                ("newest-documents", {"count": "30"}),
            ]
            for name, values in cases:
                query = find_saved(name)
                whole = _rows(run_saved(embedded, query, values, limit=0))
                assert len(whole) >= 10, (name, values)
                assert _rows(run_saved(remote, query, values, limit=0)) == whole, (name, values)
                for size in (1, 3, 7, 100):
                    rows, offset = [], 0
                    while True:
                        page = run_saved(remote, query, values, limit=size, offset=offset)
                        rows += page.rows
                        if not page.more:
                            break
                        offset += size
                    assert sorted(tuple(_cell(t) for t in row) for row in rows) == whole, (name, values, size)
        finally:
            remote.replace_graphs([(graph, []) for graph, _ in graphs])


def test_still_current_gives_the_embedded_rows_on_dated_lineage(remote, tmp_path):
    # the sample has no document after an event that leaves out the successor: hand-made graphs, every date precision
    from tests.graph.test_saved_pages import lineage_dates_graphs

    query = find_saved("still-current-after-superseded")
    graphs = lineage_dates_graphs(remote.base)
    with Store(tmp_path / "embedded") as embedded:
        embedded.replace_graphs(lineage_dates_graphs(embedded.base))
        ours = run_saved(embedded, query, limit=0)
        remote.replace_graphs(graphs)
        try:
            theirs, page = run_saved(remote, query, limit=0), run_saved(remote, query, limit=5, offset=5)
        finally:
            remote.replace_graphs([(name, []) for name, _ in graphs])
    assert len(ours.rows) > 20 and _rows(theirs) == _rows(ours)
    assert [tuple(map(_cell, row)) for row in page.rows] == [tuple(map(_cell, row)) for row in ours.rows[5:10]]
