"""Security headers on every response type, CORS preflights, slow clients, and clean 400s for hostile values."""

from __future__ import annotations

import shutil
import socket
import time
import urllib.parse

import pytest

import kg.web.server.protocol as protocol
from kg.web.csp import MAP_POLICY, POLICY
from kg.web.server import create_app, running

from .test_server import ask, http


@pytest.fixture(scope="module")
def served(sample_store, tmp_path_factory):
    site = tmp_path_factory.mktemp("served-site")
    app = create_app(sample_store.location, site_dir=site, build_site=True, workers=1, query_timeout=10.0)
    with running(app) as url:
        yield url


RESPONSES = {
    "query page": ("/", "text/html"),
    "site page": ("/index.html", "text/html"),
    "map page": ("/map.html", "text/html"),
    "missing page": ("/page?iri=https://example.org/nothing", "text/html"),
    "site asset": ("/assets/site.css", "text/css"),
    "query script": ("/query-assets/query.js", "javascript"),
    "saved list": ("/api/saved", "application/json"),
    "saved run": ("/api/saved/newest-documents", "application/sparql-results+json"),
    "search": ("/api/search?q=care", "application/json"),
    "results": ("/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), "application/sparql-results+json"),
    "graph": ("/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}), "turtle"),
    "service description": ("/sparql", "turtle"),
    "text error": ("/sparql?" + urllib.parse.urlencode({"query": "SELECT"}), "text/plain"),
    "json error": ("/api/saved/no-such-query", "application/json"),
    "redirect": ("/page?iri=" + urllib.parse.quote("https://w3id.org/nhs-policy-kg/id/nhs-england"), ""),
    "no content": ("/favicon.ico", ""),
    "not found": ("/no/such/file.html", ""),
}


@pytest.mark.parametrize("name", list(RESPONSES))
def test_every_response_type_carries_the_headers(served, name):
    path, media = RESPONSES[name]
    answer = http(served, path, headers={"Accept": "*/*"})
    assert media in answer.type, (answer.status, answer.type)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    if answer.type.startswith("text/html"):
        expected = MAP_POLICY if path == "/map.html" else POLICY
        assert answer.headers["content-security-policy"] == expected
        assert "script-src 'self'" in expected and "frame-ancestors 'none'" in expected
    if answer.type.startswith("text/html") and path != "/map.html":
        assert "'unsafe-inline'" not in answer.headers["content-security-policy"]


def test_site_pages_carry_the_policy_as_a_meta_element_too(served):
    page = http(served, "/index.html").text
    assert '<meta http-equiv="Content-Security-Policy"' in page and "script-src &#39;self&#39;" in page
    assert "<script>" not in page and " style=" not in page and " onclick=" not in page


@pytest.mark.parametrize("origin", [None, "https://yasgui.example"])
@pytest.mark.parametrize("path", ["/sparql", "/api/saved/newest-documents"])
def test_cors_preflight_is_204_with_methods_and_headers(served, origin, path):
    headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, accept"}
    if origin:
        headers["Origin"] = origin
    answer = http(served, path, method="OPTIONS", headers=headers)
    assert answer.status == 204 and answer.body == b""
    assert answer.headers["access-control-allow-origin"] == "*"
    assert {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")} >= {"GET", "POST"}
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "accept"} <= allowed
    plain = http(served, path, method="OPTIONS")
    assert plain.status == 204 and "POST" in plain.headers["allow"]
    real = ask(served, "ASK {}", headers={"Origin": "https://yasgui.example"})
    assert real.status == 200 and real.headers["access-control-allow-origin"] == "*"


def test_a_slow_body_gets_408_and_holds_no_worker(served, monkeypatch):
    monkeypatch.setattr(protocol, "BODY_SECONDS", 1.0)
    host, port = urllib.parse.urlsplit(served).netloc.split(":")
    slow = socket.create_connection((host, int(port)), timeout=10)
    try:
        slow.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK"
        )
        start = time.monotonic()
        assert ask(served, "ASK {}").status == 200  # the only worker is free meanwhile
        assert time.monotonic() - start < 1.0
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"."):
            chunk = slow.recv(4096)
            if not chunk:
                break
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
        assert b"did not arrive within 1 s" in reply
    finally:
        slow.close()


def test_hostile_names_and_numbers_are_400_not_500(served):
    long_name = http(served, "/api/saved/" + "a" * 300)
    assert long_name.status == 400 and "cannot be a saved query's name" in long_name.json()["error"]
    huge = http(served, "/api/saved/newest-documents?count=" + "9" * 4300)
    assert huge.status == 400 and "more digits" in huge.json()["error"]
    assert len(huge.json()["error"]) < 300
    page = http(served, "/api/saved/newest-documents?limit=" + "9" * 4300)
    assert page.status == 400 and "whole number from 0" in page.json()["error"]
    assert len(page.json()["error"]) < 300


def test_a_damaged_search_index_is_one_sentence(sample_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(sample_store.location, store, ignore=shutil.ignore_patterns("LOCK"))
    (store / "search.sqlite").write_bytes(b"not a database at all" * 100)
    with running(create_app(str(store), workers=1)) as url:
        answer = http(url, "/api/search?q=care")
        assert answer.status == 503 and "search index" in answer.json()["error"]
        assert "\n" not in answer.json()["error"]
