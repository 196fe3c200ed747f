"""``kg serve``: the real server (uvicorn on a loopback port, worker processes, the sample store), tested over the socket."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from urllib.parse import urljoin

import pytest
import rdflib

import kg.web.site
from kg import Store
from kg.errors import StoreError, UsageError
from kg.graph import namespaces as ns
from kg.graph.saved import load_saved
from kg.ingest import ingest
from kg.web.pages import page_path
from kg.web.server import create_app, running, serve
from tests.conftest import SAMPLE

BASE = ns.base_iri()
K = BASE + "id/"
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

TIMEOUT = 2.0
MAX_ROWS = 1000
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DOCUMENTS = "SELECT ?doc ?title WHERE { ?doc a kg:Document ; dcterms:title ?title } ORDER BY ?title"
VOCABULARY_GRAPH = BASE + "graph/vocabulary"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    (folder / "id").mkdir()
    (folder / "id" / "integrated-care-system.html").write_text(
        "<!doctype html><title>ICS</title><p>Integrated Care System page</p>"
    )
    (folder / "index.html").write_text("<!doctype html><title>Site</title><p>site index</p>")
    return folder


@pytest.fixture(scope="module")
def server(sample_store, site):
    app = create_app(sample_store.location, site_dir=site, query_timeout=TIMEOUT, max_rows=MAX_ROWS, workers=2)
    with running(app) as url:
        yield url, app


@pytest.fixture
def url(server):
    return server[0]


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    @property
    def type(self):
        return self.headers.get("content-type", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(url, path="", *, data=None, headers=None, method=None, params=None):
    if params is not None:
        path += "?" + urllib.parse.urlencode(params)
    request = urllib.request.Request(url + path, data=data, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=60) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def ask(url, query, **kwargs):
    return http(url, "/sparql", params={"query": query, **kwargs.pop("params", {})}, **kwargs)


def triple_count(url) -> int:
    answer = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


# --------------------------------------------------------------------------- SPARQLWrapper, an outside client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_ask_construct(url, method):
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    def client(query, fmt):
        wrapper = SPARQLWrapper(url + "/sparql")
        wrapper.setMethod(method)
        wrapper.setQuery(query)
        wrapper.setReturnFormat(fmt)
        return wrapper.queryAndConvert()

    rows = client(DOCUMENTS, JSON)["results"]["bindings"]
    assert len(rows) >= 10 and all(r["doc"]["value"].startswith(BASE + "doc/") for r in rows)
    xml = client(DOCUMENTS, XML)  # a DOM document
    assert len(xml.getElementsByTagName("result")) == len(rows)
    assert client("ASK { kgid:integrated-care-system a skos:Concept }", JSON) == {"head": {}, "boolean": True}
    construct = "CONSTRUCT { ?doc dcterms:title ?title } WHERE { ?doc a kg:Document ; dcterms:title ?title }"
    graph = rdflib.Graph().parse(data=client(construct, TURTLE), format="turtle")
    assert len(graph) == len(rows)
    as_rdfxml = client(construct, XML)  # SPARQLWrapper reads RDF/XML into an rdflib graph
    assert isinstance(as_rdfxml, rdflib.Graph) and len(as_rdfxml) == len(rows)


# --------------------------------------------------------------------------- the protocol over plain HTTP


def test_get_post_form_and_post_direct_agree(url):
    by_get = ask(url, DOCUMENTS)
    by_form = http(
        url,
        "/sparql",
        data=urllib.parse.urlencode({"query": DOCUMENTS}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    direct = http(url, "/sparql", data=DOCUMENTS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert by_get.status == by_form.status == direct.status == 200
    assert by_get.type == "application/sparql-results+json"
    assert by_get.json() == by_form.json() == direct.json()
    assert by_get.json()["head"]["vars"] == ["doc", "title"]


@pytest.mark.parametrize(
    "fmt, accept, media",
    [
        ("json", "application/sparql-results+json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml", "application/sparql-results+xml"),
        ("csv", "text/csv", "text/csv; charset=utf-8"),
        ("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv", "text/html;q=0, text/csv;q=0.9, application/json;q=0.5", "text/csv; charset=utf-8"),
    ],
)
def test_select_formats_by_parameter_and_by_accept(url, fmt, accept, media):
    by_parameter = ask(url, DOCUMENTS, params={"format": fmt})
    by_accept = ask(url, DOCUMENTS, headers={"Accept": accept})
    assert by_parameter.status == by_accept.status == 200
    assert by_parameter.type == by_accept.type == media
    assert by_parameter.body == by_accept.body
    assert "accept" in by_accept.headers.get("vary", "").lower()


def test_csv_and_tsv_bodies(url):
    table = list(csv.reader(io.StringIO(ask(url, DOCUMENTS, params={"format": "csv"}).text)))
    assert table[0] == ["doc", "title"]
    assert len(table) > 10 and all(row[0].startswith(BASE + "doc/") for row in table[1:])
    tsv = ask(url, DOCUMENTS, params={"format": "tsv"}).text.splitlines()
    assert tsv[0] == "?doc\t?title"
    first = tsv[1].split("\t")
    assert first[0].startswith(f"<{BASE}doc/") and first[1].startswith('"')
    assert ask(url, "ASK {}", params={"format": "csv"}).text.strip() in ("true", "false")


@pytest.mark.parametrize(
    "fmt, accept, media, rdflib_format",
    [
        ("turtle", "text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("ntriples", "application/n-triples", "application/n-triples", "nt"),
        ("jsonld", "application/ld+json", "application/ld+json", "json-ld"),
        ("rdfxml", "application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_graph_formats_by_parameter_and_by_accept(url, fmt, accept, media, rdflib_format):
    query = "DESCRIBE kgid:integrated-care-system"
    by_parameter = ask(url, query, params={"format": fmt})
    by_accept = ask(url, query, headers={"Accept": accept})
    assert by_parameter.status == by_accept.status == 200
    assert by_parameter.type == by_accept.type == media
    graph = rdflib.Graph().parse(data=by_accept.body, format=rdflib_format)
    assert (
        rdflib.URIRef(K + "integrated-care-system"),
        rdflib.SKOS.prefLabel,
        rdflib.Literal("Integrated Care System", lang="en"),
    ) in graph


def test_defaults_json_for_tables_and_turtle_for_graphs(url):
    assert ask(url, "ASK {}").type == "application/sparql-results+json"
    assert ask(url, "DESCRIBE kgid:integrated-care-system").type.startswith("text/turtle")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert ask(url, "ASK {}", headers={"Accept": browser}).type == "application/sparql-results+json"


def test_service_description(url):
    answer = http(url, "/sparql", headers={"Accept": "text/turtle"})
    assert answer.status == 200 and answer.type.startswith("text/turtle")
    graph = rdflib.Graph().parse(data=answer.body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert graph.value(service, sd.endpoint) == rdflib.URIRef(url + "/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(
        graph.objects(service, sd.resultFormat)
    )
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in set(graph.objects(service, sd.resultFormat))
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert VOCABULARY_GRAPH in names and any(n.startswith(BASE + "doc/") for n in names)
    assert http(url, "/sparql").type.startswith("text/turtle")  # no Accept at all
    browser = http(url, "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status == 303 and urljoin("/sparql", browser.headers["location"]) == "/"


def test_dataset_parameters_and_from(url):
    count = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kg:Document }"

    def number(answer):
        assert answer.status == 200, answer.text
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    assert number(ask(url, count)) >= 10  # the union of all graphs
    assert number(ask(url, count, params={"default-graph-uri": VOCABULARY_GRAPH})) == 0
    assert number(ask(url, count.replace("WHERE", f"FROM <{VOCABULARY_GRAPH}> WHERE"))) == 0
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert number(ask(url, graphs, params={"named-graph-uri": VOCABULARY_GRAPH})) == 1
    assert ask(url, count, params={"default-graph-uri": "not an iri"}).status == 400


def test_cors(url):
    preflight = http(
        url,
        "/sparql",
        method="OPTIONS",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 204  # No Content: the preflight answer is in its headers
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answer = ask(url, "ASK {}", headers={"Origin": "https://yasgui.example"})
    assert answer.headers["access-control-allow-origin"] == "*"


def test_updates_are_refused_and_change_nothing(url, sample_store):
    before, stored = triple_count(url), len(sample_store)
    attempts = [
        http(url, "/sparql", params={"update": "DROP ALL"}),
        http(url, "/sparql", data=b"update=DROP%20ALL", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        http(url, "/sparql", data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
        ask(url, "DROP ALL"),
        ask(url, "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }"),
        http(url, "/sparql", data=b"DELETE WHERE { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"}),
    ]
    for answer in attempts:
        assert answer.status == 403, (answer.status, answer.text)
        assert "read-only" in answer.text
    assert triple_count(url) == before and len(sample_store) == stored


def test_bad_requests(url):
    malformed = ask(url, "SELECT ?s WHERE { ?s ?p }")
    assert malformed.status == 400 and "not valid" in malformed.text and "1:" in malformed.text
    assert ask(url, "ASK {}", params={"format": "pdf"}).status == 406
    assert ask(url, "ASK {}", headers={"Accept": "image/png"}).status == 406
    assert ask(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", params={"format": "turtle"}).status == 406
    assert ask(url, "ASK {}", method="PUT").status == 405
    assert (
        http(url, "/sparql", data=b"x" * 1_100_000, headers={"Content-Type": "application/sparql-query"}).status == 413
    )
    assert http(url, "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}).status == 415
    assert http(url, "/sparql", data=b"", headers={"Content-Type": "application/x-www-form-urlencoded"}).status == 400
    federated = ask(url, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert federated.status == 400 and "federated" in federated.text


# --------------------------------------------------------------------------- limits


def test_runaway_query_is_stopped_and_its_worker_replaced(server):
    url, app = server
    pool = app.state.pool
    restarts = pool.restarts
    start = time.monotonic()
    answer = ask(url, RUNAWAY)
    took = time.monotonic() - start
    assert answer.status == 503 and f"stopped after {TIMEOUT:g} s" in answer.text
    assert TIMEOUT <= took < TIMEOUT + 3
    assert pool.restarts == restarts + 1
    for _ in range(3):  # every worker answers again, the fresh one included
        assert ask(url, "ASK { kgid:integrated-care-system ?p ?o }").json()["boolean"] is True


def test_other_queries_are_answered_while_one_runs_away(sample_store):
    """Ordering, not the clock: the runaway is known to be running (it has gone into the heavy lane) when the other
    query is asked, and is still running when that one has its answer. Its time limit is far beyond any wait here,
    so a busy machine cannot end it first; closing the workers ends it. A second heavy slot lets the other query
    go on too should a loaded machine make it look heavy."""
    app = create_app(sample_store.location, query_timeout=600, max_rows=MAX_ROWS, workers=2, heavy_slots=2)
    with running(app) as url, ThreadPoolExecutor(1) as background:
        pool = app.state.pool
        runaway = background.submit(ask, url, RUNAWAY)
        try:
            while pool.demotions == 0 and not runaway.done():  # past its light budget: running, in the heavy lane
                time.sleep(0.05)
            assert not runaway.done(), runaway.result().text
            quick = ask(url, DOCUMENTS)
            assert quick.status == 200 and quick.json()["results"]["bindings"], quick.text
            assert not runaway.done()  # answered while the runaway goes on
        finally:
            pool.close()  # stops every worker, the runaway's with it
        assert runaway.result().status != 200


def test_result_size_limit(url):
    too_many = ask(url, "SELECT * WHERE { ?s ?p ?o }")
    assert too_many.status == 422 and f"more than {MAX_ROWS:,} rows" in too_many.text
    graph = ask(url, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert graph.status == 422 and "triples" in graph.text
    assert ask(url, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}").status == 200


def test_concurrent_requests(url):
    queries = [
        DOCUMENTS,
        "ASK {}",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a skos:Concept }",
        "DESCRIBE kgid:integrated-care-system",
    ] * 4

    def from_own_address(numbered):  # 16 clients, not one client over its cap of 4 (kg.web.server.fairness)
        index, query = numbered
        parts = urllib.parse.urlsplit(url)
        connection = HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(f"127.0.2.{index + 1}", 0))
        try:
            connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as clients:
        answers = list(clients.map(from_own_address, enumerate(queries)))
    assert [a.status for a in answers] == [200] * len(queries)
    assert len({a.body for a in answers[0::4]}) == 1  # the same query, the same answer from either worker


# --------------------------------------------------------------------------- the JSON API


def test_saved_query_list(url):
    listed = http(url, "/api/saved").json()
    assert [q["name"] for q in listed] == sorted(load_saved())
    mentioning = next(q for q in listed if q["name"] == "documents-mentioning")
    assert mentioning["title"] and mentioning["description"]
    entity = next(p for p in mentioning["params"] if p["name"] == "entity")
    assert entity == {
        "name": "entity",
        "type": "entity",
        "default": "ACO",
        "optional": False,
        "help": entity["help"],
    }
    assert entity["help"]


def test_saved_query_runs_with_parameters(url):
    answer = http(url, "/api/saved/documents-mentioning", params={"entity": "kgid:accountable-care-organisation"})
    assert answer.status == 200 and answer.type == "application/sparql-results+json"
    result = answer.json()
    assert result["results"]["bindings"], "no documents mention an ACO"
    assert "entity" not in result["head"]["vars"] and "title" in result["head"]["vars"]
    assert all(r["document"]["value"].startswith(BASE + "doc/") for r in result["results"]["bindings"])
    as_xml = http(url, "/api/saved/documents-mentioning", headers={"Accept": "application/sparql-results+xml"})
    assert as_xml.type == "application/sparql-results+xml"


def test_saved_query_errors(url):
    unknown = http(url, "/api/saved/documents-mentionin")
    assert unknown.status == 404 and "documents-mentioning" in unknown.json()["error"]
    bad = http(url, "/api/saved/documents-mentioning", params={"since": "last tuesday"})
    assert bad.status == 400 and "is not a date" in bad.json()["error"]
    assert http(url, "/api/saved/documents-mentioning", params={"entity": '"} ; DROP ALL ; #'}).status == 400


def test_injection_is_only_a_value(url, sample_store):
    before = triple_count(url)
    answer = http(url, "/api/saved/search-titles", params={"keyword": '"} ; DROP ALL ; #'})
    assert answer.status == 200 and answer.json()["results"]["bindings"] == []
    assert triple_count(url) == before and sample_store.quad_count() == before


def test_saved_query_csv_download(url):
    answer = http(
        url,
        "/api/saved/documents-mentioning",
        params={"entity": "kgid:accountable-care-organisation", "format": "csv", "download": "1"},
    )
    assert answer.status == 200 and answer.type == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="documents-mentioning.csv"'
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert "title" in rows[0] and len(rows) > 1
    inline = http(url, "/api/saved/documents-mentioning", params={"format": "csv"})
    assert "content-disposition" not in inline.headers


def test_saved_query_pages(url):
    every = http(url, "/api/saved/newest-documents", params={"count": "100"}).json()["results"]["bindings"]
    assert len(every) > 3
    first = http(url, "/api/saved/newest-documents", params={"count": "100", "limit": "2"})
    assert first.status == 200 and first.json()["results"]["bindings"] == every[:2]
    assert first.headers["kg-page"] == "limit=2; offset=0; rows=2; more=true"
    following = first.headers["link"]
    assert following.endswith('>; rel="next"') and "offset=2" in following and "count=100" in following
    second = http(url, following[1 : following.index(">")])
    assert second.json()["results"]["bindings"] == every[2:4]
    last = http(
        url, "/api/saved/newest-documents", params={"count": "100", "limit": "5", "offset": str(len(every) - 1)}
    )
    assert last.json()["results"]["bindings"] == every[-1:] and "link" not in last.headers
    assert last.headers["kg-page"].endswith(f"more=false; total={len(every)}")
    assert "kg-page" not in http(url, "/api/saved/newest-documents").headers, (
        "no # page: and no limit: the whole answer"
    )
    bad = http(url, "/api/saved/newest-documents", params={"offset": "-3"})
    assert bad.status == 400 and "whole number from 0" in bad.json()["error"]


def test_search(url):
    answer = http(url, "/api/search", params={"q": "ACS", "limit": "5"})
    assert answer.status == 200
    result = answer.json()
    assert result["query"] == "ACS" and "Accountable Care System" in result["expanded"]
    assert 0 < len(result["hits"]) <= 5
    top = result["hits"][0]
    assert top["iri"] == K + "accountable-care-system" and top["kind"] == "entity"
    assert top["page"] == "/id/accountable-care-system.html" and isinstance(top["score"], float) and top["snippet"]
    successor = {
        "relation": "successor",
        "label": "Integrated Care System",
        "iri": K + "integrated-care-system",
        "page": "/id/integrated-care-system.html",
    }
    assert successor in result["see_also"]
    assert http(url, "/api/search").status == 400
    assert http(url, "/api/search", params={"q": "ACS", "limit": "lots"}).status == 400


def test_search_leaves_the_api_and_the_command_in_one_shape(url, sample_store):
    """``kg search -f json`` and ``/api/search`` give the same keys and hits; pages differ only by the leading /."""
    from typer.testing import CliRunner

    from kg.cli import app

    for words in ("alliance contract", "ICB"):
        api = http(url, "/api/search", params={"q": words, "limit": "7"}).json()
        command = CliRunner().invoke(app, ["search", "--store", sample_store.location, words, "-n", "7", "-f", "json"])
        assert command.exit_code == 0, command.output
        cli = json.loads(command.stdout)
        assert set(cli) == set(api) == {"query", "expanded", "hits", "see_also", "suggestions"}
        assert cli["expanded"] == api["expanded"] and cli["hits"], words
        assert [set(h) for h in cli["hits"]] == [set(h) for h in api["hits"]]
        assert [h["iri"] for h in cli["hits"]] == [h["iri"] for h in api["hits"]]
        for mine, theirs in zip(cli["hits"] + cli["see_also"], api["hits"] + api["see_also"]):
            assert theirs["page"] == ("/" + mine["page"] if mine["page"] else None)


# --------------------------------------------------------------------------- pages and static files


def test_page_redirects_and_missing_pages(url):
    found = http(url, "/page", params={"iri": K + "integrated-care-system"})
    location = urljoin("/page", found.headers["location"])  # relative: right under a proxy's path prefix too
    assert found.status == 303 and location == "/id/integrated-care-system.html"
    page = http(url, location)
    assert page.status == 200 and "Integrated Care System page" in page.text
    no_file = http(url, "/page", params={"iri": K + "accountable-care-system"})  # the test site has no page for it
    assert no_file.status == 404
    hostile = http(url, "/page", params={"iri": "<script>alert(1)</script>"})
    assert hostile.status == 404 and hostile.type.startswith("text/html")
    assert "<script>" not in hostile.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    assert 'href="/?query=DESCRIBE%20%3C%3Cscript%3E' in hostile.text


def test_query_page_and_site_files(url):
    home = http(url, "/")
    assert home.status == 200 and home.type.startswith("text/html") and "site index" not in home.text
    assert "site index" in http(url, "/index.html").text
    assert http(url, "/vendor/no-such-file.js").status == 404
    assert http(url, "/id/no-such-page.html").status == 404


# --------------------------------------------------------------------------- errors a user can cause


def test_missing_store_and_port_in_use(tmp_path, sample_store, url):
    with pytest.raises(StoreError, match="there is no store"):
        create_app(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="not a kg store"):
        create_app(str(tmp_path / "empty"))
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(UsageError, match=f"port {port} .* in use"):
        serve(sample_store.location, "127.0.0.1", port)
    with pytest.raises(UsageError, match="at least one query worker"):
        create_app(sample_store.location, workers=0)


# --------------------------------------------------------------------------- the site, built by the server and kept in step with the store


def test_site_built_by_the_server_follows_the_store(tmp_path, pipeline, monkeypatch):
    held_back = SAMPLE / "07-department-of-health-and-social-care.txt"
    location = str(tmp_path / "store")
    with Store(location) as store:
        assert not ingest([str(f) for f in sorted(SAMPLE.glob("*.txt")) if f != held_back], store, pipeline).failures
        before = set(store.document_graphs())
    app = create_app(location, build_site=True, workers=1, query_timeout=TIMEOUT)
    site = app.state.site
    with running(app) as url:
        first = site.current.folder
        root = site.root
        assert site.builds == 1 and first.parent == root
        old_pages = ["/" + page_path(iri, BASE) for iri in sorted(before)]
        for path in (*old_pages[:3], "/index.html", "/id/integrated-care-system.html", "/assets/site.css"):
            assert http(url, path).status == 200, path
        assert http(url, "/").status == 200 and "site-header" in http(url, "/").text  # the query page
        assert site.builds == 1  # the store did not change: no build

        # a build under way, started in the background by a page request, keeps the previous pages for everyone
        gate, started = threading.Event(), threading.Event()
        build = kg.web.site.build_site

        def held_build(*args, **kwargs):
            started.set()
            assert gate.wait(60)
            return build(*args, **kwargs)

        monkeypatch.setattr(kg.web.site, "build_site", held_build)
        inodes = {q.relative_to(first).as_posix(): q.stat().st_ino for q in (first / "id").glob("*.html")}
        with Store(location) as writer:  # held read-write by this process while the server reads the store
            assert not ingest([str(held_back)], writer, pipeline).failures
            (new,) = set(writer.document_graphs()) - before
            new_page = "/" + page_path(new, BASE)
            assert not (first / new_page[1:]).exists()
            assert http(url, new_page).status == 404  # answered at once, from the previous pages
            assert started.wait(60), "the page request after the ingest did not start a build"
            assert http(url, "/api/status").json()["site"]["state"] == "rebuilding"
            meanwhile = [http(url, path) for path in (old_pages[0], "/index.html")]
            assert [a.status for a in meanwhile] == [200, 200]
            assert all(a.text.rstrip().endswith("</html>") for a in meanwhile)
            assert http(url, new_page).status == 404  # not built yet: the previous pages
            gate.set()
            assert site.wait(120)
            page = http(url, new_page)
            assert page.status == 200 and "Department of Health and Social Care" in page.text
            assert site.builds == 2 and site.current.folder != first and not first.exists()
            # the build after the ingest wrote only what changed: most entity pages are the same files
            report = site.last_report
            assert 0 < report.rewritten < report.kept
            same = [q for q, ino in inodes.items() if (site.current.folder / q).stat().st_ino == ino]
            assert len(same) > len(inodes) // 2
            assert (
                site.current.folder / "id" / "department-of-health-and-social-care.html"
            ).stat().st_ino != inodes.get("id/department-of-health-and-social-care.html")
            for path in old_pages:
                assert http(url, path).status == 200, path
            assert f'href="{new_page[1:]}"' in http(url, "/index.html").text
            found = http(url, "/page", params={"iri": new})
            assert found.status == 303 and urljoin("/page", found.headers["location"]) == new_page

        # a build that fails keeps the previous pages, and is not tried again until the store changes again
        attempts = []

        def failing_build(*args, **kwargs):
            attempts.append(1)
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(kg.web.site, "build_site", build)
        assert http(url, "/index.html").status == 200  # the writer's closing may have changed the store: built again
        site.wait(120)
        monkeypatch.setattr(kg.web.site, "build_site", failing_build)
        monkeypatch.setattr(site, "ATTEMPTS", 2)
        builds, current = site.builds, site.current.folder
        (tmp_path / "store" / "a-new-file").write_text("changes the store's signature", encoding="utf-8")
        assert http(url, new_page).status == 200 and http(url, old_pages[0]).status == 200
        assert site.wait(120) and site.current.folder == current  # the build failed: the previous pages
        assert http(url, new_page).status == 200 and http(url, old_pages[0]).status == 200
        status = http(url, "/api/status").json()["site"]
        assert status["state"] == "built" and "the disk is full" in status["error"]
        assert len(attempts) == 2 and site.builds == builds and site.current.folder == current
    assert not root.exists(), "the server removes the folder it built the site in"


def test_site_build_options(tmp_path, sample_store):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(UsageError, match="is a file"):
        create_app(sample_store.location, build_site=True, site_dir=tmp_path / "a-file")
    with pytest.raises(UsageError, match="no site folder"):
        create_app(sample_store.location, site_dir=tmp_path / "none")
    # a folder given to build in is kept; the builds in it go when the server stops
    app = create_app(sample_store.location, build_site=True, site_dir=tmp_path / "builds", workers=1)
    with running(app) as url:
        assert http(url, "/id/integrated-care-system.html").status == 200
        assert len(list((tmp_path / "builds").iterdir())) == 1
    assert (tmp_path / "builds").is_dir() and not list((tmp_path / "builds").iterdir())
    # without a site, the query page still gets the site's style sheet for its header
    with running(create_app(sample_store.location, workers=1)) as url:
        sheet = http(url, "/assets/site.css")
        assert sheet.status == 200 and ".site-header" in sheet.text
        assert http(url, "/index.html").status == 404
