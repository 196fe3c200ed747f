"""The query page's result views (timeline, bar chart, graph), full downloads beyond the table's rows, and the
page behind a proxy's path prefix with ``--base-url`` share links; headless Chromium against a real server."""

from __future__ import annotations

import csv
import json
from urllib.parse import quote, urlparse

import pytest

from tests.browser import allow_downloads, requested_urls
from tests.web.test_query_page import assert_clean, open_page, table_rows, wait, wait_for_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(sample_store):
    from kg.web.server import create_app, running

    app = create_app(sample_store.location, build_site=True, workers=1, query_timeout=20.0, max_rows=2000)
    with running(app) as url:
        yield url


def under_prefix(app, prefix: str):
    """The app as a proxy publishes it under ``prefix`` (the proxy strips it; anything else is not found)."""

    async def proxied(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        path = scope["path"]
        if not path.startswith(prefix + "/"):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"not under the prefix"})
            return
        inner = path[len(prefix) :]
        await app(dict(scope, path=inner, raw_path=inner.encode()), receive, send)

    return proxied


PUBLISHED = "http://kg.example.org/kg/"


@pytest.fixture(scope="module")
def prefixed(sample_store):
    from kg.web.server import create_app, running

    app = create_app(sample_store.location, build_site=True, workers=1, query_timeout=20.0, base_url=PUBLISHED)
    with running(under_prefix(app, "/kg")) as url:
        app.state.site.wait(600)  # running() cannot see the site behind the wrapper
        yield url + "/kg/"


def run_query(driver, url: str, sparql: str) -> None:
    open_page(driver, url + "/?query=" + quote(sparql))
    assert wait_for_run(driver) == "done"


def choose_view(driver, view: str):
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, f"#result-views button[data-view='{view}']").click()
    wait(driver, lambda d: d.find_element(By.ID, "result-body").get_attribute("data-view") == view)
    return driver.find_element(By.CSS_SELECTOR, f"#result-body svg.chart-{view}")


