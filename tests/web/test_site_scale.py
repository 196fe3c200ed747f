"""The site of a big library: the pages everyone opens first stay small however many documents there are.

Measured on a 10,000-document store (docs/map-model.md, "Pages of a big library"): the home page was 6.1 MB,
the documents table 27 MB, the timeline 18 MB and the connections data 56 MB. Here the sample store's site is
built with the thresholds lowered below its size, so the big library's form of each page is checked on real
pages (and what each leaves out is still reachable).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import quote

import lxml.html
import pytest

from kg.ingest.dates import year_of
from kg.web import derived, overview
from kg.web import site as site_module
from kg.web.catalogue import catalogue_data, document_rows
from kg.web.derived import connect_data
from kg.web.reading import gather
from kg.web.readmodel import DocumentInfo, EntityInfo, Quote, SiteData
from kg.web.site import build_site
from tests.web.test_site import evidence_chunk


@pytest.fixture(scope="module")
def data(sample_store):
    return gather(sample_store)


def site_with(store, out, **thresholds: int):
    """The site of ``store`` built into ``out`` with some of :mod:`kg.web.overview`'s thresholds lowered."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in thresholds.items():
            mp.setattr(overview, name, value)
        build_site(store, out)
    return out


@pytest.fixture(scope="module")
def big(sample_store, tmp_path_factory):
    """The sample's site built as for a library bigger than the thresholds."""
    out = tmp_path_factory.mktemp("big") / "site"
    return site_with(sample_store, out, HOME_LISTS_ALL=3, FIND_SUGGESTED=12, TIMELINE_DOCUMENTS=1, TIMELINE_CHANGES=1)


