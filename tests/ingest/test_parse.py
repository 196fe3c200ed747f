import tomllib

import pytest

from kg.ingest.parse import kind_of_title, parse, unwrap
from kg.ingest.sources import Source, read
from kg.ingest.vocabulary import data_dir
from tests.conftest import SEEDS, need_shared


def source(text: str, name: str = "test.txt") -> Source:
    return Source(location=name, text=text, sha256="0" * 64, encoding="utf-8")


BRIEFING = """Tag Archives: Integration

Integrated care boards explained by NHS England

A policy briefing produced by the Riverside Library, Example NHS Foundation Trust.

Source: NHS England
Publication format: PDF
Date of publication: 1 July 2022
Summary of driver:
Integrated care boards (ICBs) took over from CCGs.
Key features of driver
  • One
Primary audience: Commissioners
Date last updated: 6.9.22
Due for review: September 2023
Group member responsible: AB

Second briefing title

Source: https://www.kingsfund.org.uk/publications/x
Date of publication: March 2017
Due for review: 17/08/2018
Group member responsible: CD

Leave a Reply
You are commenting using your account.
"""


def test_listing_splits_into_briefings_with_typed_metadata():
    first, second = parse(source(BRIEFING))
    assert first.title == "Integrated care boards explained"
    assert first.publisher_name == "NHS England"
    assert first.producer_name == "Riverside Library"
    assert first.kind == "PolicyBriefing"
    assert (first.issued.value, first.issued.datatype) == ("2022-07-01", "date")
    assert (first.modified.value, first.modified.datatype) == ("2022-09-06", "date")
    assert (first.review_due.value, first.review_due.datatype) == ("2023-09", "gYearMonth")
    assert first.fields["responsible"] == "AB"
    assert second.title == "Second briefing title"
    assert second.publisher_name is None and second.publisher_url.startswith("https://www.kingsfund.org.uk/")
    assert "Leave a Reply" not in second.text and "commenting" not in second.text


def test_news_item_date_and_slide_number():
    news = parse(
        source("\n\nModel contract published\n\nText.\n\nPosted by A Writer on 17/08/2017 at 18:32 | Permalink")
    )[0]
    assert news.kind == "NewsItem" and news.issued.value == "2017-08-17"
    slides = parse(source("STP, ACS or ACO? 1\nWhy change? • bullet\nRecommend\n"))[0]
    assert slides.title == "STP, ACS or ACO?" and slides.kind == "SlideDeck"
    assert "Recommend" not in slides.text


def test_seed_files_give_the_expected_documents():
    need_shared()
    titles = {}
    for path in sorted(SEEDS.glob("*.txt")):
        titles[path.name] = [d.title for d in parse(read(path))]
    assert sum(len(t) for t in titles.values()) == 9
    listing = next(t for name, t in titles.items() if len(t) == 5)
    assert "Drug strategy 2017" in listing and "Strategic Clinical Networks" in listing


# A line this long (60 characters or more) followed straight on by another was wrapped; its break may cut a word.
WRAPPED = "These notes were typed into an editor that wraps its lines, so"


@pytest.mark.parametrize(
    ("second", "joined"),
    [
        ("a note on clinical commission-\ning groups.", "a note on clinical commissioning groups."),
        ("Integrated Care Sys-\ntems began.", "Integrated Care Systems began."),
        # written with its hyphen elsewhere and never without: the hyphen stays
        ("a well-\nknown board met the well-known trust.", "a well-known board met the well-known trust."),
        # a hyphen before a number or a capital stays, with no space
        ("the plan for 2019-\n20 was agreed.", "the plan for 2019-20 was agreed."),
        ("services for non-\nEnglish speakers.", "services for non-English speakers."),
        # a dash set off by spaces is not a broken word
        ("the board - \nand its partners.", "the board - and its partners."),
        ("the board met.\nIts partners did not.", "the board met. Its partners did not."),
    ],
)
def test_wrapped_lines_join_and_broken_words_join_whole(second, joined):
    first, rest = second.split("\n")
    assert unwrap([f"{WRAPPED} {first}", rest]) == [f"{WRAPPED} {joined}"]


def test_a_short_line_is_not_joined_to_the_next():
    assert unwrap(["Contents:", "commission-", "ing"]) == ["Contents:", "commission-", "ing"]


KIND_EXAMPLES = tomllib.loads((data_dir() / "parsing" / "metadata.toml").read_text(encoding="utf-8"))["kinds"][
    "examples"
]


@pytest.mark.parametrize("example", KIND_EXAMPLES, ids=[e["title"][:30] for e in KIND_EXAMPLES])
def test_a_title_tells_the_kind_of_document(example):
    assert kind_of_title(example["title"]) == example["kind"]


def test_a_document_outside_the_template_takes_the_kind_its_title_gives():
    text = "Statutory guidance on joint committees\n\nIssued by the Department of Health and Social Care\n\nBoards may form joint committees with councils.\n"
    [document] = parse(source(text))
    assert document.kind == "Guidance"
    # a briefing of the library template stays a briefing, whatever its title says
    [briefing, _] = parse(
        source(BRIEFING.replace("Integrated care boards explained", "A review of integrated care boards"))
    )
    assert briefing.kind == "PolicyBriefing"
