"""The static site in headless Chromium: no errors, no requests elsewhere, filter, connections, keyboard, contrast, no XSS.

Pages are opened from disk (file:// addresses), as staff open them.
"""

from __future__ import annotations

import time

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from kg.web.pages import page_path
from kg.web.site import build_site, iri_quote
from tests.browser import console_errors, foreign_requests
from tests.web.test_site import ACS, BASE, HOSTILE_TITLE, ICB, ICS, hostile_store

pytestmark = pytest.mark.browser  # make quick leaves these out


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-site") / "site"
    build_site(sample_store, out)
    return out


def open_page(driver, site, path: str, wait_for: str | None = None):
    """Load a page of the site from disk; drain the logs of earlier pages first."""
    console_errors(driver)
    foreign_requests(driver)
    driver.get(site.as_uri() + "/" + path)
    if wait_for:
        wait(driver, f"return !!document.querySelector({wait_for!r})")


def wait(driver, script: str, seconds: float = 10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def any_document_page(site) -> str:
    return sorted(p.relative_to(site).as_posix() for p in (site / "doc").glob("*.html"))[0]


def test_pages_load_without_errors_or_foreign_requests(chrome, site):
    pages = [
        "index.html",
        "id/integrated-care-system.html",
        any_document_page(site),
        "vocabulary.html",
        "timeline.html",
        "connect.html",
        f"connect.html#from={iri_quote(ACS)}&to={iri_quote(ICB)}",
    ]
    for path in pages:
        open_page(chrome, site, path)
        assert chrome.execute_script("return document.readyState") == "complete"
        assert console_errors(chrome) == [], path
        assert foreign_requests(chrome) == [], path


def test_entity_page_shows_its_evidence(chrome, site):
    open_page(chrome, site, "id/integrated-care-system.html")
    marks = chrome.find_elements(By.CSS_SELECTOR, "ol.doc-mentions q.evidence mark")
    assert marks and all(m.is_displayed() for m in marks[:3])
    assert any("integrated care system" in m.text.lower() for m in marks)
    background = chrome.execute_script("return getComputedStyle(arguments[0]).backgroundColor", marks[0])
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_vocabulary_filter_shows_matches_and_their_broader_concepts(chrome, site):
    open_page(chrome, site, "vocabulary.html", "#vocab-filter")
    box = chrome.find_element(By.ID, "vocab-filter")
    assert box.is_displayed()

    def shown(iri):
        return chrome.execute_script(
            "var li = document.querySelector('li[data-iri=\"' + arguments[0] + '\"]');"
            "return !!li && li.offsetParent !== null;",
            iri,
        )

    assert shown(ICS) and shown(BASE + "id/nhs-england")
    box.send_keys("multispecialty")
    wait(chrome, "return document.getElementById('vocab-filter-status').textContent.length > 0")
    mcp, ncm = BASE + "id/multispecialty-community-provider", BASE + "id/new-care-model"
    assert shown(mcp) and shown(ncm)  # the match, inside its opened broader concept
    assert not shown(ICS) and not shown(BASE + "id/nhs-england")
    matches = chrome.execute_script("return document.querySelectorAll('li.match').length")
    status = chrome.find_element(By.ID, "vocab-filter-status").text
    assert matches >= 1 and status.startswith(f"{matches} concept")
    box.clear()
    box.send_keys("ICS")  # acronyms count
    wait(chrome, "return document.getElementById('vocab-filter-status').textContent.indexOf('match') >= 0")
    assert shown(ICS) and not shown(BASE + "id/nhs-england")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    wait(chrome, "return document.getElementById('vocab-filter-status').textContent === ''")
    assert shown(ICS) and shown(BASE + "id/nhs-england") and shown(mcp)
    assert console_errors(chrome) == []


def test_connect_page_finds_a_path_with_evidence(chrome, site):
    open_page(chrome, site, f"connect.html#from={iri_quote(ACS)}&to={iri_quote(ICB)}", "ol.paths")
    assert chrome.find_element(By.ID, "connect-from").get_attribute("value") == "Accountable Care System"
    first = chrome.find_elements(By.CSS_SELECTOR, "ol.paths > li.path")[0]
    chain = [a.get_attribute("href") for a in first.find_elements(By.CSS_SELECTOR, "p.chain a")]
    assert chain[0].endswith("/" + page_path(ACS, BASE)) and chain[-1].endswith("/" + page_path(ICB, BASE))
    assert 2 <= len(chain) <= 5
    assert first.find_elements(By.CSS_SELECTOR, "ol.steps li.step .evidence-list li")
    assert chrome.find_elements(By.CSS_SELECTOR, "ol.paths q.evidence mark")
    paths = chrome.execute_script("return window.KG_CONNECT_FIND(arguments[0], arguments[1])", ACS, ICS)
    assert paths[0] == [ACS, ICS]  # named together and stated in a document: one step

    # the form: type two names (an acronym on one side), submit, the hash records the question
    open_page(chrome, site, "connect.html", "#connect-form")
    chrome.find_element(By.ID, "connect-from").send_keys("Integrated Care System")
    chrome.find_element(By.ID, "connect-to").send_keys("ACS")
    chrome.find_element(By.ID, "connect-go").click()
    wait(chrome, "return !!document.querySelector('ol.paths')")
    assert "1 step" in chrome.find_element(By.CSS_SELECTOR, "ol.paths h3").text
    assert chrome.execute_script("return location.hash") == f"#from={iri_quote(ICS)}&to={iri_quote(ACS)}"
    assert console_errors(chrome) == []


def test_keyboard_reaches_skip_link_then_navigation_with_visible_focus(chrome, site):
    open_page(chrome, site, "id/integrated-care-system.html")
    chrome.execute_script("document.activeElement && document.activeElement.blur(); window.focus();")
    actions = ActionChains(chrome)
    focused = []
    for _ in range(4):
        actions.send_keys(Keys.TAB).perform()
        focused.append(
            chrome.execute_script(
                "var e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();"
                "return {cls: e.className, href: e.getAttribute('href'), text: e.textContent.trim(),"
                " outline: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: r.width > 0 && r.height > 0 && r.bottom > 0};"
            )
        )
    skip = focused[0]
    assert skip["href"] == "#main" and "skip-link" in skip["cls"]
    assert [f["href"] for f in focused[1:]] == [
        "../index.html",
        "../index.html",
        "../documents.html",
    ]  # name, Home, Documents
    for f in focused:
        assert f["visible"] and f["outline"] != "none" and f["width"] >= 2, f
    # the skip link moves focus to the main content
    open_page(chrome, site, "index.html")
    ActionChains(chrome).send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
    assert chrome.execute_script("return location.hash") == "#main"


CONTRAST_JS = """
function rgb(text) { var m = text.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
function lum(c) { return [c.r, c.g, c.b].map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
  .reduce(function (s, v, i) { return s + v * [0.2126, 0.7152, 0.0722][i]; }, 0); }
function background(el) {
  for (; el; el = el.parentElement) { var c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0.99) return c; }
  return {r: 255, g: 255, b: 255, a: 1};
}
function ratio(el) {
  var a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
var out = {};
arguments[0].forEach(function (sel) { var el = document.querySelector(sel); out[sel] = el ? ratio(el) : null; });
return out;
"""


@pytest.mark.parametrize(
    "path, selectors",
    [
        (
            "index.html",
            [
                "body",
                "main p.lead",
                "main a",
                ".site-nav a",
                ".site-name",
                ".muted",
                ".badge",
                ".site-footer p",
                ".cards a span",
            ],
        ),
        (
            "id/integrated-care-system.html",
            ["main a", "q.evidence mark", "q.evidence .ctx", ".verb", "dl.facts dt", "code"],
        ),
        ("timeline.html", [".timeline .kind", ".when", ".note"]),
        ("connect.html", ["button#connect-go", "button#connect-swap", "label"]),
    ],
)
def test_text_and_links_have_aa_contrast(chrome, site, path, selectors):
    open_page(chrome, site, path)
    ratios = chrome.execute_script(CONTRAST_JS, selectors)
    for selector in selectors:
        assert ratios[selector] is not None, f"{selector} not on {path}"
        assert ratios[selector] >= 4.5, (path, selector, ratios[selector])


def test_markup_in_documents_never_runs(chrome, tmp_path):
    out = tmp_path / "site"
    with hostile_store(tmp_path) as store:
        build_site(store, out)
        doc = page_path(store.document_graphs()[0], BASE)
    pages = [
        doc,
        "id/integrated-care-system.html",
        "index.html",
        "timeline.html",
        f"connect.html#from={iri_quote(ACS)}&to={iri_quote(ICS)}",
        "map.html",
    ]
    for path in pages:
        console_errors(chrome)
        chrome.get(out.as_uri() + "/" + path)
        time.sleep(0.2)
        with pytest.raises(NoAlertPresentException):
            _ = chrome.switch_to.alert.text
        state = chrome.execute_script(
            "return {xss: window.__xss === undefined ? null : window.__xss, title: document.title,"
            " imgs: document.querySelectorAll('img[onerror], [onerror]').length,"
            " scripts: Array.prototype.filter.call(document.scripts, function (s) { return /__xss|alert/.test(s.textContent); }).length};"
        )
        assert state["xss"] is None and state["title"] != "pwned" and state["imgs"] == 0 and state["scripts"] == 0, (
            path,
            state,
        )
        assert foreign_requests(chrome) == [], path
    # the title is shown, as text, on its page and in the connections' evidence
    chrome.get(out.as_uri() + "/" + doc)
    assert chrome.find_element(By.TAG_NAME, "h1").text == HOSTILE_TITLE
    chrome.get(out.as_uri() + f"/connect.html#from={iri_quote(ACS)}&to={iri_quote(ICS)}")
    wait(chrome, "return !!document.querySelector('ol.paths')")
    assert HOSTILE_TITLE in chrome.find_element(By.ID, "connect-paths").text
    assert chrome.execute_script("return window.__xss === undefined")


def test_home_find_box_opens_a_page_by_acronym_and_lists_partial_matches(chrome, site):
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("ics", Keys.ENTER)
    wait(chrome, "return location.href.endsWith('/id/integrated-care-system.html')")
    # an acronym two entities share (the English and the US ACO) lists both instead of guessing
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("ACO", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results a').length >= 2")
    shared = [a.text for a in chrome.find_elements(By.CSS_SELECTOR, "#find-results a")]
    assert "Accountable Care Organisation" in shared and any("Medicare" in text for text in shared), shared
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("care system", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results a').length > 0")
    items = [li.text for li in chrome.find_elements(By.CSS_SELECTOR, "#find-results li")]
    assert any(text.startswith("Integrated Care System") for text in items)
    assert any(text.startswith("Accountable Care System") for text in items)
    assert all("care" in text.lower() and "system" in text.lower() for text in items), items
    open_page(chrome, site, "index.html")
    chrome.find_element(By.ID, "find-input").send_keys("zzqx nothing", Keys.ENTER)
    wait(chrome, "return document.querySelectorAll('#find-results li').length === 1")
    assert "Nothing is called" in chrome.find_element(By.ID, "find-results").text
    assert console_errors(chrome) == []
