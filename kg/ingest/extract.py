"""Stage 3, extract: find the vocabulary's entities in a document's text.

One Aho–Corasick automaton (pyahocorasick) holds every normal form of
every label, so a document is scanned once whatever the vocabulary's size.
The rules are the ones a librarian expects:

* acronyms and single capitalised words match with their case ("ACOs",
  "STPs'", but not "monitor the evidence"); other labels match without
  case, across hyphen, apostrophe and -ise/-ize variants, in the plural;
* the longest match wins, so "ACO contract" is not also an "ACO";
* an acronym the document defines after a long form ("... assurance
  process (ISAP)") means that entity for the rest of the document;
* a weak label ("Monitor") counts only beside a related entity, and where
  two entities share a label the one whose context the document names wins
  (a US Medicare ACO versus an English ACO).
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import ahocorasick

from kg.ingest.bills import act_stems, bills
from kg.ingest.conjuncts import shared_heads
from kg.ingest.labels import Normalised, is_case_sensitive, norm, normalise, normalise_both, slug, variants
from kg.ingest.metadata import choose_publisher, first_of
from kg.ingest.names import name_finder
from kg.ingest.parse import ParsedDocument
from kg.ingest.vocabulary import Entity, Vocabulary, data_dir

EXTRACTOR_VERSION = "0.2.0"

#: kinds of entity a longer name may contain ("Black Country Integrated Care System" holds "Integrated Care System")
_GENERIC = {"OrganisationType", "CareModel", "Concept", "PolicyEntity"}

_STOPWORDS = {"and", "of", "the", "for", "on", "in", "to", "&", "a", "an", "with"}


@dataclass(frozen=True)
class Mention:
    """One place in a document's text that names an entity."""

    entity: str
    start: int
    end: int
    exact: str
    how: str = "label"  #: label, acronym, learnt (defined in this document), weak


@dataclass(frozen=True)
class AcronymDefinition:
    """ "long form (ACR)" or "long form or ACR" in a document."""

    acronym: str
    long_form: str
    start: int  #: of the long form
    end: int  #: of the acronym
    entity: str | None  #: the entity the long form names, if known


@dataclass(frozen=True)
class Relation:
    """A statement between two entities, with the sentence that says it."""

    subject: str
    predicate: str  #: local name of a kg: property, e.g. "evolvesInto"
    object: str
    start: int  #: of the evidence sentence in the document text
    end: int
    rule: str = ""  #: which pattern or cue produced it
    mechanisms: tuple[str, ...] = ()  #: the grammar that took part (active, passive, list, anaphora ...)
    modality: str = ""  #: "" when asserted, "hedged" when the text says it might be so


@dataclass(frozen=True)
class NewEntity:
    """An entity the vocabulary lacks, found by a naming pattern (a trust, a CCG ...)."""

    iri: str
    label: str
    type: str  #: local name of a kg: class


