"""The static site (kg site): pages, paths, evidence, vocabulary trees, timeline, connection data, rebuilds.

No browser here: tests/web/test_site_browser.py opens the pages in headless Chromium.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import lxml.html
import pytest

from kg import Pipeline, Store
from kg.graph.saved import load_saved, run_saved
from kg.ingest import ingest
from kg.ingest.dates import date_sort_key, format_date
from kg.web.mapview import script_json
from kg.web.pages import page_path
from kg.web.reading import gather
from kg.web.site import MANIFEST, build_site, iri_quote, query_page_href

BASE = "https://w3id.org/nhs-policy-kg/"
ICS, ACS, ICB, CCG = (
    BASE + "id/" + n
    for n in (
        "integrated-care-system",
        "accountable-care-system",
        "integrated-care-board",
        "clinical-commissioning-group",
    )
)

#: A document whose title and text carry markup and script, around words the vocabulary knows.
HOSTILE_TITLE = (
    """Integrated care <script>alert(1)</script> "><img src=x onerror="window.__xss=1;document.title='pwned'"> notes"""
)
HOSTILE_TEXT = f"""{HOSTILE_TITLE}

Date of publication: March 2019

Summary: In 2018 the Accountable Care System became the Integrated Care System <script>window.__xss=2</script> across the region. A second note: "><img src=x onerror="window.__xss=3"> ICS leaders met the Integrated care board</b>.
"""


