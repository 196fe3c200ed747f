"""What the static site shows, read from the store in one pass of a few SPARQL queries.

:func:`gather` runs a handful of queries over the whole store (entities and
their vocabulary links, concept schemes, lineage events, documents and their
sources, every mention annotation, every relation annotation) and assembles
plain Python values: :class:`SiteData` with one :class:`EntityInfo` per
entity and one :class:`DocumentInfo` per document. The pages, the timeline,
the vocabulary trees and the data of the "why are these connected?" page are
all derived from those values in Python, so the number of queries does not
grow with the number of pages.

Dates keep the precision they were written with (``2018``, ``2017-03``,
``2022-07-01``); :func:`date_sort_key` orders them and :func:`format_date`
writes them for people.

"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kg.graph import namespaces as ns
from kg.graph import rq, terms
from kg.graph.namespaces import local_name
from kg.graph.predicates import lineage_predicates, link_predicates, name_from_object, name_of, predicates
from kg.graph.query import run_query
from kg.graph.store import Store
from kg.ingest.dates import date_sort_key, format_date, year_of
from kg.ingest.labels import is_acronym
from kg.web.pages import page_path

KG = ns.ONTOLOGY

_DATE_PREDICATES = {
    ns.SCHEMA + "startDate": "start",
    ns.SCHEMA + "endDate": "end",
    ns.SCHEMA + "foundingDate": "founded",
    ns.SCHEMA + "dissolutionDate": "dissolved",
    ns.DCTERMS + "issued": "issued",
}

# ------------------------------------------------------------------ values


@dataclass
class Quote:
    """One TextQuoteSelector: the words, some text before and after, and where they are."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    page: int | None = None
    marks: list[tuple[int, int]] = field(default_factory=list)  #: spans of ``exact`` to highlight; empty: all of it

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

    @property
    def before(self) -> str:
        return _squash(self.prefix)

    @property
    def after(self) -> str:
        return _squash(self.suffix)

    def as_list(self) -> list:
        """Compact JSON form: [prefix, [[text, marked], ...], suffix]."""
        return [self.before, [[t, 1 if m else 0] for t, m in self.segments()], self.after]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "")


@dataclass
class Link:
    """One entity-to-entity statement: written in the vocabulary, or found in a document with its sentence."""

    subject: str
    predicate: str
    object: str
    document: str | None = None
    quote: Quote | None = None
    rule: str | None = None

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
        """The event's date, else the earliest issue date of a document that states it (and whether it is the latter)."""
        if self.date:
            return self.date, False
        dated = sorted(
            (documents[d].issued for d, _ in self.documents if d in documents and documents[d].issued),
            key=date_sort_key,
        )
        return (dated[0], True) if dated else (None, False)


@dataclass
class EntityInfo:
    iri: str
    label: str
    page: str | None
    alt_labels: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    scope_notes: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  #: kg: class IRIs
    homepages: list[str] = field(default_factory=list)
    schemes: set[str] = field(default_factory=set)
    top_of: set[str] = field(default_factory=set)
    broader: set[str] = field(default_factory=set)
    narrower: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    dates: dict[str, str] = field(default_factory=dict)  #: "start", "end", "founded", "dissolved", "issued"
    links: list[Link] = field(default_factory=list)  #: every vocabulary and document link touching it
    mentions: dict[str, list[Quote]] = field(default_factory=dict)  #: document IRI -> quotes

    @property
    def acronyms(self) -> list[str]:
        return [a for a in self.alt_labels if is_acronym(a)]

    @property
    def other_names(self) -> list[str]:
        return [a for a in self.alt_labels if not is_acronym(a)]

    @property
    def definition(self) -> str:
        return self.definitions[0] if self.definitions else ""


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
    mentions: dict[str, list[Quote]] = field(default_factory=dict)  #: entity IRI -> quotes
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

    def documents_newest_first(self, iris=None) -> list[DocumentInfo]:
        docs = [self.documents[d] for d in (iris if iris is not None else self.documents) if d in self.documents]
        return sorted(docs, key=lambda d: (_desc(date_sort_key(d.issued or d.modified)), d.title.lower()))

    def lineage_of(self, iri: str) -> list[LineageStep]:
        """Every step on a chain through ``iri`` (its predecessors' and successors' steps too), oldest first."""
        forward, backward = defaultdict(list), defaultdict(list)
        for step in self.lineage:
            forward[step.predecessor].append(step)
            backward[step.successor].append(step)
        chosen: dict[int, LineageStep] = {}
        for index, follow in ((forward, "successor"), (backward, "predecessor")):
            seen, todo = {iri}, [iri]
            while todo:
                node = todo.pop()
                for step in index[node]:
                    chosen[id(step)] = step
                    nxt = getattr(step, follow)
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
        return sorted(
            chosen.values(),
            key=lambda s: (
                date_sort_key(s.best_date(self.documents)[0]),
                self.label(s.predecessor),
                self.label(s.successor),
            ),
        )

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


