"""Links out (vocabulary/links.ttl): each names a known entity, has the form its scheme gives it, and covers its kind."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from kg.graph import namespaces as ns
from kg.ingest.vocabulary import Vocabulary

LEGISLATION = re.compile(r"^http://www\.legislation\.gov\.uk/id/ukpga/(\d{4})/(\d+)$")
ODS = {
    "Trust": re.compile(r"^R[A-Z0-9]{2}$"),  # NHS trusts: three characters starting R
    "ICB": re.compile(r"^Q[A-Z0-9]{2}$"),  # integrated care boards: three characters starting Q
    "CCG": re.compile(r"^(\d{2}[A-Z]|[A-Z0-9]{5})$"),  # CCGs: 05C; a merged CCG's 5-character code
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary()


@pytest.fixture(scope="module")
def links(vocabulary) -> dict[str, dict[str, list[str]]]:
    """entity IRI -> predicate IRI -> values, read from links.ttl alone."""
    path = vocabulary.directory / "vocabulary" / "links.ttl"
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in vocabulary.vocabulary_triples:
        if t.predicate.value in (ns.SKOS + "exactMatch", ns.ONTOLOGY + "odsCode"):
            found[t.subject.value][t.predicate.value].append(t.object.value)
    assert path.is_file() and found
    return found


def _of_type(vocabulary: Vocabulary, local: str) -> list[str]:
    return sorted(iri for iri, e in vocabulary.entities.items() if ns.ONTOLOGY + local in e.types)


def test_every_link_is_about_an_entity_the_vocabulary_describes(vocabulary, links):
    assert sorted(set(links) - set(vocabulary.entities)) == []


def test_every_act_of_parliament_links_to_legislation_gov_uk_with_its_year(vocabulary, links):
    acts = [
        iri
        for iri in _of_type(vocabulary, "Legislation")
        if re.search(r"\bAct \d{4}$", vocabulary.entities[iri].pref_label)  # a UK Act is cited "... Act YEAR"
    ]
    assert len(acts) >= 10
    for iri in acts:
        matches = [m for m in links[iri][ns.SKOS + "exactMatch"] if LEGISLATION.match(m)]
        assert len(matches) == 1, f"{iri} has no single legislation.gov.uk link"
        year = LEGISLATION.match(matches[0]).group(1)
        assert vocabulary.entities[iri].pref_label.endswith(year), (iri, matches[0])


def test_all_42_integrated_care_boards_have_an_ods_code(vocabulary, links):
    boards = [
        iri
        for iri, e in vocabulary.entities.items()
        if e.pref_label.endswith("Integrated Care Board") and ns.ONTOLOGY + "Commissioner" in e.types
    ]
    assert len(boards) == 42
    codes = [links[iri][ns.ONTOLOGY + "odsCode"] for iri in boards]
    assert all(len(c) == 1 and ODS["ICB"].match(c[0]) for c in codes), codes
    assert len({c[0] for c in codes}) == 42


def test_every_trust_and_former_ccg_has_an_ods_code_of_its_form(vocabulary, links):
    for iri in _of_type(vocabulary, "Trust"):
        (code,) = links[iri][ns.ONTOLOGY + "odsCode"]
        assert ODS["Trust"].match(code), (iri, code)
    ccgs = [i for i in _of_type(vocabulary, "Commissioner") if "clinical-commissioning-group" in i]
    assert ccgs
    for iri in ccgs:
        (code,) = links[iri][ns.ONTOLOGY + "odsCode"]
        assert ODS["CCG"].match(code), (iri, code)


def test_two_entities_share_an_ods_code_only_when_one_was_renamed_the_other(vocabulary, links):
    by_code: dict[str, list[str]] = defaultdict(list)
    for iri, predicates in links.items():
        for code in predicates.get(ns.ONTOLOGY + "odsCode", []):
            by_code[code].append(iri)
    evolves = {
        (t.subject.value, t.object.value)
        for t in vocabulary.vocabulary_triples
        if t.predicate.value == ns.ONTOLOGY + "evolvesInto"
    }
    for code, holders in by_code.items():
        if len(holders) > 1:
            assert len(holders) == 2 and (tuple(holders) in evolves or tuple(reversed(holders)) in evolves), code


def test_links_reach_the_store_and_its_exports(sample_store):
    from kg.graph.query import run_query

    rows = run_query(
        sample_store,
        'SELECT ?e ?code WHERE { ?e kg:odsCode ?code ; skos:prefLabel "NHS Greater Manchester Integrated Care Board"@en }',
    ).rows
    assert [(r[1].value) for r in rows] == ["QOP"]
    acts = run_query(
        sample_store,
        "ASK { kgid:health-and-care-act-2022 skos:exactMatch <http://www.legislation.gov.uk/id/ukpga/2022/31> }",
    )
    assert acts.boolean is True


def test_entity_pages_show_the_links_out(sample_store, tmp_path):
    import lxml.html

    from kg.web.site import build_site

    build_site(sample_store, tmp_path / "site")

    def facts(name: str) -> dict[str, str]:
        page = lxml.html.parse(str(tmp_path / "site" / "id" / f"{name}.html")).getroot()
        terms = [dt.text_content().strip() for dt in page.xpath("//dl[@class='facts']/dt")]
        values = [dd.text_content().strip() for dd in page.xpath("//dl[@class='facts']/dd")]
        return dict(zip(terms, values, strict=True))

    assert facts("health-and-care-act-2022")["Same as"] == "http://www.legislation.gov.uk/id/ukpga/2022/31"
    assert facts("nhs-greater-manchester-integrated-care-board")["ODS code"] == "QOP"
    assert "ODS code" not in facts("integrated-care-system")
