"""A Bill is named for the Act it becomes: "the Health and Care Bill" is the Health and Care Act 2022.

A document written while a Bill was before Parliament names it by its short title and "Bill"; once passed
it is the short title, "Act" and a year. The capitalised words before "Bill" are a mention of the one Act
named by those words, "Act" and a year, in the vocabulary or found in the same document. Where two Acts
share the words (the Health and Social Care Acts of 2008 and 2012) the Bill is neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kg.ingest.labels import norm
from kg.ingest.spans import Spans

if TYPE_CHECKING:
    from kg.ingest.vocabulary import Vocabulary

_ACT = re.compile(r"^(?:the\s+)?(?P<stem>.+?)\s+Act\s+(?:19|20)\d{2}$", re.I)
#: capitalised words (with "and", "of", "for", "the" between them) before "Bill", starting a word
_BILL = re.compile(
    r"(?<![\w'’&.-])(?P<name>[A-Z][\w'’&-]*(?:[ \t]+(?:(?:and|of|for|the|&)[ \t]+)*[A-Z][\w'’&-]*)*)[ \t]+Bill\b"
)
_LEADING = re.compile(r"^(?:The|A|An|This|That|Its|Their)[ \t]+")


def _stems(acts: Iterable[tuple[str, str]]) -> dict[str, str | None]:
    """The normal form of each Act's short title (its name less "Act" and the year) -> the Act's IRI, from
    (IRI, label) pairs; None where two Acts share a short title."""
    stems: dict[str, str | None] = {}
    for iri, label in acts:
        match = _ACT.match(label.strip())
        if match:
            key = norm(match.group("stem"))
            stems[key] = iri if stems.get(key, iri) == iri else None
    return stems


def act_stems(vocabulary: Vocabulary) -> dict[str, str | None]:
    """The short titles of the vocabulary's Acts (every label of each)."""
    entities = vocabulary.entities.values()
    return _stems((e.iri, label) for e in entities if "Legislation" in vocabulary.kinds(e.iri) for label in e.labels)


def bills(
    text: str, stems: dict[str, str | None], found_here: Iterable[Any], mentions: Iterable[Any]
) -> list[tuple[str, int, int]]:
    """(Act IRI, start, end) of each Bill ``text`` names whose short title is one Act's (of ``stems``, or of
    the Acts ``found_here``, the document's new entities), where none of its ``mentions`` is."""
    found: list[tuple[str, int, int]] = []
    if "Bill" not in text:
        return found
    acts = [(e.iri, e.label) for e in found_here if e.type == "Legislation"]
    stems = {**stems, **_stems(acts)} if acts else stems
    covered = Spans([(m.start, m.end) for m in mentions])
    for match in _BILL.finditer(text):
        start, end = match.start("name"), match.end()
        lead = _LEADING.match(match.group("name"))
        if lead:
            start += lead.end()
        iri = stems.get(norm(text[start : match.end("name")]))
        if iri and not covered.overlaps(start, end):
            found.append((iri, start, end))
    return found
