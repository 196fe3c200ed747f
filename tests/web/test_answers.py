"""Answers kept by ``kg serve`` while the store is unchanged (kg/web/server/answers.py), their ETags, and large answers."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode, urlsplit

import psutil
import pyoxigraph as ox
import pytest

from kg import Store
from kg.graph.chunked import serialised, tsv_line, whole
from kg.ingest import ingest
from kg.web.server import create_app, running
from tests.conftest import SAMPLE

TITLES = "SELECT ?title WHERE { ?d a kg:Document ; dcterms:title ?title } ORDER BY ?title"


def get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def sparql(query: str, **more: str) -> str:
    return "/sparql?" + urlencode({"query": query, **more})


def test_an_answer_is_kept_until_a_real_write_changes_the_store(tmp_path, pipeline):
    held_back = SAMPLE / "07-department-of-health-and-social-care.txt"
    location = str(tmp_path / "store")
    with Store(location) as store:
        assert not ingest([str(f) for f in sorted(SAMPLE.glob("*.txt")) if f != held_back], store, pipeline).failures
    app = create_app(location, workers=1)
    answers = app.state.service.answers
    with running(app) as url:
        status, first_headers, first = get(url, sparql(TITLES, format="json"))
        assert status == 200 and first_headers["cache-control"] == "no-cache" and "Accept" in first_headers["vary"]
        tag = first_headers["etag"]
        assert (answers.hits, answers.misses) == (0, 1)
        status, headers, again = get(url, sparql(TITLES, format="json"))
        assert (status, again, headers["etag"]) == (200, first, tag) and answers.hits == 1  # no worker asked
        status, headers, body = get(url, sparql(TITLES, format="json"), {"If-None-Match": tag})
        assert (status, body, headers["etag"]) == (304, b"", tag)
        assert get(url, sparql(TITLES, format="csv"))[1]["etag"] != tag  # another format, another answer
        saved = "/api/saved/newest-documents"
        assert get(url, saved)[0] == 200 and get(url, saved)[0] == 200 and answers.hits == 3

        with Store(location) as writer:  # a real write between two requests
            assert not ingest([str(held_back)], writer, pipeline).failures
        status, headers, after = get(url, sparql(TITLES, format="json"), {"If-None-Match": tag})
        assert status == 200 and headers["etag"] != tag  # the old tag no longer names the answer
        titles = [b["title"]["value"] for b in json.loads(after)["results"]["bindings"]]
        assert len(titles) == len(json.loads(first)["results"]["bindings"]) + 1
        assert any("Department of Health and Social Care" in t for t in titles)
        assert get(url, saved)[2] != b"" and answers.size > 0


def test_refusals_are_not_kept_and_every_guard_runs_each_time(sample_store):
    app = create_app(sample_store.location, workers=1, max_rows=3)
    answers = app.state.service.answers
    with running(app) as url:
        federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        too_many = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10"
        for query, status in ((federated, 400), (too_many, 422), (federated, 400), (too_many, 422)):
            answered = get(url, sparql(query))
            assert answered[0] == status and "etag" not in answered[1], answered
        assert answers.hits == 0 and answers.size == 0


def test_no_answers_are_kept_when_turned_off(sample_store):
    app = create_app(sample_store.location, workers=1, answer_cache_mb=0)
    with running(app) as url:
        assert get(url, sparql(TITLES))[0] == get(url, sparql(TITLES))[0] == 200
        assert app.state.service.answers.hits == 0 and app.state.service.answers.misses == 0


@pytest.mark.parametrize("fmt", ["JSON", "XML", "CSV", "TSV"])
def test_an_answer_made_in_parts_is_the_answer_made_whole(fmt):
    terms = [
        ox.NamedNode("https://example.org/a"),
        ox.Literal('line\nbreak, "quoted"\ttab', language="en"),
        ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.BlankNode("b1"),
        None,
    ]
    rows = [tsv_line([terms[i % 5], terms[(i * 3) % 5]]) for i in range(23)]
    expected = whole(["x", "y"], rows, fmt)
    for batch in (1, 2, 5, 22):
        parts = serialised(["x", "y"], rows, fmt, batch)
        assert len(parts) > 1 and b"".join(parts) == expected, batch


def test_an_answer_larger_than_one_batch_is_served_whole(sample_store):
    # the rows of a cross product, more than kg.graph.chunked.BATCH_ROWS of them, in a worker with a small heap
    query = (
        "SELECT ?a ?b ?c WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 9 10 } VALUES ?b { 1 2 3 4 5 6 7 8 9 10 } "
        "VALUES ?c { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 "
        "31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 } }"
    )
    app = create_app(sample_store.location, workers=1, max_rows=100_000, memory_mb=256)
    with running(app) as url:
        for fmt in ("json", "xml", "csv", "tsv"):
            status, _, body = get(url, sparql(query, format=fmt))
            assert status == 200, body[:300]
            if fmt == "csv":  # CSV cannot be read back as terms: its lines, less the header
                assert body.count(b"\r\n") - 1 == 6000
                continue
            parsed = ox.parse_query_results(body, ox.QueryResultsFormat.from_extension(fmt))
            assert len(list(parsed)) == 6000, fmt


def test_an_answer_too_large_for_a_worker_is_a_503_with_a_sentence(sample_store, core_dumps_on, monkeypatch):
    # with core dumps on (as on some CI machines) the kernel wrote the aborted worker out for longer
    # than the time limit, unless the worker turns them off for itself (kg.graph.sandbox.limit_memory);
    # with Rust backtraces on (as on this machine) a worker at its cap could deadlock instead of aborting
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    values = " ".join(str(i) for i in range(200))
    big = "x" * 8000
    query = (
        f"SELECT ?a ?b ?s WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        f'BIND(CONCAT(STR(?a), "{big}", STR(?b)) AS ?s) }}'
    )  # 40,000 rows of 8 kB: over 300 MB of text, more than a 256 MiB heap holds
    # a time limit far above what building the rows takes on a loaded machine: only the heap cap may stop it
    app = create_app(sample_store.location, workers=1, max_rows=100_000, memory_mb=256, query_timeout=600.0)
    with running(app) as url:
        for _ in range(3):  # each time on a new worker (the one before was stopped)
            status, headers, body = get(url, sparql(query, format="json"))
            assert status == 503, (status, body[:300])
            assert "memory" in body.decode() and body.decode().rstrip().endswith(".")
            assert get(url, sparql(TITLES))[0] == 200  # the next query is answered
        for pid in app.state.pool.pids():  # the fresh worker too writes no core dump when its cap stops it
            assert psutil.Process(pid).rlimit(psutil.RLIMIT_CORE)[0] == 0


def test_the_cheap_store_state_is_the_signature_across_a_real_write(tmp_path, pipeline, monkeypatch):
    import kg.graph.storestate as storestate
    from kg.graph.worker import store_signature

    monkeypatch.setattr(storestate, "SETTLE", 0.0)  # reuse the listing at once, the path a settled folder takes
    location = str(tmp_path / "store")
    with Store(location) as store:
        assert not ingest([str(sorted(SAMPLE.glob("*.txt"))[0])], store, pipeline).failures
    state = storestate.StoreState(location)
    before = state.signature()
    assert before == store_signature(location) and state.signature() == before and state.listings == 1
    with Store(location) as writer:
        assert not ingest([str(sorted(SAMPLE.glob("*.txt"))[1])], writer, pipeline).failures
        # the database may go on compacting its files in the background (under a full suite's load, for more
        # than 5 s): the cheap signature is compared with full listings taken just before and after it, once
        # those two agree (the folder was still meanwhile)
        deadline = time.monotonic() + 60
        while True:
            listed = store_signature(location)
            during = state.signature()
            if store_signature(location) == listed:
                break
            assert time.monotonic() < deadline, "the store's folder did not keep still for a moment in 60 s"
            time.sleep(0.1)
        assert during == listed and during != before
    assert state.signature() == store_signature(location)
