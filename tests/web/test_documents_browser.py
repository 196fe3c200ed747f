"""The documents table (documents.html) opened from disk (file://) in headless Chromium, on the
seeds plus the sample: facets, text filter, sorting with undated rows last, pages, the state in the
address, the one-click review-due view and the CSV download of the filtered rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from urllib.parse import parse_qs

import pytest
from selenium.webdriver.common.by import By

from kg.web.catalogue import DUE_SOON_DAYS, document_rows
from kg.web.reading import gather
from kg.web.site import build_site
from tests.browser import allow_downloads, console_errors, foreign_requests
from tests.web.test_site_browser import open_page, wait


@pytest.fixture(scope="module")
def site(both_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("documents-site") / "site"
    build_site(both_store, out)
    return out


@pytest.fixture(scope="module")
def rows(both_store):
    return document_rows(gather(both_store))


def shown_titles(driver) -> list[str]:
    return [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#doc-body tr td:first-child")]


def column(driver, index: int) -> list[str]:
    return [
        tr.find_elements(By.TAG_NAME, "td")[index].text for tr in driver.find_elements(By.CSS_SELECTOR, "#doc-body tr")
    ]


def hash_state(driver) -> dict[str, list[str]]:
    return parse_qs(driver.execute_script("return location.hash").lstrip("#"))


def first_day(value: str) -> str:
    parts = value[:10].split("-")
    return "-".join([parts[0], *(parts[1:] + ["01", "01"])[:2]])


def test_every_document_is_listed_newest_first_with_undated_last(chrome, site, rows):
    open_page(chrome, site, "documents.html", "#doc-body tr")
    assert chrome.find_element(By.ID, "doc-status").text == f"All {len(rows)} documents."
    chrome.find_element(By.CSS_SELECTOR, "#doc-size").send_keys("100")
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {len(rows)}")
    issued = column(chrome, 3)
    dated = [t for t in issued if t]
    assert issued[: len(dated)] == dated, "undated documents come after every dated one"
    by_iri = {r["iri"]: r for r in rows}
    keys = [
        first_day(by_iri[tr.get_attribute("data-iri")]["issued"])
        for tr in chrome.find_elements(By.CSS_SELECTOR, "#doc-body tr")
        if by_iri[tr.get_attribute("data-iri")]["issued"]
    ]
    assert keys == sorted(keys, reverse=True)
    # oldest first: the undated stay last
    chrome.find_element(By.CSS_SELECTOR, 'button[data-sort="issued"]').click()
    issued = column(chrome, 3)
    assert issued[: len(dated)] == [t for t in issued if t] and issued[len(dated) :] == [""] * (len(rows) - len(dated))
    assert hash_state(chrome)["dir"] == ["asc"]
    # entity counts agree with the read model
    counts = {
        tr.get_attribute("data-iri"): int(tr.find_elements(By.TAG_NAME, "td")[6].text)
        for tr in chrome.find_elements(By.CSS_SELECTOR, "#doc-body tr")
    }
    assert counts == {r["iri"]: r["entities"] for r in rows}
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_facets_text_filter_and_state_in_the_address(chrome, site, rows):
    open_page(chrome, site, "documents.html", "#doc-body tr")
    publishers = sorted({p for r in rows for p in r["publisher"]})
    publisher = max(publishers, key=lambda p: sum(p in r["publisher"] for r in rows))
    expected = {r["title"] for r in rows if publisher in r["publisher"]}
    box = next(
        label
        for label in chrome.find_elements(By.CSS_SELECTOR, "#facet-publisher label")
        if label.text.startswith(publisher)
    )
    assert box.find_element(By.CLASS_NAME, "facet-count").text == str(len(expected))
    box.find_element(By.TAG_NAME, "input").click()
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {min(len(expected), 25)}")
    assert set(shown_titles(chrome)) == expected
    assert hash_state(chrome)["publisher"] == [publisher]

    # a year facet narrows further; the text filter too
    year = sorted({r["issued"][:4] for r in rows if publisher in r["publisher"] and r["issued"]})[-1]
    chrome.find_element(By.CSS_SELECTOR, f'#facet-year input[value="{year}"]').click()
    both = {r["title"] for r in rows if publisher in r["publisher"] and r["issued"].startswith(year)}
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {len(both)}")
    assert set(shown_titles(chrome)) == both

    # the address holds the state: opening it again shows the same rows
    address = chrome.current_url
    open_page(chrome, site, "index.html")
    chrome.get(address)
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {len(both)}")
    assert set(shown_titles(chrome)) == both
    assert chrome.find_element(By.CSS_SELECTOR, f'#facet-year input[value="{year}"]').is_selected()

    # words: every word must appear in the title, type or publisher
    chrome.find_element(By.ID, "doc-reset").click()
    word = "accountable"
    chrome.find_element(By.ID, "doc-text").send_keys(word)
    with_word = {r["title"] for r in rows if word in (r["title"] + " ".join(r["type"] + r["publisher"])).lower()}
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {len(with_word)}")
    assert set(shown_titles(chrome)) == with_word and hash_state(chrome)["q"] == [word]

    # the entity facet: documents that mention the entity, as on its page
    chrome.find_element(By.ID, "doc-reset").click()
    aco = "https://w3id.org/nhs-policy-kg/id/accountable-care-organisation"
    chrome.execute_script(
        "const s = document.getElementById('facet-entity'); s.value = arguments[0]; s.dispatchEvent(new Event('change', {bubbles: true}));",
        aco,
    )
    mentioning = {r["title"] for r in rows if aco in r["entityIris"]}
    assert len(mentioning) == 6
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {len(mentioning)}")
    assert set(shown_titles(chrome)) == mentioning
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_paging(chrome, site, rows):
    open_page(chrome, site, "documents.html", "#doc-body tr")
    chrome.execute_script("location.hash = 'size=25'")
    if len(rows) <= 25:
        # one page: previous and next are off; a hash asking for page 3 shows the last page
        assert chrome.find_element(By.ID, "doc-next").get_attribute("disabled")
        chrome.execute_script("location.hash = 'page=3'")
        wait(chrome, "return document.getElementById('doc-page-of').textContent === 'Page 1 of 1'")
        return
    chrome.find_element(By.ID, "doc-next").click()
    assert hash_state(chrome)["page"] == ["2"]


def test_review_due_view_and_csv_download_from_file(chrome, site, rows, tmp_path):
    open_page(chrome, site, "documents.html", "#doc-body tr")
    today = dt.date.today()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    due = {r["title"] for r in rows if r["reviewDue"] and dt.date.fromisoformat(first_day(r["reviewDue"])) <= soon}
    assert due, "the seeds and the sample have documents due for review"
    chrome.find_element(By.ID, "doc-review-due").click()
    wait(chrome, f"return document.querySelectorAll('#doc-body tr').length === {min(len(due), 25)}")
    assert set(shown_titles(chrome)) == due
    assert chrome.find_element(By.ID, "doc-review-due").get_attribute("aria-pressed") == "true"
    reviews = [first_day(r) for r in column(chrome, 5)]  # readable dates: compare their order through the rows
    by_title = {r["title"]: r for r in rows}
    keys = [first_day(by_title[t]["reviewDue"]) for t in shown_titles(chrome)]
    assert keys == sorted(keys) and len(reviews) == len(keys)
    assert hash_state(chrome)["review"] == ["overdue", "soon"]

    folder = tmp_path / "downloads"
    folder.mkdir()
    allow_downloads(chrome, str(folder))
    chrome.find_element(By.ID, "doc-csv").click()
    end = time.monotonic() + 10
    while time.monotonic() < end and not list(folder.glob("*.csv")):
        time.sleep(0.1)
    files = list(folder.glob("*.csv"))
    assert [f.name for f in files] == ["documents.csv"]
    table = list(csv.DictReader(io.StringIO(files[0].read_text(encoding="utf-8-sig"))))
    assert {r["title"] for r in table} == due, "the CSV holds the filtered rows, all of them"
    assert set(table[0]) >= {"title", "type", "publisher", "issued", "modified", "review due", "entities", "iri"}
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_csv_cells_cannot_be_formulas(chrome, site):
    open_page(chrome, site, "documents.html", "#doc-body tr")
    text = chrome.execute_script("return kgDocuments.csv()")
    for row in csv.reader(io.StringIO(text)):
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row)


def test_the_server_serves_the_same_table(both_store, chrome, rows):
    from kg.web.server import create_app, running

    with running(create_app(str(both_store.location), build_site=True, workers=1)) as url:
        chrome.get(url + "/documents.html#review=overdue")
        wait(chrome, "return document.querySelectorAll('#doc-body tr').length > 0")
        overdue = [r for r in rows if r["reviewDue"] and first_day(r["reviewDue"]) <= dt.date.today().isoformat()]
        assert len(shown_titles(chrome)) == min(len(overdue), 25)
        assert console_errors(chrome) == [] and foreign_requests(chrome) == []
