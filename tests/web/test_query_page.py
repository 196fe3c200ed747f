"""The query page at ``/`` of ``kg serve``, driven in headless Chromium against the real server.

The server (:func:`kg.web.server.create_app` on uvicorn, in a thread, on a free loopback port) serves
the sample store and the site it builds from it, as ``kg serve`` does; every test loads the page
afresh, does what a librarian would, and checks that the page wrote no errors to the console and
asked no other host for anything.
"""

from __future__ import annotations

import csv
import json
import re
import urllib.request
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest

from tests.browser import allow_downloads, console_errors, foreign_requests
from tests.conftest import ROOT

pytestmark = pytest.mark.browser  # make quick leaves these out

QUERY_PAGE = ROOT / "kg" / "web" / "query"
VENDOR = ROOT / "kg" / "web" / "vendor"
MAX_ROWS = 1000  # the sample store has several thousand triples: enough to go over it


# --------------------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def server(sample_store):
    """The base URL of a real ``kg serve`` over the sample store, with the site it builds."""
    from kg.web.server import create_app, running

    app = create_app(sample_store.location, build_site=True, workers=1, query_timeout=20.0, max_rows=MAX_ROWS)
    with running(app) as url:
        yield url


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


# --------------------------------------------------------------------------- driving the page


def wait(driver, condition, timeout: float = 20.0, message: str = "the page did not get there"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition, message)


def open_page(driver, url: str):
    """Load the page and wait until it has its saved questions and has rerun what the URL says."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    wait(
        driver,
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true",
        message="the page never became ready",
    )


def wait_for_run(driver) -> str:
    """Wait until the current run has finished; its state, "done" or "error"."""
    from selenium.webdriver.common.by import By

    results = driver.find_element(By.ID, "results")
    wait(driver, lambda d: results.get_attribute("data-state") in ("done", "error"), message="the query never finished")
    return results.get_attribute("data-state")


def table_rows(driver) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    ]


def column(driver, variable: str) -> list[str]:
    from selenium.webdriver.common.by import By

    headers = [
        b.get_attribute("data-column") for b in driver.find_elements(By.CSS_SELECTOR, "table.results thead button.sort")
    ]
    index = headers.index(variable)
    return [row[index] for row in table_rows(driver)]


def assert_clean(driver, allowed_statuses: tuple[int, ...] = ()):
    """No console errors (but the browser's own note of an expected error status) and no other host asked."""
    errors = [
        message
        for message in console_errors(driver)
        if not any(f"status of {status} " in message for status in allowed_statuses)
    ]
    assert errors == []
    assert foreign_requests(driver) == []


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query, keep_blank_values=True)


# --------------------------------------------------------------------------- tests


