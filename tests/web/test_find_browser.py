"""One search for every box: the home page's Find box and the map's search (offline, from file://)
follow the rules of kg.graph.names that `kg search`, /api/search and saved-query parameters use.

The offline pages read the keys Python made (names-data.js); these tests compare the script's
answers with Python's on every name of every entity, not on a few chosen examples.
"""

from __future__ import annotations

import json
import shutil

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from kg.graph import namespaces as ns
from kg.graph.names import plurals
from kg.ingest.labels import norm
from kg.web.finding import site_names
from kg.web.reading import gather
from kg.web.site import build_site
from tests.browser import console_errors, foreign_requests, requested_urls
from tests.web.test_map_browser import open_map
from tests.web.test_site_browser import open_page, wait

K = ns.base_iri() + "id/"
PCN = K + "primary-care-network"
ACO = K + "accountable-care-organisation"


@pytest.fixture(scope="module")
def site(both_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("find-site") / "site"
    build_site(both_store, out)
    return out


@pytest.fixture(scope="module")
def data(both_store):
    return gather(both_store)


def test_home_find_box_takes_plurals_and_typos(chrome, site):
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("primary care networks", Keys.ENTER)
    wait(chrome, "return location.href.endsWith('/id/primary-care-network.html')")

    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("primary care netwrok", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results a.did-you-mean').length > 0")
    suggestion = chrome.find_element(By.CSS_SELECTOR, "#find-results a.did-you-mean")
    assert suggestion.text == "Primary care network"
    assert suggestion.get_attribute("href").endswith("/id/primary-care-network.html")

    # words that name nothing exactly list the names holding them, each with its document count
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("care networks", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results a').length > 0")
    items = [li.text for li in chrome.find_elements(By.CSS_SELECTOR, "#find-results li")]
    assert any(text.startswith("Primary care network") and "document" in text for text in items), items
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_home_find_box_document_counts_agree_with_the_entity_pages(chrome, site, data):
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("care system", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results a').length > 0")
    checked = 0
    for li in chrome.find_elements(By.CSS_SELECTOR, "#find-results li"):
        link = li.find_element(By.TAG_NAME, "a")
        page = link.get_attribute("href").split("/site/", 1)[1]
        entity = next((e for e in data.entities.values() if e.page == page), None)
        if entity is None:
            continue
        count = len(entity.mentions)
        assert (f"{count} document" in li.text) or (count == 1 and "1 document" in li.text), li.text
        checked += 1
    assert checked >= 3


def test_map_search_ranks_the_named_entity_first_and_suggests(chrome, site):
    open_map(chrome, (site / "map.html").as_uri())
    assert chrome.execute_script("return kgMap.search('primary care networks')")[0] == PCN
    assert chrome.execute_script("return kgMap.search('ACOs')")[0] == ACO
    assert chrome.execute_script("return kgMap.search('primary care netwrok')")[0] == PCN
    box = chrome.find_element(By.ID, "kg-search")
    box.send_keys("primary care netwrok")
    wait(chrome, "return !document.getElementById('kg-suggestions').hidden")
    first = chrome.find_element(By.CSS_SELECTOR, "#kg-suggestions [role=option]")
    assert "Did you mean" in first.text and "Primary care network" in first.text
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_the_script_finds_what_python_finds_for_every_name(chrome, site, data):
    """Every label of every entity, in its plural too, finds in the page what it finds in Python."""
    names = site_names(data)
    open_page(chrome, site, "index.html")
    wait(chrome, "return !!window.KGFind")
    typed = sorted(
        {
            form
            for e in data.entities.values()
            for label in [e.label, *e.alt_labels]
            for form in (label, *plurals(label))
        }
    )
    answers = chrome.execute_script(
        "return arguments[0].map(t => window.KGFind.find(t).exact.map(e => e.iri).sort())", typed
    )
    for text, found in zip(typed, answers):
        expected = sorted(s.iri for s in names.lookup(text) if s.iri in data.entities and data.entities[s.iri].page)
        assert found == expected, text
    # the normal form itself agrees, on text with spellings, apostrophes, hyphens and accents
    samples = [
        "King’s Fund",
        "Multi-specialty Community Providers’",
        "organisation’s",
        "Café-style",
        "A&E",
        "re-organised",
    ]
    assert chrome.execute_script("return arguments[0].map(window.KGFind.norm)", samples) == [norm(s) for s in samples]


def test_the_script_suggests_what_python_suggests_for_typos(chrome, site, data):
    """A swapped pair of letters in every longer name: the script's first suggestion is among Python's closest."""
    names = site_names(data)
    open_page(chrome, site, "index.html")
    wait(chrome, "return !!window.KGFind")
    typos = []
    for e in data.entities.values():
        key = norm(e.label)
        if len(key) >= 10 and e.page:
            middle = len(key) // 2
            if key[middle] != key[middle + 1] and " " not in key[middle : middle + 2]:
                typos.append(key[:middle] + key[middle + 1] + key[middle] + key[middle + 2 :])
    assert len(typos) > 50
    answers = chrome.execute_script(
        "return arguments[0].map(t => { const a = window.KGFind.find(t); return a.exact.length ? null : a.suggestions.map(e => e.iri); })",
        typos,
    )
    for text, found in zip(typos, answers):
        if found is None or names.lookup(text):
            continue
        python = [s.iri for s in names.suggest(text, limit=50)]
        assert found and found[0] in python, text


def test_on_a_phone_the_map_comes_before_the_filters(chrome, site):
    size = chrome.get_window_size()
    try:
        chrome.set_window_size(390, 844)
        open_map(chrome, (site / "map.html").as_uri())
        top, filters, height = chrome.execute_script(
            "return [document.getElementById('kg-network').getBoundingClientRect().top,"
            " document.querySelector('.kg-filters').getBoundingClientRect().top, window.innerHeight]"
        )
        assert top < height * 0.6, "the canvas starts in the first screen"
        assert filters > top
    finally:
        chrome.set_window_size(size["width"], size["height"])


def _a_document_title(data) -> tuple[str, str]:
    """A document's title and page, of the first document (by page) whose title names no entity."""
    names = site_names(data)
    for doc in sorted((d for d in data.documents.values() if d.page and d.title), key=lambda d: d.page):
        if not names.lookup(doc.title):
            return doc.title, doc.page
    raise AssertionError("every title names an entity")


def test_the_find_box_reads_the_titles_only_once_it_is_used(chrome, site, data):
    """The home page loads without the documents' titles; typing a title finds its document."""
    title, page = _a_document_title(data)
    open_page(chrome, site, "index.html")
    wait(chrome, "return !!window.KGFind")
    loaded = [url for url in requested_urls(chrome) if url.endswith(".js")]
    assert any(url.endswith("/names-data.js") for url in loaded), loaded
    assert not any(url.endswith("/names-documents.js") for url in loaded), loaded
    assert chrome.execute_script("return window.KG_NAME_DOCUMENTS === undefined")

    chrome.find_element(By.ID, "find-input").send_keys(title, Keys.ENTER)
    link = f"#find-results a[href$='{page}']"
    wait(chrome, f"return !!document.querySelector({json.dumps(link)})")
    assert any(url.endswith("/names-documents.js") for url in requested_urls(chrome))
    item = chrome.find_element(By.CSS_SELECTOR, link)
    assert item.text == title
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_the_map_never_reads_the_titles(chrome, site):
    open_map(chrome, (site / "map.html").as_uri())
    chrome.execute_script("return kgMap.search('care')")
    assert not any(url.endswith("/names-documents.js") for url in requested_urls(chrome))


def test_a_missing_titles_file_is_said_and_entities_are_still_found(chrome, site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / "names-documents.js").unlink()
    open_page(chrome, copy, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("care networks", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results li.muted').length > 0")
    items = [li.text for li in chrome.find_elements(By.CSS_SELECTOR, "#find-results li")]
    assert any(text.startswith("Primary care network") for text in items), items
    assert items[-1] == (
        "The documents' titles (names-documents.js) could not be read, so no document is listed:"
        " rebuild the site with kg site."
    )
    console_errors(chrome)  # the missing file's own message