# ------------------------------------------------------------------ queries

#: What the site reads about each entity, besides its links.
_ENTITY_FIELDS = [
    ns.SKOS + "prefLabel",
    ns.SKOS + "altLabel",
    ns.SKOS + "definition",
    ns.SKOS + "scopeNote",
    ns.RDF + "type",
    ns.SKOS + "inScheme",
    ns.SKOS + "topConceptOf",
    ns.FOAF + "homepage",
    *_DATE_PREDICATES,
]


_v = terms.value_of


def _int(term) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _rows(store: Store, name: str, **values: list[str]) -> list[list[terms.Term | None]]:
    """The rows of the site's query ``name`` (kg/graph/sparql/)."""
    return run_query(store, rq.text(name, **values)).rows


def gather(store: Store) -> SiteData:
    """Everything the site shows, from a few queries over the whole store."""
    base = store.base

    class_labels = {}
    for c, label in _rows(store, "site-class-labels"):
        class_labels.setdefault(c.value, label.value)

    # documents first: their graphs tell vocabulary links from links found in text
    documents: dict[str, DocumentInfo] = {}
    doc_rows = _rows(store, "site-documents")
    for d, p, o in doc_rows:
        iri = d.value
        doc = documents.get(iri)
        if doc is None:
            doc = documents[iri] = DocumentInfo(iri=iri, title="", page=page_path(iri, base))
        p, value = p.value, _v(o)
        if p == ns.RDF + "type":
            if value.startswith(KG) and value not in doc.types:
                doc.types.append(value)
        elif p == ns.DCTERMS + "title":
            doc.title = doc.title or value
        elif p == ns.DCTERMS + "issued":
            doc.issued = value
        elif p == ns.DCTERMS + "modified":
            doc.modified = value
        elif p == KG + "reviewDue":
            doc.review_due = value
        elif p == ns.DCTERMS + "publisher":
            doc.publishers.append(value)
        elif p == ns.DCTERMS + "creator":
            doc.creators.append(value)
        elif p == ns.DCTERMS + "source":
            doc.links.append(value)
        elif p == KG + "contentHash":
            doc.content_hash = value
        else:
            doc.fields[local_name(p)] = value
    for doc in documents.values():
        doc.title = doc.title or local_name(doc.iri)
        doc.types.sort(key=lambda c: (c == KG + "Document", c))
        doc.publishers.sort()
        doc.links.sort()
    for d, path, sha, encoding, ended, version in _rows(store, "site-sources"):
        doc = documents.get(d.value)
        if doc is None:
            continue
        if path is not None:
            source = {"path": path.value, "sha256": _v(sha) or "", "encoding": _v(encoding) or ""}
            if source not in doc.sources:
                doc.sources.append(source)
        if ended is not None:
            doc.generated = max(doc.generated or "", ended.value)
        if version is not None:
            doc.extractor = version.value
    for doc in documents.values():
        doc.sources.sort(key=lambda s: s["path"])

    # entities, with what the vocabulary says
    entities: dict[str, EntityInfo] = {}
    links: list[Link] = []
    seen_links: set[tuple[str, str, str]] = set()
    pref_labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    link_table = link_predicates()
    for e, p, o, g in _rows(store, "site-entities", p=[*_ENTITY_FIELDS, *link_table]):
        if not isinstance(e, terms.NamedNode):
            continue
        iri, p, value, graph = e.value, p.value, _v(o), g.value
        entity = entities.get(iri)
        if entity is None:
            entity = entities[iri] = EntityInfo(iri=iri, label="", page=page_path(iri, base))
        if p == ns.SKOS + "prefLabel":
            lang = o.language if isinstance(o, terms.Literal) else None
            pref_labels[iri].append((0 if lang in ("en", None) else 1, value))
        elif p == ns.SKOS + "altLabel":
            if value not in entity.alt_labels:
                entity.alt_labels.append(value)
        elif p == ns.SKOS + "definition":
            if value not in entity.definitions:
                entity.definitions.append(value)
        elif p == ns.SKOS + "scopeNote":
            if value not in entity.scope_notes:
                entity.scope_notes.append(value)
        elif p == ns.RDF + "type":
            if value.startswith(KG) and value != KG + "PolicyEntity" and value not in entity.types:
                entity.types.append(value)
        elif p == ns.SKOS + "inScheme":
            entity.schemes.add(value)
        elif p == ns.SKOS + "topConceptOf":
            entity.top_of.add(value)
            entity.schemes.add(value)
        elif p == ns.FOAF + "homepage":
            if value not in entity.homepages:
                entity.homepages.append(value)
        elif p in _DATE_PREDICATES:
            entity.dates.setdefault(_DATE_PREDICATES[p], value)
        elif p in link_table and isinstance(o, terms.NamedNode):
            if graph in documents:
                continue  # read from a document: comes with its sentence below
            key = (iri, p, value)
            if key not in seen_links:
                seen_links.add(key)
                links.append(Link(iri, p, value))
    for iri, labels in pref_labels.items():
        entities[iri].label = sorted(labels)[0][1]
    for entity in entities.values():
        entity.label = entity.label or local_name(entity.iri)
        entity.types.sort()
        entity.alt_labels.sort(key=str.lower)
        entity.homepages.sort()

    # mentions with their quotes
    mention_spans: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    for d, e, exact, prefix, suffix, start, end, page in _rows(store, "site-mentions"):
        doc, entity = documents.get(d.value), entities.get(_v(e))
        if doc is None or entity is None:
            continue
        quote = Quote(exact.value, _v(prefix) or "", _v(suffix) or "", _int(start), _int(end), _int(page))
        doc.mentions.setdefault(entity.iri, []).append(quote)
        entity.mentions.setdefault(doc.iri, []).append(quote)
        if quote.start is not None and quote.end is not None:
            mention_spans[(doc.iri, entity.iri)].append((quote.start, quote.end, quote.exact))
    for d, e in _rows(store, "site-mentioned"):  # a mention without an annotation still counts
        doc, entity = documents.get(d.value), entities.get(_v(e))
        if doc is not None and entity is not None:
            doc.mentions.setdefault(entity.iri, [])
            entity.mentions.setdefault(doc.iri, [])
    for holder in (*documents.values(), *entities.values()):
        for quotes in holder.mentions.values():
            quotes.sort(key=lambda q: (q.start if q.start is not None else 1 << 60, q.exact))

    # relations found in documents, with the sentence and the entities' words marked in it
    statements: dict[tuple[str, str], Link] = {}
    for d, st, s, p, o, exact, prefix, suffix, start, end, page, rule in _rows(store, "site-relations"):
        doc = documents.get(d.value)
        if doc is None or not isinstance(s, terms.NamedNode) or not isinstance(o, terms.NamedNode):
            continue
        key = (doc.iri, _v(st))
        if key in statements:
            continue
        quote = None
        if exact is not None:
            quote = Quote(exact.value, _v(prefix) or "", _v(suffix) or "", _int(start), _int(end), _int(page))
            quote.marks = _marks(quote, [s.value, o.value], mention_spans, doc.iri, entities)
        link = statements[key] = Link(s.value, p.value, o.value, document=doc.iri, quote=quote, rule=_v(rule))
        doc.relations.append(link)
        links.append(link)
    for doc in documents.values():
        doc.relations.sort(
            key=lambda r: (
                r.quote.start if r.quote and r.quote.start is not None else 1 << 60,
                r.subject,
                r.predicate,
                r.object,
            )
        )

    for link in links:
        for end in (link.subject, link.object):
            if end in entities:
                entities[end].links.append(link)
        if link.document is None:
            if link.predicate == ns.SKOS + "broader":
                _tie(entities, link.object, link.subject)
            elif link.predicate == ns.SKOS + "narrower":
                _tie(entities, link.subject, link.object)
            elif link.predicate == ns.SKOS + "related":
                if link.subject in entities and link.object in entities:
                    entities[link.subject].related.add(link.object)
                    entities[link.object].related.add(link.subject)

    # concept schemes
    schemes: dict[str, Scheme] = {}
    for s, label, definition, top in _rows(store, "site-schemes"):
        scheme = schemes.setdefault(s.value, Scheme(s.value, _v(label) or local_name(s.value), _v(definition) or ""))
        if top is not None:
            scheme.top.add(top.value)
    for entity in entities.values():
        for scheme in entity.top_of:
            if scheme in schemes:
                schemes[scheme].top.add(entity.iri)

    lineage = _lineage(store, links, entities)
    return SiteData(
        base=base, entities=entities, documents=documents, schemes=schemes, lineage=lineage, class_labels=class_labels
    )


