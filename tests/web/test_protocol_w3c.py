"""The W3C SPARQL 1.1 Protocol test cases that apply to a read-only endpoint, over a real socket.

The cases are those of the protocol manifest of the w3c ``rdf-tests`` repository
(``sparql/sparql11/protocol/manifest.ttl``), each written here afresh: the same request (method,
parameters, body, content type) and the same expectation (status class, result kind, ASK answer).
The dataset cases need three small graphs, each holding one statement that its own IRI is a
``foaf:Document``; they are made here. Of the manifest's 34 cases, the 20 query cases apply, and
the 7 malformed-update cases too (a read-only endpoint must refuse them with a 4xx as well); the 7
cases that expect an update to succeed do not apply to a read-only endpoint.

Requests go through :mod:`http.client`, which sends no Content-Type unless told: two cases send a
body without one.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest

from kg.graph.store import Store
from kg.graph.terms import NamedNode, Quad
from kg.web.server import create_app, running

DATA = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
G = [DATA + f"data{i}.rdf" for i in range(4)]


def q(**params) -> str:
    pairs = [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]
    return urllib.parse.urlencode([(k.replace("_", "-"), v) for k, v in pairs], quote_via=urllib.parse.quote)


BOTH_IN_DEFAULT = f"ASK {{ <{G[1]}> a ?type . <{G[2]}> a ?type . }}"
BOTH_NAMED = f"ASK {{ GRAPH ?g1 {{ <{G[1]}> a ?type }} GRAPH ?g2 {{ <{G[2]}> a ?type }} }}"
FULL = f"ASK {{ <{G[3]}> a ?type GRAPH ?g1 {{ <{G[1]}> a ?type }} GRAPH ?g2 {{ <{G[2]}> a ?type }} }}"
FROM_AND_PROTOCOL = f"ASK FROM <{G[3]}> {{ GRAPH ?g1 {{ <{G[1]}> a ?type }} GRAPH ?g2 {{ <{G[2]}> a ?type }} }}"

#: name -> (method, query string, content type or None, body or None, expected status class, expected kind, ASK answer)
CASES = {
    "query_post_form": ("POST", q(default_graph_uri=G[0]), FORM, "query=ASK%20%7B%7D", 2, "boolean", True),
    "query_dataset_default_graphs_get": (
        "GET",
        q(query=BOTH_IN_DEFAULT, default_graph_uri=[G[1], G[2]]),
        None,
        None,
        2,
        "boolean",
        True,
    ),
    "query_dataset_default_graphs_post": (
        "POST",
        q(default_graph_uri=[G[1], G[2]]),
        DIRECT,
        BOTH_IN_DEFAULT,
        2,
        "boolean",
        True,
    ),
    "query_dataset_named_graphs_post": (
        "POST",
        q(named_graph_uri=[G[1], G[2]]),
        DIRECT,
        BOTH_NAMED,
        2,
        "boolean",
        True,
    ),
    "query_dataset_named_graphs_get": (
        "GET",
        q(query=BOTH_NAMED, named_graph_uri=[G[1], G[2]]),
        None,
        None,
        2,
        "boolean",
        True,
    ),
    "query_dataset_full": (
        "POST",
        q(default_graph_uri=G[3], named_graph_uri=[G[1], G[2]]),
        DIRECT,
        FULL,
        2,
        "boolean",
        True,
    ),
    "query_multiple_dataset": (
        "POST",
        q(named_graph_uri=[G[1], G[2]]),
        DIRECT,
        FROM_AND_PROTOCOL,
        2,
        "boolean",
        True,
    ),
    "query_get": ("GET", q(query="ASK {}", default_graph_uri=G[0]), None, None, 2, "boolean", True),
    "query_content_type_select": (
        "POST",
        q(default_graph_uri=G[0]),
        DIRECT,
        "SELECT (1 AS ?value) {}",
        2,
        "tabular",
        None,
    ),
    "query_content_type_ask": ("POST", q(default_graph_uri=G[0]), DIRECT, "ASK {}", 2, "boolean", None),
    "query_content_type_describe": (
        "POST",
        q(default_graph_uri=G[0]),
        DIRECT,
        "DESCRIBE <http://example.org/>",
        2,
        "RDF",
        None,
    ),
    "query_content_type_construct": (
        "POST",
        q(default_graph_uri=G[0]),
        DIRECT,
        "CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}",
        2,
        "RDF",
        None,
    ),
    "query_post_direct": ("POST", "", DIRECT, "ASK {}", 2, "boolean", True),
    "bad_query_method": ("PUT", q(query="ASK {}", default_graph_uri=G[0]), FORM, None, 4, None, None),
    "bad_multiple_queries": ("GET", q(query=["ASK {}", "SELECT * {}"]), None, None, 4, None, None),
    "bad_query_wrong_media_type": ("POST", "", "text/plain", "ASK {}", 4, None, None),
    "bad_query_missing_form_type": ("POST", "", None, "query=ASK%20%7B%7D", 4, None, None),
    "bad_query_missing_direct_type": ("POST", "", None, "ASK {}", 4, None, None),
    "bad_query_non_utf8": ("POST", "", DIRECT + "; charset=UTF-16", "ASK {}".encode("utf-16"), 4, None, None),
    "bad_query_syntax": ("GET", q(query="ASK {"), None, None, 4, None, None),
    # malformed or misplaced updates: 4xx from any endpoint, read-only or not
    "bad_update_get": ("GET", q(update="CLEAR ALL"), None, None, 4, None, None),
    "bad_multiple_updates": ("POST", "", FORM, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", 4, None, None),
    "bad_update_wrong_media_type": ("POST", "", "text/plain", "CLEAR NAMED", 4, None, None),
    "bad_update_missing_form_type": ("POST", "", None, "update=CLEAR%20NAMED", 4, None, None),
    "bad_update_non_utf8": (
        "POST",
        "",
        "application/sparql-update; charset=UTF-16",
        "CLEAR NAMED".encode("utf-16"),
        4,
        None,
        None,
    ),
    "bad_update_syntax": ("POST", "", FORM, "update=CLEAR%20XYZ", 4, None, None),
    "bad_update_dataset_conflict": (
        "POST",
        q(using_named_graph_uri="http://example/people"),
        "application/sparql-update",
        "WITH <http://example/addresses> DELETE { ?p <http://xmlns.com/foaf/0.1/givenName> 'Bill' } "
        "INSERT { ?p <http://xmlns.com/foaf/0.1/givenName> 'William' } "
        "USING <http://example/addresses> WHERE { ?p <http://xmlns.com/foaf/0.1/givenName> 'Bill' }",
        4,
        None,
        None,
    ),
}
#: What each kind of result may come as (the manifest's "expect one of").
KINDS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples"),
}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """A store with the three graphs the dataset cases name, served by the real server."""
    with Store(tmp_path_factory.mktemp("w3c") / "store") as store:
        for graph in G[1:]:
            store.replace_graph(
                graph, [Quad(NamedNode(graph), NamedNode(RDF_TYPE), NamedNode(FOAF_DOCUMENT), NamedNode(graph))]
            )
        location = store.location
    app = create_app(location, workers=1)
    with running(app) as url:
        yield urllib.parse.urlsplit(url)


def send(endpoint, method, query, content_type, body):
    connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=60)
    headers = {} if content_type is None else {"Content-Type": content_type}
    data = body.encode("utf-8") if isinstance(body, str) else body
    connection.request(method, "/sparql" + ("?" + query if query else ""), body=data, headers=headers)
    response = connection.getresponse()
    answer = response.status, response.getheader("content-type", ""), response.read()
    connection.close()
    return answer


@pytest.mark.parametrize("name", list(CASES))
def test_w3c_protocol_case(endpoint, name):
    method, query, content_type, body, status_class, kind, boolean = CASES[name]
    status, media, payload = send(endpoint, method, query, content_type, body)
    if status_class == 2:
        assert 200 <= status < 400, (name, status, payload[:200])
    else:
        assert 400 <= status < 500, (name, status, payload[:200])
        return
    assert media.split(";")[0].strip() in KINDS[kind], (name, media)
    if boolean is not None:
        assert json.loads(payload)["boolean"] is boolean, name


def test_the_case_count():
    """27 cases of the manifest's 34 apply to a read-only endpoint (the 7 successful updates do not)."""
    assert len(CASES) == 27
    assert sum(name.startswith("query_") for name in CASES) == 13
