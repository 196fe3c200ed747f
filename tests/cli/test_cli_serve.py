"""`kg site` and `kg serve` as a user runs them: real processes, a real socket, Ctrl-C to stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from kg.cli import app
from tests.conftest import SAMPLE

runner = CliRunner()
KG = [sys.executable, "-m", "kg.cli"]


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    """A store of its own (not the session's): a test here ingests one more document into it."""
    path = tmp_path_factory.mktemp("serve") / "store"
    result = runner.invoke(app, ["ingest", "--store", str(path), str(SAMPLE)])
    assert result.exit_code == 0, result.output
    return str(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def wait_for_site(base: str, deadline: float) -> None:
    """Until ``/api/status`` says the server's site is built; meanwhile a page is 503 with Retry-After (or 200)."""
    while True:
        status, body, _ = get(base + "/api/status")
        assert status == 200
        site = json.loads(body)["site"]
        if site["state"] == "built":
            return
        assert site["state"] in ("building", "rebuilding"), site
        status, _, headers = get(base + "/id/accountable-care-organisation.html")
        assert status == 200 or (status == 503 and headers.get("retry-after")), (status, headers)
        assert time.monotonic() < deadline, "the site was not built within the time given"
        time.sleep(0.3)


def test_site_command_writes_an_openable_site(cli_store, tmp_path):
    out = tmp_path / "site"
    result = runner.invoke(app, ["site", "--store", cli_store, str(out)])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output and (out / "index.html").is_file()
    assert (out / "map.html").is_file() and (out / "id" / "accountable-care-organisation.html").is_file()
    assert any((out / "doc").glob("*.html"))


def test_site_command_without_a_store_is_one_sentence(tmp_path):
    result = runner.invoke(app, ["site", "--store", str(tmp_path / "none"), str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "no store" in result.output and "Traceback" not in result.output


#: A document of our own, ingested by another process while `kg serve` runs.
LATE_DOCUMENT = """Library visits to integrated care boards: a test note

A note written for the test suite of this project.

Date of publication: May 2023

Summary: Integrated care boards took over from clinical commissioning groups. The library will visit each board to offer literature searching.
"""


def test_serve_answers_pages_and_sparql_then_stops_on_ctrl_c(cli_store, tmp_path):
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        KG + ["serve", "--store", cli_store, "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = get(base + "/sparql?query=ASK%7B%7D&format=json")
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "kg serve did not answer within 60 s"
            time.sleep(0.3)
        status, body, headers = get(
            base + "/sparql?query=" + urllib.request.quote("ASK { ?d a kg:Document }") + "&format=json"
        )
        assert status == 200 and json.loads(body)["boolean"] is True
        wait_for_site(base, deadline=time.monotonic() + 120)
        status, body, _ = get(base + "/")
        assert status == 200 and b"<html" in body.lower()
        # the site's pages, built for the server, link back to the query page
        status, body, _ = get(base + "/id/accountable-care-organisation.html")
        assert status == 200 and b"Accountable Care Organisation" in body
        status, body, _ = get(base + "/map.html")
        assert status == 200
        status, _, headers = get(
            base + "/page?iri=" + urllib.request.quote("https://w3id.org/nhs-policy-kg/id/integrated-care-system")
        )
        assert status == 200  # followed the redirect to the entity page

        # `kg ingest` in another process while the server runs: the next page request shows the new document
        late = tmp_path / "late.txt"
        late.write_text(LATE_DOCUMENT, encoding="utf-8")
        ingested = subprocess.run(
            KG + ["ingest", "--store", cli_store, str(late)], capture_output=True, text=True, timeout=120, env=env
        )
        assert ingested.returncode == 0, ingested.stderr
        title = "Library visits to integrated care boards: a test note"
        found = "SELECT ?d WHERE { ?d dcterms:title " + json.dumps(title) + " }"
        status, body, _ = get(base + "/sparql?format=json&query=" + urllib.request.quote(found))
        (row,) = json.loads(body)["results"]["bindings"]
        # the rebuild runs in the background: the new page is a 503 with Retry-After until it is written
        deadline = time.monotonic() + 120
        while True:
            status, body, headers = get(base + "/page?iri=" + urllib.request.quote(row["d"]["value"]))
            if status != 503:
                break
            assert headers.get("retry-after") and time.monotonic() < deadline, (status, headers)
            time.sleep(0.3)
        assert status == 200 and title.encode() in body
        wait_for_site(base, deadline)
        status, body, _ = get(base + "/index.html")
        assert status == 200 and title.encode() in body
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail("kg serve did not stop within 20 s of Ctrl-C:\n" + output)
    assert f"127.0.0.1:{port}" in output
    assert "Traceback" not in output


def test_serve_without_a_store_is_one_sentence(tmp_path):
    result = subprocess.run(
        KG + ["serve", "--store", str(tmp_path / "none"), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no store" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_serve_on_a_port_in_use_is_one_sentence(cli_store):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            KG + ["serve", "--store", cli_store, "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2
    assert str(port) in result.stderr and "Traceback" not in result.stderr + result.stdout
