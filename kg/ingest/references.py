"""Stage 3b (continued), across sentences: what a sentence points back to, and lists that finish a sentence.

Two things the cue grammar (:mod:`kg.ingest.clauses`) reads as one sentence although the text spreads them
over several: a lead-in sentence ending in a colon and the list items under it (:func:`lead_ins`), and a
definite description that names an entity met before ("the Act", "that Act", "the 2012 Act", "the new
body": :class:`Descriptions`; "the ICB" after one board's name: :class:`Instances`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_ITEM = re.compile(r"^\s*(?:[-–•*·▪]|\d{1,2}[.)]|\(?[a-z][.)])\s+")


def lead_ins(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """A sentence ending in a colon and the list items that follow it: (its index, the items' indexes).

    "An ICS has two statutory elements:" then "1. an integrated care board ..."
    and "2. an integrated care partnership ...": the items finish the sentence.
    """
    found = []
    for index, (s, e) in enumerate(spans):
        if not text[s:e].rstrip().endswith(":"):
            continue
        items = []
        for later in range(index + 1, min(len(spans), index + 12)):
            line_start = text.rfind("\n", 0, spans[later][0]) + 1
            if not _ITEM.match(text[line_start : spans[later][1]]):
                break
            items.append(later)
        if len(items) >= 1:
            found.append((index, items))
    return found


_APPOSITION = re.compile(r"\s*[,(–—]\s*")


def named_like(exact: str, noun: str, kinds: set[str], wanted: str) -> bool:
    """Whether a mention written ``exact`` may be what "the <noun>" points back to: its name holds the noun
    and it is of the noun's kind, or its name ends in the noun whatever its kind ("the partnership" after
    "Riverside Health and Care Partnership", a body, where the noun's kind is the care model)."""
    written = exact.lower()
    if noun not in written or not re.search(rf"\b{re.escape(noun)}", written):  # the cheap test first
        return False
    return wanted in kinds or bool(re.search(rf"\b{re.escape(noun)}s?$", written))


class Descriptions:
    """Definite descriptions that point back: "the Act", "that Act", "the 2012 Act", "the new body"."""

    def __init__(self, nouns: dict[str, str], window: int = 6):
        self.nouns = nouns
        self.window = window
        words = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
        self._pattern = re.compile(
            rf"\b(?:the|this|that|these|those)\s+(?:new|same|said|original|(?P<year>(?:19|20)\d{{2}})(?:/\d{{2,4}}|[–-]\d{{2,4}})?|\d{{1,3}}(?=\s))?\s*(?P<noun>{words})s?\b",
            re.I,
        )

    def find(
        self,
        text: str,
        span: tuple[int, int],
        spans_before: list[tuple[int, int]],
        mentions: list[Any],
        kinds: Callable[[str], set[str]],
    ) -> list[tuple[int, int, list[str]]]:
        """(start, end, [entity]) for each description in the sentence that names an entity met before it."""
        s, e = span
        out: list[tuple[int, int, list[str]]] = []
        found = list(self._pattern.finditer(text, s, e))
        if not found:
            return out
        taken = [(m.start, m.end) for m in mentions if s <= m.start < e]
        for match in found:
            a, b = match.start(), match.end()
            if any(a < me and ms < b for ms, me in taken):
                continue
            if any(me <= a and _APPOSITION.fullmatch(text, me, a) for _, me in taken):
                continue  # "Monitor, the regulator of ...": an apposition (an aside of the grammar), not an anaphor
            wanted = self.nouns[match.group("noun").lower()]
            window_start = spans_before[-self.window][0] if len(spans_before) >= self.window else 0
            earlier = [m for m in mentions if window_start <= m.start and m.end <= a and wanted in kinds(m.entity)]
            year = match.group("year")
            if year:
                earlier = [m for m in mentions if m.end <= a and year in m.exact and wanted in kinds(m.entity)]
            noun = match.group("noun").lower()
            # "the Act": the last Act named before (in the whole text), not the nearest Regulations
            alike = [m for m in mentions if m.end <= a and named_like(m.exact, noun, kinds(m.entity), wanted)]
            if alike:  # the one the text names most (its subject), the later on a tie
                counts = {m.entity: sum(1 for x in alike if x.entity == m.entity) for m in alike}
                best = max(counts.values())
                alike = [m for m in alike if counts[m.entity] == best]
            earlier = alike or earlier
            if earlier:
                out.append((a, b, [earlier[-1].entity]))
        return out


class Instances:
    """A kind's name after "the", in the singular, stands for the one body of that kind just named: "the ICB"
    after "NHS West Yorkshire Integrated Care Board", "the trust" after "Riverside NHS Foundation Trust".

    ``kinds`` are the classes of the vocabulary's kinds of thing (an organisation type, a care model);
    a body is of the kind when its name as written ends in one of the kind's names (at least two words,
    or its short form in capitals) and it is no kind itself. Only the sentences of the window look back.
    """

    def __init__(self, kinds: set[str], labels: dict[str, list[str]], window: int = 2):
        self.kinds = kinds
        self.window = window
        #: kind -> its names as written (lower case, one space), and the endings a body of it has
        self.names = {k: {" ".join(x.lower().split()) for x in names} for k, names in labels.items()}
        self.endings = {
            k: [" ".join(x.lower().split()) for x in names if len(x.split()) >= 2 or (x.isupper() and len(x) >= 3)]
            for k, names in labels.items()
        }

    def find(
        self,
        text: str,
        span: tuple[int, int],
        spans_before: list[tuple[int, int]],
        within: Callable[[int, int], list[Any]],
        kinds: Callable[[str], set[str]],
    ) -> list[tuple[int, int, list[str]]]:
        """(start, end, [body]) for each "the <kind>" of the sentence that a body named before stands for;
        ``within(a, b)``: the mentions starting in [a, b), so only the window's are read."""
        s, e = span
        out: list[tuple[int, int, list[str]]] = []
        start = spans_before[-self.window][0] if len(spans_before) >= self.window else 0
        for m in within(s, e):
            if m.entity not in self.names or not kinds(m.entity) & self.kinds:
                continue
            the = _THE.search(text, max(0, m.start - 5), m.start)
            if the is None or " ".join(m.exact.lower().split()) not in self.names[m.entity]:
                continue  # not "the ICB" (an ICB, the ICBs, ICBs)
            endings = self.endings[m.entity]
            bodies = [
                x
                for x in within(start, the.start())
                if x.end <= the.start()
                and x.entity != m.entity
                and not kinds(x.entity) & self.kinds
                and any(_ends_in(" ".join(x.exact.lower().split()), ending) for ending in endings)
            ]
            if bodies:
                out.append((the.start(), m.end, [bodies[-1].entity]))
        return out


_THE = re.compile(r"\bthe\s+$", re.I)


def _ends_in(name: str, ending: str) -> bool:
    """``name`` ends in the words ``ending`` and has words of its own before them."""
    return name.endswith(" " + ending)


#: what joins the two names "the latter" and "the former" choose between
_JOINED = re.compile(r"\s*,?\s+(?:and|or)\s+(?:the\s+)?|\s*,\s*(?:the\s+)?", re.I)


class Pairs:
    """ "the latter" and "the former": the second or the first of the last two names joined by "and" or "or"
    before them, in their sentence or the one before."""

    def __init__(self, words: dict[str, int]):
        self.words = {" ".join(w.lower().split()): int(n) for w, n in words.items()}
        phrases = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(self.words, key=len, reverse=True))
        self._pattern = re.compile(rf"\b(?:{phrases})\b", re.I) if phrases else None

    def find(
        self,
        text: str,
        span: tuple[int, int],
        spans_before: list[tuple[int, int]],
        within: Callable[[int, int], list[Any]],
    ) -> list[tuple[int, int, list[str]]]:
        """(start, end, [entity]) for each such phrase of the sentence ``span``."""
        s, e = span
        out: list[tuple[int, int, list[str]]] = []
        if self._pattern is None:
            return out
        for match in self._pattern.finditer(text, s, e):
            a = match.start()
            start = spans_before[-1][0] if spans_before else s
            before = [m for m in within(start, a) if m.end <= a]
            # the last two names joined by "and" or "or" ("NHS trusts and NHS foundation trusts; the latter")
            pairs = [
                (x, y)
                for x, y in zip(before, before[1:])
                if x.entity != y.entity and _JOINED.fullmatch(text, x.end, y.start)
            ]
            if pairs:
                back = self.words[" ".join(match.group(0).lower().split())]
                out.append((a, match.end(), [pairs[-1][2 - back].entity]))
        return out
