"""The wheel, installed as a new user would: ``pip wheel .``, a fresh venv outside the checkout, the ``kg`` command.

The wheel is built from a copy of the checkout (so the build leaves nothing in it) and installed into a
new venv in a temporary folder, its dependencies coming from the package index (pip's cache makes that
quick). Every command then runs from that folder, with no ``PYTHONPATH`` and none of the ``KG_*``
settings, so the ontology, patterns, saved queries, templates and scripts can only come from the
installed package: ``kg ingest`` on a folder of text documents, ``kg query --list``, ``kg site``,
``kg map``, and ``kg serve`` on a free loopback port, asked for its query page, a site page and a
SPARQL query, then stopped.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.wheel

#: The resource folders and files the installed tool reads (each must be in the wheel when the source has it).
RESOURCES = [
    "kg/graph/ontology/",
    "kg/graph/queries/",
    "kg/graph/sparql/",
    "kg/web/templates/",
    "kg/web/static/",
    "kg/web/query/",
    "kg/web/vendor/",
    "kg/ingest/data/",
    "kg/web/styles.json",
    "kg/py.typed",
]
#: Not copied for the build: the checkout's own environment, caches and outputs.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "out", "kg-store", "*.egg-info", "__pycache__", "*.pyc", ".*_cache"
)
DOCUMENTS = 3  # a few of the sample documents are enough to exercise every command


@dataclass
class Installed:
    home: Path  #: the temporary folder: the working directory of every command
    venv: Path
    wheel: Path
    env: dict[str, str]

    def kg(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.venv / "bin" / "kg"), *args],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done


def _clean_env(venv: Path) -> dict[str, str]:
    """This process's environment without anything that could point the tool back at the checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KG_") and key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"  # rich wraps tables to the terminal; a wide one keeps names on one line
    return env


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    home = tmp_path_factory.mktemp("wheel-home")
    assert not home.resolve().is_relative_to(ROOT), "the temporary folder must be outside the checkout"
    source = home / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(home / "dist")])
    (wheel,) = (home / "dist").glob("*.whl")
    shutil.rmtree(source)
    venv = home / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], timeout=900)
    return Installed(home, venv, wheel, _clean_env(venv))


@pytest.fixture(scope="module")
def ingested(installed) -> Path:
    documents = installed.home / "documents"
    documents.mkdir()
    for path in sorted(SAMPLE.glob("*.txt"))[:DOCUMENTS]:
        shutil.copy(path, documents / path.name)
    store = installed.home / "store"
    done = installed.kg("ingest", "--store", "store", "documents")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "documents written" in done.stdout
    assert store.is_dir()
    return store


def test_the_wheel_holds_every_file_of_the_package(installed):
    """Every file under kg/ in the source (modules and resources alike) is in the wheel."""
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    package = ROOT / "kg"
    source_files = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert source_files - names == set(), "files missing from the wheel (package-data globs in pyproject.toml)"
    for resource in RESOURCES:
        if (ROOT / resource).exists():
            assert any(name == resource or name.startswith(resource) for name in names), resource


def test_the_installed_package_is_the_one_that_runs(installed):
    done = subprocess.run(
        [
            str(installed.venv / "bin" / "python"),
            "-c",
            "import kg, kg.resources as r; print(kg.__file__, r.ontology_dir())",
        ],
        cwd=installed.home,
        env=installed.env,
        capture_output=True,
        text=True,
        check=True,
    )
    module, ontology = (Path(part) for part in done.stdout.split())
    assert module.resolve().is_relative_to(installed.venv.resolve())
    assert (ontology / "kg.ttl").is_file() and ontology.resolve().is_relative_to(installed.venv.resolve())


def test_ingest_then_query_list(installed, ingested):
    listed = installed.kg("query", "--list", "--store", "store")
    assert listed.returncode == 0, listed.stderr
    saved = sorted(path.stem for path in (ROOT / "kg" / "graph" / "queries").glob("*.rq"))
    assert saved and all(name in listed.stdout for name in saved), listed.stdout
    counted = installed.kg(
        "query", "--store", "store", "-f", "json", "-e", "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kg:Document }"
    )
    assert counted.returncode == 0, counted.stderr
    assert int(json.loads(counted.stdout)[0]["n"]) >= DOCUMENTS


def test_site(installed, ingested):
    done = installed.kg("site", "--store", "store", "site")
    assert done.returncode == 0, done.stderr
    site = installed.home / "site"
    assert (site / "index.html").is_file()
    pages = list(site.glob("*/*.html"))
    assert len(pages) > DOCUMENTS, "a page per entity and per document"
    assert (site / "assets").is_dir() and any((site / "assets").glob("*.css"))


def test_map(installed, ingested):
    done = installed.kg("map", "--store", "store", "-o", "map.html")
    assert done.returncode == 0, done.stderr
    page = (installed.home / "map.html").read_text(encoding="utf-8")
    assert "vis" in page and "<script" in page and "nodes" in done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, accept: str = "*/*") -> tuple[int, str, str, str]:
    """(status, content type, body, the URL answered after redirects)."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read().decode("utf-8")
        return answer.status, answer.headers.get("content-type", ""), body, answer.url


def _sparql(base: str, query: str) -> list[dict[str, str]]:
    status, kind, body, _ = _get(
        f"{base}/sparql?{urllib.parse.urlencode({'query': query})}", "application/sparql-results+json"
    )
    assert status == 200 and kind.startswith("application/sparql-results+json"), (status, kind)
    return [{name: cell["value"] for name, cell in row.items()} for row in json.loads(body)["results"]["bindings"]]


def _wait_for_site(base: str, deadline: float) -> None:
    """Until ``/api/status`` says the site the server builds in the background is built."""
    while True:
        status, _, body, _ = _get(base + "/api/status", "application/json")
        state = json.loads(body)["site"]["state"]
        if state == "built":
            return
        assert status == 200 and state in ("building", "rebuilding"), body
        assert time.monotonic() < deadline, "the site was not built within the time given"
        time.sleep(0.3)


def test_serve(installed, ingested):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(installed.venv / "bin" / "kg"), "serve", "--store", "store", "--host", "127.0.0.1", "--port", str(port)],
        cwd=installed.home,
        env=installed.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, kind, home, _ = _get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "kg serve stopped: " + server.communicate()[1]
                assert time.monotonic() < deadline, "kg serve did not answer within 120 s"
                time.sleep(0.3)
        assert status == 200 and kind.startswith("text/html") and "<html" in home.lower()
        _wait_for_site(base, deadline)

        rows = _sparql(base, "SELECT ?d ?title WHERE { ?d a kg:Document ; dcterms:title ?title } ORDER BY ?d")
        assert len(rows) >= DOCUMENTS

        # A document's page of the site the server built, reached as a link from a query result would.
        status, kind, page, answered = _get(f"{base}/page?{urllib.parse.urlencode({'iri': rows[0]['d']})}")
        assert status == 200 and kind.startswith("text/html"), (status, kind)
        assert answered.startswith(base + "/") and answered.endswith(".html"), answered
        assert html.escape(rows[0]["title"], quote=False) in page
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
        try:
            _, errors = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            _, errors = server.communicate()
            pytest.fail("kg serve did not stop within 60 s of Ctrl-C")
    assert "Traceback" not in errors, errors
