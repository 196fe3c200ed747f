"""The site's read model: typed values for everything the pages and the map show.

:class:`SiteData` holds one :class:`EntityInfo` per entity, one
:class:`DocumentInfo` per document, the concept schemes and the merged
:class:`LineageStep` list; :func:`kg.web.reading.gather` fills it from a few
queries over the whole store and :mod:`kg.web.derived` derives the
vocabulary trees, the timeline and the "why are these connected?" data from
it in Python, so the number of queries does not grow with the number of pages.

Dates keep the precision they were written with (``2018``, ``2017-03``,
``2022-07-01``); :func:`~kg.ingest.dates.date_sort_key` orders them and
:func:`~kg.ingest.dates.format_date` writes them for people.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from kg.graph import namespaces as ns
from kg.graph.namespaces import local_name
from kg.graph.predicates import name_from_object, name_of
from kg.ingest.dates import date_sort_key, parse_date
from kg.ingest.labels import is_acronym
from kg.web import quoting

KG = ns.ONTOLOGY

# ------------------------------------------------------------------ values


@dataclass(slots=True)
class Quote:
    """One quote: the words, some text before and after (cut from the document text), and where they are.

    Slotted, with no list of its own until it has marks: a big store has millions of them.
    """

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    page: int | None = None
    marks: Sequence[tuple[int, int]] = ()  #: spans of ``exact`` to highlight; empty: all of it

    def segments(self) -> list[tuple[str, bool]]:
        """``exact`` cut into (text, highlighted) pieces."""
        if not self.marks:
            return [(self.exact, True)]
        out, at = [], 0
        for a, b in sorted(self.marks):
            a, b = max(a, at), min(b, len(self.exact))
            if a >= b:
                continue
            if a > at:
                out.append((self.exact[at:a], False))
            out.append((self.exact[a:b], True))
            at = b
        if at < len(self.exact):
            out.append((self.exact[at:], False))
        return out

    sentence: bool = False  #: the words are a statement's sentence (not a name): shown as a fragment when not one

    @property
    def before(self) -> str:
        """The words before, from the start of the quote's sentence or a whole word (:mod:`kg.web.quoting`)."""
        return quoting.before(self.prefix, self._starts_text)[0]

    @property
    def after(self) -> str:
        """The words after, to the end of the quote's sentence or the last whole word."""
        return quoting.after(self.suffix, quoting.ends_sentence(self.exact))[0]

    @property
    def cut_before(self) -> bool:
        """Whether the words before stop short of the sentence's start (shown with an ellipsis)."""
        return quoting.before(self.prefix, self._starts_text)[1]

    @property
    def cut_after(self) -> bool:
        return quoting.after(self.suffix, quoting.ends_sentence(self.exact))[1]

    @property
    def _starts_text(self) -> bool:
        return self.start is not None and self.start - len(self.prefix or "") <= 0

    @property
    def is_fragment(self) -> bool:
        """A statement's words that do not read as a sentence (a slide's boxes, a list run together)."""
        return self.sentence and not quoting.is_sentence(self.exact)

    def fragment(self) -> tuple[bool, list[tuple[str, bool]], bool]:
        """A few words around the marked names: (cut before, [(text, marked)], cut after)."""
        return quoting.fragment(self.exact, self.marks)

    def as_list(self) -> list:
        """Compact JSON form: [before, [[text, marked], ...], after, fragment]; an ellipsis where words were cut."""
        if self.is_fragment:
            cut_a, pieces, cut_b = self.fragment()
            return ["…" if cut_a else "", [[t, 1 if m else 0] for t, m in pieces if t], "…" if cut_b else "", 1]
        before = ("…" if self.cut_before else "") + self.before
        after = self.after + ("…" if self.cut_after else "")
        return [before, [[t, 1 if m else 0] for t, m in self.segments()], after, 0]


#: A place an entity is named whose words, position and context were not read (a mention counted, not quoted:
#: :func:`kg.web.reading.gather` with ``mention_words``). One value shared by every such place: never change it.
UNREAD = Quote("")


@dataclass(slots=True)
class Link:
    """One entity-to-entity statement: written in the vocabulary, or found in a document with its sentence."""

    subject: str
    predicate: str
    object: str
    document: str | None = None
    quote: Quote | None = None
    rule: str | None = None
    confirmed_by: str | None = None  #: the librarian who confirmed it (kg review)
    added_by: str | None = None  #: the librarian who added it, the extractor having missed it

    @property
    def name(self) -> str:
        return name_of(self.predicate)

    def name_from(self, iri: str) -> str:
        """How the link reads from ``iri``'s side."""
        return name_of(self.predicate) if iri == self.subject else name_from_object(self.predicate)

    def other(self, iri: str) -> str:
        return self.object if iri == self.subject else self.subject


