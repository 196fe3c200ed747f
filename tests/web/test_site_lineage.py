"""Lineage on entity pages when the chains are long: the steps nearest the entity, the rest counted.

A real store and a real site build: one made-up history in which 70 commissions replace one another in turn.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from kg import Pipeline, Store
from kg.ingest import ingest
from kg.web.readmodel import DocumentInfo, LineageStep, Quote
from kg.web.site import LINEAGE_ON_PAGE, build_site

TREES = ["Alder", "Birch", "Cedar", "Elm", "Hazel", "Larch", "Maple", "Rowan", "Willow", "Yew"]
PLACES = ["Moor", "Vale", "Dale", "Ford", "Field", "Heath", "Wold"]
#: oldest first; each replaced the one before it
NAMES = [f"{tree}{place} Health Commission" for place in PLACES for tree in TREES]


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


@pytest.fixture(scope="module")
def chain_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("chain")
    lines = ["Seventy commissions, one after another", "", "Published by NHS England, March 2021.", ""]
    lines += [f"The {new} replaced the {old} in 2019.\n" for old, new in zip(NAMES, NAMES[1:])]
    (folder / "chain.txt").write_text("\n".join(lines), encoding="utf-8")
    # a second note says one change twice in one sentence (evolves into and supersedes): one quote, not two
    (folder / "twice.txt").write_text(
        "A second note\n\nThe AlderMoor Health Commission, now replaced by the BirchMoor Health Commission, "
        "met in 2019.\n",
        encoding="utf-8",
    )
    with Store(folder / "store") as store:
        report = ingest([folder / "chain.txt", folder / "twice.txt"], store, Pipeline())
        assert not report.failures
        build_site(store, folder / "site")
    return folder / "site"


def _steps(site: Path, name: str) -> tuple[list[tuple[str, str]], list[str], int]:
    """The page's lineage steps as (predecessor, successor) names, its cut note and how many steps are its own."""
    page = lxml.html.parse(str(site / "id" / f"{_slug(name)}.html"))
    steps = []
    for li in page.xpath("//ol[@class='lineage']/li"):
        old, new = (" ".join(a.text_content().split()) for a in li.xpath(".//span[@class='what']/a"))
        steps.append((old, new))  # "old superseded by new"
    notes = [" ".join(p.text_content().split()) for p in page.xpath("//p[@class='lineage-cut']")]
    return steps, notes, len(page.xpath("//ol[@class='lineage']/li[contains(@class, 'direct')]"))


def _chain(start: int, stop: int) -> list[tuple[str, str]]:
    return [(NAMES[i], NAMES[i + 1]) for i in range(start, stop)]


def test_the_first_commission_shows_the_nearest_steps_in_chain_order(chain_site):
    steps, notes, own = _steps(chain_site, NAMES[0])
    assert steps == _chain(0, LINEAGE_ON_PAGE)
    assert own == 1
    assert notes == [
        f"Its chains have {len(NAMES) - 1} steps; these are the {LINEAGE_ON_PAGE} nearest {NAMES[0]}. "
        "Every step is on the timeline."
    ]


def test_the_last_commission_shows_the_steps_before_it(chain_site):
    steps, notes, own = _steps(chain_site, NAMES[-1])
    assert steps == _chain(len(NAMES) - 1 - LINEAGE_ON_PAGE, len(NAMES) - 1)
    assert own == 1 and len(notes) == 1


def test_a_commission_in_the_middle_shows_steps_on_both_sides(chain_site):
    middle = 35
    steps, _, own = _steps(chain_site, NAMES[middle])
    assert len(steps) == LINEAGE_ON_PAGE and own == 2
    assert steps == _chain(middle - LINEAGE_ON_PAGE // 2, middle + LINEAGE_ON_PAGE // 2)


def test_a_short_chain_is_shown_whole_without_a_note(tmp_path):
    (tmp_path / "short.txt").write_text(
        "Three commissions\n\n" + "".join(f"The {b} replaced the {a} in 2019.\n\n" for a, b in zip(NAMES, NAMES[1:3])),
        encoding="utf-8",
    )
    with Store(tmp_path / "store") as store:
        ingest([tmp_path / "short.txt"], store, Pipeline())
        build_site(store, tmp_path / "site")
    steps, notes, own = _steps(tmp_path / "site", NAMES[1])
    assert steps == _chain(0, 2) and notes == [] and own == 2


def test_the_timeline_keeps_every_step(chain_site):
    page = lxml.html.parse(str(chain_site / "timeline.html"))
    text = " ".join(page.getroot().text_content().split())
    for old, new in _chain(0, len(NAMES) - 1):
        assert f"{old} superseded by {new}" in text or f"{new} superseded {old}" in text, (old, new)


def test_one_sentence_stating_a_step_twice_is_quoted_once(chain_site):
    page = lxml.html.parse(str(chain_site / "id" / f"{_slug(NAMES[0])}.html"))
    (own,) = page.xpath("//ol[@class='lineage']/li[contains(@class, 'direct')]")
    quoted = [" ".join(q.text_content().split()) for q in own.xpath(".//q")]
    assert len(quoted) == 2 and len(set(quoted)) == 2, quoted  # one from each note


def _step(*quotes: tuple[str, list[str]]) -> LineageStep:
    """A step stated by one document per quote, each marking the names given."""
    documents = []
    for n, (words, names) in enumerate(quotes):
        marks = tuple((words.index(name), words.index(name) + len(name)) for name in names)
        documents.append((f"doc{n}", Quote(words, marks=marks)))
    return LineageStep("a", "b", "supersedes", documents=documents)


@pytest.mark.parametrize(
    ("quotes", "date"),
    [
        (
            [
                (
                    "From 1 July 2022 the Northgate Partnership was replaced by NHS Northgate.",
                    ["Northgate Partnership", "NHS Northgate"],
                )
            ],
            "2022-07-01",
        ),
        # the earliest of the documents' own words
        (
            [
                (
                    "NHS Northgate replaced the Northgate Partnership in 2023.",
                    ["NHS Northgate", "Northgate Partnership"],
                ),
                (
                    "In March 2022 NHS Northgate replaced the Northgate Partnership.",
                    ["NHS Northgate", "Northgate Partnership"],
                ),
            ],
            "2022-03",
        ),
        # a year in a name dates nothing; nor one in a relative clause; nor two years at once
        ([("The Health and Care Act 2022 replaced the old rules.", ["Health and Care Act 2022"])], None),
        (
            [
                (
                    "NHS Northgate replaced the Northgate Partnership, which was set up in 2001.",
                    ["NHS Northgate", "Northgate Partnership"],
                )
            ],
            None,
        ),
        (
            [
                (
                    "Set up in 2001, the Northgate Partnership was replaced by NHS Northgate in 2022.",
                    ["Northgate Partnership", "NHS Northgate"],
                )
            ],
            None,
        ),
    ],
)
def test_a_step_is_dated_by_the_words_that_state_it(quotes, date):
    step = _step(*quotes)
    assert step.stated_date == date
    issued = {"doc0": DocumentInfo("doc0", "a note", None, issued="2024-05")}
    assert step.best_date(issued) == ((date, False) if date else ("2024-05", True))


def test_the_chain_is_dated_by_its_sentences_not_the_document(chain_site):
    page = lxml.html.parse(str(chain_site / "id" / f"{_slug(NAMES[0])}.html"))
    whens = {" ".join(w.text_content().split()) for w in page.xpath("//ol[@class='lineage']//span[@class='when']")}
    assert whens == {"2019"}  # "... replaced the ... in 2019", in a document issued in March 2021
