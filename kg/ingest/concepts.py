"""Concepts the vocabulary lacks, written in lower case (``data/patterns/concepts.toml``).

"Delegated commissioning requires a delegation agreement": the agreement is
a concept no list holds and no capital marks. A phrase of lower-case words
ending in a head noun of the data file ("agreement", "budget", "team" ...)
is a candidate; :class:`RelationExtractor` offers the candidates of a
sentence to the cue grammar beside the entities it names, and a candidate
becomes an entity only when a cue takes it as one side of a relation whose
other side is a known entity. Everything else about a candidate is
grammar stated here: it starts after a closed-class word (an article, a
preposition, an auxiliary ...), holds at most one "and" between words, has
no plural word before its head (a verb such as "requires" ends the walk
back), and needs one word that is not generic ("a national contract" is no
concept, "local payment arrangements" is one).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.ingest.labels import slug
from kg.ingest.spans import Spans
from kg.resources import data_dir

#: a space between words: a line break too, never a blank line
_SPACE = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"
#: the word before a point: letters, inner hyphens ("activity-based", "low-volume")
_WORD_BEFORE = re.compile(rf"(?<![\w'’-])([A-Za-z][a-z]*(?:-[a-z]+)*){_SPACE}$")
#: the word after a head, when it is written in lower case
_WORD_AFTER = re.compile(rf"{_SPACE}([a-z][a-z’'-]*)")
#: what may come before the phrase a list item opens with: a bullet or a number, and an article
_ITEM_OPENING = re.compile(r"\s*(?:[•●▪◦·‣∙*–-]|\(?\d+[.)]|\(?[a-z][.)])?\s*(?:(?:an?|the)\s+)?", re.I)
#: how far before its head a phrase may start
_REACH = 80
_MAX_WORDS = 4  #: words before the head


@dataclass(frozen=True)
class Phrase:
    """A candidate concept: where the text writes it, its label (singular) and kind."""

    start: int
    end: int
    label: str
    kind: str

    def iri(self, base: str) -> str:
        return f"{base}id/{slug(self.label)}"


class ConceptPhrases:
    """The candidates of one data file's heads and word lists."""

    def __init__(self, path: Path | None = None):
        path = Path(path or data_dir() / "patterns" / "concepts.toml")
        self.spec = tomllib.loads(path.read_text(encoding="utf-8"))
        self.heads: dict[str, str] = dict(self.spec["heads"])
        #: the words after which a word that may be a verb is an adjective of the phrase, and those after which
        #: every word is a verb
        self.licensing = {w.lower() for w in [*self.spec["determiners"], *self.spec["prepositions"]]}
        self.modals = {w.lower() for w in self.spec["modals"]}
        self.stops = self.licensing | self.modals | {w.lower() for w in self.spec["stops"]}
        self.generic = {w.lower() for w in self.spec["generic"]}
        self.evaluative = {w.lower() for w in self.spec["evaluative"]}
        heads = "|".join(re.escape(h) for h in sorted(self.heads, key=len, reverse=True))
        # a head in lower case, singular or plural, not inside a word or a hyphenated word, and not itself a
        # modifier of a following head ("payment scheme": the scheme is the head)
        self._head = re.compile(rf"(?<![\w-])(?P<head>{heads})s?(?![\w-])(?!{_SPACE}(?:{heads})s?\b)")

    def head_positions(self, text: str) -> list[int]:
        """Where a head noun stands in ``text``, in order: a sentence with none has no candidate."""
        return [m.start() for m in self._head.finditer(text)]

    def find(
        self, text: str, start: int, end: int, taken: list[tuple[int, int]], verbs: Container[str] = ()
    ) -> list[Phrase]:
        """The candidates of the sentence ``text[start:end]``, none overlapping a ``taken`` span.

        ``verbs``: the words (lower case) a cue may start with; a head followed by a lower-case word is a
        phrase's head only when that word is one of them, a stop word or a word in -ed ("teams will",
        "budget requires", "plan ended"; not "payment overlay", whose head is "overlay"), and never before
        "of" ("model of care": the phrase would be cut short).
        """
        found: list[Phrase] = []
        spans = Spans(taken)
        first_word = start + len(text[start:end]) - len(text[start:end].lstrip())
        for match in self._head.finditer(text, start, end):
            hs, he = match.span()
            if spans.overlaps(hs, he):
                continue
            after = _WORD_AFTER.match(text, he, end)
            following = after.group(1) if after else ""
            if following == "of" or (
                following and following not in self.stops and following not in verbs and not following.endswith("ed")
            ):
                continue
            words = self._words_before(text, max(start, hs - _REACH), hs, first_word, verbs)
            if not words:
                continue
            # the span holds the judging words at its start, for the cues ("need a ⟨0⟩"); the label does not
            first, lead = words[0][0], 0
            while lead < len(words) and words[lead][1].lower() in self.evaluative:
                lead += 1
            modifiers = [w for _, w in words[lead:]]
            if not modifiers:
                continue
            if all(w.lower() in self.generic or w.lower() == "and" for w in modifiers):
                continue
            if spans.overlaps(first, hs):
                continue
            head = match.group("head")
            written = " ".join([*modifiers, head])
            found.append(Phrase(first, he, written[:1].upper() + written[1:], self.heads[head]))
        # "aligned payment and incentive agreements": the head of the whole, not the "payment" inside it (a
        # phrase is found after those its head follows, so one inside a later phrase starts no earlier than it)
        kept: list[Phrase] = []
        earliest = end
        for phrase in reversed(found):
            if earliest > phrase.start:
                kept.append(phrase)
            earliest = min(earliest, phrase.start)
        return kept[::-1]

    def opening(self, text: str, start: int, end: int, verbs: Container[str] = ()) -> Phrase | None:
        """The candidate a list item opens with ("- activity-based payment, used for ..."), if any: only a
        bullet, a number or an article comes before it."""
        phrases = self.find(text, start, end, [], verbs)
        if phrases and _ITEM_OPENING.fullmatch(text, start, phrases[0].start):
            return phrases[0]
        return None

    def _words_before(
        self, text: str, reach: int, at: int, first_word: int, verbs: Container[str]
    ) -> list[tuple[int, str]]:
        """(start, word) of the phrase's words before its head, first word first; [] when there are none."""
        words: list[tuple[int, str]] = []
        cursor = at
        while len(words) <= _MAX_WORDS:
            match = _WORD_BEFORE.search(text, reach, cursor)
            if not match:
                break
            word, where = match.group(1), match.start(1)
            lower = word.lower()
            opens = where <= first_word  # the sentence's first word may carry its capital
            if (word != lower and not (opens and word[1:] == word[1:].lower())) or lower in self.stops - {"and"}:
                break
            if (lower.endswith("s") and not lower.endswith(("ss", "us", "is"))) or lower.endswith("ly"):
                break  # "requires", "boards", "locally": a verb, another phrase or an adverb ends it
            words.insert(0, (where, word))
            cursor = where
            if opens:
                break
        if len(words) > _MAX_WORDS:
            return []
        # a word that may be a verb ("require", "signed", "lead") starts the phrase only after a determiner or
        # where no word comes before it ("the lead commissioner", "a signed agreement", "- aligned payments";
        # not "trusts require workforce plans", "boards must agree joint plans")
        if words:
            where, word = words[0]
            before = _WORD_BEFORE.search(text, reach, where)
            previous = before.group(1).lower() if before else ""
            lower = word.lower()
            maybe_verb = "-" not in lower and (lower in verbs or lower.endswith("ed"))
            if previous in self.modals or (previous == "to" and not lower.endswith("ed")):
                words = words[1:]  # "must agree joint plans", "to support care budgets"
            elif maybe_verb and before and previous not in self.licensing:
                words = words[1:]  # "have signed network agreements": the verb's object follows it
        return self._trim(words)

    def _trim(self, words: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """The words without an "and" at the start; [] when "and" joins more than two."""
        while words and words[0][1].lower() == "and":
            words = words[1:]
        return [] if [w.lower() for _, w in words].count("and") > 1 else words


def occurrences(text: str, label: str) -> list[tuple[int, int]]:
    """Where ``text`` writes a concept's phrase: its words as the label has them (the first letter either
    case, the head in the singular or plural), across line breaks."""
    words = label.split()
    first = f"[{re.escape(words[0][:1].upper())}{re.escape(words[0][:1].lower())}]{re.escape(words[0][1:])}"
    pattern = r"[ \t\n]+".join([first, *map(re.escape, words[1:])])
    return [m.span() for m in re.finditer(rf"(?<![\w-]){pattern}s?(?![\w-])", text)]


@lru_cache(maxsize=2)
def concept_phrases(path: Path | None = None) -> ConceptPhrases:
    return ConceptPhrases(path)
