"""``kg serve`` answers from its first second: the site is built in a background thread (kg.web.server.livesite).

The real server on a loopback port and the sample store; the site's build is the real one, held by a
``threading.Event`` the test controls (before it starts, or part way through writing its files).
"""

from __future__ import annotations

import json
import threading

import pytest

import kg.web.site
from kg.web import incremental, stopping
from kg.web.server import create_app, running
from tests.web.test_server import http

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


def _held(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """(started, gate): the site's builds wait for ``gate`` before they read the store."""
    started, gate = threading.Event(), threading.Event()
    build = kg.web.site.build_site

    def held_build(*args, **kwargs):
        started.set()
        while not gate.wait(0.05):
            stopping.check()  # as the real build does between rows and files
        return build(*args, **kwargs)

    monkeypatch.setattr(kg.web.site, "build_site", held_build)
    return started, gate


def test_everything_but_the_pages_answers_while_the_first_build_runs(sample_store, monkeypatch):
    started, gate = _held(monkeypatch)
    app = create_app(sample_store.location, build_site=True, workers=1, query_timeout=20.0)
    site = app.state.site
    with running(app, wait_for_site=None) as url:
        assert started.wait(60), "the server did not start building its site"
        assert http(url, "/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
        saved = http(url, "/api/saved/newest-documents")
        assert saved.status == 200 and saved.json()["results"]["bindings"]
        assert http(url, "/api/saved").status == 200
        assert http(url, "/").status == 200  # the query page
        assert http(url, "/api/search", params={"q": "integrated care"}).status == 200
        described = http(url, "/id/integrated-care-system", headers={"Accept": "text/turtle"})
        assert described.status == 200 and "Integrated" in described.text
        status = http(url, "/api/status").json()["site"]
        assert status["state"] == "building" and status["building_since"] and status["builds"] == 0

        page = http(url, "/index.html", headers=HTML)
        assert page.status == 503 and page.headers["retry-after"] == str(site.RETRY_AFTER)
        assert page.type.startswith("text/html") and "being built" in page.text
        assert f'http-equiv="refresh" content="{site.RETRY_AFTER}"' in page.text
        asked = http(url, "/id/integrated-care-system.html", headers=JSON)
        assert asked.status == 503 and asked.type.startswith("application/json") and "retry-after" in asked.headers
        assert json.loads(asked.body)["site"]["state"] == "building"
        assert http(url, "/id/integrated-care-system", headers=HTML).status == 503  # its page, not built yet
        sheet = http(url, "/assets/site.css")  # the query page's header has its style sheet meanwhile
        assert sheet.status == 200 and ".site-header" in sheet.text

        gate.set()
        assert site.wait(300)
        assert http(url, "/index.html", headers=HTML).status == 200
        assert http(url, "/id/integrated-care-system.html").status == 200
        status = http(url, "/api/status").json()["site"]
        assert status["state"] == "built" and status["builds"] == 1 and status["error"] is None
        assert status["last_build"]["pages"] > 0 and status["last_build"]["documents"] > 0


def test_a_first_build_that_fails_answers_503_with_its_reason(sample_store, monkeypatch):
    def failing_build(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(kg.web.site, "build_site", failing_build)
    app = create_app(sample_store.location, build_site=True, workers=1)
    monkeypatch.setattr(app.state.site, "ATTEMPTS", 1)
    with running(app) as url:  # waits for the build, which fails
        status = http(url, "/api/status").json()["site"]
        assert status["state"] == "failed" and "the disk is full" in status["error"]
        page = http(url, "/index.html", headers=HTML)
        assert page.status == 503 and "could not be built" in page.text and "the disk is full" in page.text
        assert http(url, "/api/saved/newest-documents").status == 200
        assert app.state.site.builds == 0  # not tried again: the store did not change


def test_stopping_the_server_during_a_build_leaves_no_folder(sample_store, monkeypatch):
    started, release = threading.Event(), threading.Event()
    write = incremental.SiteWriter.data
    written = []

    def slow_write(self, *args, **kwargs):
        written.append(args[0])
        if len(written) == 5:  # part way through: files of this build are in its folder
            started.set()
            while not release.wait(0.05):
                stopping.check()
        return write(self, *args, **kwargs)

    monkeypatch.setattr(incremental.SiteWriter, "data", slow_write)
    app = create_app(sample_store.location, build_site=True, workers=1)
    site = app.state.site
    with running(app, wait_for_site=None) as url:
        assert started.wait(120), "the build did not get to its files"
        root = site.root
        assert root is not None and any(root.rglob("*.html"))
        assert http(url, "/index.html").status == 503
    assert not site._thread.is_alive(), "the build went on after the server stopped"
    assert not root.exists(), "the stopped build left its folder"
    assert site.builds == 0 and site.status()["state"] == "stopped"
