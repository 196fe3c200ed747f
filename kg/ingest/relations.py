"""Stage 3b, relations: statements between the entities found in one sentence.

Patterns are data (``data/patterns/relations.toml``): regular expressions
over a sentence in which every entity mention has become a token, so one
pattern covers every pair of entities and every way of listing them
("MCPs and PACS are examples of ACOs"). Type limits per property keep a
pattern from linking the wrong kinds of thing; a few anaphors ("this new
contract", "It") are resolved to the entity they point back to
(``data/patterns/anaphora.toml``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kg.graph import namespaces as ns
from kg.ingest.extract import EntityMatcher, Extraction, Mention, Relation
from kg.ingest.parse import ParsedDocument
from kg.ingest.vocabulary import Vocabulary, data_dir

_TOKEN = re.compile(r"⟨(\d+)⟩")
#: "the MCP contract published in December 2016 and the PACS framework": a dated aside inside a list
_ASIDE = r"(?:\s+(?:published|issued|introduced|agreed|signed|launched|announced|set up|created)\s+(?:in|on|during)\s+[^⟨⟩.;,]{1,30}?)?"
_SEP = _ASIDE + r"[\s'‘’“”\"]*(?:,\s*and\b|,\s*or\b|,|\band\b|\bor\b|\bas well as\b|/)?[\s'‘’“”\"]*(?:the\s+)?"
_LIST = rf"(?:⟨\d+⟩(?:{_SEP}⟨\d+⟩)*)"
_SAME = re.compile(r"^[\s(),'\"‘’“”]*(?:or\s+|aka\s+|also known as\s+)?[\s(),'\"‘’“”]*$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9•])|(?<![a-z,])\n+|\n+(?![a-z])|\s*•\s*")
#: Kinds two entities must share for a same_kind property (a contract supersedes a contract).
_FAMILIES = {
    "CareModel",
    "Organisation",
    "OrganisationType",
    "Contract",
    "Plan",
    "Legislation",
    "Concept",
    "PolicyProgramme",
}


@dataclass(frozen=True)
class Rule:
    name: str
    predicate: str
    regex: re.Pattern
    swap: bool


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or bullet point, stripped of surrounding space."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


class RelationExtractor:
    """Applies the relation patterns to one document at a time."""

    def __init__(self, vocabulary: Vocabulary, matcher: EntityMatcher, directory: Path | None = None):
        self.vocabulary = vocabulary
        self.matcher = matcher
        directory = Path(directory or data_dir() / "patterns")
        spec = tomllib.loads((directory / "relations.toml").read_text(encoding="utf-8"))
        self.limits = {
            name: (set(v.get("subject", [])), set(v.get("object", []))) for name, v in spec["predicates"].items()
        }
        self.same_kind = {name for name, v in spec["predicates"].items() if v.get("same_kind")}
        self.rules = []
        for rule in spec["rule"]:
            pattern = rule["pattern"].replace("<A>", f"(?P<A>{_LIST})").replace("<B>", f"(?P<B>{_LIST})")
            self.rules.append(Rule(rule["name"], rule["predicate"], re.compile(pattern, re.I), bool(rule.get("swap"))))
        anaphora = tomllib.loads((directory / "anaphora.toml").read_text(encoding="utf-8"))
        self.window = anaphora.get("window", 2)
        self.nouns = {noun: cls for noun, cls in anaphora["nouns"].items()}
        determiners = "|".join(re.escape(w) for w in sorted(anaphora["determiners"]["words"], key=len, reverse=True))
        nouns = "|".join(re.escape(n) for n in self.nouns)
        self._noun_anaphor = re.compile(
            rf"^\W*(?:{determiners})\s+(?:new\s+|revised\s+|draft\s+)?(?P<noun>{nouns})s?\b", re.I
        )
        pronouns = "|".join(re.escape(w) for w in anaphora["pronouns"]["words"])
        self._pronoun = re.compile(rf"^\W*(?:{pronouns})\b", re.I)

    def kinds(self, iri: str, extraction: Extraction) -> set[str]:
        found = self.vocabulary.kinds(iri)
        if not found:
            for entity in extraction.new_entities:
                if entity.iri == iri:
                    for cls in self.vocabulary.superclasses.get(ns.ONTOLOGY + entity.type, {ns.ONTOLOGY + entity.type}):
                        found.add(cls.rsplit("#", 1)[-1])
        return found

    def _skeleton(
        self, text: str, start: int, end: int, mentions: list[Mention], extra: list[tuple[int, int, list[str]]]
    ) -> tuple[str, list[list[str]]]:
        """The sentence with each mention as ⟨i⟩; tokens[i] lists the entities it stands for."""
        items = [(m.start, m.end, [m.entity]) for m in mentions if start <= m.start and m.end <= end]
        items += extra
        items.sort(key=lambda t: (t[0], -t[1]))
        pieces: list[str] = []
        tokens: list[list[str]] = []
        cursor = start
        for s, e, entities in items:
            if s < cursor:
                continue
            gap = text[cursor:s]
            if tokens and tokens[-1] == entities and _SAME.match(gap) and pieces:
                # "integrated care systems (ICSs)": one thing named twice
                closing = re.match(r"[)\]’'”\"]*", text[e:end])  # matches, if only the empty string
                cursor = e + (len(closing.group(0)) if closing else 0) if "(" in gap else e
                continue
            pieces.append(gap)
            pieces.append(f"⟨{len(tokens)}⟩")
            tokens.append(entities)
            cursor = e
        pieces.append(text[cursor:end])
        return "".join(pieces), tokens

    def _anaphor(
        self,
        text: str,
        span: tuple[int, int],
        previous: list[tuple[int, int]],
        mentions: list[Mention],
        extraction: Extraction,
    ) -> list[tuple[int, int, list[str]]]:
        s, e = span
        sentence = text[s:e]
        match = self._noun_anaphor.match(sentence)
        if match:
            wanted = self.nouns[match.group("noun").lower()]
            for ps, pe in reversed(previous[-self.window :]):
                named = [
                    m.entity
                    for m in mentions
                    if ps <= m.start and m.end <= pe and wanted in self.kinds(m.entity, extraction)
                ]
                if named:
                    return [(s + match.start("noun") - 0, s + match.end(), [named[-1]])]
            return []
        match = self._pronoun.match(sentence)
        if match and previous:
            ps, pe = previous[-1]
            skeleton, tokens = self._skeleton(text, ps, pe, mentions, [])
            first = re.search(_LIST, skeleton)
            # only the previous sentence's subject: a list near its start, not after a preposition
            lead = skeleton[: first.start()] if first else ""
            if (
                first
                and len(lead) <= 40
                and not re.search(r"\b(?:of|in|on|for|by|with|from|to|about|under|after|before)\s*$", lead, re.I)
            ):
                entities = [tokens[int(i)][0] for i in _TOKEN.findall(first.group(0))]
                return [(s + match.start(), s + match.end(), entities)]
        return []

    def _allowed(self, predicate: str, subject: str, obj: str, extraction: Extraction) -> bool:
        if subject == obj:
            return False
        subject_kinds, object_kinds = self.limits.get(predicate, (set(), set()))
        if predicate in self.same_kind and not (
            self.kinds(subject, extraction) & self.kinds(obj, extraction) & _FAMILIES
        ):
            return False
        return (not subject_kinds or bool(self.kinds(subject, extraction) & subject_kinds)) and (
            not object_kinds or bool(self.kinds(obj, extraction) & object_kinds)
        )

    def extract(self, document: ParsedDocument, extraction: Extraction) -> list[Relation]:
        text, mentions = document.text, extraction.mentions
        found: dict[tuple[str, str, str], Relation] = {}

        def add(subject, predicate, obj, start, end, rule):
            if self._allowed(predicate, subject, obj, extraction):
                found.setdefault((subject, predicate, obj), Relation(subject, predicate, obj, start, end, rule))

        spans = sentences(text)
        for index, (s, e) in enumerate(spans):
            extra = self._anaphor(text, (s, e), spans[:index], mentions, extraction)
            skeleton, tokens = self._skeleton(text, s, e, mentions, extra)
            if len(tokens) < 2:
                continue
            for rule in self.rules:
                for match in rule.regex.finditer(skeleton):
                    subjects = [x for i in _TOKEN.findall(match.group("A")) for x in tokens[int(i)]]
                    objects = [x for i in _TOKEN.findall(match.group("B")) for x in tokens[int(i)]]
                    if rule.swap:
                        subjects, objects = objects, subjects
                    for subject in subjects:
                        for obj in objects:
                            add(subject, rule.predicate, obj, s, e, rule.name)
        # A briefing about a known publication: that publication was published by the source.
        titled = self.matcher.lookup(document.title)
        if titled and extraction.publisher:
            at = text.find(document.title)
            if at >= 0:
                add(
                    titled.iri,
                    "publishedBy",
                    extraction.publisher,
                    at,
                    at + len(document.title),
                    "briefing-title-and-source",
                )
        return sorted(found.values(), key=lambda r: (r.start, r.subject, r.predicate, r.object))
