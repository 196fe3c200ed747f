"""An accessibility check with axe-core (tests/vendor/axe-core) on every page type: no serious or
critical violation, offline pages from file:// and the query page from a real server."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest

from kg.web.site import build_site

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
README = AXE.parent / "README.md"


@pytest.fixture(scope="module")
def site(both_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("axe-site") / "site"
    build_site(both_store, out)
    return out


def serious_violations(driver) -> list[tuple[str, str, list[str]]]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))])));"
    )
    return [tuple(v) for v in found if v[1] in ("serious", "critical")]


def test_the_vendored_axe_is_the_file_its_readme_names():
    digest = re.search(r"of `axe.min.js`\s+`([0-9a-f]{64})`", README.read_text(encoding="utf-8"))
    assert digest and hashlib.sha256(AXE.read_bytes()).hexdigest() == digest.group(1)
    assert (AXE.parent / "LICENSE").is_file()


def page_types(site: Path) -> list[str]:
    document = sorted(p.relative_to(site).as_posix() for p in (site / "doc").glob("*.html"))[0]
    return [
        "index.html",
        "documents.html",
        "map.html",
        "vocabulary.html",
        "timeline.html",
        "connect.html",
        "id/accountable-care-organisation.html",
        document,
    ]


def test_every_offline_page_type_has_no_serious_violation(chrome, site):
    problems = {}
    for path in page_types(site):
        chrome.get((site / path).as_uri())
        time.sleep(0.5)  # the map draws, the documents table fills
        found = serious_violations(chrome)
        if found:
            problems[path] = found
    assert problems == {}


def test_the_query_page_has_no_serious_violation(chrome, both_store):
    from kg.web.server import create_app, running

    with running(create_app(str(both_store.location), workers=1)) as url:
        chrome.get(url + "/?saved=documents-mentioning&p.entity=ACOs")
        end = time.monotonic() + 30
        while time.monotonic() < end and chrome.execute_script("return document.body.dataset.ready") != "true":
            time.sleep(0.1)
        time.sleep(0.5)
        assert serious_violations(chrome) == []


def test_the_query_pages_chart_views_have_no_serious_violation(chrome, both_store):
    from urllib.parse import quote

    from kg.web.server import create_app, running

    queries = {
        "timeline": "SELECT ?document ?title ?issued WHERE { ?document dcterms:title ?title ; dcterms:issued ?issued }",
        "bars": "SELECT ?entity (COUNT(?d) AS ?n) WHERE { ?d schema:mentions ?entity } GROUP BY ?entity",
        "graph": "SELECT ?older ?newer WHERE { ?older kg:evolvesInto ?newer }",
    }
    problems = {}
    with running(create_app(str(both_store.location), workers=1)) as url:
        for view, sparql in queries.items():
            chrome.get(url + "/?query=" + quote(sparql))
            end = time.monotonic() + 30
            selector = f"#result-views button[data-view='{view}']"
            while time.monotonic() < end and not chrome.find_elements("css selector", selector):
                time.sleep(0.1)
            chrome.find_element("css selector", selector).click()
            time.sleep(0.3)
            found = serious_violations(chrome)
            if found:
                problems[view] = found
    assert problems == {}


def test_a_page_of_an_entitys_documents_has_no_serious_violation(chrome, sample_store, tmp_path, monkeypatch):
    from kg.web import site as site_module

    monkeypatch.setattr(site_module, "DOCUMENTS_PER_PAGE", 2)
    monkeypatch.setattr(site_module, "QUOTED_DOCUMENTS", 1)
    out = tmp_path / "site"
    build_site(sample_store, out)
    pages = sorted((out / "id").glob("*/documents-2.html"))
    assert pages
    chrome.get(pages[0].as_uri())
    assert serious_violations(chrome) == []