def html(path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def test_home_page_of_a_big_library_points_to_the_table(big, data):
    page = html(big / "index.html")
    assert not page.xpath("//details[summary[starts-with(normalize-space(), 'All ')]]"), "no list of every document"
    (line,) = page.xpath("//section[@aria-labelledby='newest-h']//p[a[@href='documents.html']]")
    assert f"All {len(data.documents)} documents are in" in line.text_content()
    # the Find box suggests the most mentioned entities' names, not every name of the library
    offered = page.xpath("//datalist[@id='find-names']/option/@value")
    assert len(offered) == 12
    ranked = sorted((e for e in data.entities.values() if e.page), key=lambda e: (-len(e.mentions), e.label.lower()))
    assert ranked[0].label in offered and len(ranked[0].mentions) > len(ranked[-1].mentions)
    assert offered == sorted(offered, key=str.lower)
    # without JavaScript the table's page sends the reader to the entity pages, not to a list that is not there
    noscript = " ".join(html(big / "documents.html").xpath("//noscript//text()"))
    assert "entity's page lists the documents" in noscript


def test_home_page_of_a_small_library_lists_every_document(sample_store, tmp_path, data):
    build_site(sample_store, tmp_path / "site")
    page = html(tmp_path / "site" / "index.html")
    (listed,) = page.xpath("//details[summary[starts-with(normalize-space(), 'All ')]]")
    assert len(listed.xpath(".//ol/li")) == len(data.documents)
    names = page.xpath("//datalist[@id='find-names']/option/@value")
    assert set(names) >= {e.label for e in data.entities.values() if e.page} | {
        d.title for d in data.documents.values()
    }
    assert "home page lists every document" in " ".join(
        html(tmp_path / "site" / "documents.html").xpath("//noscript//text()")
    )


def test_documents_table_names_entities_by_position(data):
    payload = catalogue_data(data)
    rows, entities = payload["rows"], payload["entities"]
    assert all("entityIris" not in row for row in payload["rows"])
    by_iri = {r["iri"]: r for r in document_rows(data)}
    for row in rows:  # the same entities as the rows name by IRI
        assert sorted(entities[i][0] for i in row["mentions"]) == by_iri[row["iri"]]["entityIris"]
        assert row["entities"] == len(row["mentions"])
    assert len({e[0] for e in entities}) == len(entities)
    assert entities == sorted(entities, key=lambda e: (e[1].lower(), e[0]))


def test_connections_data_quotes_only_what_its_edges_show(data):
    payload = connect_data(data, max_documents_per_pair=1)  # so that some documents naming an entity go unlisted
    nodes, docs = payload["nodes"], [d.iri for d in data.documents_newest_first()]
    listed: dict[int, set[str]] = {}
    for edge in payload["edges"]:
        for side in (edge["a"], edge["b"]):
            listed.setdefault(side, set()).update(str(d) for d in edge["co"])
    shown = 0
    for n, node in enumerate(nodes):
        entity = data.entities[node["id"]]
        assert set(node["m"]) <= listed.get(n, set()), "a quote no edge shows"
        for d in listed.get(n, ()):
            quoted = [q for q in entity.mentions.get(docs[int(d)], ()) if q.exact]
            assert bool(quoted) == (d in node["m"]), "an edge's document lost its quote"
            shown += bool(quoted)
    assert shown > 20


def test_connections_data_leaves_out_documents_no_edge_lists():
    """Two entities named together in three documents: the pair lists the newest two, and only they are quoted."""
    base = "https://example.org/"
    docs = {
        f"{base}doc/{n}": DocumentInfo(iri=f"{base}doc/{n}", title=f"Paper {n}", page=None, issued=f"201{n}")
        for n in (1, 2, 3)
    }
    entities = {f"{base}id/{x}": EntityInfo(iri=f"{base}id/{x}", label=x, page=None) for x in ("A", "B")}
    for doc in docs.values():
        for entity in entities.values():
            doc.mentions[entity.iri] = entity.mentions[doc.iri] = [Quote(entity.label, start=0, end=1)]
    model = SiteData(base=base, entities=entities, documents=docs, schemes={}, lineage=[], class_labels={})
    payload = connect_data(model, max_documents_per_pair=2)
    (edge,) = payload["edges"]
    assert edge["n"] == 3 and edge["co"] == [0, 1]  # newest first: papers 3 and 2
    assert [sorted(node["m"]) for node in payload["nodes"]] == [["0", "1"], ["0", "1"]]


def test_timeline_counts_the_documents_of_a_busy_year(big, data):
    page = html(big / "timeline.html")
    years = Counter(year_of(d.issued) for d in data.documents.values() if d.issued and year_of(d.issued))
    busy = {y: n for y, n in years.items() if n > 1}
    assert busy, "the sample has a year with several documents"
    for year, n in years.items():
        (section,) = page.xpath(f"//section[@aria-labelledby='y{year}']")
        items = section.xpath(".//li[@data-kind='document']")
        if year in busy:
            (line,) = items
            assert (
                re.sub(r"\s+", " ", line.text_content())
                .strip()
                .endswith(f"{n} documents published in {year}: in the documents table")
            )
            assert line.xpath(".//a/@href") == [f"documents.html#year={year}"]
        else:
            assert len(items) == 1 and items[0].xpath(".//a[starts-with(@href, 'doc/')]")
    # starts and ends are all still there
    full = html_full_timeline(data)
    for kind in ("start", "end"):
        assert len(page.xpath(f"//li[@data-kind='{kind}']")) == len(full.xpath(f"//li[@data-kind='{kind}']"))


def test_timeline_shows_the_most_reported_changes_of_a_busy_year(big, data):
    page = html(big / "timeline.html")
    events = derived.timeline(data)
    read = Counter(ev.year for ev in events if ev.kind == "lineage" and ev.read)
    vocabulary = Counter(ev.year for ev in events if ev.kind == "lineage" and not ev.read)
    assert any(n > 1 for n in read.values()), "the sample has a year with several changes read from documents"
    assert vocabulary, "and changes of the vocabulary's own"
    for year in set(read) | set(vocabulary):
        (section,) = page.xpath(f"//section[@aria-labelledby='y{year}']")
        items = section.xpath(".//li[@data-kind='lineage']")
        extra = [li for li in items if re.sub(r"\s+", " ", li.text_content()).strip().startswith("Change and ")]
        # every change of the vocabulary, one read from documents, and a line counting the others
        assert len(items) - len(extra) == vocabulary[year] + min(1, read[year])
        if read[year] > 1:
            (line,) = extra
            assert f"and {read[year] - 1} more changes that documents report in {year}" in line.text_content()
        else:
            assert not extra
    # the one shown is the most reported
    busiest = max((y for y in read if read[y] > 1), key=lambda y: read[y])
    most = max(len(ev.documents) for ev in events if ev.year == busiest and ev.kind == "lineage" and ev.read)
    (section,) = page.xpath(f"//section[@aria-labelledby='y{busiest}']")
    counts = [len(li.xpath(".//ul[@class='evidence-list']/li")) for li in section.xpath(".//li[@data-kind='lineage']")]
    assert min(2, most) in counts


def html_full_timeline(data):
    env = site_module.environment(data)
    text = env.get_template("timeline.html").render(
        root="", nav=None, server=False, site_title="", **overview.timeline_context(data)
    )
    return lxml.html.fromstring(text)


def test_documents_table_page_data_is_json(big):
    page = html(big / "documents.html")
    (block,) = page.xpath("//script[@id='documents-data']/text()")
    assert json.loads(block)["rows"]


def test_a_busy_years_link_opens_the_table_on_that_year(chrome, big, data):
    """In Chromium: the timeline's line for a busy year leads to the table showing that year's documents."""
    from selenium.webdriver.common.by import By

    from tests.browser import console_errors, foreign_requests
    from tests.web.test_site_browser import open_page, wait

    years = Counter(year_of(d.issued) for d in data.documents.values() if d.issued and year_of(d.issued))
    shown_open = {y: n for y, n in years.items() if y >= overview.TIMELINE_SINCE}  # earlier years are folded
    year, n = max(shown_open.items(), key=lambda kv: (kv[1], kv[0]))
    assert n > 1
    open_page(chrome, big, "timeline.html", f"#y{year}")
    chrome.find_element(
        By.CSS_SELECTOR, f'section[aria-labelledby="y{year}"] a[href="documents.html#year={year}"]'
    ).click()
    wait(chrome, "return !!document.querySelector('#doc-body tr')")
    shown = [td.text for td in chrome.find_elements(By.CSS_SELECTOR, "#doc-body tr td:first-child")]
    titles = {d.title for d in data.documents.values() if d.issued and year_of(d.issued) == year}
    assert len(shown) == min(n, 25) and set(shown) <= titles
    assert console_errors(chrome) == [] and foreign_requests(chrome) == []


def test_connections_evidence_files_hold_each_pair_once(data):
    from kg.web.connectfiles import connect_files

    payload = connect_data(data)
    graph, files = connect_files(payload, per_file=7)
    assert "m" not in graph["nodes"][0] and len(graph["edges"]) == len(payload["edges"])
    assert sorted(files, key=lambda n: int(n.removesuffix(".js"))) == [
        f"{n}.js" for n in range(-(-len(payload["edges"]) // 7))
    ]
    seen: dict[int, dict] = {}
    for name, text in files.items():
        number, chunk = evidence_chunk(text)
        assert name == f"{number}.js" and len(chunk) <= 7
        seen.update({int(k): v for k, v in chunk.items()})
    for k, edge in enumerate(payload["edges"]):
        a, b, n, statements = graph["edges"][k]
        assert (a, b, n, statements) == (edge["a"], edge["b"], edge["n"], len(edge["rel"]))
        assert seen[k]["rel"] == edge["rel"] and seen[k]["co"] == edge["co"]
        for side in (a, b):  # each side's quotes in the documents the pair lists, as the node had them
            quoted = payload["nodes"][side]["m"]
            assert seen[k]["m"].get(str(side), {}) == {str(d): quoted[str(d)] for d in edge["co"] if str(d) in quoted}


def test_a_missing_evidence_file_is_said_in_a_sentence(chrome, big, tmp_path):
    """In Chromium: the chain is found from the graph; its evidence file gone, the page says which and why."""
    import shutil

    from selenium.webdriver.common.by import By

    from tests.web.test_site_browser import open_page, wait

    site = tmp_path / "site"
    shutil.copytree(big, site)
    for path in (site / "connect").glob("*.js"):
        path.unlink()
    acs, ics = (f"https://w3id.org/nhs-policy-kg/id/{n}" for n in ("accountable-care-system", "integrated-care-system"))
    open_page(chrome, site, f"connect.html#from={quote(acs, safe='')}&to={quote(ics, safe='')}")
    wait(chrome, "return /could not be read/.test(document.getElementById('connect-status').textContent)")
    status = chrome.find_element(By.ID, "connect-status").text
    assert re.fullmatch(r"The evidence file connect/\d+\.js could not be read: rebuild the site with kg site\.", status)
    assert not chrome.find_elements(By.CSS_SELECTOR, "ol.paths")
