""" "the ICB" after one board's name stands for that board (anaphora.toml [instances], references.Instances).

The examples live beside the rule in the data file; each must give its relation between the labels named, and a
kind said of in the plural ("ICBs replaced ...") stays the kind.
"""

import tomllib

import pytest

from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source
from kg.resources import data_dir
from tests.ingest.test_relations import relations

SPEC = tomllib.loads((data_dir() / "patterns" / "anaphora.toml").read_text(encoding="utf-8"))["instances"]


def labelled(extraction, pipeline) -> dict[str, str]:
    """IRI -> label, of the vocabulary and of what the extraction found."""
    labels = {e.iri: e.pref_label for e in pipeline.vocabulary.entities.values()}
    labels.update({e.iri: e.label for e in extraction.new_entities})
    return labels


@pytest.mark.parametrize("example", SPEC["examples"], ids=[e["text"][:40] for e in SPEC["examples"]])
def test_examples_give_their_relation(pipeline, example):
    found, extraction = relations(pipeline, example["text"])
    labels = labelled(extraction, pipeline)
    named = {(labels.get(s, s), p, labels.get(o, o)) for s, p, o in _full(extraction)}
    assert (example["subject"], example["predicate"], example["object"]) in named, named


def _full(extraction):
    return {(r.subject, r.predicate, r.object) for r in extraction.relations}


def named_relations(pipeline, text: str, publisher: str) -> set[tuple[str, str, str]]:
    """The relations of ``text`` as a page ``publisher`` published, by labels."""
    doc = ParsedDocument(
        title="A page", text=text, source=Source("t.txt", text, "0" * 64, "utf-8"), publisher_name=publisher
    )
    extraction = pipeline.extract(doc)
    labels = labelled(extraction, pipeline)
    return {(labels.get(s, s), p, labels.get(o, o)) for s, p, o in _full(extraction)}


def test_a_kind_in_the_singular_without_a_body_before_stays_the_kind(pipeline):
    text = "Commissioning changed in 2022. The ICB replaced the clinical commissioning group in each area."
    found, extraction = relations(pipeline, text)
    assert ("integrated-care-board", "supersedes", "clinical-commissioning-group") in found, found


def test_the_body_must_be_of_the_kind(pipeline):
    """A trust named before "the ICB" is no board: the kind stays."""
    text = "Riverside NHS Foundation Trust runs two hospitals. The ICB replaced clinical commissioning groups in 2022."
    found, extraction = relations(pipeline, text)
    assert ("integrated-care-board", "supersedes", "clinical-commissioning-group") in found, found


def test_the_regime_is_the_regulations_that_name_it(pipeline):
    """anaphora.toml's "regime": the regulations named before whose name holds the word."""
    text = (
        "The Hill Valley Services (Care Choice Regime) Regulations 2021 came into force in May. "
        "For community services the regime replaced the Valley Purchasing Regulations 2012."
    )
    found, extraction = relations(pipeline, text)
    labels = labelled(extraction, pipeline)
    named = {(labels.get(s, s), p, labels.get(o, o)) for s, p, o in _full(extraction)}
    assert (
        "Hill Valley Services (Care Choice Regime) Regulations 2021",
        "supersedes",
        "Valley Purchasing Regulations 2012",
    ) in named, named


def test_our_trust_on_a_trust_s_own_paper_is_the_trust(pipeline):
    """anaphora.toml [first_person]: "our trust" on a paper the trust publishes is the trust."""
    text = (
        "Our trust came into being on 1 April 2019, when Hill General Hospital NHS Trust and Valley Community "
        "NHS Trust merged."
    )
    named = named_relations(pipeline, text, "Hill Valley NHS Foundation Trust")
    assert ("Hill General Hospital NHS Trust", "evolvesInto", "Hill Valley NHS Foundation Trust") in named, named
    assert ("Valley Community NHS Trust", "evolvesInto", "Hill Valley NHS Foundation Trust") in named, named


def test_we_on_a_partnership_s_own_page_is_the_partnership(pipeline):
    """A care model's one partnership (a primary care network) speaks as "we" on its pages, as a body does."""
    named = named_relations(
        pipeline, "We are part of the Hill Valley Integrated Care System.", "Riverside Primary Care Network"
    )
    assert ("Riverside Primary Care Network", "partOf", "Hill Valley Integrated Care System") in named, named
