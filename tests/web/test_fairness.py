"""Each client's share of ``kg serve`` over real sockets: a cap on one address's queries, and no pinned connections."""

from __future__ import annotations

import http.client
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest

from kg.web.server import create_app, running
from kg.web.server.answers import DEFAULT_MB
from kg.web.server.fairness import CLIENT_QUERIES, DEFAULT_PROTOCOL, HEAD_BYTES, HEAD_SECONDS, PROTOCOLS

#: runs until the time limit in little memory
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = "SELECT ?doc WHERE { ?doc a kg:Document } LIMIT 5"


def get(url: str, path: str, source: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` from the loopback address ``source`` (Linux answers every 127.x address on lo)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def sparql(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def _wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_client_past_its_cap_gets_429_while_another_is_answered(sample_store):
    # three workers: the two long queries take two, so the other client never waits for one
    app = create_app(sample_store.location, workers=3, query_timeout=8.0, client_queries=2, heavy_slots=2)
    with running(app) as url, ThreadPoolExecutor(2) as background:
        slots = app.state.service.slots
        assert get(url, sparql(LIGHT))[0] == 200  # the worker is up
        long_ones = [background.submit(get, url, sparql(SLOW)) for _ in range(2)]
        assert _wait_for(lambda: slots.running("127.0.0.1") == 2)
        status, headers, body = get(url, sparql(LIGHT))
        assert status == 429, body
        assert headers["retry-after"].isdigit() and "at most 2" in body.decode()
        status, headers, body = get(url, "/api/search?" + urlencode({"q": "integrated care"}))
        assert status == 429 and json.loads(body)["status"] == 429 and "retry-after" in headers
        other = get(url, sparql(LIGHT), source="127.0.0.2")  # another client is not refused
        assert other[0] == 200, other[2]
        assert get(url, "/")[0] == 200  # pages are not queries: never counted
        for future in long_ones:
            assert future.result()[0] == 503  # the deliberate time limit
        assert _wait_for(lambda: slots.running("127.0.0.1") == 0)
        assert get(url, sparql(LIGHT))[0] == 200  # the share is back
        assert slots.refused == 2


def test_no_cap_when_set_to_zero(sample_store):
    app = create_app(sample_store.location, workers=1, client_queries=0)
    with running(app) as url, ThreadPoolExecutor(6) as background:
        answers = list(background.map(lambda _: get(url, sparql(LIGHT))[0], range(6)))
    assert answers == [200] * 6


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed the connection (end of stream) rather than leaving it open."""
    sock.settimeout(30)
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


#: the head deadline holds for each HTTP protocol the server can run (httptools when installed, h11)
each_protocol = pytest.mark.parametrize("protocol", sorted(PROTOCOLS))


def test_the_server_runs_httptools_when_it_is_installed():
    import importlib.util

    assert DEFAULT_PROTOCOL == ("httptools" if importlib.util.find_spec("httptools") else "h11")


@each_protocol
@pytest.mark.parametrize("trickle", [False, True], ids=["half a request", "a byte now and then"])
def test_a_half_sent_request_does_not_hold_its_connection(sample_store, trickle, protocol):
    app = create_app(sample_store.location, workers=1)
    with running(app, head_seconds=1.0, http=protocol) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # no blank line: headers not done
            if trickle:
                try:
                    for _ in range(12):  # a header byte every 0.25 s does not restart the clock
                        time.sleep(0.25)
                        sock.sendall(b"X")
                except (BrokenPipeError, ConnectionResetError):
                    pass
            assert _closed_by_server(sock)
        assert get(url, sparql(LIGHT))[0] == 200  # nothing pinned: the next client is answered


@each_protocol
def test_a_connection_that_sends_nothing_is_closed_and_a_whole_request_is_not(sample_store, protocol):
    app = create_app(sample_store.location, workers=1)
    with running(app, head_seconds=1.0, http=protocol) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port)) as silent:
            assert _closed_by_server(silent)
        with socket.create_connection((parts.hostname, parts.port)) as whole:
            whole.sendall(f"GET {sparql(LIGHT)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            whole.settimeout(60)
            answer = b""
            while chunk := whole.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")


@each_protocol
def test_a_request_head_past_its_size_limit_is_refused(sample_store, protocol):
    app = create_app(sample_store.location, workers=1)
    with running(app, http=protocol) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.settimeout(60)
            try:  # a head that never ends, sent quickly: refused once it passes the limit, not read for ever
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * (HEAD_BYTES + 1024))
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = b""
            try:
                while chunk := sock.recv(65536):
                    answer += chunk
            except ConnectionResetError:
                pass
            assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
        headers = {"X-Fine": "b" * (HEAD_BYTES // 2)}  # within the limit: answered
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", sparql(LIGHT), headers=headers)
        assert connection.getresponse().status == 200
        connection.close()


def test_serve_help_shows_every_limit_with_the_library_defaults():
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.graph.sandbox import WORKER_MEMORY_MB
    from kg.web.server.pool import WorkerPool

    shown = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).stdout
    pool = WorkerPool("/nowhere")
    expected = {
        "--timeout": pool.timeout,
        "--max-rows": pool.max_rows,
        "--workers": pool.size,
        "--memory-mb": WORKER_MEMORY_MB,
        "--light-budget": pool.light_budget,
        "--heavy-slots": pool.heavy_slots,
        "--client-queries": CLIENT_QUERIES,
        "--header-timeout": HEAD_SECONDS,
        "--answer-cache-mb": DEFAULT_MB,
    }
    for option, default in expected.items():
        line = next(line for line in shown.splitlines() if option in line)
        assert f"[default: {default}]" in line, line