@dataclass
class LineageStep:
    """A change from one entity to another (evolves into / superseded by), merged from every source that states it."""

    predecessor: str
    successor: str
    relation: str  #: "evolvesInto" or "supersedes"
    date: str | None = None  #: from a LineageEvent
    comment: str | None = None
    source: str | None = None  #: entity IRI the vocabulary cites for the event
    event: str | None = None
    in_vocabulary: bool = False
    documents: list[tuple[str, Quote]] = field(default_factory=list)

    @property
    def phrase(self) -> str:
        return "superseded by" if self.relation == "supersedes" else "evolved into"

    @property
    def inverse_phrase(self) -> str:
        """The step read from the successor's side."""
        return "superseded" if self.relation == "supersedes" else "evolved from"

    def best_date(self, documents: dict[str, DocumentInfo]) -> tuple[str | None, bool]:
        """The event's date, else the earliest date a quote of it writes, else the earliest issue date of a
        document that states it (and whether it is the last of these: a date only reported)."""
        if self.date:
            return self.date, False
        if self.stated_date:
            return self.stated_date, False
        dated = sorted(
            (documents[d].issued for d, _ in self.documents if d in documents and documents[d].issued),
            key=date_sort_key,
        )
        return (dated[0], True) if dated else (None, False)

    @cached_property
    def stated_date(self) -> str | None:
        """The earliest date the quotes of the step write in their own words ("... replaced Y in 2019"): a
        quote counts when its words outside the names it marks and outside relative clauses hold one year
        only (names such as "the Health and Care Act 2022" date nothing, nor does "Y, which was formed in
        1998")."""
        found = sorted((d for _, q in self.documents if (d := _date_in_words(q))), key=date_sort_key)
        return found[0] if found else None


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


#: a relative clause tells of the entity before it, not of the step: "Y, which was formed in 1998"
_RELATIVE = re.compile(r"(?:,\s*|\s+)(?:which|who|whose)\b[^,.;:]*")


def _date_in_words(quote: Quote) -> str | None:
    words = _RELATIVE.sub(" ", " ".join(text for text, marked in quote.segments() if not marked))
    if len(set(_YEAR.findall(words))) != 1:
        return None
    found = parse_date(words)
    return found.value if found else None


@dataclass
class EntityInfo:
    iri: str
    label: str
    page: str | None
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)  #: skos:hiddenLabel: found by search and the map, not shown
    weak_labels: list[str] = field(default_factory=list)  #: kg:weakLabel: names that need context, not shown
    definitions: list[str] = field(default_factory=list)
    scope_notes: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  #: kg: class IRIs
    homepages: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)  #: skos:exactMatch: Wikidata, legislation.gov.uk ...
    ods_codes: list[str] = field(default_factory=list)  #: NHS Organisation Data Service codes
    schemes: set[str] = field(default_factory=set)
    top_of: set[str] = field(default_factory=set)
    broader: set[str] = field(default_factory=set)
    narrower: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    dates: dict[str, str] = field(default_factory=dict)  #: "start", "end", "founded", "dissolved", "issued"
    links: list[Link] = field(default_factory=list)  #: every vocabulary and document link touching it
    mentions: dict[str, Sequence[Quote]] = field(default_factory=dict)  #: document IRI -> quotes

    @property
    def acronyms(self) -> list[str]:
        return [a for a in self.alt_labels if is_acronym(a)]

    @property
    def other_names(self) -> list[str]:
        return [a for a in self.alt_labels if not is_acronym(a)]

    @property
    def definition(self) -> str:
        return self.definitions[0] if self.definitions else ""

    @property
    def all_names(self) -> list[str]:
        """Every name the entity goes by: its label, other names and acronyms, hidden, then weak labels.

        Each once, case ignored; the map searches and lists these.
        """
        names: list[str] = []
        seen: set[str] = set()
        for name in (self.label, *self.alt_labels, *self.hidden_labels, *self.weak_labels):
            name = name.strip()
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names


@dataclass
class DocumentInfo:
    iri: str
    title: str
    page: str | None
    types: list[str] = field(default_factory=list)
    issued: str | None = None
    modified: str | None = None
    review_due: str | None = None
    publishers: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(
        default_factory=dict
    )  #: format, audience, abstract, key features, impact, responsible
    links: list[str] = field(default_factory=list)  #: dcterms:source addresses
    sources: list[dict] = field(default_factory=list)  #: path, sha256, encoding
    content_hash: str | None = None
    generated: str | None = None
    extractor: str | None = None
    mentions: dict[str, Sequence[Quote]] = field(default_factory=dict)  #: entity IRI -> quotes
    relations: list[Link] = field(default_factory=list)


