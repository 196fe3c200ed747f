"""Concepts written in lower case (data/patterns/concepts.toml, kg/ingest/concepts.py).

The data file's examples run through the whole extraction: each "finds" sentence must give its triple with
the concept it names, and no "ignores" sentence may make a concept. The grammar of a phrase (where it starts,
which word is its head, what its label is) is tested on sentences written for this file.
"""

import tomllib

import pytest

from kg.ingest.clauses import CueGrammar
from kg.ingest.concepts import ConceptPhrases, occurrences
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source
from kg.ingest.vocabulary import data_dir

SPEC = tomllib.loads((data_dir() / "patterns" / "concepts.toml").read_text(encoding="utf-8"))
PHRASES = ConceptPhrases()
VERBS = CueGrammar(data_dir() / "patterns" / "cues.toml").triggers


def extract(pipeline, text):
    doc = ParsedDocument(title=text[:30], text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))
    return pipeline.extract(doc)


def labels(text):
    return [p.label for p in PHRASES.find(text, 0, len(text), [], VERBS)]


@pytest.mark.parametrize("example", SPEC["finds"], ids=[e["text"][:40] for e in SPEC["finds"]])
def test_example_finds_its_concept_and_triple(pipeline, example):
    extraction = extract(pipeline, example["text"])
    made = {e.label: e.iri for e in extraction.new_entities}

    def iri(label):
        if label in made:
            return made[label]
        entity = pipeline.matcher.lookup(label)
        assert entity is not None, f"{label!r} is neither known nor made: made {sorted(made)}"
        return entity.iri

    subject, predicate, obj = example["triple"]
    found = {(r.subject, r.predicate, r.object): r for r in extraction.relations}
    wanted = (iri(subject), predicate, iri(obj))
    assert wanted in found, sorted(found)
    assert "concept-phrase" in found[wanted].mechanisms
    concept = made[subject] if subject in made else made[obj]
    assert any(m.entity == concept and m.how == "concept-phrase" for m in extraction.mentions)


@pytest.mark.parametrize("text", SPEC["ignores"])
def test_example_makes_no_concept(pipeline, text):
    extraction = extract(pipeline, text)
    made = {m.entity for m in extraction.mentions if m.how == "concept-phrase"}
    assert not made, made
    assert not [r for r in extraction.relations if "concept-phrase" in r.mechanisms]


def test_a_phrase_starts_after_a_verb_and_keeps_an_adjective_after_a_preposition():
    assert labels("Practices must agree joint funding plans.") == ["Joint funding plan"]
    assert labels("The practices have signed network agreements.") == ["Network agreement"]
    assert labels("Trusts require workforce plans.") == ["Workforce plan"]
    assert labels("Networks may evolve into integrated neighbourhood teams.") == ["Integrated neighbourhood team"]
    assert labels("Lead commissioning arrangements ended.") == ["Lead commissioning arrangement"]


def test_the_head_is_the_last_noun_and_judging_words_are_not_in_the_label():
    assert labels("It is a voluntary payment overlay on top of fees.") == []  # the head is "overlay"
    assert labels("The board runs a hospital payment scheme now.") == ["Hospital payment scheme"]
    assert labels("Trusts need a credible financial plan.") == ["Financial plan"]
    # the span still holds the judging word, so that the cues see "a ⟨plan⟩"
    text = "Trusts need a credible financial plan."
    (phrase,) = PHRASES.find(text, 0, len(text), [], VERBS)
    assert text[phrase.start : phrase.end] == "credible financial plan"


def test_no_phrase_of_generic_words_before_of_or_across_a_known_name():
    assert labels("Each board holds a single national contract.") == []
    assert labels("It follows the comprehensive model of personalised care.") == []  # cut short: not a name
    text = "It holds a Northshire personal budget and an area budget."
    assert labels(text) == ["Personal budget", "Area budget"]  # a capital mid-sentence ends the walk back
    taken = [(text.index("area"), text.index("area") + 4)]  # a known name's span: no phrase overlaps it
    assert [p.label for p in PHRASES.find(text, 0, len(text), taken, VERBS)] == ["Personal budget"]


def test_a_phrase_may_wrap_a_line_but_not_a_paragraph():
    assert labels("Networks will become integrated\nneighbourhood teams.") == ["Integrated neighbourhood team"]
    assert labels("It is integrated\n\nneighbourhood teams.") == ["Neighbourhood team"]


def test_occurrences_find_the_phrase_in_either_case_and_number():
    text = "Delegation agreements are signed. Each delegation\nagreement lasts a year. A delegationagreement is not."
    assert [text[s:e] for s, e in occurrences(text, "Delegation agreement")] == [
        "Delegation agreements",
        "delegation\nagreement",
    ]


def test_a_concept_found_once_is_marked_wherever_the_document_writes_it(pipeline):
    text = (
        "Integrated neighbourhood teams are the next step for practices. "
        "Integrated neighbourhood teams will evolve from primary care networks."
    )
    extraction = extract(pipeline, text)
    (concept,) = [e for e in extraction.new_entities if e.label == "Integrated neighbourhood team"]
    assert concept.type == "CareModel"
    assert sum(m.entity == concept.iri for m in extraction.mentions) == 2


def test_two_concept_phrases_alone_make_nothing(pipeline):
    extraction = extract(pipeline, "Personal wheelchair budgets replaced the wheelchair voucher scheme.")
    assert not [m for m in extraction.mentions if m.how == "concept-phrase"]


def test_a_list_item_opening_with_a_phrase_finishes_its_lead_in(pipeline):
    text = (
        "The Northshire Payment Scheme began in 2023. The 2023/25 scheme has three payment mechanisms:\n\n"
        "  - activity-based payment, used for planned care;\n"
        "  - low volume activity payments, paid between integrated care boards and trusts;\n"
        "  - local payment arrangements, where no price is set.\n"
    )
    extraction = extract(pipeline, text)
    labels = {e.iri: e.label for e in extraction.new_entities}
    found = {(labels.get(r.subject), r.predicate, labels.get(r.object)) for r in extraction.relations}
    # "The 2023/25 scheme" points back to the scheme named before; every item opens with a phrase
    for item in ("Activity-based payment", "Low volume activity payment", "Local payment arrangement"):
        assert (item, "partOf", "Northshire Payment Scheme") in found, found
    # the boards the second item names are not parts of the scheme
    assert not [r for r in extraction.relations if r.predicate == "partOf" and "integrated-care-board" in r.subject]
