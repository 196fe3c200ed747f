"""Names the vocabulary lacks, by how English builds them (``data/patterns/names.toml``).

Two shapes: legislation ("the Care Act 2014", "the Integrated Care Boards
(Establishment) Order 2022": capitalised words, a head such as Act or
Regulations, and a year) and bodies ("the Commission for Health
Improvement", "the Department for Work and Pensions": capitalised words
around a head noun such as Commission, Department, Network). The patterns
are made here from the word lists in the data file, so a librarian adds a
head noun, not a regular expression. :func:`looks_like_organisation` tells
the header reader whether a line is a body's name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.ingest.dates import MONTH_NAMES
from kg.resources import data_dir

#: a capitalised word (a dot only inside it, "U.K"; never a sentence's full stop, so "... Improvement. It was
#: ..." is not one name; UK writing has "St Helens" without a stop) or a bracketed phrase
_WORD = r"(?:[A-Z][\w'’&.-]*(?<!\.)|\([A-Z][\w'’ ,:.-]*\))"
_JOIN = r"(?:and|of|for|the|on|in|to|&)"
_LINE = re.compile(r"[^\n]+")
#: a name starts a word: not at the capital inside "7AB" or "31ZA" (a section's number before "of the ... Act")
_STARTS_WORD = r"(?<![\w'’&.-])"
#: a person's surname: "Hewitt", "O'Neill", "Darzi", "Wade-Gery" (not "CQC", not "2019")
_SURNAME = re.compile(r"(?:[A-Z][a-z][a-z'’]+|[A-Z]['’][A-Z][a-z]+)(?:-[A-Z][a-z]+)?")
_DEFINED_AFTER = re.compile(r"^\([A-Z][A-Za-z&]{1,9}\)$")
#: the last "on the", "to the" or "in the" of a name that ends in its head, and what comes before it
_SENTENCE_WORDS = re.compile(r"^.*\b(?:on|to|in)[ \t]+the[ \t]+")
#: an acronym in brackets between a name's words
_INNER_ACRONYM = re.compile(r"[ \t]+\([A-Z][A-Za-z&]{1,9}\)(?=[ \t]+\S)")
#: the words after a comma inside a name end in "and" and one more word: a list that is part of the name
_COMMA_LIST = re.compile(r",[ \t]+[^,]+?[ \t]+(?:and|&)[ \t]+[A-Z][\w'’&.-]*$")


@dataclass(frozen=True)
class NamePattern:
    regex: re.Pattern
    kind: str | None  #: the kind, or None when it follows from the head noun
    section: str  #: "legislation" or "bodies"


@dataclass(frozen=True)
class FoundName:
    start: int
    end: int
    name: str
    kind: str
    section: str


class NameFinder:
    """The compiled name patterns of one data file."""

    def __init__(self, path: Path | None = None):
        path = Path(path or data_dir() / "patterns" / "names.toml")
        self.spec = tomllib.loads(path.read_text(encoding="utf-8"))
        law = self.spec["legislation"]
        bodies = self.spec["bodies"]
        self.heads: dict[str, str] = dict(bodies["heads"])
        self.not_name = {w.lower() for w in bodies["not_name_words"]}
        #: heads in lower case that follow one person's name only ("the Hewitt review", not "a CQC report")
        self.after_a_name = set(bodies.get("after_a_name", []))
        self.not_a_surname = set(bodies.get("not_a_surname", []))
        self.min_words: dict[str, int] = dict(bodies.get("min_words", {}))
        law_heads = "|".join(re.escape(h) for h in law["heads"])
        heads = "|".join(re.escape(h) for h in sorted(self.heads, key=len, reverse=True))
        self._head = re.compile(rf"\b(?:{heads})\b")
        #: "Local Involvement Networks", "Safeguarding Adults Boards": a head in the plural names a kind of body
        self._plural_head = re.compile(rf"\b(?:{heads})(?:s|es)$")
        capitalised = [h for h in self.heads if h[:1].isupper()]
        lower = "|".join(re.escape(h) for h in sorted(set(self.heads) - set(capitalised), key=len, reverse=True))
        initials = "".join(sorted({re.escape(h[:1]) for h in [*capitalised, *law["heads"]]}))
        # a line is tried only if it holds a head: a capitalised one, or one in lower case after a capitalised word
        # ("Dental Services contract"; "contract" and "report" alone are everywhere)
        any_lower = rf"|[A-Z][\w'’-]*[ \t]+(?:{lower})\b" if lower else ""
        heads_caps = "|".join(re.escape(h) for h in sorted(capitalised, key=len, reverse=True))
        self._any_head = re.compile(rf"\b(?=[{initials}])(?:{heads_caps}|{law_heads})\b{any_lower}")
        # an instrument made under an Act is named after it: "the Health and Social Care Act 2008
        # (Regulated Activities) Regulations 2014" is one name, not the Act and a stray "Regulations 2014"
        under_act = rf"(?:[ \t]+\([A-Z][\w'’ ,:.-]*\)[ \t]+(?:{_WORD}[ \t]+)*?(?:{law_heads})[ \t]+\d{{4}})?"
        # every name starts with a word of _WORD (a capital or a bracket) or, for a body, with a head: the
        # lookahead makes the scan pass over every other character at once instead of trying each head there
        legislation = re.compile(
            rf"{_STARTS_WORD}(?=[A-Z(])(?P<name>(?:{_WORD}[ \t]+(?:{_JOIN}[ \t]+)*){{1,10}}?(?:{law_heads})[ \t]+(?:of[ \t]+)?(?:\d{{4}}){under_act})(?!\d)"
        )
        months = "|".join(MONTH_NAMES)
        # a name stops before another head, "NHS", "The", a month, or a by-line's label run on to its line
        stop = rf"(?!(?:{heads}|NHS|The|{months}|Published|Updated|Posted|Released)\b)"
        # a name starts with a capital or a bracket (a head in lower case always follows a capitalised word)
        starts = "A-Z\\(" + "".join(sorted({re.escape(h[:1]) for h in capitalised}))
        body = re.compile(
            rf"{_STARTS_WORD}(?=[{starts}])(?P<name>(?:{_WORD}[ \t]+(?:{_JOIN}[ \t]+)*){{0,6}}?(?P<head>{heads})"
            rf"(?![ \t]+(?:{heads_caps})\b)"  # "Rail Safety Investigation Branch": the last of two heads
            rf"(?:[ \t]+(?:for|of|on|into)[ \t]+(?:the[ \t]+)?{stop}{_WORD}"
            rf"(?:(?:,?[ \t]+(?:(?:and|&|of|for|the)[ \t]+)?){stop}{_WORD}){{0,6}})?)(?![\w-]|['’](?!s\b))"
        )
        #: a head's "of ..." that stops before a capitalised head was cut inside a name ("the Independent
        #: Investigation of the National Health" before "Service in England"): no name is better than half of one
        self._cut_inside = re.compile(rf"[ \t]+(?:{heads_caps})\b")
        self.patterns = [
            NamePattern(legislation, law["kind"], "legislation"),
            NamePattern(body, None, "bodies"),
        ]
        # what a line must hold for each pattern to match on it, so a line is tried only with the ones that can
        self._needs = [
            re.compile(rf"[ \t](?:{law_heads})[ \t]+(?:of[ \t]+)?\d{{4}}"),
            re.compile(rf"(?:{heads})(?![\w-]|['’](?!s\b))|(?:{heads})[ \t]"),
        ]
        self._whole_body = re.compile(rf"^(?:the\s+)?{body.pattern}$")
        self._nhs_name = re.compile(rf"^NHS(?:[ \t]+(?:{_JOIN}[ \t]+)?{_WORD}){{1,6}}$")

    def find(self, text: str) -> list[FoundName]:
        """Every name in ``text``, leading sentence words trimmed, two words or more."""
        found: list[FoundName] = []
        for line in _LINE.finditer(text):  # a name stands on one line: try only lines with a head word
            if self._any_head.search(line.group(0)):
                found += self._find(text, line.start(), line.end())
        return found

    def _find(self, text: str, start_at: int, end_at: int) -> list[FoundName]:
        found: list[FoundName] = []
        for pattern, needs in zip(self.patterns, self._needs, strict=True):
            if not needs.search(text, start_at, end_at):
                continue
            for match in pattern.regex.finditer(text, start_at, end_at):
                start, name = match.start("name"), match.group("name")
                if (
                    pattern.section == "bodies"
                    and match.end("name") > match.end("head")
                    and self._cut_inside.match(text, match.end("name"))
                ):
                    continue
                words = name.split(" ")
                while len(words) > 1 and (words[0].lower() in self.not_name or not words[0][:1].isupper()):
                    start += len(words[0]) + 1
                    words = words[1:]
                head = match.groupdict().get("head") or ""
                if pattern.section == "bodies" and words[-1] == head:
                    # a name ending in its head holds no "on the", "to the", "in the": "Work on the NHS Long
                    # Term Workforce Plan" is a sentence's words before the plan's name
                    cut = _SENTENCE_WORDS.search(" ".join(words))
                    if cut:
                        start += cut.end()
                        words = " ".join(words)[cut.end() :].split(" ")
                if len(words) > 2 and _DEFINED_AFTER.match(words[-1]):
                    words = words[
                        :-1
                    ]  # "Clinical Negligence Scheme for Trusts (CNST)": the acronym it defines is not its name
                name = " ".join(words)
                if (
                    pattern.section == "bodies"
                    and "," in re.sub(r"\([^)]*\)", "", name)
                    and not _COMMA_LIST.search(name)
                ):
                    # "Department for Levelling Up, Housing and Communities" is one name; "Department of Health,
                    # Public Health England" two
                    name = name[: name.index(",")]
                    words = name.split(" ")
                if len(words) < 2 or len(name) > 120:
                    continue
                if len(words) < self.min_words.get(head, 2):
                    continue
                if head[:1].islower() and (words[-1] != head or any(w[:1].islower() for w in words[:-1])):
                    continue  # "the General Dental Services contract", not "Notes on Block contract"
                if head in self.after_a_name and (
                    len(words) != 2 or not _SURNAME.fullmatch(words[0]) or words[0] in self.not_a_surname
                ):
                    continue
                if pattern.kind:
                    kind = pattern.kind
                else:
                    heads = self._head.findall(name)
                    kind = self.heads.get(heads[-1] if heads else "", "OtherOrganisation")
                # "Global and Professional Direct Contracting (GPDC) Model": the acronym inside is not in its label
                label = _INNER_ACRONYM.sub("", name) if pattern.section == "bodies" else name
                found.append(FoundName(start, start + len(name), label, kind, pattern.section))
        return found

    def kind_of(self, name: str) -> str | None:
        """The kind a name's last head noun gives ("... Society" -> OtherOrganisation), or None.

        A name that ends in a head in the plural ("Local Involvement Networks") names a kind of body,
        an OrganisationType, not one body.
        """
        match = self._plural_head.search(name.strip())
        if match and self.heads.get(re.sub(r"e?s$", "", match.group(0))) not in (None, "PolicyProgramme"):
            return "OrganisationType"
        heads = self._head.findall(name)
        return self.heads[heads[-1]] if heads else None

    def looks_like_organisation(self, line: str) -> bool:
        """Whether a whole line is the name of a body ("House of Commons Library", "NHS Confederation")."""
        line = " ".join(line.split())
        if len(line) > 120 or not (line.startswith("NHS") or self._head.search(line)):
            return False
        return bool(self._whole_body.match(line) or self._nhs_name.match(line))


@lru_cache(maxsize=2)
def name_finder(path: Path | None = None) -> NameFinder:
    return NameFinder(path)