def _tie(entities: dict[str, EntityInfo], broader: str, narrower: str) -> None:
    if broader in entities and narrower in entities and broader != narrower:
        entities[broader].narrower.add(narrower)
        entities[narrower].broader.add(broader)


def _marks(quote: Quote, iris: list[str], spans, doc: str, entities: dict[str, EntityInfo]) -> list[tuple[int, int]]:
    """Where the relation's entities are named inside its sentence: by position, else by their words."""
    marks: list[tuple[int, int]] = []
    if quote.start is not None and quote.end is not None:
        for iri in iris:
            for a, b, _ in spans.get((doc, iri), ()):
                if quote.start <= a and b <= quote.end:
                    marks.append((a - quote.start, b - quote.start))
    if marks:
        return _merge(marks)
    lowered = quote.exact.lower()
    for iri in iris:
        words = {w for _, _, w in spans.get((doc, iri), ())}
        if iri in entities:
            words |= {entities[iri].label, *entities[iri].alt_labels}
        for word in sorted(words, key=len, reverse=True):
            at = lowered.find(word.lower()) if word else -1
            if at >= 0:
                marks.append((at, at + len(word)))
                break
    return _merge(marks)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _lineage(store: Store, links: list[Link], entities: dict[str, EntityInfo]) -> list[LineageStep]:
    """Lineage events of the vocabulary, merged with evolvesInto/supersedes links (vocabulary or documents)."""
    steps: dict[tuple[str, str, str], LineageStep] = {}
    table = lineage_predicates()
    for event, predecessor, successor, relation, date, comment, source in _rows(store, "site-lineage-events"):
        recorded = table.get(_v(relation) or "")
        kind = recorded.lineage_kind if recorded and recorded.lineage_kind else "evolvesInto"
        key = (predecessor.value, successor.value, kind)
        step = steps.get(key)
        if step is None:
            step = steps[key] = LineageStep(predecessor.value, successor.value, kind, in_vocabulary=True)
        step.event = step.event or _v(event)
        step.date = step.date or _v(date)
        step.comment = step.comment or _v(comment)
        step.source = step.source or _v(source)
    for link in links:
        known = table.get(link.predicate)
        if known is None or known.lineage_kind is None:
            continue
        kind = known.lineage_kind
        predecessor, successor = known.lineage_pair(link.subject, link.object)
        key = (predecessor, successor, kind)
        step = steps.get(key)
        if step is None:
            # a rename may be written as evolvesInto in one place and supersedes in another: one step
            other = (predecessor, successor, "supersedes" if kind == "evolvesInto" else "evolvesInto")
            step = steps.get(other) or steps.setdefault(key, LineageStep(predecessor, successor, kind))
        if link.document:
            if link.quote is not None:
                step.documents.append((link.document, link.quote))
            elif not any(d == link.document for d, _ in step.documents):
                step.documents.append((link.document, Quote("")))
        else:
            step.in_vocabulary = True
    return [s for s in steps.values() if s.predecessor != s.successor]