@dataclass
class Scheme:
    iri: str
    label: str
    definition: str = ""
    top: set[str] = field(default_factory=set)


@dataclass
class SiteData:
    base: str
    entities: dict[str, EntityInfo]
    documents: dict[str, DocumentInfo]
    schemes: dict[str, Scheme]
    lineage: list[LineageStep]
    class_labels: dict[str, str]

    def label(self, iri: str) -> str:
        if iri in self.entities:
            return self.entities[iri].label
        if iri in self.documents:
            return self.documents[iri].title
        return local_name(iri)

    def type_label(self, cls: str) -> str:
        return self.class_labels.get(cls) or local_name(cls)

    def primary_type(self, entity: EntityInfo) -> str:
        """One class to file the entity under: the most specific of its kg: classes."""
        if not entity.types:
            return KG + "Concept"
        return sorted(entity.types, key=lambda c: (c == KG + "Concept", self.type_label(c)))[0]

    def documents_newest_first(self, iris: Iterable[str] | None = None) -> list[DocumentInfo]:
        docs = [self.documents[d] for d in (iris if iris is not None else self.documents) if d in self.documents]
        return sorted(docs, key=lambda d: (_desc(date_sort_key(d.issued or d.modified)), d.title.lower()))

    def lineage_of(self, iri: str, limit: int | None = None) -> tuple[list[LineageStep], int]:
        """The steps on a chain through ``iri`` (its predecessors' and successors' steps too), oldest first, and
        how many there are.

        Steps of one date are in their order along the chain. With ``limit``, only that many: the steps nearest
        ``iri`` (its own, then those one step further, and so on; the oldest of a distance that must be cut).
        """
        chosen = list(self._lineage_positions(iri).values())
        total = len(chosen)
        if limit is not None and total > limit:
            chosen = sorted(chosen, key=lambda ps: (abs(ps[0]), self._step_key(ps[1])))[:limit]
        by_date = sorted(chosen, key=lambda ps: (self._step_key(ps[1])[0], ps[0], self._step_key(ps[1])))
        return [step for _, step in by_date], total

    def _lineage_positions(self, iri: str) -> dict[int, tuple[int, LineageStep]]:
        """The steps of ``iri``'s chains, each with its place: 0 for its own, -1 the one before, 1 after and so on."""
        forward, backward = self._lineage_index
        placed: dict[int, tuple[int, LineageStep]] = {}
        for index, follow, sign in ((forward, "successor", 1), (backward, "predecessor", -1)):
            seen, frontier, hops = {iri}, [iri], 0
            while frontier:
                following: list[str] = []
                for node in frontier:
                    for step in index.get(node, ()):
                        if id(step) not in placed or abs(placed[id(step)][0]) > hops:
                            placed[id(step)] = (sign * hops, step)
                        nxt = getattr(step, follow)
                        if nxt not in seen:
                            seen.add(nxt)
                            following.append(nxt)
                frontier, hops = following, hops + 1
        return placed

    def _step_key(self, step: LineageStep) -> tuple[str, str, str]:
        """A step's place in date order (then by its names), worked out once: every page of its chain sorts it."""
        key = self._step_keys.get(id(step))
        if key is None:
            key = self._step_keys[id(step)] = (
                date_sort_key(step.best_date(self.documents)[0]),
                self.label(step.predecessor),
                self.label(step.successor),
            )
        return key

    @cached_property
    def _step_keys(self) -> dict[int, tuple[str, str, str]]:
        return {}

    @cached_property
    def _lineage_index(self) -> tuple[dict[str, list[LineageStep]], dict[str, list[LineageStep]]]:
        """The steps by predecessor and by successor, made once (``lineage`` is not changed after reading)."""
        forward: dict[str, list[LineageStep]] = defaultdict(list)
        backward: dict[str, list[LineageStep]] = defaultdict(list)
        for step in self.lineage:
            forward[step.predecessor].append(step)
            backward[step.successor].append(step)
        return forward, backward

    def co_mentioned(self, iri: str, limit: int = 20) -> list[tuple[str, int]]:
        """Entities mentioned in the same documents as ``iri``, most shared documents first."""
        counts: Counter = Counter()
        entity = self.entities.get(iri)
        if entity is None:
            return []
        for doc in entity.mentions:
            for other in self.documents[doc].mentions if doc in self.documents else ():
                if other != iri:
                    counts[other] += 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], self.label(kv[0]).lower()))[:limit]


def _desc(key: str) -> str:
    """Invert a sort key so that sorting ascending gives newest first (undated last)."""
    if key.startswith("9999"):
        return "~"
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in key)