def test_saved_question_with_parameters_sorts_and_links(chrome, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    open_page(chrome, server + "/")
    assert chrome.title
    names = [o.get_attribute("value") for o in chrome.find_elements(By.CSS_SELECTOR, "#saved-select option")]
    assert "documents-mentioning" in names
    Select(chrome.find_element(By.ID, "saved-select")).select_by_value("documents-mentioning")
    assert "mentioning" in chrome.find_element(By.ID, "saved-description").text

    entity = chrome.find_element(By.ID, "param-entity")
    assert entity.get_attribute("type") == "text" and entity.get_attribute("value") == "ACO"
    entity.clear()
    entity.send_keys("kgid:integrated-care-system")
    since = chrome.find_element(By.ID, "param-since")
    assert since.get_attribute("type") == "date" and since.get_attribute("value") == "2000-01-01"
    chrome.find_element(By.ID, "param-since-mode").click()  # "Type a month or year instead"
    assert since.get_attribute("type") == "text"
    since.clear()
    since.send_keys("2015")
    chrome.find_element(By.ID, "saved-run").click()
    assert wait_for_run(chrome) == "done"

    expected = get_json(
        server
        + "/api/saved/documents-mentioning?"
        + urlencode({"entity": "kgid:integrated-care-system", "since": "2015"})
    )
    rows = table_rows(chrome)
    assert len(rows) == len(expected["results"]["bindings"]) > 0
    status = chrome.find_element(By.ID, "status").text
    # documents-mentioning is paged: its status names the page ("Rows 1–4 of 4 in 220 ms.")
    assert re.search(rf"\b(?:{len(rows)} rows?|Rows 1–{len(rows)} of {len(rows)}) in \d", status)
    assert "ms" in status or " s" in status
    state = query_of(chrome.current_url)
    assert state["saved"] == ["documents-mentioning"]
    assert state["p.entity"] == ["kgid:integrated-care-system"] and state["p.since"] == ["2015"]

    # IRIs: short prefixed names linked through /page?iri=
    links = chrome.find_elements(By.CSS_SELECTOR, "table.results td a.iri")
    assert links and all(a.text.startswith("kgdoc:") for a in links)
    target = query_of(links[0].get_attribute("href"))["iri"][0]
    assert urlparse(links[0].get_attribute("href")).path == "/page" and target.endswith(links[0].text.split(":", 1)[1])
    # dates are readable (a day, a month or a year), not raw xsd literals
    issued = [value for value in column(chrome, "issued") if value]
    assert issued and all(re.fullmatch(r"(\d{1,2} )?([A-Z][a-z]+ )?\d{4}", value) for value in issued)

    # sort by title with a click, then the other way with the keyboard
    button = chrome.find_element(By.CSS_SELECTOR, 'button.sort[data-column="title"]')
    header = button.find_element(By.XPATH, "..")
    assert header.get_attribute("aria-sort") is None
    button.click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = column(chrome, "title")
    assert ascending[0].casefold() <= ascending[-1].casefold()
    button.send_keys(Keys.ENTER)
    assert header.get_attribute("aria-sort") == "descending"
    descending = column(chrome, "title")
    assert descending[0] == ascending[-1] and sorted(descending) == sorted(ascending)
    assert_clean(chrome)


def test_shared_link_reruns_and_downloads_csv(chrome, server, tmp_path):
    from selenium.webdriver.common.by import By

    link = (
        server + "/?" + urlencode({"saved": "documents-mentioning", "p.entity": "kgid:accountable-care-organisation"})
    )
    open_page(chrome, link)
    assert wait_for_run(chrome) == "done"
    rows = table_rows(chrome)
    assert rows
    assert chrome.find_element(By.ID, "saved-select").get_attribute("value") == "documents-mentioning"
    assert chrome.find_element(By.ID, "param-entity").get_attribute("value") == "kgid:accountable-care-organisation"
    shared = chrome.find_element(By.ID, "share-link").get_attribute("value")
    assert query_of(shared)["saved"] == ["documents-mentioning"]
    assert query_of(shared)["p.entity"] == [
        "kgid:accountable-care-organisation"
    ]  # written out, though it is the default

    chrome.find_element(By.ID, "copy-link").click()
    wait(chrome, lambda d: d.find_element(By.ID, "copy-status").text, message="copying the link said nothing")

    # the shared link, opened in a fresh navigation, runs the question again
    chrome.get("about:blank")
    open_page(chrome, shared)
    assert wait_for_run(chrome) == "done"
    assert table_rows(chrome) == rows

    # CSV download of the same question
    download = chrome.find_element(By.ID, "download-csv")
    params = query_of(download.get_attribute("href"))
    assert urlparse(download.get_attribute("href")).path == "/api/saved/documents-mentioning"
    assert params["format"] == ["csv"] and params["download"] == ["1"]
    assert query_of(chrome.find_element(By.ID, "download-json").get_attribute("href"))["format"] == ["json"]
    allow_downloads(chrome, str(tmp_path))
    download.click()
    saved = tmp_path / "documents-mentioning.csv"
    wait(
        chrome, lambda d: saved.is_file() and not list(tmp_path.glob("*.crdownload")), message="the CSV did not arrive"
    )
    with saved.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert "title" in table[0] and "document" in table[0]
    assert len(table) - 1 == len(rows)
    titles = sorted(row[table[0].index("title")] for row in table[1:])
    assert titles == sorted(column(chrome, "title"))
    assert_clean(chrome)


def test_ad_hoc_query_typed_in_the_editor(chrome, server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    open_page(chrome, server + "/")
    tab = chrome.find_element(By.ID, "tab-saved")
    tab.send_keys(Keys.ARROW_RIGHT)  # the tabs follow the ARIA pattern: arrows move between them
    assert chrome.find_element(By.ID, "tab-sparql").get_attribute("aria-selected") == "true"
    assert chrome.find_element(By.ID, "panel-sparql").is_displayed()
    assert not chrome.find_element(By.ID, "panel-saved").is_displayed()
    assert chrome.find_elements(By.CSS_SELECTOR, "#panel-sparql .CodeMirror .cm-keyword"), (
        "the editor highlights SPARQL"
    )
    assert "kgid:" in chrome.find_element(By.ID, "prefix-list").get_attribute("textContent")

    chrome.find_element(By.CSS_SELECTOR, "#panel-sparql .CodeMirror-lines").click()
    query = "SELECT ?name WHERE { kgid:integrated-care-system skos:prefLabel ?name }"
    modifier = Keys.CONTROL
    ActionChains(chrome).key_down(modifier).send_keys("a").key_up(modifier).send_keys(Keys.DELETE).send_keys(
        query
    ).perform()
    ActionChains(chrome).key_down(modifier).send_keys(Keys.ENTER).key_up(modifier).perform()  # Ctrl+Enter runs
    assert wait_for_run(chrome) == "done"
    ActionChains(chrome).send_keys(Keys.TAB).perform()  # Tab leaves the editor: no keyboard trap
    assert chrome.switch_to.active_element.get_attribute("id") == "sparql-run"
    assert [row[0] for row in table_rows(chrome)] == ["Integrated Care System"]
    assert "1 row in" in chrome.find_element(By.ID, "status").text
    assert query_of(chrome.current_url)["query"] == [query]
    csv_link = chrome.find_element(By.ID, "download-csv").get_attribute("href")
    assert urlparse(csv_link).path == "/sparql" and query_of(csv_link) == {"query": [query], "format": ["csv"]}

    # every example offered in the editor runs on the sample store and finds something
    picker = Select(chrome.find_element(By.ID, "example-select"))
    for value in [o.get_attribute("value") for o in picker.options if o.get_attribute("value")]:
        picker.select_by_value(value)
        chrome.find_element(By.ID, "sparql-run").click()
        assert wait_for_run(chrome) == "done", chrome.find_element(By.ID, "error").text
        found = chrome.find_element(By.ID, "result-body").text
        assert found and not re.search(r"^(No results|No triples)\b|^No$", found, re.M), picker.options[
            int(value) + 1
        ].text

    # ASK answers yes or no; CONSTRUCT shows Turtle; an empty result says so
    open_page(chrome, server + "/?query=" + quote("ASK { kgid:integrated-care-system skos:prefLabel ?name }"))
    assert wait_for_run(chrome) == "done"
    assert chrome.find_element(By.CSS_SELECTOR, ".ask-answer").text == "Yes"
    open_page(chrome, server + "/?query=" + quote("CONSTRUCT { ?s kg:evolvesInto ?o } WHERE { ?s kg:evolvesInto ?o }"))
    assert wait_for_run(chrome) == "done"
    assert "evolvesInto" in chrome.find_element(By.CSS_SELECTOR, "pre.turtle").text
    assert urlparse(chrome.find_element(By.ID, "download-csv").get_attribute("href")).query.endswith("format=turtle")
    open_page(chrome, server + "/?query=" + quote('SELECT ?s WHERE { ?s skos:prefLabel "no such name, anywhere" }'))
    assert wait_for_run(chrome) == "done"
    assert "No results" in chrome.find_element(By.ID, "result-body").text
    assert_clean(chrome)


def test_errors_are_clear_messages(chrome, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_page(chrome, server + "/?query=" + quote("SELECT ?x\nWHER { ?x ?y ?z }"))
    assert wait_for_run(chrome) == "error"
    error = chrome.find_element(By.ID, "error")
    assert error.is_displayed() and "mistake" in error.text and "line 2" in error.text
    assert "Traceback" not in error.text and not chrome.find_elements(By.CSS_SELECTOR, "table.results")
    assert chrome.find_elements(By.CSS_SELECTOR, ".CodeMirror .syntax-error-line"), "the editor marks the line"

    open_page(chrome, server + "/?query=" + quote("INSERT DATA { kgid:a kgid:b kgid:c }"))
    assert wait_for_run(chrome) == "error"
    assert "only reads" in chrome.find_element(By.ID, "error").text

    open_page(chrome, server + "/?" + urlencode({"saved": "documents-mentioning", "p.entity": "not an iri"}))
    assert wait_for_run(chrome) == "error"
    assert "entity" in chrome.find_element(By.ID, "error").text

    open_page(chrome, server + "/?query=" + quote("SELECT * WHERE { ?s ?p ?o }"))
    assert wait_for_run(chrome) == "error"
    assert (
        "Too many results" in chrome.find_element(By.ID, "error").text
        and f"{MAX_ROWS:,}" in chrome.find_element(By.ID, "error").text
    )
    assert_clean(chrome, allowed_statuses=(400, 403, 422))

    # the form itself refuses an empty required value before asking the server
    open_page(chrome, server + "/")

    Select(chrome.find_element(By.ID, "saved-select")).select_by_value("documents-mentioning")
    chrome.find_element(By.ID, "param-entity").clear()
    chrome.find_element(By.ID, "saved-run").click()
    assert "needs a value" in chrome.find_element(By.ID, "error").text
    assert chrome.find_element(By.ID, "param-entity").get_attribute("aria-invalid") == "true"
    assert_clean(chrome)


def test_entity_boxes_take_names_complete_and_offer_choices(chrome, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_page(chrome, server + "/")
    Select(chrome.find_element(By.ID, "saved-select")).select_by_value("documents-mentioning")
    entity = chrome.find_element(By.ID, "param-entity")
    entity.clear()
    entity.send_keys("acc")
    wait(
        chrome,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#names-entity option"),
        message="the entity box offered no names",
    )
    offered = [o.get_attribute("label") for o in chrome.find_elements(By.CSS_SELECTOR, "#names-entity option")]
    assert any("kgid:accountable-care-organisation" in label for label in offered)

    entity.clear()
    entity.send_keys("ACOs")
    chrome.find_element(By.ID, "param-since").clear()
    chrome.find_element(By.ID, "saved-run").click()
    assert wait_for_run(chrome) == "done"
    expected = get_json(
        server + "/api/saved/documents-mentioning?" + urlencode({"entity": "kgid:accountable-care-organisation"})
    )
    assert len(table_rows(chrome)) == len(expected["results"]["bindings"]) > 0
    titles = chrome.find_elements(By.CSS_SELECTOR, "table.results td a.title-link")
    assert len(titles) == len(table_rows(chrome)), "every title is a link to its document's page"
    assert all(urlparse(a.get_attribute("href")).path == "/page" for a in titles)

    # a typo: the page says so and offers the name it was probably meant to be
    entity.clear()
    entity.send_keys("primary care netwrok")
    chrome.find_element(By.ID, "saved-run").click()
    assert wait_for_run(chrome) == "error"
    error = chrome.find_element(By.ID, "error")
    assert "did you mean" in error.text.lower() and "Primary care network" in error.text
    error.find_element(By.CSS_SELECTOR, ".name-choices button").click()
    assert wait_for_run(chrome) == "done"
    assert query_of(chrome.current_url)["p.entity"] == ["kgid:primary-care-network"]
    assert_clean(chrome, allowed_statuses=(400,))


def test_keyword_search(chrome, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(chrome, server + "/")
    box = chrome.find_element(By.ID, "search-input")
    box.send_keys("ACS", Keys.ENTER)
    output = chrome.find_element(By.ID, "search-output")
    wait(chrome, lambda d: output.get_attribute("data-state") == "done", message="the search never finished")
    hits = chrome.find_elements(By.CSS_SELECTOR, "#search-output li.hit")
    assert hits
    first = hits[0]
    assert first.find_element(By.CSS_SELECTOR, ".kind").text.lower() in ("entity", "document")
    assert first.find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    assert chrome.find_elements(By.CSS_SELECTOR, "#search-output .snippet mark"), "the words found are highlighted"
    see_also = chrome.find_element(By.CSS_SELECTOR, "#search-output .see-also").text
    assert "successor" in see_also
    assert query_of(chrome.current_url)["search"] == ["ACS"]

    # an entity hit offers its documents: one click runs the saved question for it
    button = chrome.find_element(By.CSS_SELECTOR, "#search-output li.hit .hit-actions button")
    button.click()
    assert wait_for_run(chrome) == "done"
    state = query_of(chrome.current_url)
    assert state["saved"] == ["documents-mentioning"] and state["p.entity"][0].startswith("kgid:")
    assert state["search"] == ["ACS"]
    assert_clean(chrome)


def test_keyword_search_takes_plurals_and_suggests_for_typos(chrome, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(chrome, server + "/")
    box = chrome.find_element(By.ID, "search-input")
    box.send_keys("primary care networks", Keys.ENTER)
    output = chrome.find_element(By.ID, "search-output")
    wait(chrome, lambda d: output.get_attribute("data-state") == "done", message="the search never finished")
    first = chrome.find_element(By.CSS_SELECTOR, "#search-output li.hit")
    assert first.find_element(By.CSS_SELECTOR, "a").text == "Primary care network"
    assert re.search(r"Mentioned in \d+ documents?", first.text)

    box.clear()
    box.send_keys("primary care netwrok", Keys.ENTER)
    wait(chrome, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-output .did-you-mean button"))
    chrome.find_element(By.CSS_SELECTOR, "#search-output .did-you-mean button").click()
    wait(
        chrome,
        lambda d: (
            d.find_elements(By.CSS_SELECTOR, "#search-output li.hit a")
            and d.find_element(By.CSS_SELECTOR, "#search-output li.hit a").text == "Primary care network"
        ),
        message="choosing the suggestion did not search for it",
    )
    assert_clean(chrome)


def test_page_sources_name_no_other_host():
    """Nothing under kg/web/query/ names another host: no script, style, font, image or link from elsewhere."""
    files = [p for p in QUERY_PAGE.iterdir() if p.suffix in (".html", ".js", ".css")]
    assert {p.name for p in files} >= {"index.html", "query.js", "query.css"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert re.findall(r"(?i)\b(?:https?|wss?|ftp):(?://|\\/\\/)", text) == [], path
        if path.suffix == ".css":
            assert not re.search(r"(?i)@import|\burl\(\s*['\"]?(?!data:)", text), path
        assert not re.search(r"""(?:src|href|action)\s*=\s*["']//""", text), path
    html = (QUERY_PAGE / "index.html").read_text(encoding="utf-8")
    for reference in re.findall(r'(?:src|href)="([^"]+)"', html):
        # relative to the page, so the page works under a proxy's path prefix
        assert reference.startswith(("query-assets/", "vendor/", "#", "data:", "./")), reference
        if reference.startswith("vendor/"):
            assert (VENDOR / reference.removeprefix("vendor/")).is_file(), reference
        if reference.startswith("query-assets/"):
            assert (QUERY_PAGE / reference.removeprefix("query-assets/")).is_file(), reference
    assert not re.search(r"(?i)\son[a-z]+\s*=", html), "no inline event handlers"
    assert (VENDOR / "codemirror" / "LICENSE").is_file() and "5.65" in (VENDOR / "README.md").read_text(
        encoding="utf-8"
    )


def test_entity_page_links_open_the_query_page_and_run(chrome, server):
    """A page of the site, as the server serves it, links to the ready-made questions about its entity."""
    from selenium.webdriver.common.by import By

    aco = "https://w3id.org/nhs-policy-kg/id/accountable-care-organisation"
    chrome.get(server + "/id/accountable-care-organisation.html")
    link = chrome.find_element(By.CSS_SELECTOR, ".query-links a[href^='../?saved=documents-mentioning&']")
    link.click()
    wait(
        chrome,
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true",
        message="the query page never became ready",
    )
    assert wait_for_run(chrome) == "done"
    assert urlparse(chrome.current_url).path == "/" and query_of(chrome.current_url)["p.entity"] == [aco]
    assert chrome.find_element(By.ID, "saved-select").get_attribute("value") == "documents-mentioning"
    assert chrome.find_element(By.ID, "param-entity").get_attribute("value") == aco
    rows = table_rows(chrome)
    expected = get_json(server + "/api/saved/documents-mentioning?" + urlencode({"entity": aco}))["results"]["bindings"]
    assert len(rows) == len(expected) > 0

    # a document page's DESCRIBE link runs the query in the editor
    chrome.back()
    chrome.find_element(By.CSS_SELECTOR, "ol.doc-mentions a").click()
    describe = chrome.find_element(By.CSS_SELECTOR, ".query-links a[href^='../?query=DESCRIBE']")
    iri = chrome.find_element(By.CSS_SELECTOR, "article.document").get_attribute("data-iri")
    describe.click()
    wait(
        chrome,
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true",
        message="the query page never became ready",
    )
    assert wait_for_run(chrome) == "done"
    assert query_of(chrome.current_url)["query"] == [f"DESCRIBE <{iri}>"]
    assert "dcterms:title" in chrome.find_element(By.CSS_SELECTOR, "pre.turtle").text
    assert_clean(chrome)


def test_query_page_wears_the_site_header(chrome, server):
    """The same header, navigation, skip link and colours as the site's pages; AA contrast; nothing from elsewhere."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.web.test_site_browser import CONTRAST_JS

    look = (
        "var h = document.querySelector('.site-header'), n = document.querySelector('.site-name'), s = getComputedStyle(h);"
        "return {background: s.backgroundColor, color: getComputedStyle(n).color, font: getComputedStyle(document.body).fontFamily,"
        " name: n.textContent.trim(), nameHref: n.href,"
        " nav: Array.prototype.map.call(document.querySelectorAll('.site-nav a'), function (a) { return [a.href, a.textContent.trim()]; }),"
        " current: Array.prototype.map.call(document.querySelectorAll('.site-nav a[aria-current=page]'), function (a) { return [a.href, a.textContent.trim()]; })};"
    )
    chrome.get(server + "/id/integrated-care-system.html")
    site = chrome.execute_script(look)
    open_page(chrome, server + "/")
    page = chrome.execute_script(look)
    assert page["background"] == site["background"] != "rgba(0, 0, 0, 0)"
    assert (page["color"], page["font"], page["name"], page["nameHref"]) == (
        site["color"],
        site["font"],
        site["name"],
        site["nameHref"],
    )
    assert page["nav"][:-1] == site["nav"][:-1]  # Home, Map, Vocabulary, Timeline, Connections, at the same addresses
    assert page["nav"][-1][0] == site["nav"][-1][0] == server + "/"
    assert page["current"] == [[server + "/", "Query"]]
    assert chrome.find_elements(By.CSS_SELECTOR, "link[rel=stylesheet][href='assets/site.css']")

    ratios = chrome.execute_script(
        CONTRAST_JS,
        selectors := [
            "body",
            ".site-name",
            ".site-nav a",
            ".site-nav a[aria-current]",
            ".page-intro p",
            "label",
            ".hint",
            "#status",
            "button.primary",
            "#tab-sparql",
            ".site-footer p",
        ],
    )
    for selector in selectors:
        assert ratios[selector] is not None and ratios[selector] >= 4.5, (selector, ratios[selector])

    # the skip link comes first and moves focus to the main content
    chrome.execute_script("document.activeElement && document.activeElement.blur(); window.focus();")
    ActionChains(chrome).send_keys(Keys.TAB).perform()
    skip = chrome.switch_to.active_element
    assert skip.get_attribute("class") == "skip-link" and skip.get_attribute("href").endswith("#main")
    assert skip.is_displayed()
    ActionChains(chrome).send_keys(Keys.ENTER).perform()
    assert chrome.execute_script("return location.hash") == "#main"
    assert chrome.switch_to.active_element.get_attribute("id") == "main"
    assert_clean(chrome)


def test_query_page_takes_its_frame_from_the_sites_templates(tmp_path, monkeypatch):
    """The header and footer of the query page are base.html's: an edited copy (KG_TEMPLATES_DIR) shows on it."""
    import shutil

    from kg.resources import templates_dir
    from kg.web.server.querypage import render_query_page

    before = render_query_page()
    assert before.count('aria-current="page"') == 1 and '<a href="./" aria-current="page"' in before
    assert 'id="saved-select"' in before and "CodeMirror 5" in before

    edited = tmp_path / "templates"
    shutil.copytree(templates_dir(), edited)
    base = edited / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace('"Timeline"', '"Time line"'), encoding="utf-8")
    monkeypatch.setenv("KG_TEMPLATES_DIR", str(edited))
    after = render_query_page()
    assert ">Time line</a>" in after and ">Timeline</a>" not in after
    assert after.replace("Time line", "Timeline") == before


def _type_in_editor(chrome, text: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    chrome.find_element(By.ID, "tab-sparql").click()
    chrome.find_element(By.CSS_SELECTOR, "#panel-sparql .CodeMirror-lines").click()
    ActionChains(chrome).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
    ActionChains(chrome).send_keys(text).perform()


def _hints(chrome) -> list[str]:
    """The completion list's items, read in one script: the list is redrawn when the entity names arrive."""
    return chrome.execute_script(
        "return Array.from(document.querySelectorAll('.CodeMirror-hints li')).map(li => li.innerText)"
    )


def test_editor_completes_prefixes_terms_and_entity_names(chrome, server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(chrome, server + "/")
    _type_in_editor(chrome, "SELECT * WHERE { kgid:acc")
    wanted = "kgid:accountable-care-organisation "
    wait(chrome, lambda d: any(text.startswith(wanted) for text in _hints(d)), message="no completion list")
    offered = _hints(chrome)
    assert any(text.startswith("kgid:accountable-care-organisation") for text in offered), offered
    # choosing one writes it into the query. The list is drawn again when the entity names arrive (which moves
    # the selection back to the top), so move down until the wanted item is the active one, then choose it.
    active = "return (document.querySelector('.CodeMirror-hint-active') || {}).innerText || ''"
    for _ in range(len(offered) + 5):
        if chrome.execute_script(active).startswith(wanted):
            break
        ActionChains(chrome).send_keys(Keys.DOWN).perform()
    assert chrome.execute_script(active).startswith(wanted), _hints(chrome)
    ActionChains(chrome).send_keys(Keys.ENTER).perform()
    value = chrome.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert value == "SELECT * WHERE { kgid:accountable-care-organisation"

    # Ctrl+Space on a prefix's first letters offers the prefixes; on skos:pr, the properties the store uses
    _type_in_editor(chrome, "sk")
    ActionChains(chrome).key_down(Keys.CONTROL).send_keys(Keys.SPACE).key_up(Keys.CONTROL).perform()
    wait(chrome, lambda d: _hints(d))
    assert _hints(chrome)[0].startswith("skos:")
    _type_in_editor(chrome, "?s skos:pr")
    wait(chrome, lambda d: "skos:prefLabel" in _hints(d), message="skos:prefLabel not offered")
    assert_clean(chrome)


def test_syntax_errors_name_the_prefix_and_the_line(chrome, server):
    from selenium.webdriver.common.by import By

    open_page(chrome, server + "/?query=" + quote("SELECT * WHERE { ?s ex:p ?o }"))
    assert wait_for_run(chrome) == "error"
    text = chrome.find_element(By.ID, "error").text
    assert "unknown prefix ex:" in text and "kgid:" in text and "\\u{" not in text
    open_page(chrome, server + "/?query=" + quote("SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(STRLEN(?o) > 3\n}"))
    assert wait_for_run(chrome) == "error"
    text = chrome.find_element(By.ID, "error").text
    assert "line 3" in text and "never closed" in text
    marked = chrome.execute_script(
        "return Array.from(document.querySelectorAll('#panel-sparql .CodeMirror-code > div'))"
        ".map(d => !!d.querySelector('.syntax-error-line') || d.classList.contains('syntax-error-line'))"
    )
    assert marked.index(True) == 2, "the editor marks line 3"
    assert_clean(chrome, allowed_statuses=(400,))


def test_back_returns_to_the_previous_question_and_history_is_kept(chrome, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_page(chrome, server + "/")
    chrome.execute_script("localStorage.clear()")
    Select(chrome.find_element(By.ID, "saved-select")).select_by_value("newest-documents")
    chrome.find_element(By.ID, "saved-run").click()
    assert wait_for_run(chrome) == "done"
    first = chrome.current_url
    Select(chrome.find_element(By.ID, "saved-select")).select_by_value("due-for-review")
    chrome.find_element(By.ID, "saved-run").click()
    assert wait_for_run(chrome) == "done"
    assert query_of(chrome.current_url)["saved"] == ["due-for-review"]
    chrome.back()
    wait(chrome, lambda d: query_of(d.current_url).get("saved") == ["newest-documents"], message="Back did not go back")
    wait(
        chrome,
        lambda d: (
            d.find_element(By.ID, "saved-select").get_attribute("value") == "newest-documents"
            and d.find_element(By.ID, "results").get_attribute("data-state") == "done"
        ),
        message="Back did not rerun the previous question",
    )
    assert chrome.current_url == first
    chrome.forward()
    wait(chrome, lambda d: d.find_element(By.ID, "saved-select").get_attribute("value") == "due-for-review")
    # the history list survives a reload (localStorage) and reruns a question with one click
    open_page(chrome, server + "/")
    items = chrome.find_elements(By.CSS_SELECTOR, "#history-list button")
    assert len(items) >= 2 and "review" in items[0].text.lower()
    items[1].click()
    assert wait_for_run(chrome) == "done"
    assert query_of(chrome.current_url)["saved"] == ["newest-documents"]
    assert_clean(chrome)