# ------------------------------------------------------------------ derived views


def vocabulary_trees(data: SiteData) -> list[dict]:
    """Each concept scheme as a forest of {entity, children} along skos:broader/narrower, top concepts first."""
    members: dict[str, list[str]] = defaultdict(list)
    for entity in data.entities.values():
        for scheme in entity.schemes or {""}:
            members[scheme].append(entity.iri)
    trees = []
    names = sorted(
        members,
        key=lambda s: (
            s not in data.schemes,
            s == "",
            data.schemes[s].label.lower() if s in data.schemes else local_name(s),
        ),
    )
    for scheme in names:
        inside = set(members[scheme])
        info = data.schemes.get(scheme)
        tops = [i for i in (info.top if info else ()) if i in data.entities]
        # top concepts first; then anything whose broader concepts are all outside the scheme
        roots = sorted(set(tops), key=lambda i: data.label(i).lower())
        placed = set(roots)
        orphans = sorted(
            (i for i in inside if i not in placed and not (data.entities[i].broader & inside)),
            key=lambda i: data.label(i).lower(),
        )
        roots += orphans

        def grow(iri: str, path: frozenset) -> dict:
            children = sorted(
                (c for c in data.entities[iri].narrower if c not in path), key=lambda c: data.label(c).lower()
            )
            return {"entity": data.entities[iri], "children": [grow(c, path | {c}) for c in children]}

        forest = [grow(r, frozenset({r})) for r in roots]
        reached: set[str] = set()
        stack = list(forest)
        while stack:
            node = stack.pop()
            reached.add(node["entity"].iri)
            stack.extend(node["children"])
        # concepts only reachable through a cycle of broader links: list them flat so none is lost
        forest += [
            {"entity": data.entities[i], "children": []}
            for i in sorted(inside - reached, key=lambda i: data.label(i).lower())
        ]
        if info:
            label, definition = info.label, info.definition
        elif scheme:
            label, definition = "Found in documents" if scheme.endswith("scheme-discovered") else local_name(scheme), ""
        else:
            label, definition = "Not in any scheme", ""
        trees.append({"iri": scheme, "label": label, "definition": definition, "forest": forest, "count": len(inside)})
    return trees


