"""Entity-matching rules a librarian expects, on sentences we wrote."""

import pytest

from kg.ingest.extract import EntityMatcher
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source

KGID = "https://w3id.org/nhs-policy-kg/id/"


@pytest.fixture(scope="module")
def matcher(pipeline):
    return EntityMatcher(pipeline.vocabulary)


def found(matcher, text):
    doc = ParsedDocument(title=text.split("\n")[0], text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))
    return matcher.extract(doc)


def names(extraction):
    return {m.entity.removeprefix(KGID) for m in extraction.mentions}


def test_acronyms_match_in_plural_and_possessive(matcher):
    got = names(found(matcher, "Several STPs' leaders hope their ACOs and ICSs will work."))
    assert {
        "sustainability-and-transformation-partnership",
        "accountable-care-organisation",
        "integrated-care-system",
    } <= got


def test_acronyms_keep_their_case(matcher):
    assert not names(found(matcher, "Local teams aco-ordinate the ics of stp work."))


def test_long_forms_ignore_case_hyphens_and_spelling(matcher):
    got = names(found(matcher, "Multi-specialty community providers and accountable care organizations were tested."))
    assert {"multispecialty-community-provider", "accountable-care-organisation"} <= got


def test_long_form_is_not_also_its_acronym(matcher):
    extraction = found(matcher, "The ACO contract was published.")
    assert [m.entity.removeprefix(KGID) for m in extraction.mentions] == ["aco-contract"]


def test_common_word_is_not_the_regulator(matcher):
    assert "monitor" not in names(found(matcher, "Library teams monitor the evidence for NHS England."))
    assert "monitor" in names(found(matcher, "NHS England and Monitor should review the procurement rules."))


def test_acronym_defined_in_the_document_is_learnt(matcher):
    text = "Bids to the transformation fund (TF) opened in 2016. Later TF rounds were smaller."
    extraction = found(matcher, text)
    learnt = [m for m in extraction.mentions if m.how == "learnt"]
    assert [m.exact for m in learnt] == ["TF", "TF"]
    assert {m.entity for m in learnt} == {KGID + "transformation-fund"}


def test_us_accountable_care_organisations_are_a_different_thing(matcher):
    us = names(found(matcher, "Under the Medicare Shared Savings Program, each ACO shares savings with Medicare."))
    assert "accountable-care-organisation" not in us
    assert "medicare-accountable-care-organization" in us
    england = names(found(matcher, "NHS England expects some STPs to form an ACO."))
    assert "accountable-care-organisation" in england


def test_longest_match_by_binary_search_keeps_the_plain_rule():
    """The longest-match pass with its sorted spans takes the hits the overlap-with-every-span rule takes."""
    import random

    from kg.ingest.extract import _Hit

    rng = random.Random(7)
    for _ in range(300):
        hits = []
        for _ in range(rng.randint(0, 30)):
            start = rng.randint(0, 60)
            hits.append(_Hit(start, start + rng.randint(1, 12), ("e",), rng.random() < 0.3, False))
        assert EntityMatcher._longest(hits) == EntityMatcher._longest_slowly(hits)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # the head after the last conjunct is shared by the ones before it
        (
            "Practices hold General Medical Services or Personal Medical Services contracts.",
            {"general-medical-services-contract", "personal-medical-services-contract"},
        ),
        (
            "Alternative Provider Medical Services, Personal Medical Services and General Medical Services "
            "contracts differ.",
            {
                "alternative-provider-medical-services-contract",
                "personal-medical-services-contract",
                "general-medical-services-contract",
            },
        ),
        # the words before the first name's last word are shared by the conjuncts after it
        (
            "Integrated care boards and partnerships began in 2022.",
            {"integrated-care-board", "integrated-care-partnership"},
        ),
        ("Guidance from NHS England and Improvement followed.", {"nhs-england", "nhs-improvement"}),
        (
            "Integrated care boards, partnerships and systems.",
            {"integrated-care-board", "integrated-care-partnership", "integrated-care-system"},
        ),
    ],
)
def test_conjuncts_share_the_head_or_the_modifier_of_a_name(matcher, text, named):
    extraction = found(matcher, text)
    assert named <= names(extraction)
    shared = [m for m in extraction.mentions if m.how == "shared-head"]
    assert shared and all(text[m.start : m.end] == m.exact and m.exact.strip() == m.exact for m in shared)


@pytest.mark.parametrize(
    "text",
    [
        "NHS England and NHS Improvement merged.",  # two names, each whole
        "Integrated care and commissioning were discussed.",  # one adjective is no shared modifier
        "Leaders of integrated care boards and councils met.",  # no such name as 'integrated care councils'
        "The team wrote on workforce and Personal Medical Services contracts.",  # no 'workforce contract'
    ],
)
def test_conjuncts_that_name_nothing_more_add_nothing(matcher, text):
    assert not [m for m in found(matcher, text).mentions if m.how == "shared-head"]


def test_a_word_that_names_nothing_before_a_known_name_makes_one_name(matcher):
    extraction = found(matcher, "The Improved Better Care Fund adds to the Better Care Fund.")
    assert [e.label for e in extraction.new_entities] == ["Improved Better Care Fund"]
    assert {"improved-better-care-fund", "better-care-fund"} <= names(extraction)
    # a known name before it makes two names; the known name with a possessive is that name
    for text in (
        "Guidance on the Department of Health APMS Directions was issued.",
        "The Department of Health and Social Care's plan was read.",
    ):
        assert not [e for e in found(matcher, text).new_entities if "department" in e.iri], text
