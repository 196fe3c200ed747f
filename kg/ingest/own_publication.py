"""What a document's own sentences say of its publication (``data/parsing/metadata.toml`` ``[statements]``).

"This report was published by the Northshire Trust on 4 March 2024"; "The
Fuller stocktake was published by NHS England on 26 May 2022" (in a report
whose title holds "Fuller stocktake"). A sentence whose subject is the
document itself ("this" and a noun for a document) gives its publisher and
issue date. A sentence whose subject only shares words with the title might
tell of the publication a document is about (a summary of a plan, written a
year later), so it counts only where the header's own issue date agrees with
it and is less precise ("May 2022" in the header, "26 May 2022" in the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.ingest.clauses import word_alternation
from kg.ingest.dates import MONTH_NAMES, PartialDate, parse_date
from kg.ingest.metadata import load_header_rules
from kg.ingest.names import name_finder

_MONTHS = "|".join(MONTH_NAMES)
_DATE = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{4}})"
#: a body's name: capitalised words, with "and", "of", "for", "the" between them
_NAME = r"[A-Z][\w’'&.-]*(?:\s+(?:(?:and|of|for|the|&)\s+)*[A-Z][\w’'&.-]*)*"


@dataclass(frozen=True)
class Stated:
    """A document's publisher and issue date, as one of its sentences states them."""

    publisher: str | None
    issued: PartialDate | None
    self_named: bool  #: the subject was "this report" (or the like), not words of the title


class Statements:
    """The sentence patterns made from the data file's nouns and verbs."""

    def __init__(self, spec: dict):
        nouns = word_alternation(spec["nouns"])
        verbs = word_alternation(spec["verbs"])
        subject = rf"\b(?P<subject>(?:[Tt]his|[Tt]he\s+present)\s+(?:{nouns})|[Tt]he\s+{_NAME}(?:\s+(?:{nouns}))?)"
        by = rf"by\s+(?:the\s+)?(?P<body>{_NAME})"
        when = rf"(?:on|in)\s+(?P<date>{_DATE})"
        self.patterns = [
            # "This report was published by NHS England on 26 May 2022", "... on 26 May 2022 by NHS England"
            re.compile(rf"{subject}\s+(?:was|is|were)\s+(?:first\s+)?(?:{verbs})\s+{by},?\s+{when}"),
            re.compile(rf"{subject}\s+(?:was|is|were)\s+(?:first\s+)?(?:{verbs})\s+{when},?\s+{by}"),
            # "NHS England published this report on 26 May 2022"
            re.compile(rf"(?P<body>{_NAME})\s+(?:first\s+)?(?:{verbs})\s+{subject}\s+{when}"),
        ]
        self.nouns = re.compile(rf"\s+(?:{nouns})$", re.I)
        self._needs = re.compile(verbs)
        self.not_name = set(name_finder().spec["bodies"]["not_name_words"])

    def _body(self, name: str) -> str | None:
        """The name without the words before it that open a sentence ("In May NHS England" is NHS England)."""
        words = name.split()
        while words and (words[0] in self.not_name or words[0] in MONTH_NAMES):
            words = words[1:]
        return " ".join(words) or None

    def find(self, title: str, text: str) -> Stated | None:
        """The first sentence of ``text`` that states the document's own publication, if any."""
        if not self._needs.search(text):
            return None
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                subject = " ".join(match.group("subject").split())
                self_named = bool(re.match(r"(?i)(?:this|the\s+present)\s", subject))
                # "The Fuller stocktake": its name without the noun, written in the title
                name = self.nouns.sub("", subject[4:])
                if self_named or (len(name) >= 5 and name.lower() in " ".join(title.split()).lower()):
                    return Stated(self._body(match.group("body")), parse_date(match.group("date")), self_named)
        return None


def refine(
    stated: Stated | None, header_issued: PartialDate | None, header_publisher: str | None
) -> tuple[PartialDate | None, str | None]:
    """The issue date and publisher, the header's where a statement may not add to them.

    A statement of the document itself ("this report") gives the publisher the header lacks, and the date
    when the header has none or a less precise one it agrees with; a statement naming the title's words only
    where its date agrees so with the header's.
    """
    if stated is None:
        return header_issued, header_publisher
    publisher = header_publisher or (stated.publisher if stated.self_named else None)
    agrees = (
        stated.issued is not None
        and (header_issued.value if header_issued else "") != stated.issued.value
        and (stated.issued.value.startswith(header_issued.value) if header_issued else stated.self_named)
    )
    if agrees:
        return stated.issued, header_publisher or stated.publisher
    return header_issued, publisher


@lru_cache(maxsize=1)
def statements() -> Statements:
    return Statements(load_header_rules().spec["statements"])