@dataclass
class TimelineEvent:
    date: str
    kind: str  #: lineage, document, start, end
    subject: str | None = None  #: entity or document IRI
    object: str | None = None
    text: str = ""  #: the verb phrase between subject and object, or after the subject
    comment: str = ""
    source: str | None = None
    documents: list[tuple[str, Quote]] = field(default_factory=list)
    reported: bool = False  #: dated by the document that reports it, not by the event itself

    @property
    def year(self) -> str:
        return year_of(self.date)

    @property
    def sort_key(self) -> str:
        return date_sort_key(self.date)


_DATE_PHRASES = {
    "start": ("start", "begins"),
    "founded": ("start", "is set up"),
    "issued": ("start", "is published"),
    "end": ("end", "ends"),
    "dissolved": ("end", "is dissolved"),
}


def timeline(data: SiteData) -> list[TimelineEvent]:
    """Lineage steps, entities' start and end dates, and dated documents, oldest first."""
    events: list[TimelineEvent] = []
    for step in data.lineage:
        date, reported = step.best_date(data.documents)
        if not date:
            continue
        events.append(
            TimelineEvent(
                date=date,
                kind="lineage",
                subject=step.predecessor,
                object=step.successor,
                text=step.phrase,
                comment=step.comment or "",
                source=step.source,
                documents=step.documents,
                reported=reported,
            )
        )
    for entity in data.entities.values():
        for what, date in entity.dates.items():
            kind, phrase = _DATE_PHRASES[what]
            if year_of(date):
                events.append(TimelineEvent(date=date, kind=kind, subject=entity.iri, text=phrase))
    for doc in data.documents.values():
        if year_of(doc.issued):
            events.append(TimelineEvent(date=doc.issued, kind="document", subject=doc.iri, text="is published"))
    order = {"lineage": 0, "start": 1, "end": 2, "document": 3}
    events.sort(
        key=lambda e: (
            e.sort_key,
            order[e.kind],
            data.label(e.subject or "").lower(),
            data.label(e.object or "").lower(),
        )
    )
    return events


