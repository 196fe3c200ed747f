"""A page per type of entity, and the home page's lists of each type kept short in a big library.

At 10,000 documents the home page listed 3,662 entities by type (most of its 0.87 MB); a type's page
(``types/NAME.html``) now lists all of that type's entities, and the home page lists a type's most
mentioned ones (at most ``overview.TYPE_ON_HOME``) with a link to that page.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
from selenium.webdriver.common.by import By

from kg.web import overview
from kg.web.reading import gather
from kg.web.site import build_site
from tests.browser import console_errors, foreign_requests
from tests.web.test_site_browser import open_page, wait
from tests.web.test_site_scale import html, site_with


@pytest.fixture(scope="module")
def data(sample_store):
    return gather(sample_store)


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("types") / "site"
    build_site(sample_store, out)
    return out


@pytest.fixture(scope="module")
def big(sample_store, tmp_path_factory):
    """The sample's site as a big library's: the home page lists three entities of a type."""
    return site_with(sample_store, tmp_path_factory.mktemp("types-big") / "site", TYPE_ON_HOME=3)


def fold(text: str) -> str:
    """site.js's norm: lower case, accents dropped, anything but letters, digits and & a space."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9&]+", " ", plain).strip()


def search_text(e) -> str:
    return " ".join([e.label, *e.alt_labels])


def listed(page) -> list[str]:
    """The entity pages a type page lists, in its order (links under the letters' sections)."""
    return [href.removeprefix("../") for href in page.xpath("//div[@id='type-list']//li/a/@href")]


def test_every_entity_with_a_page_is_on_the_page_of_its_type(site, data):
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "types").glob("*.html"))
    seen: Counter[str] = Counter()
    for relative in pages:
        page = html(site / relative)
        entities = listed(page)
        assert entities, relative
        for href in entities:
            assert (site / href).is_file(), href
        seen.update(entities)
        by_page = {e.page: e for e in data.entities.values() if e.page}
        types = {data.type_label(data.primary_type(by_page[href])) for href in entities}
        assert types == {page.xpath("string(//h1)")}, relative
        labels = [by_page[href].label.lower() for href in entities]
        assert labels == sorted(labels), "by label"
        # each entity says how many documents mention it, as its page does
        for li in page.xpath("//div[@id='type-list']//li"):
            entity = by_page[li.xpath("a/@href")[0].removeprefix("../")]
            n = len(entity.mentions)
            note = li.xpath("string(span)")
            assert note == (f"({n} document{'s' if n != 1 else ''})" if n else "(no documents yet)"), note
    expected = {e.page for e in data.entities.values() if e.page}
    assert set(seen) == expected and set(seen.values()) == {1}, "each entity on exactly one type page"


def type_box(home, listing):
    """The home page's box of one type (a <details> whose summary starts with the type's label)."""
    (box,) = [
        d
        for d in home.xpath("//section[@aria-labelledby='types-h']//details")
        if d.xpath("string(summary)").strip() == f"{listing.label} {len(listing.entities)}"
    ]
    return box


def test_small_home_lists_each_type_whole_and_links_its_page(site, data):
    home = html(site / "index.html")
    for listing in overview.type_listings(data):
        box = type_box(home, listing)
        (link,) = box.xpath("p[@class='type-page']/a")
        assert link.get("href") == listing.page and (site / listing.page).is_file()
        shown = [a.get("href") for a in box.xpath("ul/li/a")]
        if len(listing.entities) > overview.TYPE_ON_HOME:
            assert len(shown) == overview.TYPE_ON_HOME and link.text == f"All {len(listing.entities)}"
            continue
        assert shown == [e.page for e in listing.entities]
        assert link.text == "On a page of their own"


def test_big_home_lists_the_most_mentioned_of_each_type(big, data):
    home = html(big / "index.html")
    longer = 0
    for listing in overview.type_listings(data):
        box = type_box(home, listing)
        shown = [a.get("href") for a in box.xpath("ul/li/a")]
        (link,) = box.xpath("p[@class='type-page']/a")
        assert link.get("href") == listing.page
        if len(listing.entities) <= 3:
            assert shown == [e.page for e in listing.entities]
            continue
        longer += 1
        assert len(shown) == 3 and link.text == f"All {len(listing.entities)}"
        assert box.xpath("string(p[@class='muted'])") == f"3 of {len(listing.entities)}, those documents mention most:"
        counts = sorted((len(e.mentions) for e in listing.entities), reverse=True)
        by_page = {e.page: e for e in listing.entities}
        assert sorted((len(by_page[p].mentions) for p in shown), reverse=True) == counts[:3]
        labels = [by_page[p].label.lower() for p in shown]
        assert labels == sorted(labels)
        # the type's page still lists every one
        assert len(listed(html(big / listing.page))) == len(listing.entities)
    assert longer >= 2, "the sample has types longer than the lowered threshold"


def test_the_page_names_of_types_are_distinct_and_safe(data):
    listings = overview.type_listings(data)
    names = [listing.page for listing in listings]
    assert len(set(names)) == len(names)
    assert all(n.startswith("types/") and n.endswith(".html") and n.islower() for n in names)
    assert overview.type_page("https://example.org/x#___", set()) == "types/type.html"
    assert overview.type_page("https://example.org/x#ÜberTräger", set()) == "types/uber-trager.html"
    assert (
        overview.type_page("https://example.org/x#GPPractice", {"types/gp-practice.html"}) == "types/gp-practice-2.html"
    )


def test_the_filter_keeps_the_entities_whose_words_it_starts(chrome, site, data):
    listing = max(overview.type_listings(data), key=lambda t: len(t.entities))
    open_page(chrome, site, listing.page)
    wait(chrome, "return !document.getElementById('type-tools').hidden")
    word = listing.entities[0].label.split()[0][:4]
    box = chrome.find_element(By.ID, "type-filter")
    box.send_keys(word)
    wait(chrome, "return document.getElementById('type-filter-status').textContent !== ''")
    visible = chrome.execute_script(
        "return Array.from(document.querySelectorAll('#type-list li')).filter(li => !li.hidden)"
        ".map(li => li.querySelector('a').textContent)"
    )
    want = [e.label for e in listing.entities if any(w.startswith(fold(word)) for w in fold(search_text(e)).split())]
    assert visible == want and visible, word
    status = chrome.find_element(By.ID, "type-filter-status").text
    assert status == (f"{len(want)} entities" if len(want) != 1 else "1 entity")
    box.send_keys("zzzqqq")
    wait(chrome, "return !document.getElementById('type-none').hidden")
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_an_entity_page_links_its_type_to_the_type_page(site, data):
    checked = 0
    for listing in overview.type_listings(data):
        entity = listing.entities[0]
        page = html(site / entity.page)
        (dd,) = page.xpath("//dt[.='Type']/following-sibling::dd[1]")
        hrefs = dd.xpath("a/@href")
        assert "../" + listing.page in hrefs, (entity.page, hrefs)
        for href in hrefs:
            assert (site / entity.page).parent.joinpath(href).resolve().is_file(), href
        checked += 1
    assert checked == len(overview.type_listings(data))