@dataclass
class Extraction:
    """Everything found in one document."""

    mentions: list[Mention] = field(default_factory=list)
    definitions: list[AcronymDefinition] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    new_entities: list[NewEntity] = field(default_factory=list)
    publisher: str | None = None  #: IRI of the document's publisher
    producer: str | None = None  #: IRI of the library service that wrote a briefing

    @property
    def entities(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.mentions:
            seen.setdefault(m.entity)
        return list(seen)


@dataclass(frozen=True)
class _Hit:
    start: int  # original offsets
    end: int
    entities: tuple[str, ...]
    weak: bool
    acronym: bool


def _on_lines_with(pattern: re.Pattern, text: str, needs: tuple[str, ...]) -> Iterator[re.Match]:
    """``pattern.finditer(text)``, tried only on the lines holding one of ``needs`` (all of it if none given).

    For a pattern whose matches never cross a line break this finds the same
    matches, left to right, without trying the pattern at every capital letter.
    """
    if not needs:
        yield from pattern.finditer(text)
        return
    lines: set[tuple[int, int]] = set()
    for word in needs:
        at = text.find(word)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            lines.add((start, end))
            at = text.find(word, end)
    for start, end in sorted(lines):
        yield from pattern.finditer(text, start, end)


class EntityMatcher:
    """Finds vocabulary entities in text. Build once, use for many documents."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.entities = vocabulary.entities
        self._folded = ahocorasick.Automaton()
        self._cased = ahocorasick.Automaton()
        folded: dict[str, set] = defaultdict(set)
        cased: dict[str, set] = defaultdict(set)
        self.label_index = vocabulary.label_index  #: normal form -> entities (strong labels)
        for entity in self.entities.values():
            named_body = "Organisation" in vocabulary.kinds(entity.iri)  # "NHS Providers", not "NHS providers"
            for label, weak in [(lb, False) for lb in entity.labels] + [(lb, True) for lb in entity.weak_labels]:
                if is_case_sensitive(label) or (named_body and label[:1].isupper()):
                    key = normalise(label, fold_case=False).text
                    for form in {key, key.replace(" and ", " & ")} - {""}:
                        cased[form].add((entity.iri, weak))
                else:
                    for form in variants(label):
                        folded[form].add((entity.iri, weak))
        for automaton, table in ((self._folded, folded), (self._cased, cased)):
            for key, value in table.items():  # strong and weak senses sorted once here, not at every hit
                strong = tuple(sorted(iri for iri, weak in value if not weak))
                weak_only = tuple(sorted(iri for iri, weak in value if weak))
                automaton.add_word(key, (len(key), strong, weak_only))
            if table:
                automaton.make_automaton()
        self._has = {"folded": bool(folded), "cased": bool(cased)}
        spec = tomllib.loads((data_dir() / "patterns" / "organisations.toml").read_text(encoding="utf-8"))
        self._org_patterns = [(re.compile(p["regex"]), p["kind"], tuple(p.get("needs", ()))) for p in spec["pattern"]]
        self._not_name = set(spec.get("not_name_words", []))
        self._looked_up: dict[str, Entity | None] = {}
        self._kinds_of: dict[str, frozenset[str]] = {}
        self._act_stems = act_stems(vocabulary)

    def _kinds(self, iri: str) -> frozenset[str]:
        """The vocabulary's kinds of ``iri``, worked out once per entity (none for an entity it lacks)."""
        found = self._kinds_of.get(iri)
        if found is None:
            found = self._kinds_of[iri] = frozenset(self.vocabulary.kinds(iri))
        return found

    # ------------------------------------------------------------------ lookup

    def lookup(self, name: str) -> Entity | None:
        """The entity a whole name stands for ("The King's Fund", "NHSE"), if exactly one."""
        if name not in self._looked_up:
            self._looked_up[name] = self._lookup(name)
        return self._looked_up[name]

    def _lookup_iri(self, name: str) -> str | None:
        entity = self.lookup(name)
        return entity.iri if entity is not None else None

    def _lookup(self, name: str) -> Entity | None:
        name = name.replace("&", "and")
        found = self.label_index.get(norm(name)) or self.label_index.get(norm(re.sub(r"^the\s+", "", name, flags=re.I)))
        if found and len(found) == 1:
            return self.entities[next(iter(found))]
        if found:  # prefer the sense without a special context
            plain = [iri for iri in found if not self.entities[iri].sense_context]
            if len(plain) == 1:
                return self.entities[plain[0]]
        return None

    # ------------------------------------------------------------------ scanning

    def _scan(self, norm_text: Normalised, automaton: ahocorasick.Automaton, acronym: bool) -> list[_Hit]:
        text = norm_text.text
        hits = []
        for end, (length, strong, weak_only) in automaton.iter(text):
            start = end - length + 1
            if start > 0 and text[start - 1] != " ":
                continue
            stop = end + 1
            rest = text[stop : stop + 3]
            if rest and rest[0] != " ":
                if rest.startswith("es") and (len(rest) == 2 or rest[2] == " ") and not acronym:
                    stop += 2
                elif rest.startswith("s") and (len(rest) == 1 or rest[1] == " "):
                    stop += 1
                else:
                    continue
            o_start, o_end = norm_text.span(start, stop)
            if strong:
                hits.append(_Hit(o_start, o_end, strong, False, acronym))
            elif weak_only:
                hits.append(_Hit(o_start, o_end, weak_only, True, acronym))
        return hits

    @staticmethod
    def _longest(hits: list[_Hit]) -> list[_Hit]:
        taken: list[_Hit] = []
        # the spans taken so far, disjoint, in text order: a hit can overlap only the last one starting before its end
        starts: list[int] = []
        ends: list[int] = []
        for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start, h.weak)):
            if hit.end <= hit.start:  # an empty span (never from the scan) would break the order above
                return EntityMatcher._longest_slowly(hits)
            at = bisect_left(starts, hit.end)
            if at and ends[at - 1] > hit.start:
                continue
            taken.append(hit)
            starts.insert(at, hit.start)
            ends.insert(at, hit.end)
        return sorted(taken, key=lambda h: h.start)

    @staticmethod
    def _longest_slowly(hits: list[_Hit]) -> list[_Hit]:
        taken: list[_Hit] = []
        occupied: list[tuple[int, int]] = []
        for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start, h.weak)):
            if any(hit.start < e and s < hit.end for s, e in occupied):
                continue
            taken.append(hit)
            occupied.append((hit.start, hit.end))
        return sorted(taken, key=lambda h: h.start)

    def _resolve(self, hits: list[_Hit]) -> list[tuple[_Hit, str]]:
        """Choose one entity per hit: sense by context, weak labels only with support."""
        certain = {h.entities[0] for h in hits if not h.weak and len(h.entities) == 1}
        context = set(certain)
        for iri in certain:
            context |= self.entities[iri].neighbours
        chosen = []
        for hit in hits:
            options = list(hit.entities)
            if len(options) > 1:
                in_context = [iri for iri in options if self.entities[iri].sense_context & certain]
                plain = [iri for iri in options if not self.entities[iri].sense_context]
                options = in_context or plain or options
            iri = options[0]
            if hit.weak and not (self.entities[iri].neighbours & certain):
                continue
            chosen.append((hit, iri))
        return chosen

    # ------------------------------------------------------------------ acronyms defined in the text

    _DEFINED = re.compile(
        r"\(\s*(?P<paren>[A-Z][A-Za-z&]{1,9})\s*\)|\bor\s+(?:the\s+)?(?P<or>[A-Z][A-Z&]{1,8}[a-z]?)\b"
    )

    @staticmethod
    def _long_form(before: str, acronym: str) -> int | None:
        """Where, in ``before``, a long form for ``acronym`` starts (Schwartz–Hearst), or None."""
        letters = [c.lower() for c in acronym if c.isalnum()]
        if letters and letters[-1] == "s" and len(letters) > 2 and acronym[-1] == "s":
            letters = letters[:-1]  # plural: STPs
        words = list(re.finditer(r"[A-Za-z0-9][\w'’-]*", before))
        words = words[-(len(letters) + 4) :]
        if not words:
            return None
        span_start = words[0].start()
        long_text = before[span_start:].lower()
        i = len(long_text) - 1
        for j in range(len(letters) - 1, -1, -1):
            ch = letters[j]
            while i >= 0 and (long_text[i] != ch or (j == 0 and i > 0 and long_text[i - 1].isalnum())):
                i -= 1
            if i < 0:
                return None
            i -= 1
        start = span_start + i + 1
        content = [w for w in re.findall(r"[\w'’-]+", before[start:]) if w.lower() not in _STOPWORDS]
        if not content or len(content) > len(letters) + 1:
            return None
        return start

    def _definitions(self, text: str, chosen: list[tuple[_Hit, str]]) -> list[AcronymDefinition]:
        found = []
        for match in self._DEFINED.finditer(text):
            acronym = match.group("paren") or match.group("or")
            if sum(c.isupper() for c in acronym) < 2:
                continue
            before = text[max(0, match.start() - 200) : match.start()]
            offset = max(0, match.start() - 200)
            start = self._long_form(before.rstrip(" ,"), acronym)
            if start is None:
                continue
            long_start = offset + start
            long_end = offset + len(before.rstrip(" ,"))
            entity = next((iri for hit, iri in chosen if hit.end == long_end and hit.start <= long_start + 1), None)
            if entity is None:
                entity = next(
                    (iri for hit, iri in chosen if hit.start <= long_start < hit.end and hit.end <= long_end), None
                )
            found.append(AcronymDefinition(acronym, text[long_start:long_end], long_start, match.end(), entity))
        return found

    # ------------------------------------------------------------------ the whole document

    def extract(self, document: ParsedDocument) -> Extraction:
        text = document.text
        hits = []
        folded, cased = normalise_both(text)
        if self._has["folded"]:
            hits += self._scan(folded, self._folded, acronym=False)
        if self._has["cased"]:
            hits += self._scan(cased, self._cased, acronym=True)
        chosen = self._resolve(self._longest(hits))
        definitions = self._definitions(text, chosen)

        learnt: dict[str, str] = {}
        discovered: list[NewEntity] = []
        defined_spans: list[tuple[int, int, str]] = []
        for d in definitions:
            stem = d.acronym.rstrip("s") if d.acronym.endswith("s") and d.acronym[:-1].isupper() else d.acronym
            if d.entity:
                learnt[stem] = d.entity
            elif stem not in learnt:  # the document's own sense overrides the vocabulary's
                found = self._defined_entity(text, d)
                if found:
                    entity, start, end = found
                    discovered.append(entity)
                    learnt[stem] = entity.iri
                    defined_spans.append((start, end, entity.iri))
        mentions: list[Mention] = []
        covered: list[tuple[int, int]] = []
        for start, end, iri in defined_spans:
            mentions.append(Mention(iri, start, end, text[start:end], "defined"))
            covered.append((start, end))
        for hit, iri in chosen:
            if any(hit.start < e and s < hit.end for s, e, _ in defined_spans):
                continue
            exact = text[hit.start : hit.end]
            stem = exact[:-1] if exact.endswith("s") and exact[:-1].isupper() else exact
            how = "weak" if hit.weak else ("acronym" if hit.acronym else "label")
            if hit.acronym and stem in learnt:
                iri, how = learnt[stem], "learnt"
            mentions.append(Mention(iri, hit.start, hit.end, exact, how))
            covered.append((hit.start, hit.end))
        for acronym, iri in learnt.items():
            for match in re.finditer(rf"(?<![\w&]){re.escape(acronym)}s?(?![\w&])", text):
                if not any(match.start() < e and s < match.end() for s, e in covered):
                    mentions.append(Mention(iri, match.start(), match.end(), match.group(0), "learnt"))
        mentions += self._list_heads(text, covered)
        for iri, start, end in shared_heads(
            text, [(m.start, m.end, m.entity) for m in mentions if m.how != "weak"], covered, self._lookup_iri
        ):
            mentions.append(Mention(iri, start, end, text[start:end], "shared-head"))
        extraction = Extraction(mentions=mentions, definitions=definitions, new_entities=discovered)
        self._named_organisations(text, extraction)
        for iri, start, end in bills(text, self._act_stems, extraction.new_entities, mentions):
            extraction.mentions.append(Mention(iri, start, end, text[start:end], "bill"))  # the Act it became
        extraction.publisher = self._organisation(
            document, self._publisher_name(document), document.publisher_url, "OtherOrganisation", extraction
        )
        extraction.producer = self._organisation(document, document.producer_name, None, "LibraryService", extraction)
        extraction.mentions.sort(key=lambda m: (m.start, m.end))
        return extraction

    def _defined_entity(self, text: str, d: AcronymDefinition) -> tuple[NewEntity, int, int] | None:
        """An entity for a long form the vocabulary lacks ("American Chemical Society (ACS)"), and its span."""
        start, long_form = d.start, d.long_form.rstrip(" ,;:")
        lead = re.match(r"^(?:the|a|an)\s+", long_form, re.I)
        if lead:
            start, long_form = start + lead.end(), long_form[lead.end() :]
        if len(long_form.split()) < 2 or "\n" in long_form or self.lookup(long_form):
            return None
        kind = name_finder().kind_of(long_form) or ("Concept" if long_form[:1].islower() else "OtherOrganisation")
        iri = f"{self.vocabulary.base}id/{slug(long_form)}"
        return NewEntity(iri, long_form, kind), start, start + len(long_form)

    def _found_names(self, text: str, mentions: list[Mention]) -> list[tuple[int, int, str, str, bool]]:
        """(start, end, name, kind, may swallow named entities) of names built like a trust, a body or an Act."""
        found = []
        for pattern, kind, needs in self._org_patterns:
            for match in _on_lines_with(pattern, text, needs):
                start, name = match.start("name"), match.group("name")
                words = name.split()
                while words and words[0] in self._not_name:
                    start = text.index(words[1], start + len(words[0])) if len(words) > 1 else start
                    words = words[1:]
                name = " ".join(words)
                found.append((start, start + len(text[start : match.end("name")]), name, kind, True))
        found += self._proper_instances(text, mentions)
        finder = name_finder()
        for name in finder.find(text):
            start, label = name.start, name.name
            if name.section == "bodies" and " and " in label:  # "NHS England and the Care Quality Commission"
                left, right = label.rsplit(" and ", 1)
                right = re.sub(r"^(?:the|The)\s+", "", right)
                if (self.lookup(left) or finder.looks_like_organisation(left)) and (
                    self.lookup(right) or finder.looks_like_organisation(right)
                ):
                    start, label = name.end - len(right), right
            found.append((start, name.end, label, name.kind, name.section == "legislation"))
        return found

    _PROPER = re.compile(r"((?:[A-Z][\w'’-]*[ \t]+(?:(?:and|of|&)[ \t]+)?){1,5})$")

    def _proper_instances(self, text: str, mentions: list[Mention]) -> list[tuple[int, int, str, str, bool]]:
        """ "Black Country Integrated Care System": capitalised words before a kind the vocabulary knows.

        The kind written with capitals after a place's name is one body of
        that kind; it becomes an entity of the kind's class (an organisation
        for a type of organisation).
        """
        found = []
        for hit in mentions:
            kinds = self._kinds(hit.entity)
            written = hit.exact
            if not kinds & {"OrganisationType", "CareModel"} or " " not in written:
                continue
            if not all(w[:1].isupper() for w in written.split() if w not in ("and", "of", "&")):
                continue  # "integrated care system" is the kind; "Integrated Care System" after a place, one of them
            lead = self._PROPER.search(text[max(0, hit.start - 80) : hit.start])
            if not lead:
                continue
            words = lead.group(1).split()
            while words and (words[0] in self._not_name or words[0].lower() in ("and", "of", "&")):
                words = words[1:]
            if not words:
                continue
            start = hit.start - len(lead.group(1)) + lead.group(1).index(words[0])
            kind = "CareModel" if "CareModel" in kinds else "OtherOrganisation"
            found.append((start, hit.end, text[start : hit.end], kind, False))
        return found

    def _names_before(self, text: str, start: int, inner: Mention) -> bool:
        """Whether the words of a name before a known name inside it name something themselves (or are none:
        the known name is the whole, as in "the Department of Health and Social Care's")."""
        lead = text[start : inner.start].strip()
        if not lead:
            return True
        words = lead.split()
        return (
            len(words) > 1 or bool(self.lookup(lead)) or lead.isupper() or name_finder().looks_like_organisation(lead)
        )

    def _named_organisations(self, text: str, extraction: Extraction) -> None:
        """Trusts, CCGs, boards, bodies and Acts the vocabulary lacks, found by the shape of their names."""
        for start, end, written, kind, swallows in self._found_names(text, list(extraction.mentions)):
            words = written.split()
            name = " ".join(words)  # a name wrapped across lines is labelled on one
            if len(words) < 2 or self.lookup(name) or len(name) > 120:
                continue
            inside, crossing = [], False
            for m in extraction.mentions:  # one pass: the mentions inside the name, and any across its edges
                if start <= m.start and m.end <= end:
                    inside.append(m)
                elif m.start < end and start < m.end:
                    crossing = True
            named = [m for m in inside if self._kinds(m.entity) - _GENERIC]
            if not swallows and (
                len(named) > 1 or any(m.end == end and self._names_before(text, start, m) for m in named)
            ):
                # "Department of Health APMS Directions" is two names; "NHS England Transformation Directorate"
                # one, and so is "Improved Better Care Fund" (a word that names nothing before a known name)
                continue
            if crossing:
                continue
            iri = f"{self.vocabulary.base}id/{slug(name)}"
            if all(e.iri != iri for e in extraction.new_entities):
                extraction.new_entities.append(NewEntity(iri, name, kind))
            for m in inside:
                extraction.mentions.remove(m)
            extraction.mentions.append(Mention(iri, start, end, text[start:end], "name-pattern"))

    _LINE = re.compile(r"[^\n]*")
    _ITEM = re.compile(
        r"^\s*(?:[•●▪◦·‣∙*–-]|\d+[.)])\s*[‘'“\"]?(?P<head>[A-Z][\w’'-]*(?:[ -][\w’'-]+){0,2}?)[’'”\"]?\s*[.:–-]\s+\S"
    )

    def _list_heads(self, text: str, covered: list[tuple[int, int]]) -> list[Mention]:
        """Bullets that name a kind of the thing their lead-in lists.

        Under "Three contracting approaches for accountable models:", an item
        "Virtual. Practices agree ..." names the virtual model: the head word
        joined to a plural noun of the lead-in is looked up in the vocabulary.
        """
        found: list[Mention] = []
        nouns: list[str] = []
        for line in self._LINE.finditer(text):
            content = line.group(0).strip()
            if not content:
                continue
            item = self._ITEM.match(line.group(0))
            if content.endswith(":"):
                words = re.findall(r"[a-z]{4,}", content.lower())
                nouns = [
                    re.sub(r"(ch|sh|ss|x)es$", r"\1", w) if re.search(r"(ch|sh|ss|x)es$", w) else w[:-1]
                    for w in words
                    if w.endswith("s") and not w.endswith("ss")
                ]
                continue
            if not item:
                nouns = []
                continue
            start, end = line.start() + item.start("head"), line.start() + item.end("head")
            if any(start < e and s < end for s, e in covered):
                continue
            for noun in nouns:
                entity = self.lookup(f"{item.group('head')} {noun}")
                if entity:
                    found.append(Mention(entity.iri, start, end, text[start:end], "list-head"))
                    break
        return found

    def _publisher_name(self, document: ParsedDocument) -> str | None:
        """The publisher's name: the one written after "From:" (first of several), else a known name above the title."""

        def known(name: str) -> bool:
            entity = self.lookup(name)
            return entity is not None and "Organisation" in self.vocabulary.kinds(entity.iri)

        looks_like = name_finder().looks_like_organisation
        if document.publisher_name:
            name = document.publisher_name
            # "NHS Kent and Medway Integrated Care Board" is one board (organisations.toml), not two bodies
            if any((m := p.fullmatch(name)) and m.group("name") == name for p, _, _ in self._org_patterns):
                return name
            return first_of(name, known, looks_like)
        return choose_publisher(list(document.publisher_candidates), known, looks_like)

    @staticmethod
    def _name_in_text(text: str, name: str, iri: str, extraction: Extraction) -> None:
        """Every place the text writes a body's name that only its header gave ("NHS Greater Manchester
        Integrated Care" has no head noun to be found by), in place of the shorter names found inside it."""
        words = name.split()
        if len(words) < 2:
            return
        pattern = re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, words)) + r"(?![\w-])")
        for found in pattern.finditer(text):
            start, end = found.span()
            inside = [m for m in extraction.mentions if start <= m.start and m.end <= end]
            if any(m.start < end and start < m.end for m in extraction.mentions if m not in inside):
                continue  # a longer name, or one across its edge, was found there
            if any(m.entity == iri and (m.start, m.end) == (start, end) for m in inside):
                continue
            for m in inside:
                extraction.mentions.remove(m)
            extraction.mentions.append(Mention(iri, start, end, found.group(0), "metadata"))

    def _organisation(
        self, document: ParsedDocument, name: str | None, url: str | None, kind: str, extraction: Extraction
    ) -> str | None:
        """Resolve a publisher or producer written as a name or a web address; mint one if unknown."""
        entity = self.lookup(name) if name else None
        if entity is None and url:
            host = re.sub(r"^https?://([^/:]+).*$", r"\1", url)
            entity = self.vocabulary.by_host(host)
        if entity is not None:
            iri = entity.iri
        elif name and len(name.split()) <= 10:
            iri = f"{self.vocabulary.base}id/{slug(name)}"
            if all(e.iri != iri for e in extraction.new_entities):  # found by its name's shape already, with its kind
                extraction.new_entities.append(NewEntity(iri, name, kind))
            self._name_in_text(document.text, name, iri, extraction)
        else:
            return None
        if iri not in {m.entity for m in extraction.mentions}:
            written = name or url
            at = document.text.find(written) if written else -1
            if written and at >= 0:
                extraction.mentions.append(Mention(iri, at, at + len(written), written, "metadata"))
        return iri