def connect_data(data: SiteData, max_documents_per_pair: int = 5, quotes_per_mention: int = 3) -> dict:
    """Nodes and edges for the "why are these connected?" page.

    An edge joins two entities; it carries the statements that join them
    (``rel``: from the vocabulary, or from a document with its sentence) and
    the documents that mention both (``co``: document indexes, newest first,
    at most ``max_documents_per_pair`` of ``n``). Each node keeps a few quotes
    per document that mentions it (``m``: document index -> [[start, quote],
    ...]) so the page can show the words on each side without repeating them
    on every edge.
    """
    nodes = sorted(data.entities.values(), key=lambda e: (e.label.lower(), e.iri))
    index = {e.iri: i for i, e in enumerate(nodes)}
    docs = data.documents_newest_first()
    doc_index = {d.iri: i for i, d in enumerate(docs)}
    edges: dict[tuple[int, int], dict] = {}

    def edge(a: int, b: int) -> dict:
        key = (a, b) if a < b else (b, a)
        if key not in edges:
            edges[key] = {"a": key[0], "b": key[1], "rel": [], "co": [], "n": 0}
        return edges[key]

    lineage_table = lineage_predicates()
    event_pairs = {(s.predecessor, s.successor) for s in data.lineage if s.event}
    seen = set()
    for entity in nodes:
        for link in entity.links:
            if id(link) in seen or link.subject not in index or link.object not in index or link.subject == link.object:
                continue
            seen.add(id(link))
            if link.document is None and link.predicate in lineage_table and _lineage_pair(link) in event_pairs:
                continue  # the dated event below says the same, with its note
            item = {"s": index[link.subject], "p": link.name, "i": link.name_from(link.object), "o": index[link.object]}
            if link.document is not None and link.document in doc_index:
                item["d"] = doc_index[link.document]
                if link.quote is not None:
                    item["q"] = link.quote.as_list()
            edge(index[link.subject], index[link.object])["rel"].append(item)
    for step in data.lineage:  # the vocabulary's note on a dated change is evidence too
        if step.event and step.predecessor in index and step.successor in index:
            item = {
                "s": index[step.predecessor],
                "p": step.phrase,
                "i": step.inverse_phrase,
                "o": index[step.successor],
                "note": step.comment or "",
            }
            if step.date:
                item["date"] = format_date(step.date)
            edge(index[step.predecessor], index[step.successor])["rel"].append(item)
    for doc in docs:
        present = sorted(index[e] for e in doc.mentions if e in index)
        d = doc_index[doc.iri]
        for x, a in enumerate(present):
            for b in present[x + 1 :]:
                e = edge(a, b)
                e["n"] += 1
                if len(e["co"]) < max_documents_per_pair:
                    e["co"].append(d)
    out_nodes = []
    for e in nodes:
        mentions = {}
        for doc, quotes in e.mentions.items():
            if doc in doc_index and quotes:
                mentions[str(doc_index[doc])] = [
                    [q.start if q.start is not None else -1, q.as_list()] for q in quotes[:quotes_per_mention]
                ]
        out_nodes.append(
            {
                "id": e.iri,
                "label": e.label,
                "alt": e.alt_labels,
                "type": data.type_label(data.primary_type(e)),
                "page": e.page or "",
                "m": mentions,
            }
        )
    return {
        "nodes": out_nodes,
        "docs": [{"id": d.iri, "title": d.title, "date": format_date(d.issued), "page": d.page or ""} for d in docs],
        "edges": [edges[k] for k in sorted(edges)],
    }


def _lineage_pair(link: Link) -> tuple[str, str]:
    """(predecessor, successor) of an evolvesInto, evolvedFrom or supersedes link."""
    return predicates()[link.predicate].lineage_pair(link.subject, link.object)