@pytest.fixture(scope="module")
def sample_site(sample_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    started = time.perf_counter()
    report = build_site(sample_store, out)
    return out, report, time.perf_counter() - started


@pytest.fixture(scope="module")
def served_site(sample_store, tmp_path_factory):
    """The site as `kg serve` builds it (server=True)."""
    out = tmp_path_factory.mktemp("served") / "site"
    build_site(sample_store, out, server=True)
    return out


@pytest.fixture(scope="module")
def data(sample_store):
    return gather(sample_store)


def hostile_store(folder: Path) -> Store:
    """A fresh store holding the one hostile document (the caller closes it)."""
    source = folder / "hostile.txt"
    source.write_text(HOSTILE_TEXT, encoding="utf-8")
    store = Store(folder / "store")
    report = ingest([source], store, Pipeline())
    assert not report.failures, report.failures
    return store


def tree(path: Path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def read_js_data(path: Path, name: str):
    text = path.read_text(encoding="utf-8")
    prefix = f"window.{name} = "
    assert text.startswith(prefix) and text.rstrip().endswith(";"), text[:80]
    return text, json.loads(text[len(prefix) :].rstrip().rstrip(";"))


# ------------------------------------------------------------------ pages and paths


def test_every_entity_and_document_has_a_page_at_its_stable_path(sample_site, data):
    out, report, seconds = sample_site
    for name in (
        "index.html",
        "map.html",
        "map-data.js",
        "vocabulary.html",
        "timeline.html",
        "connect.html",
        "connect-data.js",
        "documents.html",
        "names-data.js",
        "names-documents.js",
        "assets/find.js",
        "assets/documents.js",
        "assets/documents.css",
        "assets/site.css",
        "assets/site.js",
        "assets/connect.js",
        "assets/vis-network.min.js",
        "assets/vis-network.min.css",
        "assets/map.js",
        "assets/map.css",
    ):
        assert (out / name).is_file(), name
    assert data.entities and data.documents
    for iri in [*data.entities, *data.documents]:
        path = page_path(iri, BASE)
        assert path is not None and (out / path).is_file(), iri
    assert (out / "id" / "integrated-care-system.html").is_file()
    assert report.entities == len(data.entities) and report.documents == len(data.documents)
    assert report.types == len(list((out / "types").glob("*.html"))) > 5
    assert report.pages == report.entities + report.documents + report.types + 6
    assert report.nodes > 0 and report.edges > 0
    assert seconds < 30, f"building the sample site took {seconds:.1f} s"


def test_pages_link_only_to_pages_that_exist(sample_site):
    out, _, _ = sample_site
    missing = set()
    for page in out.rglob("*.html"):
        for href in tree(page).xpath("//a/@href"):
            if re.match(r"^(?:[a-z]+:|/|#)", href):
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            if not target.exists():
                missing.add((page.relative_to(out).as_posix(), href))
    assert not missing, sorted(missing)[:10]


def test_rebuild_gives_the_same_files(sample_store, sample_site, tmp_path):
    out, _, _ = sample_site
    again = tmp_path / "again"
    build_site(sample_store, again)
    first = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    assert first == second
    for name in ("id/integrated-care-system.html", "vocabulary.html", "connect-data.js"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_rebuild_removes_stale_pages_and_keeps_other_files(sample_store, tmp_path):
    out = tmp_path / "site"
    with hostile_store(tmp_path) as small:
        build_site(small, out)
        hostile_page = page_path(small.document_graphs()[0], BASE)
    assert (out / hostile_page).is_file()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "assets" / "old.js").write_text("// left from an older build", encoding="utf-8")
    build_site(sample_store, out)
    assert not (out / hostile_page).exists()
    assert not (out / "assets" / "old.js").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    listed = set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST, "notes.txt"}
    assert listed == on_disk


# ------------------------------------------------------------------ entity pages


def test_entity_page_shows_labels_definition_evidence_and_links(sample_site, data):
    out, _, _ = sample_site
    page = tree(out / "id" / "integrated-care-system.html")
    assert page.xpath("string(//h1)").strip().startswith("Integrated Care System")
    assert "ICS" in page.xpath("string(//dl[@class='facts'])")
    assert data.entities[ICS].definition in page.text_content()
    quotes = page.xpath("//ol[@class='doc-mentions']//q[@class='evidence']")
    assert quotes and all(q.xpath(".//mark") for q in quotes)
    assert any("integrated care system" in q.xpath("string(.//mark)").lower() for q in quotes)
    # documents newest first
    dates = [t.get("datetime") for t in page.xpath("//ol[@class='doc-mentions']/li/p[@class='doc-title']//time")]
    assert len(dates) >= 2 and dates == sorted(dates, key=date_sort_key, reverse=True)
    hrefs = page.xpath("//a/@href")
    for hops in (1, 2, 3):
        assert f"../map.html#node={iri_quote(ICS)}&hops={hops}" in hrefs
    assert any(h.startswith(f"../connect.html#from={iri_quote(ICS)}&to=") for h in hrefs)
    assert any(h.startswith("../doc/") for h in hrefs)
    # lineage: it evolved from the accountable care system, with the vocabulary's date
    lineage = page.xpath("//ol[@class='lineage']/li")
    assert any(
        f"../{page_path(ACS, BASE)}" in li.xpath(".//a/@href") and li.xpath(".//time[@datetime='2018']")
        for li in lineage
    )


def test_entity_never_mentioned_still_has_a_page(sample_site, data):
    out, _, _ = sample_site
    quiet = sorted(iri for iri, e in data.entities.items() if not e.mentions and e.page)
    assert quiet
    page = tree(out / page_path(quiet[0], BASE))
    assert "not mentioned in any document yet" in page.text_content().lower()
    assert page.xpath("//*[@id='not-mentioned']")


def test_entity_page_external_home_page_is_a_plain_link(sample_site, data):
    out, _, _ = sample_site
    nhse = data.entities[BASE + "id/nhs-england"]
    page = tree(out / nhse.page)
    links = page.xpath("//a[contains(@class, 'external')]")
    assert [a.get("href") for a in links] == nhse.homepages
    assert all("noreferrer" in a.get("rel") for a in links)


# ------------------------------------------------------------------ document pages


def test_document_page_shows_metadata_entities_and_relations_with_evidence(sample_site, data):
    out, _, _ = sample_site
    doc = next(d for d in data.documents.values() if any(r.subject == ACS and r.object == ICS for r in d.relations))
    page = tree(out / doc.page)
    assert page.xpath("string(//h1)").strip() == doc.title
    facts = page.xpath("string(//dl[@class='facts'])")
    for text in ("Publisher", "Issued", format_date(doc.issued)):
        assert text in facts
    # where it was read from, hashes and the extractor are folded away, not printed among the facts
    provenance = page.xpath("string(//details[@class='provenance'])")
    for text in ("Read from", "Content hash", "extractor version"):
        assert text not in facts and text in provenance
    assert doc.sources[0]["path"] in provenance and doc.sources[0]["path"] not in facts
    assert page.xpath("//dl[@class='facts']//a[@href='../id/nhs-england.html']")
    # entities grouped by type with counts
    headings = [h.text_content() for h in page.xpath("//section[.//h2[@id='entities-h']]//h3")]
    assert any(h.startswith("Care model") for h in headings)
    # the relation with its sentence, the two entities' words marked
    items = page.xpath("//ol[@class='relations-found']/li")
    found = [li for li in items if f"../{page_path(ACS, BASE)}" in li.xpath(".//p[@class='statement']//a/@href")]
    assert found
    marks = [m.text_content().lower() for m in found[0].xpath(".//q//mark")]
    assert "accountable care system" in marks and any(m.startswith("integrated care system") for m in marks)
    sentence = found[0].xpath("string(.//q)")
    assert len(sentence) > sum(len(m) for m in marks)  # the sentence, not only the marked words


# ------------------------------------------------------------------ vocabulary, timeline


def test_vocabulary_tree_nests_narrower_under_broader(sample_site, data):
    out, _, _ = sample_site
    page = tree(out / "vocabulary.html")
    pairs = [(b, n) for n, e in data.entities.items() for b in e.broader]
    assert pairs, "the vocabulary has skos:broader links"
    for broader, narrower in pairs:
        nested = page.xpath(f"//li[@data-iri='{broader}']/details/ul[@class='tree']/li[@data-iri='{narrower}']")
        assert nested, (broader, narrower)
    mcp, ncm = BASE + "id/multispecialty-community-provider", BASE + "id/new-care-model"
    if mcp in data.entities and ncm in data.entities[mcp].broader:
        assert page.xpath(f"//li[@data-iri='{ncm}']//li[@data-iri='{mcp}']")
    # every concept appears, each linked to its page, top concepts at the top level
    listed = set(page.xpath("//li/@data-iri"))
    assert listed == {i for i, e in data.entities.items() if e.page}
    scheme = data.schemes[BASE + "id/scheme-care-models"]
    top_level = set(page.xpath("//section[h2[@id='scheme-care-models']]/ul[@class='tree']/li/@data-iri"))
    assert scheme.top & set(data.entities) <= top_level
    assert page.xpath("//input[@id='vocab-filter']") and page.xpath("//script[@src='assets/site.js']")


def test_timeline_is_in_date_order_and_covers_2014_to_2022(sample_site, data):
    out, _, _ = sample_site
    page = tree(out / "timeline.html")
    recent = page.xpath("//section[h2[@id='recent-h']]")[0]
    dates = [t.get("datetime") for t in recent.xpath(".//ol[@class='timeline']/li/span[@class='when']/time")]
    assert dates and dates == sorted(dates, key=date_sort_key)
    assert dates[0] >= "2014" and any(d.startswith("2022") for d in dates)
    years = recent.xpath(".//section[@class='year']/h3/text()")
    assert years == sorted(years) and {"2014", "2017", "2018", "2022"} <= set(years)

    def event(kind, *iris, year):
        for li in recent.xpath(f".//section[h3='{year}']//li[@data-kind='{kind}']"):
            hrefs = li.xpath("./span[@class='what']//a/@href")
            if all(page_path(i, BASE) in hrefs for i in iris):
                return li
        return None

    expected = [
        ("start", [BASE + "id/five-year-forward-view"], "2014"),  # the Five Year Forward View is published
        (
            "lineage",
            [
                BASE + "id/sustainability-and-transformation-plan",
                BASE + "id/sustainability-and-transformation-partnership",
            ],
            "2017",
        ),
        ("lineage", [ACS, ICS], "2018"),
        ("lineage", [CCG, ICB], "2022"),
    ]
    for kind, iris, year in expected:
        if all(i in data.entities for i in iris):
            assert event(kind, *iris, year=year) is not None, (kind, iris, year)
    # a document is on the timeline at its issue date
    fyfv = next(d for d in data.documents.values() if d.title == "Five Year Forward View")
    assert recent.xpath(f".//li[@data-kind='document']//a[@href='{fyfv.page}']")


# ------------------------------------------------------------------ connection data


def evidence_chunk(text: str) -> tuple[int, dict]:
    """(file number, {pair: evidence}) of one evidence file of the connections page (kg/web/connectfiles.py)."""
    prefix = "(window.KG_CONNECT_FILES = window.KG_CONNECT_FILES || []).push("
    assert text.startswith(prefix) and text.rstrip().endswith(");"), text[:80]
    number, chunk = json.loads(text[len(prefix) :].rstrip().removesuffix(");"))
    return number, chunk


def read_connect_evidence(out: Path, files: dict) -> dict:
    """The evidence of every pair, from the files beside connect-data.js."""
    evidence: dict = {}
    for path in sorted((out / files["base"]).glob("*.js")):
        number, chunk = evidence_chunk(path.read_text(encoding="utf-8"))
        assert path.name == f"{number}.js"
        assert all(int(k) // files["per"] == number for k in chunk)
        evidence.update({int(k): v for k, v in chunk.items()})
    return evidence


def test_connect_data_is_valid_js_with_evidence(sample_site, data):
    out, _, _ = sample_site
    text, connect = read_js_data(out / "connect-data.js", "KG_CONNECT")
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    nodes, docs, edges = connect["nodes"], connect["docs"], connect["edges"]
    assert len(nodes) == len(data.entities) and len(docs) == len(data.documents)
    evidence = read_connect_evidence(out, connect["files"])
    assert sorted(evidence) == list(range(len(edges)))  # every pair's evidence, in one file of its own number
    index = {n["id"]: i for i, n in enumerate(nodes)}
    for k, (a, b, n, statements) in enumerate(edges):
        proof = evidence[k]
        assert 0 <= a < b < len(nodes)
        assert proof["rel"] or proof["co"]
        assert len(proof["rel"]) == statements
        assert all(0 <= d < len(docs) for d in proof["co"]) and n >= len(proof["co"])
        for r in proof["rel"]:
            assert {r["s"], r["o"]} == {a, b}
        assert set(proof["m"]) <= {str(a), str(b)}
        for quotes in proof["m"].values():
            assert set(quotes) <= {str(d) for d in proof["co"]}
    k = next(k for k, e in enumerate(edges) if {e[0], e[1]} == {index[ACS], index[ICS]})
    read = [r for r in evidence[k]["rel"] if "d" in r]
    assert read and read[0]["q"][1] and any(marked for _, marked in read[0]["q"][1])
    assert evidence[k]["co"], "the two are named in the same document"
    # each side keeps its quotes in the documents the pair lists
    ics = nodes[index[ICS]]
    assert ics["page"] == "id/integrated-care-system.html" and "ICS" in ics["alt"] and "m" not in ics
    listed = {docs[d]["id"] for d in evidence[k]["co"]}
    quoted = {docs[int(d)]["id"] for d in evidence[k]["m"][str(index[ICS])]}
    assert quoted == {d for d in listed if any(q.exact for q in data.entities[ICS].mentions.get(d, ()))}
    assert quoted


def test_script_json_escapes_what_ends_a_script():
    value = {"t": "</script><script>alert(1)</script> & \u2028\u2029 <!--"}
    text = script_json(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == value


def test_dates_sort_and_read_as_written():
    assert format_date("2017-03") == "March 2017"
    assert format_date("2022-07-01") == "1 July 2022"
    assert format_date("2018") == "2018"
    assert sorted(["2018-02", "2018", "2017-12-31", None], key=date_sort_key) == [
        "2017-12-31",
        "2018",
        "2018-02",
        None,
    ]


# ------------------------------------------------------------------ safety


def _external(url: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)) and not url.strip().lower().startswith("file:")


#: Where a URL in HTML makes the browser load something (as opposed to <a href>, which is a link someone may follow).
_LOADING = [
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("frame", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("image", "href"),
    ("use", "href"),
    ("form", "action"),
]
_CDN = re.compile(r"googleapis|gstatic|cdnjs|unpkg|jsdelivr|bootstrapcdn|cloudflare|use\.fontawesome|typekit", re.I)
_CSS_LOAD = re.compile(r"@import|url\(\s*['\"]?\s*(?:[a-z]+:)?//", re.I)


def assert_nothing_loaded_from_elsewhere(out: Path) -> None:
    """No page, style sheet or script of the site loads anything from another host; <a href> may point anywhere."""
    problems, outward_links = [], 0
    for page in out.rglob("*.html"):
        doc = tree(page)
        for tag, attribute in _LOADING:
            for element in doc.iter(tag):
                value = element.get(attribute) or ""
                if any(_external(part.split()[0]) for part in value.split(",") if part.strip()):
                    problems.append(f"{page.name}: <{tag} {attribute}={value}>")
        for element in doc.iter("meta"):
            if (element.get("http-equiv") or "").lower() == "refresh":
                problems.append(f"{page.name}: meta refresh")
        for style in [*doc.xpath("//style/text()"), *doc.xpath("//@style")]:
            if _CSS_LOAD.search(style):
                problems.append(f"{page.name}: style loads {style[:60]}")
        for anchor in doc.iter("a"):  # links are allowed, but only as links
            if _external(anchor.get("href") or ""):
                outward_links += 1
                assert "external" in (anchor.get("class") or ""), anchor.get("href")
    for sheet in out.rglob("*.css"):
        if _CSS_LOAD.search(sheet.read_text(encoding="utf-8")):
            problems.append(f"{sheet.name}: loads another file")
    for script in out.rglob("*.js"):
        text = script.read_text(encoding="utf-8")
        if _CDN.search(text):
            problems.append(f"{script.name}: names a CDN")
        if script.name in ("site.js", "connect.js") and re.search(r"https?://", text):
            problems.append(f"{script.name}: has an address")
        if re.search(
            r"""(?:importScripts|import)\s*\(\s*['"](?:https?:)?//|\.src\s*=\s*['"](?:https?:)?//|fetch\(\s*['"](?:https?:)?//""",
            text,
        ):
            problems.append(f"{script.name}: loads from another host")
    assert not problems, problems
    return outward_links


def test_no_page_loads_anything_from_another_host(sample_site):
    out, _, _ = sample_site
    outward = assert_nothing_loaded_from_elsewhere(out)
    assert outward > 0  # publishers' home pages are links, which is allowed


def test_markup_in_titles_and_quotes_is_text(tmp_path):
    out = tmp_path / "site"
    with hostile_store(tmp_path) as store:
        build_site(store, out)
        doc_page = out / page_path(store.document_graphs()[0], BASE)
    html = doc_page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<script>window.__xss" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = lxml.html.fromstring(html)
    assert page.xpath("string(//h1)").strip() == HOSTILE_TITLE
    assert not page.xpath("//img") and not page.xpath("//*[@onerror]")
    # a document page runs no script at all; its one script element is data (JSON-LD), with markup escaped
    assert [s.get("type") for s in page.xpath("//script")] == ["application/ld+json"]
    embedded = page.xpath("//script")[0].text
    assert "<" not in embedded
    titles = [v["@value"] for node in json.loads(embedded) for v in node.get("http://purl.org/dc/terms/title", [])]
    assert titles == [HOSTILE_TITLE]
    relation = page.xpath("//ol[@class='relations-found']/li//q")
    assert relation and "<script>window.__xss=2</script>" in relation[0].text_content()
    for name, variable in (("connect-data.js", "KG_CONNECT"), ("map-data.js", "KG_MAP")):
        text, value = read_js_data(out / name, variable)
        assert not re.search("[<>&\u2028\u2029]", text), name
        assert HOSTILE_TITLE in set(strings(value)), name
    for page_file in out.rglob("*.html"):
        assert "<script>alert(1)" not in page_file.read_text(encoding="utf-8"), page_file
    assert_nothing_loaded_from_elsewhere(out)


def test_server_build_links_the_query_page(sample_site, served_site):
    out, _, _ = sample_site
    assert not tree(out / "index.html").xpath("//nav//a[@href='./']")
    link = tree(served_site / "index.html").xpath("//nav//a[@href='./']")
    assert link and "Query" in link[0].text_content()
    assert tree(served_site / "id" / "integrated-care-system.html").xpath("//nav//a[@href='../']")


def query_page_links(page) -> list[tuple[str, dict[str, list[str]]]]:
    """(href, parsed query string) of every link of a page to the query page (``/?...``)."""
    return [(href, parse_qs(urlparse(href).query)) for href in page.xpath("//a/@href") if "/?" in href]


def test_server_build_offers_the_ready_made_questions_about_an_entity(served_site, data):
    aco = BASE + "id/accountable-care-organisation"
    page = tree(served_site / page_path(aco, BASE))
    links = query_page_links(page)
    asked = {q["saved"][0]: q for _, q in links if "saved" in q}
    assert {"entity-profile", "documents-mentioning", "co-mentioned", "lineage"} <= set(asked)
    for name in ("entity-profile", "documents-mentioning", "co-mentioned", "lineage"):
        assert asked[name] == {"saved": [name], "p.entity": [aco]}, name
    hrefs = [href for href, _ in links]
    assert "../?saved=documents-mentioning&p.entity=" + quote(aco, safe="") in hrefs  # the IRI is escaped in full
    assert "../?query=" + quote(f"DESCRIBE <{aco}>", safe="") in hrefs
    assert all("&amp;" not in h and " " not in h and "<" not in h for h in hrefs)
    assert page.xpath("//p[@class='query-links']/a") and all(
        a.get("title") for a in page.xpath("//p[@class='query-links']/a")
    )
    # the evidence of relations read from documents, from the side(s) the entity is on
    for iri in (ICS, ACS, aco):
        read = [link for link in data.entities[iri].links if link.document and link.subject != link.object]
        expected = [{role: [iri]} for role in ("subject", "object") if any(getattr(link, role) == iri for link in read)]
        offered = [
            {k[2:]: v for k, v in q.items() if k.startswith("p.")}
            for _, q in query_page_links(tree(served_site / page_path(iri, BASE)))
            if q.get("saved") == ["relation-evidence"]
        ]
        assert offered == expected, iri
        if iri == ICS:
            assert expected, "ICS is named in relations read from the sample"


def test_server_build_document_page_offers_describe_and_the_evidence_of_each_relation(served_site, data):
    doc = next(d for d in data.documents.values() if any(r.subject == ACS and r.object == ICS for r in d.relations))
    page = tree(served_site / doc.page)
    links = query_page_links(page)
    assert ("../?query=" + quote(f"DESCRIBE <{doc.iri}>", safe=""), {"query": [f"DESCRIBE <{doc.iri}>"]}) in links
    items = page.xpath("//ol[@class='relations-found']/li")
    assert len(items) == len(doc.relations)
    for li, relation in zip(items, doc.relations):
        (href,) = li.xpath(".//p[contains(@class, 'query-links')]/a/@href")
        assert parse_qs(urlparse(href).query) == {
            "saved": ["relation-evidence"],
            "p.subject": [relation.subject],
            "p.predicate": [relation.predicate],
            "p.object": [relation.object],
        }


def test_query_page_links_name_real_parameters_and_find_something(served_site, sample_store):
    """Every ready-made question a served page offers exists with those parameters, and answers with rows."""
    saved = load_saved()
    asked: set[tuple] = set()
    for page in served_site.rglob("*.html"):
        for _, q in query_page_links(tree(page)):
            if "saved" in q:
                name = q["saved"][0]
                params = {k[2:]: v[0] for k, v in q.items() if k.startswith("p.")}
                assert name in saved and set(params) <= {p.name for p in saved[name].params}, (page.name, name, params)
                asked.add((name, tuple(sorted(params.items()))))
            else:
                assert list(q) == ["query"] and q["query"][0].startswith("DESCRIBE <"), q
    assert {name for name, _ in asked} >= {
        "entity-profile",
        "documents-mentioning",
        "co-mentioned",
        "lineage",
        "relation-evidence",
    }
    for name, params in sorted(asked):
        assert run_saved(sample_store, saved[name], dict(params)).rows, (name, params)


def test_static_build_has_no_query_page_links(sample_site):
    out, _, _ = sample_site
    for page in out.rglob("*.html"):
        doc = tree(page)
        assert not query_page_links(doc) and not doc.xpath("//*[contains(@class, 'query-links')]"), page.name


def test_query_page_href_escapes_everything():
    assert (
        query_page_href("lineage", entity="https://x.org/a b?c=d&e#f")
        == "?saved=lineage&p.entity=https%3A%2F%2Fx.org%2Fa%20b%3Fc%3Dd%26e%23f"
    )
    assert parse_qs(urlparse(query_page_href(sparql='DESCRIBE <https://x.org/"a">')).query) == {
        "query": ['DESCRIBE <https://x.org/"a">']
    }


def test_base_template_contract(sample_site):
    """What the map's template relies on: root-relative assets, nav items, skip link, <main id=main>, lang."""
    out, _, _ = sample_site
    for name, root in (("index.html", ""), ("map.html", ""), ("id/integrated-care-system.html", "../")):
        page = tree(out / name)
        assert page.get("lang") == "en"
        assert page.xpath(f"//link[@rel='stylesheet'][@href='{root}assets/site.css']")
        nav = page.xpath("//nav[@aria-label='Site']//a/@href")
        assert nav == [
            f"{root}{p}"
            for p in ("index.html", "documents.html", "map.html", "vocabulary.html", "timeline.html", "connect.html")
        ]
        first = page.xpath("//body//a")[0]
        assert first.get("href") == "#main" and "skip" in first.get("class")
        assert page.xpath("//main[@id='main']")
    assert tree(out / "map.html").xpath("//nav//a[@aria-current='page']/@href") == ["map.html"]


def test_empty_store_and_a_folder_that_is_not_a_site(tmp_path):
    out = tmp_path / "site"
    (out / "doc").mkdir(parents=True)
    (out / "doc" / "readme.html").write_text("someone else's", encoding="utf-8")
    with Store(tmp_path / "empty") as empty:
        report = build_site(empty, out)
        assert (report.pages, report.entities, report.documents) == (6, 0, 0)
        assert (out / "doc" / "readme.html").read_text(encoding="utf-8") == "someone else's"
        build_site(empty, out)  # now it is our site: its pages are ours to replace
    assert not (out / "doc" / "readme.html").exists()
    for name in ("index.html", "vocabulary.html", "timeline.html", "connect.html", "map.html", "documents.html"):
        assert tree(out / name).xpath("//main[@id='main']"), name


@pytest.mark.shared
def test_site_of_the_seed_documents(seeds_store, tmp_path):
    out = tmp_path / "seeds-site"
    report = build_site(seeds_store, out)
    docs = seeds_store.document_graphs()
    assert report.documents == len(docs) > 0
    for iri in docs:
        page = tree(out / page_path(iri, BASE))
        assert page.xpath("//section[.//h2[@id='entities-h']]//li")
    assert_nothing_loaded_from_elsewhere(out)
