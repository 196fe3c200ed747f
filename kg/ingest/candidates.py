"""Terms the vocabulary lacks, for a librarian to review and add.

Four kinds of evidence, ranked by how often they occur and in how many
documents: acronyms a document defines for a long form we do not know,
organisations found by the shape of their names, acronyms used again and
again without a definition, and capitalised phrases that recur. Each candidate keeps one line of context so it can be judged
without opening the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.errors import SourceError
from kg.ingest.flow import Pipeline
from kg.ingest.labels import norm
from kg.ingest.parse import parse
from kg.ingest.sources import iter_sources
from kg.ingest.vocabulary import data_dir

#: Capitalised words that start sentences or headings more often than they start names.
_COMMON = {
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "In",
    "On",
    "At",
    "For",
    "From",
    "With",
    "And",
    "But",
    "Or",
    "Of",
    "To",
    "By",
    "As",
    "If",
    "When",
    "While",
    "Where",
    "What",
    "Why",
    "How",
    "Who",
    "We",
    "Our",
    "Their",
    "They",
    "There",
    "Here",
    "Date",
    "Source",
    "Summary",
    "Key",
    "Primary",
    "Group",
    "Link",
    "Publication",
    "Impact",
    "Due",
    "Posted",
    "Tag",
    "Please",
    "Some",
    "Many",
    "Most",
    "All",
    "Each",
    "More",
}
#: kinds of discovered entity listed as organisations (the others, Acts and programmes, as names)
_ORGANISATION_KINDS = {
    "Organisation",
    "OtherOrganisation",
    "NationalBody",
    "Trust",
    "Commissioner",
    "LocalAuthority",
    "ProfessionalBody",
    "ThinkTank",
    "LibraryService",
}
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,7}(?=s?\b)")
_PHRASE = re.compile(
    r"\b(?:[A-Z][a-z’']+|[A-Z]{2,}s?)(?:[ \t]+(?:(?:of|and|for|the|on|in|&)[ \t]+)?(?:[A-Z][a-z’']+|[A-Z]{2,}s?)){1,5}\b"
)


@dataclass
class Candidate:
    term: str
    kind: str  #: "acronym" (defined in a text), "undefined acronym", "organisation", "name" (an Act ...) or "phrase"
    long_form: str = ""
    count: int = 0
    documents: set[str] = field(default_factory=set)
    context: str = ""

    @property
    def score(self) -> float:
        weight = {"acronym": 3.0, "organisation": 2.0, "name": 2.0, "undefined acronym": 1.5, "phrase": 1.0}[self.kind]
        return weight * len(self.documents) + self.count / 10


def _context(text: str, start: int, end: int, width: int = 60) -> str:
    left = text[max(0, start - width) : start].split("\n")[-1]
    right = text[end : end + width].split("\n")[0]
    return re.sub(r"\s+", " ", f"{left}{text[start:end]}{right}").strip()


def find_candidates(
    paths: Iterable[str | os.PathLike], pipeline: Pipeline | None = None, min_count: int = 2
) -> tuple[list[Candidate], list[SourceError]]:
    """Candidates from the documents under ``paths``, best first, and the inputs that failed."""
    pipeline = pipeline or Pipeline()
    matcher = pipeline.matcher
    found: dict[tuple[str, str], Candidate] = {}
    ignore = set(tomllib.loads((data_dir() / "patterns" / "candidates.toml").read_text(encoding="utf-8"))["ignore"])
    failures: list[SourceError] = []

    def note(term: str, kind: str, doc: str, text: str, start: int, end: int, long_form: str = "") -> None:
        key = (kind, norm(term))
        candidate = found.setdefault(key, Candidate(term, kind, long_form))
        candidate.count += 1
        candidate.documents.add(doc)
        if not candidate.context:
            candidate.context = _context(text, start, end)

    for source in iter_sources(paths):
        if isinstance(source, SourceError):
            failures.append(source)
            continue
        for document in parse(source):
            extraction = matcher.extract(document)
            text = document.text
            for definition in extraction.definitions:
                if definition.entity is None and not matcher.lookup(definition.acronym):
                    note(
                        definition.acronym,
                        "acronym",
                        document.title,
                        text,
                        definition.start,
                        definition.end,
                        definition.long_form,
                    )
            for entity in extraction.new_entities:
                kind = "organisation" if entity.type in _ORGANISATION_KINDS else "name"
                for m in extraction.mentions:
                    if m.entity == entity.iri:
                        note(entity.label, kind, document.title, text, m.start, m.end)
            known = [(m.start, m.end) for m in extraction.mentions]
            defined = {d.acronym.rstrip("s") for d in extraction.definitions} | ignore
            defined.add(document.fields.get("responsible", "").strip())  # the briefing writer's initials
            for match in _ACRONYM.finditer(text):
                term = match.group(0)
                if (
                    term in defined
                    or any(match.start() < e and s < match.end() for s, e in known)
                    or matcher.lookup(term)
                ):
                    continue
                note(term, "undefined acronym", document.title, text, match.start(), match.end())
            for match in _PHRASE.finditer(text):
                words = match.group(0).split()
                while words and words[0] in _COMMON:
                    words = words[1:]
                if len(words) < 2 or any(match.start() < e and s < match.end() for s, e in known):
                    continue
                phrase = " ".join(words)
                if matcher.lookup(phrase) or phrase.isupper():
                    continue
                note(phrase, "phrase", document.title, text, match.start(), match.end())
    ranked = [c for c in found.values() if c.kind not in ("phrase", "undefined acronym") or c.count >= min_count]
    ranked.sort(key=lambda c: (-c.score, c.term.lower()))
    return ranked, failures
