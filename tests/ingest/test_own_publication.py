"""What a document's own sentences say of its publication (metadata.toml [statements], own_publication.py).

Each example of the data file is parsed as a whole plain-text document: its title line, the header's date
where the example gives one, and the text.
"""

import tomllib

import pytest

from kg.ingest.parse import parse
from kg.ingest.sources import Source
from kg.ingest.vocabulary import data_dir

SPEC = tomllib.loads((data_dir() / "parsing" / "metadata.toml").read_text(encoding="utf-8"))["statements"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def document(example):
    header = ""
    if example.get("header"):
        year, month = example["header"].split("-")
        header = f"{MONTHS[int(month) - 1]} {year}\n\n"
    text = f"{example['title']}\n\n{header}{example['text']}\n"
    (parsed,) = parse(Source("t.txt", text, "0" * 64, "utf-8"))
    return parsed


@pytest.mark.parametrize("example", SPEC["examples"], ids=[e["title"][:30] for e in SPEC["examples"]])
def test_a_sentence_of_the_document_gives_its_publisher_and_date(example):
    parsed = document(example)
    assert parsed.issued is not None and parsed.issued.value == example["issued"]
    assert parsed.publisher_name == example["publisher"]


@pytest.mark.parametrize("example", SPEC["ignores"], ids=[e["title"][:30] for e in SPEC["ignores"]])
def test_a_sentence_of_another_publication_changes_nothing(example):
    parsed = document(example)
    assert parsed.issued == (document({**example, "text": "Nothing is said here."}).issued)
    assert parsed.publisher_name is None


def test_the_header_publisher_stays_and_a_later_date_in_the_text_is_not_the_issue_date():
    text = (
        "Rural dental access: a review\n\nFrom: Northshire Council\nMarch 2024\n\n"
        "This review was published by NHS England on 4 March 2024. A second review was published in 2025.\n"
    )
    (parsed,) = parse(Source("t.txt", text, "0" * 64, "utf-8"))
    assert parsed.publisher_name == "Northshire Council"  # the header's own publisher is kept
    assert parsed.issued is not None and parsed.issued.value == "2024-03-04"
    text = "Rural dental access: a review\n\nMarch 2024\n\nThis review was published by NHS England on 4 May 2024.\n"
    (parsed,) = parse(Source("t.txt", text, "0" * 64, "utf-8"))
    assert parsed.issued is not None and parsed.issued.value == "2024-03"  # disagrees with the header: header
    assert parsed.publisher_name == "NHS England"  # the document's own statement of who published it
