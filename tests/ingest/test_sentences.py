"""The examples of data/patterns/sentences.toml: where a sentence ends, and where a full stop does not end it."""

import tomllib

import pytest

from kg.ingest.relations import sentences
from kg.ingest.vocabulary import data_dir

SPEC = tomllib.loads((data_dir() / "patterns" / "sentences.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", SPEC["examples"], ids=[e["text"][:30] for e in SPEC["examples"]])
def test_text_splits_into_its_sentences(example):
    text = example["text"]
    assert [text[s:e] for s, e in sentences(text)] == example["sentences"]


def test_abbreviations_are_written_with_their_full_stop():
    assert all(w.endswith(".") and w == w.lower() for w in SPEC["abbreviations"]), "write them as 'e.g.', 'no.'"


def test_a_name_and_its_relation_across_an_abbreviation_are_found(pipeline):
    """ "(No. 2)" inside a name: split there, the name ran over two sentences and was lost with its relation."""
    from kg.ingest.parse import ParsedDocument
    from kg.ingest.sources import Source

    text = (
        "The Care Services (Procurement) (No. 2) Regulations 2013 were made under the Health and Social Care Act 2012."
    )
    document = ParsedDocument(title="t", text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))
    relations = {
        (r.subject.rsplit("/", 1)[1], r.predicate, r.object.rsplit("/", 1)[1])
        for r in pipeline.extract(document).relations
    }
    assert (
        "care-services-procurement-no-2-regulations-2013",
        "introducedBy",
        "health-and-social-care-act-2012",
    ) in relations
