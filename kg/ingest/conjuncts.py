"""Conjuncts that share part of the name beside them.

"General Medical Services and Personal Medical Services contracts" names two contracts, the first by the
head it shares with the second; "integrated care boards and partnerships" names two kinds of body, the
second by the modifier it shares with the first. Each conjunct counts only when the name it makes is one
the vocabulary knows (``lookup``), so "integrated care boards and councils" adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

#: what joins conjuncts that share a head: "A and B contracts", "A, B or C contracts" (longest first)
_LAST_JOINS: tuple[str, ...] = (", and ", ", or ", " and ", " or ", " & ", ", ")
_NEXT_JOINS: tuple[str, ...] = (", ",)
_WORD = re.compile(r"[\w'’-]+")
_JOINED_AFTER = re.compile(r"(?:,?[ \t]+(?:and|or|&)|,)[ \t]+([\w'’-]+)\b")
#: a conjunct does not start with these
_NOT_FIRST = {"and", "of", "the", "for", "on", "in", "to", "&", "a", "an", "with", "or"}

Lookup = Callable[[str], "str | None"]  #: a whole name -> the IRI it stands for, if exactly one
Span = tuple[int, int]


def singular(word: str) -> str:
    """A plural's singular, roughly ("contracts", "bodies", "churches"); other words as they are."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def shared_heads(
    text: str, names: list[tuple[int, int, str]], covered: list[Span], lookup: Lookup
) -> Iterator[tuple[str, int, int]]:
    """(IRI, start, end) of each conjunct beside one of ``names`` (start, end, IRI) that shares part of it.

    ``covered`` holds the spans already named; a conjunct overlapping one is not read, and each found is
    added to it.
    """
    for start, end, iri in names:
        words = text[start:end].split()
        if len(words) < 2:
            continue
        yield from _before(text, start, words, covered, lookup)
        yield from _after(text, end, iri, words, covered, lookup)


def _before(
    text: str, position: int, words: list[str], covered: list[Span], lookup: Lookup
) -> Iterator[tuple[str, int, int]]:
    """Conjuncts before the name sharing its last word or two: back along "A, B and C contracts"."""
    joins = _LAST_JOINS
    while text.endswith(joins, 0, position) and (join := next(j for j in joins if text.endswith(j, 0, position))):
        hit = _conjunct(text, position - len(join), words, covered, lookup)
        if hit is None:
            return
        yield hit
        covered.append(hit[1:])
        position, joins = hit[1], _NEXT_JOINS


def _conjunct(
    text: str, stop: int, words: list[str], covered: list[Span], lookup: Lookup
) -> tuple[str, int, int] | None:
    """The entity the words ending at ``stop`` name with the head that ``words`` end in, and where they are.

    The words are those after the last name already found (and after any punctuation), five at most.
    """
    floor = max(0, stop - 80)
    for s, e in covered:
        if s < stop and stop <= e:
            return None  # the last word is part of a name already
        if floor < e <= stop:
            floor = e
    conjunct: list[str] = []
    for word in reversed(text[floor:stop].split(" ")):
        if len(conjunct) == 5 or not _WORD.fullmatch(word):
            break
        conjunct.insert(0, word)
    for size in range(len(conjunct), 0, -1):  # the longest first: "General Medical Services", not "Services"
        own = conjunct[-size:]
        if own[0].lower() in _NOT_FIRST:
            continue
        for head in (words[-1:], words[-2:])[: len(words) - 1]:
            for last in dict.fromkeys((head[-1], singular(head[-1]))):
                iri = lookup(" ".join([*own, *head[:-1], last]))
                if iri is not None:
                    return iri, stop - len(" ".join(own)), stop
    return None


def _after(
    text: str, position: int, iri: str, words: list[str], covered: list[Span], lookup: Lookup
) -> Iterator[tuple[str, int, int]]:
    """Conjuncts after the name sharing all but its last word: "integrated care boards and partnerships",
    "NHS England and Improvement", and on along a list."""
    lead = words[:-1]
    if len(lead) < 2 and not lead[0].isupper():
        return  # "integrated care and commissioning": one adjective is too weak a modifier to share
    if not text.startswith((" ", ","), position):
        return
    while joined := _JOINED_AFTER.match(text, position):
        start, end = joined.span(1)
        if any(start < e and s < end for s, e in covered):
            return
        word = joined.group(1)
        found = next((f for w in dict.fromkeys((word, singular(word))) if (f := lookup(" ".join([*lead, w])))), None)
        if found is None or found == iri:
            return
        yield found, start, end
        covered.append((start, end))
        position = end
