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
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.graph import namespaces as ns
from kg.ingest.clauses import CueGrammar, CueMatch
from kg.ingest.concepts import Phrase, concept_phrases, occurrences
from kg.ingest.extract import EntityMatcher, Extraction, Mention, NewEntity, Relation
from kg.ingest.parse import ParsedDocument
from kg.ingest.references import Descriptions, Instances, Pairs, lead_ins, named_like
from kg.ingest.spans import Spans
from kg.ingest.vocabulary import Vocabulary, data_dir

_TOKEN = re.compile(r"⟨(\d+)⟩")
#: "the MCP contract published in December 2016 and the PACS framework": a dated aside inside a list
_ASIDE = r"(?:\s+(?:published|issued|introduced|agreed|signed|launched|announced|set up|created)\s+(?:in|on|during)\s+[^⟨⟩.;,]{1,30}?)?"
_SEP = _ASIDE + r"[\s'‘’“”\"]*(?:,\s*and\b|,\s*or\b|,|\band\b|\bor\b|\bas well as\b|/)?[\s'‘’“”\"]*(?:the\s+)?"
_LIST = rf"(?:⟨\d+⟩(?:{_SEP}⟨\d+⟩)*)"
_SAME = re.compile(r"^[\s(),'\"‘’“”]*(?:or\s+|aka\s+|also known as\s+)?[\s(),'\"‘’“”]*$", re.I)
_POSSESSIVES = ("'s", "’s")
#: initials: "U.K.", "U.S." (a capital and a full stop, twice or more: "Annex B." ends a sentence more often
#: than "J." stands before a surname)
_INITIALS = re.compile(r"(?:[A-Z]\.){2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9•])|(?<![a-z,])\n+|\n+(?![a-z])|\s*•\s*")
#: the subject pronouns looked for inside a sentence (``RelationExtractor._inner_pronoun``)
_INNER_PRONOUNS = "it|they"
#: a subject pronoun after a space: every match of ``RelationExtractor._inner_pronoun`` holds one
_SPACED_PRONOUN = re.compile(rf"\s(?:{_INNER_PRONOUNS})", re.I)
#: a sentence whose subject is "there" or a pronoun left unresolved: "There are 42 of them, ...", "Of these, ..."
_NO_SUBJECT = re.compile(r"^\W*there\s+(?:is|are|was|were)\b|\b(?:them|they|it|these|those)\b", re.I)
#: a list standing after one of these is not a sentence's subject
_AFTER_PREPOSITION = r"\b(?:of|in|on|for|by|with|from|to|about|under|after|before)\s*$"


#: Kinds that name a kind of thing rather than one body ("local councils", "NHS trusts").
_KINDS_OF_THING = {"OrganisationType", "CareModel", "Concept"}
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


def _family(kinds: set[str]) -> set[str]:
    """The families of a kind for a same_kind property: a body and a kind of body are one ("NHS Greater
    Manchester Integrated Care took over the functions of the CCGs": a body supersedes a kind of body)."""
    found = kinds & _FAMILIES
    return found | {"Organisation"} if "OrganisationType" in found else found


def _word_of(start: int, match: re.Match[str]) -> tuple[int, int]:
    """Where an opening anaphor stands in the text: its last word, not a dated opening before it."""
    return start + match.end() - len(match.group(0).split()[-1]), start + match.end()


class Referent(list[str]):
    """What an anaphor stands for (its entities, as a token's list), with the next likeliest referents.

    "The Act created the Commission. It replaced three bodies": ``It`` is first the sentence before's
    subject (the Act); where a cue's type limits allow no relation with that, the next candidates
    (the Commission) are tried in turn, each a list of entities like the first.
    """

    def __init__(self, entities: list[str], alternatives: list[list[str]] | None = None):
        super().__init__(entities)
        self.alternatives = alternatives or []


#: the kinds of publisher that "we" on its own pages stands for
_SPEAKERS = {"Organisation", "CareModel"}
#: a sentence that ends in a question mark (and closing quotes or brackets)
_ASKS = re.compile(r"\?[\s\"'’”)\]]*$")


