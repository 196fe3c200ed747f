"""A Bill is a mention of the Act it became (kg/ingest/bills.py)."""

from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source

K = "https://w3id.org/nhs-policy-kg/id/"


def mentions(pipeline, text):
    doc = ParsedDocument(title="x", text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))
    return [(m.exact, m.entity.removeprefix(K), m.how) for m in pipeline.extract(doc).mentions]


def test_a_bill_is_the_act_of_the_vocabulary_it_became(pipeline):
    found = mentions(pipeline, "In 2021 the Health and Care Bill went before Parliament.")
    assert ("Health and Care Bill", "health-and-care-act-2022", "bill") in found


def test_a_bill_is_an_act_found_in_the_same_document(pipeline):
    text = "Parliament passed the Northshire Parks Act 2021. The Northshire Parks Bill had been debated for a year."
    assert ("Northshire Parks Bill", "northshire-parks-act-2021", "bill") in mentions(pipeline, text)


def test_a_bill_two_acts_share_the_words_of_is_neither(pipeline):
    # the Health and Social Care Acts of 2008 and 2012 are both in the vocabulary
    assert not [m for m in mentions(pipeline, "The Health and Social Care Bill was debated.") if m[2] == "bill"]
    assert not [m for m in mentions(pipeline, "The Rural Parks Bill was debated.") if m[2] == "bill"]
