"""Clean pages on the seeds and the sample: quotes at word and sentence boundaries, fragments that are no
sentence shown as fragments, provenance folded away, contents on long pages, no raw predicate names."""

from __future__ import annotations

import re

import lxml.html
import pytest

from kg.graph.predicates import predicates
from kg.web import quoting
from kg.web.readmodel import Quote
from kg.web.site import build_site

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def both_site(both_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("both-site") / "site"
    build_site(both_store, out)
    return out


def pages(out):
    return sorted(p for p in out.rglob("*.html"))


def visible_text(page) -> str:
    """The words a reader sees: no scripts, no code, nothing folded in a closed <details>."""
    for bad in page.xpath("//script | //style | //code | //details[not(@open)]"):
        bad.drop_tree()
    return " ".join(page.text_content().split())


def quotes_of(page):
    return page.xpath("//q[contains(@class, 'evidence')]")


def test_quotes_start_and_end_at_whole_words_or_sentence_ends(both_site):
    words = re.compile(r"[A-Za-z]+")
    checked = 0
    for path in pages(both_site):
        for q in quotes_of(lxml.html.parse(str(path)).getroot()):
            text = q.text_content()
            first = q.xpath("string(./span[@class='ctx'][1])")
            if first.startswith("…"):
                # cut before: what follows the ellipsis is a whole word, not the tail of one
                assert first[1:2] not in ("", " ") or first == "…"
            checked += 1
            # every ellipsis sits at a space or the quote's edge, never inside a word
            for match in re.finditer("…", text):
                before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
                assert not (words.match(before) and words.match(after)), text
    assert checked > 100


def test_context_is_cut_to_the_quotes_sentence():
    q = Quote(
        "ACO", prefix="ntract for organisations (ACOs). An ", suffix=", in the English sense, is one p", start=500
    )
    assert (q.before, q.cut_before) == ("An ", False)  # the previous sentence is left out
    assert (q.after, q.cut_after) == (", in the English sense, is one", True)  # cut at a word, not "one p"
    at_start = Quote("ACO", prefix="Draft accountable ", suffix=" contract. More", start=18)
    assert (at_start.before, at_start.cut_before) == ("Draft accountable ", False)  # the text starts here
    assert (at_start.after, at_start.cut_after) == (" contract.", False)
    # a statement's sentence: neither the end of the sentence before nor the start of the next one
    said = Quote(
        "NHS England outlined its plans.", prefix="services and hospitals. ", suffix=" The new model", start=90
    )
    assert (said.before, said.cut_before, said.after, said.cut_after) == ("", False, "", False)


def test_text_that_is_no_sentence_is_shown_as_a_fragment(both_site):
    slide = (  # our own run-together slide boxes: numbered labels, no sentence end
        "Shared records across the patch 1 estates plan a Workforce and rotas 2 local "
        "outcomes b Joint budgets for the place 3 review c Primary care links 4 digital d"
    )
    assert not quoting.is_sentence(slide)
    assert not quoting.is_sentence("• One item • Another item • A third")
    assert not quoting.is_sentence("Key features of the driver")
    assert quoting.is_sentence("NHS England renamed the accountable care organisation model in 2018.")
    assert quoting.is_sentence("Eight areas will become accountable care systems")  # a finite verb, no full stop
    # on the pages: the seed slide deck's run-together boxes are a fragment, never a quoted "sentence"
    fragments, quoted = [], []
    for path in pages(both_site):
        page = lxml.html.parse(str(path)).getroot()
        fragments += [f.text_content() for f in page.xpath("//span[contains(@class, 'fragment')]")]
        quoted += [q.text_content() for q in quotes_of(page)]
    assert any("budget control" in f for f in fragments)
    assert not any("budget control" in q and "commissioning of primary care" in q for q in quoted)
    assert all(len(f.split()) <= 2 * quoting.rules().fragment_words + 12 for f in fragments)


def test_provenance_is_folded_away_and_not_printed(both_site):
    for path in (both_site / "doc").glob("*.html"):
        page = lxml.html.parse(str(path)).getroot()
        details = page.xpath("//details[@class='provenance']")
        assert details and "extractor version" in details[0].text_content()
        shown = visible_text(page)
        assert "SHA-256" not in shown and "Content hash" not in shown and "Pattern:" not in shown
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", shown)  # no raw time stamps
    css = (both_site / "assets" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"@media print[^@]*details\.provenance \{ display: none !important; \}", css)


def test_long_pages_have_contents_short_ones_do_not(both_site):
    with_contents = 0
    for path in list((both_site / "id").glob("*.html")) + list((both_site / "doc").glob("*.html")):
        page = lxml.html.parse(str(path)).getroot()
        nav = page.xpath("//nav[@class='contents']")
        sections = page.xpath("//main//section/h2[@id]")
        if nav:
            with_contents += 1
            targets = [a.get("href")[1:] for a in nav[0].xpath(".//a")]
            assert targets and all(page.xpath(f"//*[@id='{t}']") for t in targets)
        else:
            assert len(sections) < 5
    aco = lxml.html.parse(str(both_site / "id" / "accountable-care-organisation.html")).getroot()
    assert aco.xpath("//nav[@class='contents']")
    assert with_contents >= 10


def test_no_raw_predicate_names_in_prose(both_site):
    names = {p.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in predicates()}
    camel = {n for n in names if re.search(r"[a-z][A-Z]", n)}
    assert camel
    prefixed = re.compile(r"\b(?:kg|dcterms|skos|schema|prov|org|foaf|oa|rdf|rdfs):[A-Za-z]")
    for path in pages(both_site):
        shown = visible_text(lxml.html.parse(str(path)).getroot())
        assert not prefixed.search(shown), (path.name, prefixed.search(shown))
        found = {w for w in re.findall(r"\b[a-z]+[A-Z][A-Za-z]*\b", shown)} & camel
        assert not found, (path.name, found)