class _ByPosition:
    """A document's mentions in text order, so a sentence takes its own by two binary searches, not a scan of all."""

    def __init__(self, mentions: list[Mention]):
        self.all = sorted(mentions, key=lambda m: (m.start, m.end))
        self.starts = [m.start for m in self.all]

    def within(self, start: int, end: int) -> list[Mention]:
        """Mentions starting in [start, end) (the caller keeps those that also end by ``end``)."""
        return self.all[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def before(self, at: int) -> list[Mention]:
        """Mentions starting before ``at``."""
        return self.all[: bisect_left(self.starts, at)]


@dataclass(frozen=True)
class Rule:
    name: str
    predicate: str
    regex: re.Pattern
    swap: bool
    #: words every match holds, as one case-insensitive pattern (None: try every sentence)
    needs: re.Pattern | None = None


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """The words a full stop does not end a sentence after (``data/patterns/sentences.toml``)."""
    spec = tomllib.loads((data_dir() / "patterns" / "sentences.toml").read_text(encoding="utf-8"))
    return frozenset(w.lower() for w in spec["abbreviations"])


def _after_abbreviation(text: str, at: int) -> bool:
    """Whether the full stop before ``at`` belongs to an abbreviation ("e.g.", "No.") or to initials ("U.K.")."""
    lo = max(0, at - 24)  # the longest abbreviation is a few letters: no need to look further back
    word = text[max(lo - 1, text.rfind(" ", lo, at), text.rfind("\n", lo, at), text.rfind("(", lo, at)) + 1 : at]
    listed = _abbreviations()
    # as listed, or with a capital ("No.", "Dr."), except one letter: "p. 4" goes on, "Part C. The" ends
    return word in listed or (len(word) > 2 and word.lower() in listed) or bool(_INITIALS.fullmatch(word))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or bullet point, stripped of surrounding space."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        at = match.start()
        if at and text[at - 1] == "." and _after_abbreviation(text, at):
            continue  # "e.g. Monitor", "(No. 2) Regulations": the sentence goes on
        spans.append((start, at))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        # str.strip() takes off exactly the characters str.isspace() holds true for
        kept = text[s:e].lstrip()
        if kept:
            s = e - len(kept)
            result.append((s, s + len(kept.rstrip())))
    return result


def _overlaps(found: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one of ``found`` (non-overlapping spans in text order) overlaps ``start``–``end``."""
    at = bisect_right(found, start, key=lambda f: f[1])
    return at < len(found) and found[at][0] < end


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
        #: (subject kind, object kind) pairs a property never links
        self.never = {name: [tuple(pair) for pair in v.get("never", [])] for name, v in spec["predicates"].items()}
        self.rules = []
        for rule in spec["rule"]:
            pattern = rule["pattern"].replace("<A>", f"(?P<A>{_LIST})").replace("<B>", f"(?P<B>{_LIST})")
            needs = "|".join(re.escape(w) for w in rule.get("needs", ()))
            self.rules.append(
                Rule(
                    rule["name"],
                    rule["predicate"],
                    re.compile(pattern, re.I),
                    bool(rule.get("swap")),
                    re.compile(needs, re.I) if needs else None,
                )
            )
        self.cues = CueGrammar(directory / "cues.toml")
        self._vocabulary_kinds: dict[str, set[str]] = {}
        anaphora = tomllib.loads((directory / "anaphora.toml").read_text(encoding="utf-8"))
        self.descriptions = Descriptions({noun: cls for noun, cls in anaphora["nouns"].items()})
        self.window = anaphora.get("window", 2)
        self.pairs = Pairs(anaphora.get("pairs", {}))
        kinds = set(anaphora["instances"]["kinds"])
        self.instances = Instances(
            kinds,
            {e.iri: e.labels for e in self.vocabulary.entities.values() if self.vocabulary.kinds(e.iri) & kinds},
            self.window,
        )
        self.nouns = {noun: cls for noun, cls in anaphora["nouns"].items()}
        determiners = "|".join(re.escape(w) for w in sorted(anaphora["determiners"]["words"], key=len, reverse=True))
        nouns = "|".join(re.escape(n) for n in self.nouns)
        self._noun_anaphor = re.compile(
            rf"^\W*(?:{determiners})\s+(?:new\s+|revised\s+|draft\s+)?(?P<noun>{nouns})s?\b", re.I
        )
        spec = anaphora["pronouns"]
        pronouns = "|".join(re.escape(w) for w in spec["words"])
        # what may follow "These", "Each of them", "Many of them" for it to be a subject: a verb, after adverbs
        between = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in spec.get("demonstrative_between", []))
        verbs = "|".join(re.escape(w) for w in spec.get("demonstrative_verbs", []))
        openers = "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(anaphora["pronouns"].get("openers", []), key=len)[::-1]
        )
        each = "|".join(
            re.escape(w).replace(r"\ ", r"\s+")
            for w in sorted(anaphora["pronouns"].get("distributive", []), key=len)[::-1]
        )
        # "It ...", or after a dated opening ("On 1 July 2022 it took over ...") or an opening word ("Before that it");
        # "Each is ...", "Each of them has ...": before a verb only ("Each ICB must" is no pronoun)
        self._pronoun = re.compile(
            rf"^\W*(?:(?:in|on|from|by|since|after|during|until|at)\s+[^,⟨⟩.;]{{0,30}}?\d{{4}},?\s+|(?:{openers})\s*,?\s+"
            # an opening phrase: "Among other changes, it", "Set up by the Health and Care Act 2022, it" (the
            # lookahead first: most sentences have no comma and pronoun near their start, and fail it at once)
            rf"|(?=[^,.;]{{1,100}},\s+(?:{pronouns}|{each})\b)(?:[A-Za-z0-9][\w’'-]*\s+){{0,11}}[A-Za-z0-9][\w’'-]*,\s+)?"
            rf"(?:(?:{pronouns})\b|(?:{each})(?=(?:\s+(?:{between}|[a-z]+ly))*\s+(?:{verbs}|[a-z]+ed|is|was|has|must|can|may|should)\b))",
            re.I,
        )
        alone = "|".join(re.escape(w) for w in spec.get("demonstratives", []))
        self._demonstrative = re.compile(
            rf"^\W*(?:{alone})(?=(?:\s+(?:{between}|[a-z]+ly))*\s+(?:{verbs}|[a-z]+ed)\b)" if alone else r"(?!x)x",
            re.I,
        )
        # "..., when they replaced ...", "because it was set up by ...", "...; it was": a subject pronoun inside a sentence
        self._inner_pronoun = re.compile(
            r"(?:\b(?:because|when|as|after|before|since|until|while|although|though|once|where|so|but|and)|;)\s+"
            rf"(?:then\s+|now\s+)?(?P<pronoun>{_INNER_PRONOUNS})\b(?!\s+(?:is|was|has|had|were|are)\s+(?:agreed|thought|said|expected|likely|clear|hoped|noted|reported|felt)\b)",
            re.I,
        )
        first = "|".join(re.escape(w) for w in anaphora.get("first_person", {}).get("words", []))
        self._first_person = re.compile(rf"\b(?:{first})\b" if first else r"(?!x)x", re.I)
        self.concepts = concept_phrases()
        #: the kinds of the concept phrases offered to the cues of the sentence at hand (IRI -> kinds)
        self._candidates: dict[str, set[str]] = {}

    def kinds(self, iri: str, extraction: Extraction) -> set[str]:
        if iri in self._vocabulary_kinds:
            return self._vocabulary_kinds[iri]
        if iri in self._candidates:
            return self._candidates[iri]
        found = self.vocabulary.kinds(iri)
        if found:
            self._vocabulary_kinds[iri] = found
        else:
            for entity in extraction.new_entities:
                if entity.iri == iri:
                    found = self._class_kinds(entity.type)
        return found

    def _class_kinds(self, local: str) -> set[str]:
        """A kg: class's name and those of its kg: superclasses, as Vocabulary.kinds gives them."""
        classes = self.vocabulary.superclasses.get(ns.ONTOLOGY + local, {ns.ONTOLOGY + local})
        return {cls.rsplit("#", 1)[-1] for cls in classes if cls.startswith(ns.ONTOLOGY)}

    def _concept_relations(
        self,
        skeleton: str,
        tokens: list[list[str]],
        named: dict[str, Phrase],
        extra: list[tuple[int, int, list[str]]],
        span: tuple[int, int],
        add: Callable[..., None],
        extraction: Extraction,
        more: tuple[str, ...] = (),
    ) -> dict[str, Phrase]:
        """The cues' relations between a known entity and a concept phrase (concepts.py) in a skeleton that holds
        the phrases ``named`` (IRI -> phrase) beside the entities, and the phrases they took. The same words'
        other relations are found without the phrases, so a phrase never changes them."""
        self._candidates = {iri: self._class_kinds(p.kind) for iri, p in named.items()}
        taken: dict[str, Phrase] = {}

        def one_side(subject, predicate, obj, *rest, **options):
            if (subject in named) != (obj in named):
                add(subject, predicate, obj, *rest, **options)
                iri = subject if subject in named else obj
                taken[iri] = named[iri]

        try:
            self._cue_relations(skeleton, tokens, extra, span, one_side, extraction, (*more, "concept-phrase"))
        finally:
            self._candidates = {}
        return taken

    def _mint(self, text: str, taken: dict[str, Phrase], extraction: Extraction) -> None:
        """The concepts the cues took become entities (unless the vocabulary has one of that IRI: a form of
        its name the matcher missed), marked wherever the text writes them."""
        known = {e.iri for e in extraction.new_entities} | set(self.vocabulary.entities)
        taken_spans = Spans([(m.start, m.end) for m in extraction.mentions])
        for iri, phrase in taken.items():
            if iri not in known:
                extraction.new_entities.append(NewEntity(iri, phrase.label, phrase.kind))
            for start, end in occurrences(text, phrase.label):
                if not taken_spans.overlaps(start, end):
                    extraction.mentions.append(Mention(iri, start, end, text[start:end], "concept-phrase"))
                    taken_spans.add(start, end)
        extraction.mentions.sort(key=lambda m: (m.start, m.end))

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
            # "NHS England's plan": the possessive a mention took in stays in the skeleton ("⟨0⟩'s ⟨1⟩")
            pieces.append(f"⟨{len(tokens)}⟩" + (text[e - 2 : e] if text[s:e].endswith(_POSSESSIVES) else ""))
            tokens.append(entities)
            cursor = e
        pieces.append(text[cursor:end])
        return "".join(pieces), tokens

    def _anaphor(
        self,
        text: str,
        span: tuple[int, int],
        previous: list[tuple[int, int]],
        index: _ByPosition,
        extraction: Extraction,
        spaced: list[int] | None = None,
        before: list[tuple[int, int, list[str]]] | None = None,
    ) -> list[tuple[int, int, list[str]]]:
        """What the anaphors opening this sentence stand for; ``before``: those of the sentence before."""
        s, e = span
        sentence = text[s:e]
        match = self._noun_anaphor.match(sentence)
        if match:
            noun = match.group("noun").lower()
            wanted = self.nouns[noun]
            # "The Act": first the last entity of that kind whose name holds the word
            alike = [
                m.entity for m in index.before(s) if named_like(m.exact, noun, self.kinds(m.entity, extraction), wanted)
            ]
            if alike:  # the one the text names most (its subject), the later on a tie
                best = max(alike.count(iri) for iri in alike)
                return [(s + match.start("noun"), s + match.end(), [[i for i in alike if alike.count(i) == best][-1]])]
            for ps, pe in reversed(previous[-self.window :]):
                named = [
                    m.entity for m in index.within(ps, pe) if m.end <= pe and wanted in self.kinds(m.entity, extraction)
                ]
                if named:
                    return [(s + match.start("noun") - 0, s + match.end(), [named[-1]])]
            return []
        found = self._inner(text, span, index, spaced)
        if not previous:
            return found
        pronoun = self._pronoun.match(sentence)
        demonstrative = self._demonstrative.match(sentence)
        if not pronoun and not demonstrative:
            return found
        ps, pe = previous[-1]
        # "The Act ... . It received ... . It replaced ...": the sentence before's own anaphors count
        skeleton, tokens = self._skeleton(text, ps, pe, index.within(ps, pe), before or [])
        if pronoun:
            first = re.search(_LIST, skeleton)
            # only the previous sentence's subject: a list near its start, not after a preposition
            lead = skeleton[: first.start()] if first else ""
            if len(previous) > 1 and _NO_SUBJECT.search(lead if first else skeleton):
                # "ICBs are NHS bodies. There are 42 of them, one for each ICS. They were created by ...": a
                # sentence with no subject of its own passes the one before it on
                ps, pe = previous[-2]
                skeleton, tokens = self._skeleton(text, ps, pe, index.within(ps, pe), [])
                first = re.search(_LIST, skeleton)
                lead = skeleton[: first.start()] if first else ""
            if first and len(lead) <= 40 and not re.search(_AFTER_PREPOSITION, lead, re.I):
                entities = [x for i in _TOKEN.findall(first.group(0)) for x in tokens[int(i)]]
                # the other entities of the sentence before, in its order: the referent where the subject's
                # kind fits no relation the sentence states
                rest = [x for i in _TOKEN.findall(skeleton[first.end() :]) for x in tokens[int(i)]]
                others = [[x] for x in dict.fromkeys(rest) if x not in entities]
                return [(*_word_of(s, pronoun), Referent(entities, others)), *found]
        listed: list[list[str]] = [tokens[int(i)] for i in _TOKEN.findall(skeleton)][::-1]
        if demonstrative and listed:  # "These in turn became ...": what was named last, then the others
            return [(*_word_of(s, demonstrative), Referent(listed[0], listed[1:])), *found]
        return found

    def _inner(
        self, text: str, span: tuple[int, int], index: _ByPosition, spaced: list[int] | None = None
    ) -> list[tuple[int, int, list[str]]]:
        """Subject pronouns after a conjunction inside the sentence: the sentence's subject, else the last entity before.

        ``spaced``: where ``_SPACED_PRONOUN`` matches in the whole text, in order (a pronoun after a space, as
        every match here has one): a sentence without one there is not searched.
        """
        s, e = span
        out: list[tuple[int, int, list[str]]] = []
        if spaced is not None:
            at = bisect_left(spaced, s)
            if at == len(spaced) or spaced[at] >= e:
                return out
        for match in self._inner_pronoun.finditer(text, s, e):
            a = match.start("pronoun")
            before = [m for m in index.within(s, a) if m.end <= a]
            if not before:
                continue
            skeleton, tokens = self._skeleton(text, s, a, before, [])
            first = re.search(_LIST, skeleton)
            lead = skeleton[: first.start()] if first else ""
            if first and len(lead) <= 40 and not re.search(_AFTER_PREPOSITION, lead, re.I):
                entities = [tokens[int(i)][0] for i in _TOKEN.findall(first.group(0))]
            else:
                entities = [before[-1].entity]
            out.append((a, match.end("pronoun"), entities))
        return out

    def _allowed(self, predicate: str, subject: str, obj: str, extraction: Extraction) -> bool:
        if subject == obj:
            return False
        subject_kinds, object_kinds = self.limits.get(predicate, (set(), set()))
        for subject_kind, object_kind in self.never.get(predicate, ()):
            if subject_kind in self.kinds(subject, extraction) and object_kind in self.kinds(obj, extraction):
                return False
        if predicate in self.same_kind and not (
            _family(self.kinds(subject, extraction)) & _family(self.kinds(obj, extraction))
        ):
            return False
        return (not subject_kinds or bool(self.kinds(subject, extraction) & subject_kinds)) and (
            not object_kinds or bool(self.kinds(obj, extraction) & object_kinds)
        )

    def _cue_relations(
        self,
        skeleton: str,
        tokens: list[list[str]],
        extra: list[tuple[int, int, list[str]]],
        span: tuple[int, int],
        add: Callable[..., None],
        extraction: Extraction,
        more: tuple[str, ...] = (),
    ) -> None:
        """The cue lexicon's relations in one skeleton, each subject and object pair within the type limits."""
        anaphors = {i for i, entities in enumerate(tokens) if any(entities is x[2] for x in extra)}
        for cue in self.cues.match(skeleton):
            mechanisms = cue.mechanisms + tuple(more)
            if anaphors & {*cue.subjects, *cue.objects}:
                mechanisms += ("anaphora",)
            pairs = self._cue_pairs(cue, cue.subjects, cue.objects, tokens, extraction)
            for i in sorted(anaphors & {*cue.subjects, *cue.objects}):
                if pairs:
                    break
                for alternative in getattr(tokens[i], "alternatives", ()):
                    changed = [*tokens[:i], alternative, *tokens[i + 1 :]]
                    pairs = self._cue_pairs(cue, cue.subjects, cue.objects, changed, extraction)
                    if pairs:
                        break
            if not pairs and cue.fallback:  # the words' own reading, where the coordinated one fits no kinds
                pairs = self._cue_pairs(cue, *cue.fallback, tokens, extraction)
                mechanisms = tuple(m for m in mechanisms if m != "coordination")
            for subject, obj in pairs:
                add(subject, cue.predicate, obj, *span, cue.cue, mechanisms, cue.modality, allowed=True)

    def _cue_pairs(
        self,
        cue: CueMatch,
        subjects: tuple[int, ...],
        objects: tuple[int, ...],
        tokens: list[list[str]],
        extraction: Extraction,
    ) -> list[tuple[str, str]]:
        """The (subject, object) pairs of one cue match that its own and its property's type limits allow."""
        pairs = []
        for subject in (x for i in subjects for x in tokens[i]):
            for obj in (x for i in objects for x in tokens[i]):
                kinds = (self.kinds(subject, extraction), self.kinds(obj, extraction))
                if self.cues.kinds_allow(cue.cue, *kinds) and self._allowed(cue.predicate, subject, obj, extraction):
                    pairs.append((subject, obj))
        return pairs

    def extract(self, document: ParsedDocument, extraction: Extraction) -> list[Relation]:
        text = document.text
        index_of = _ByPosition(extraction.mentions)
        found: dict[tuple[str, str, str], Relation] = {}

        def add(subject, predicate, obj, start, end, rule, mechanisms=("pattern",), modality="", allowed=False):
            if allowed or self._allowed(predicate, subject, obj, extraction):
                relation = Relation(subject, predicate, obj, start, end, rule, tuple(mechanisms), modality)
                found.setdefault((subject, predicate, obj), relation)

        spans = sentences(text)
        publisher = extraction.publisher
        # "we" on a body's own pages: an organisation, or one partnership of a care model ("We are part of ...")
        speaker = publisher if publisher and self.kinds(publisher, extraction) & _SPEAKERS else None
        spaced = [m.start() for m in _SPACED_PRONOUN.finditer(text)]

        def kinds_of(iri: str) -> set[str]:
            return self.kinds(iri, extraction)

        # "we" in the whole text: a sentence no match of it overlaps has none of its own (its \b are word edges,
        # and a sentence's edges are never inside a word)
        we = [(m.start(), m.end()) for m in self._first_person.finditer(text)] if speaker else []
        extras: dict[int, list[tuple[int, int, list[str]]]] = {}
        concepts: dict[str, Phrase] = {}
        head_at = self.concepts.head_positions(text)
        for index, (s, e) in enumerate(spans):
            extra = self._anaphor(text, (s, e), spans[:index], index_of, extraction, spaced, extras.get(index - 1))
            extra += self.descriptions.find(text, (s, e), spans[:index], index_of.before(e), kinds_of)
            extra += self.pairs.find(text, (s, e), spans[:index], index_of.within)
            extra += self.instances.find(text, (s, e), spans[:index], index_of.within, kinds_of)
            if speaker and _overlaps(we, s, e):  # on an organisation's own pages, "we" is the organisation
                extra += [(m.start(), m.end(), [speaker]) for m in self._first_person.finditer(text, s, e)]
            extras[index] = extra
            if _ASKS.search(text, s, e):  # "Will the new teams replace networks?": a question asserts nothing
                continue
            within = index_of.within(s, e)
            skeleton, tokens = self._skeleton(text, s, e, within, extra)
            if tokens and bisect_left(head_at, s) < bisect_left(head_at, e):  # a concept's head noun in the sentence
                spoken = [(m.start, m.end) for m in within] + [x[:2] for x in extra]
                phrases = self.concepts.find(text, s, e, spoken, self.cues.triggers)
                if phrases:
                    offered = {p.iri(self.vocabulary.base): p for p in phrases}
                    marks = [(p.start, p.end, [iri]) for iri, p in offered.items()]
                    with_skeleton, with_tokens = self._skeleton(text, s, e, within, extra + marks)
                    took = self._concept_relations(with_skeleton, with_tokens, offered, extra, (s, e), add, extraction)
                    concepts.update({k: v for k, v in took.items() if k not in concepts})
            if len(tokens) < 2:
                continue
            self._cue_relations(skeleton, tokens, extra, (s, e), add, extraction)
            for rule in self.rules:
                if rule.needs and not rule.needs.search(skeleton):
                    continue
                for match in rule.regex.finditer(skeleton):
                    subjects = [x for i in _TOKEN.findall(match.group("A")) for x in tokens[int(i)]]
                    objects = [x for i in _TOKEN.findall(match.group("B")) for x in tokens[int(i)]]
                    if rule.swap:
                        subjects, objects = objects, subjects
                    for subject in subjects:
                        for obj in objects:
                            add(subject, rule.predicate, obj, s, e, rule.name)
        for lead, items in lead_ins(text, spans):  # "two parts:" and the list under it, as one sentence
            s, e = spans[lead]
            skeleton, tokens = self._skeleton(text, s, e, index_of.within(s, e), extras[lead])
            heads = []
            listed: dict[str, Phrase] = {}  # the items that open with a concept phrase and name nothing
            for item in items:
                named = [m for m in index_of.within(*spans[item]) if m.end <= spans[item][1]]
                # "four local councils: Dudley ..., Sandwell ...": the bodies the item names, else its first entity
                bodies = [m.entity for m in named if self.vocabulary.kinds(m.entity) & _FAMILIES - _KINDS_OF_THING]
                bodies += [e.iri for e in extraction.new_entities if e.iri in {m.entity for m in named}]
                phrase = self.concepts.opening(text, *spans[item], self.cues.triggers)
                if phrase and all(phrase.end <= m.start for m in named):  # "- block payments, paid to ICBs"
                    listed.setdefault(phrase.iri(self.vocabulary.base), phrase)
                elif named:
                    heads.append(f"⟨{len(tokens)}⟩")
                    tokens.append(list(dict.fromkeys(bodies)) or [named[0].entity])
            whole = (s, spans[items[-1]][1])
            if heads and tokens:
                virtual = f"{skeleton} {' and '.join(heads)}"
                self._cue_relations(virtual, tokens, extras[lead], whole, add, extraction, ("lead-in",))
            if listed and tokens:  # "The scheme has four payment mechanisms:" and "- activity-based payment, ..."
                ends = " and ".join(f"⟨{len(tokens) + i}⟩" for i in range(len(listed)))
                with_them = [*tokens, *([iri] for iri in listed)]
                took = self._concept_relations(
                    f"{skeleton} {ends}", with_them, listed, extras[lead], whole, add, extraction, ("lead-in",)
                )
                concepts.update({k: v for k, v in took.items() if k not in concepts})
        if concepts:
            self._mint(text, concepts, extraction)
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