def offered(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [b.get_attribute("data-view") for b in driver.find_elements(By.CSS_SELECTOR, "#result-views button")]


def test_dates_get_a_timeline_whose_dots_link_to_pages(chrome, server):
    from selenium.webdriver.common.by import By

    run_query(
        chrome,
        server,
        "SELECT ?document ?title ?issued WHERE { ?document a kg:Document ; dcterms:title ?title ; dcterms:issued ?issued }",
    )
    rows = table_rows(chrome)
    assert len(rows) >= 5
    # the table's IRI and title cells are links to the pages
    for tr in chrome.find_elements(By.CSS_SELECTOR, "table.results tbody tr"):
        links = [a.get_attribute("href") for a in tr.find_elements(By.TAG_NAME, "a")]
        assert len(links) == 2 and all("/page?iri=" in h for h in links)
    assert offered(chrome)[:2] == ["table", "timeline"] and "bars" not in offered(chrome)
    timeline = choose_view(chrome, "timeline")
    assert int(timeline.get_attribute("data-count")) == len(rows)
    dots = timeline.find_elements(By.CSS_SELECTOR, "circle.point")
    assert len(dots) == len(rows)
    hrefs = {a.get_dom_attribute("href") for a in timeline.find_elements(By.CSS_SELECTOR, "a.chart-link")}
    assert len(hrefs) == len(rows) and all(h.startswith("page?iri=") for h in hrefs)
    years = [t.text for t in timeline.find_elements(By.CSS_SELECTOR, "text.tick-label")]
    assert years and all(y.isdigit() for y in years)
    # following a dot opens the document's page
    chrome.get(server + "/" + sorted(hrefs)[0])
    assert "/doc/" in chrome.current_url
    assert_clean(chrome)


def test_counts_get_a_bar_chart_in_proportion(chrome, server):
    from selenium.webdriver.common.by import By

    run_query(
        chrome,
        server,
        "SELECT ?entity (COUNT(DISTINCT ?d) AS ?documents) WHERE { ?d schema:mentions ?entity } "
        "GROUP BY ?entity ORDER BY DESC(?documents) LIMIT 12",
    )
    counts = [int(r[1]) for r in table_rows(chrome)]
    assert "bars" in offered(chrome)
    chart = choose_view(chrome, "bars")
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert [int(float(b.get_attribute("data-value"))) for b in bars] == sorted(counts, reverse=True)
    widths = [float(b.get_attribute("width")) for b in bars]
    assert widths[0] == max(widths) and abs(widths[-1] / widths[0] - counts[-1] / counts[0]) < 0.02
    assert len(chart.find_elements(By.CSS_SELECTOR, "a.chart-link")) == len(bars)  # each name links to its page
    assert_clean(chrome)


def test_iri_pairs_get_a_graph(chrome, server):
    from selenium.webdriver.common.by import By

    run_query(chrome, server, "SELECT ?older ?newer WHERE { ?older kg:evolvesInto ?newer }")
    rows = table_rows(chrome)
    assert "graph" in offered(chrome) and "timeline" not in offered(chrome)
    drawn = choose_view(chrome, "graph")
    distinct = {cell for row in rows for cell in row}
    assert int(drawn.get_attribute("data-nodes")) == len(distinct)
    assert int(drawn.get_attribute("data-edges")) == len({tuple(r) for r in rows if r[0] != r[1]})
    assert len(drawn.find_elements(By.CSS_SELECTOR, "line.edge")) == int(drawn.get_attribute("data-edges"))
    labels = [t.text for t in drawn.find_elements(By.CSS_SELECTOR, "text.node-label")]
    assert len(labels) == len(distinct) and all(labels)
    # the layout spreads the nodes out: no two drawn on the same spot
    spots = {n.get_attribute("transform") for n in drawn.find_elements(By.CSS_SELECTOR, "g.node")}
    assert len(spots) == len(distinct)
    # back to the table
    chrome.find_element(By.CSS_SELECTOR, "#result-views button[data-view='table']").click()
    assert table_rows(chrome) == rows
    assert_clean(chrome)


def test_downloads_hold_every_row_beyond_the_table_asked_by_accept(chrome, server, tmp_path):
    from selenium.webdriver.common.by import By

    run_query(chrome, server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 700")
    assert len(table_rows(chrome)) == 500
    assert "700 rows" in chrome.find_element(By.ID, "row-cap").text
    allow_downloads(chrome, str(tmp_path))
    requested_urls(chrome)  # drain
    chrome.get_log("performance")
    for button, name, media in (
        ("download-tsv", "query-results.tsv", "text/tab-separated-values"),
        ("download-csv", "query-results.csv", "text/csv"),
        ("download-json", "query-results.json", "application/sparql-results+json"),
    ):
        link = chrome.find_element(By.ID, button)
        assert link.get_attribute("data-accept") == media
        link.click()
        path = tmp_path / name
        wait(chrome, lambda d, path=path: path.is_file() and not list(tmp_path.glob("*.crdownload")), message=name)
    with (tmp_path / "query-results.tsv").open(encoding="utf-8", newline="") as handle:
        tsv = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert tsv[0] == ["?s", "?p", "?o"] and len(tsv) == 701
    with (tmp_path / "query-results.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.reader(handle))) == 701
    answer = json.loads((tmp_path / "query-results.json").read_text(encoding="utf-8"))
    assert len(answer["results"]["bindings"]) == 700
    assert_clean(chrome)


def test_the_page_works_behind_a_path_prefix_and_shares_the_published_address(chrome, prefixed):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    requested_urls(chrome)  # drain
    open_page(chrome, prefixed)
    Select(chrome.find_element(By.ID, "saved-select")).select_by_value("documents-mentioning")
    box = chrome.find_element(By.ID, "param-entity")
    box.clear()
    box.send_keys("ACOs")
    chrome.find_element(By.ID, "saved-run").click()
    assert wait_for_run(chrome) == "done"
    assert len(table_rows(chrome)) >= 2
    share = chrome.find_element(By.ID, "share-link").get_attribute("value")
    assert share.startswith(PUBLISHED + "?saved=documents-mentioning") and "127.0.0.1" not in share
    assert urlparse(chrome.current_url).path == "/kg/"  # the address bar stays on the page's own origin
    asked = [urlparse(u) for u in requested_urls(chrome) if u.startswith("http")]
    assert asked and all(u.path.startswith("/kg/") for u in asked), [
        u.path for u in asked if not u.path.startswith("/kg/")
    ]
    assert any(u.path == "/kg/api/saved/documents-mentioning" for u in asked)
    assert_clean(chrome)
    # a title links through the page route (under the prefix) to the page at the published address
    link = chrome.find_element(By.CSS_SELECTOR, "table.results a.title-link").get_attribute("href")
    assert urlparse(link).path == "/kg/page"
    redirect = no_redirect_get(link)
    assert redirect.status == 303 and redirect.headers["location"].startswith(PUBLISHED + "doc/")


def no_redirect_get(url: str):
    import urllib.error
    import urllib.request

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(Stay).open(url, timeout=30)
    except urllib.error.HTTPError as answer:
        return answer
