"""Read the store into the site's read model (:class:`kg.web.readmodel.SiteData`) with a few queries.

:func:`gather` runs the ``site-*`` queries of ``kg/graph/sparql/`` over the
whole store (entities and their vocabulary links, concept schemes, lineage
events, documents and their sources, every mention's evidence, every
relation statement with its sentence; the text around quotes from the search index) and assembles the values.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from kg.graph import namespaces as ns
from kg.graph import rq, terms
from kg.graph.evidence import Context, parse_span
from kg.graph.namespaces import local_name
from kg.graph.predicates import lineage_predicates, link_predicates
from kg.graph.query import stream_rows
from kg.graph.store import Store
from kg.web import stopping
from kg.web.pages import page_path
from kg.web.readmodel import UNREAD, DocumentInfo, EntityInfo, LineageStep, Link, Quote, Scheme, SiteData

KG = ns.ONTOLOGY

_DATE_PREDICATES = {
    ns.SCHEMA + "startDate": "start",
    ns.SCHEMA + "endDate": "end",
    ns.SCHEMA + "foundingDate": "founded",
    ns.SCHEMA + "dissolutionDate": "dissolved",
    ns.DCTERMS + "issued": "issued",
}

#: Names the pages do not show but search and the map use: predicate → EntityInfo field.
_HIDDEN_FIELDS = {ns.SKOS + "hiddenLabel": "hidden_labels", KG + "weakLabel": "weak_labels"}

# ------------------------------------------------------------------ queries

#: What the site reads about each entity, besides its links.
PREF_LABEL = ns.SKOS + "prefLabel"

_ENTITY_FIELDS = [
    PREF_LABEL,
    ns.SKOS + "altLabel",
    ns.SKOS + "hiddenLabel",
    KG + "weakLabel",
    ns.SKOS + "definition",
    ns.SKOS + "scopeNote",
    ns.RDF + "type",
    ns.SKOS + "inScheme",
    ns.SKOS + "topConceptOf",
    ns.FOAF + "homepage",
    ns.SKOS + "exactMatch",
    ns.ONTOLOGY + "odsCode",
    *_DATE_PREDICATES,
]


_v = terms.value_of
_t = terms.text_of
Row = tuple[terms.Term | None, ...]


def entity_predicates() -> list[str]:
    """What the site reads of each vocabulary entity: its fields, then its links."""
    return [*_ENTITY_FIELDS, *link_predicates()]


def _rows(store: Store, name: str, **values: list[str]) -> Iterator[Row]:
    """The rows of the site's query ``name`` (kg/graph/sparql/), one at a time as the store gives them
    (a build being stopped stops between them: :mod:`kg.web.stopping`)."""
    return stopping.checked(stream_rows(store, rq.text(name, **values)))


def entity_rows(
    store: Store, fields: Sequence[str] = _ENTITY_FIELDS, links: Iterable[str] | None = None
) -> Iterator[tuple[terms.NamedNode, str, terms.Term | None, terms.Term | None]]:
    """(entity, predicate, value, graph) for every vocabulary entity (a skos:Concept with a preferred label),
    one predicate at a time: its preferred labels and ``fields`` from the union of the graphs (graph None),
    then ``links`` (default: every link predicate) with the graph that holds each (predicate-statements)."""
    entities: set[str] = set()
    text = rq.text("site-entity-field")
    for p in dict.fromkeys([PREF_LABEL, *fields]):  # the labels first: they say which subjects are entities
        for e, o in stopping.checked(stream_rows(store, text, {"p": terms.NamedNode(p)})):
            if isinstance(e, terms.NamedNode):
                entities.add(e.value)
                yield e, p, o, None
    text = rq.text("predicate-statements")
    for p in link_predicates() if links is None else links:
        for e, o, g in stopping.checked(stream_rows(store, text, {"p": terms.NamedNode(p)})):
            if isinstance(e, terms.NamedNode) and e.value in entities:
                yield e, p, o, g


def preferred_label(iri: str, labels: Iterable[tuple[terms.Term | None, str]]) -> str:
    """An entity's label among its (term, text) preferred labels: English or untagged first, then by text;
    its IRI's local name if it has none."""
    ranked = sorted((0 if getattr(term, "language", None) in ("en", None) else 1, text) for term, text in labels)
    return (ranked[0][1] if ranked else "") or local_name(iri)


def _text(term: terms.Term | None) -> str | None:
    """A term's text, interned: the same name or IRI read on many rows is then one string in memory."""
    return None if term is None else sys.intern(_t(term))


def gather(store: Store, *, mention_words: int | None = None) -> SiteData:
    """Everything the site shows, from a few queries over the whole store.

    The rows of each query are read one at a time and kept only as the values they become. With
    ``mention_words``, a store of more documents than that has its mentions counted, not quoted:
    each place is :data:`~kg.web.readmodel.UNREAD` (no words, position or context), for a reader such as a map
    too big to show them, which then needs neither the texts around them nor memory for each.
    """
    base = store.base

    class_labels: dict[str, str] = {}
    for c, label in _rows(store, "site-class-labels"):
        class_labels.setdefault(_t(c), _t(label))

    # documents first: their graphs tell vocabulary links from links found in text
    documents: dict[str, DocumentInfo] = {}
    doc_rows = _rows(store, "site-documents")
    for d, pt, o in doc_rows:
        iri = _t(d)
        doc = documents.get(iri)
        if doc is None:
            doc = documents[iri] = DocumentInfo(iri=iri, title="", page=page_path(iri, base))
        p, value = _t(pt), _t(o)
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
        doc = documents.get(_t(d))
        if doc is None:
            continue
        if path is not None:
            source = {"path": _t(path), "sha256": _v(sha) or "", "encoding": _v(encoding) or ""}
            if source not in doc.sources:
                doc.sources.append(source)
        if ended is not None:
            doc.generated = max(doc.generated or "", _t(ended))
        if version is not None:
            doc.extractor = _t(version)
    for doc in documents.values():
        doc.sources.sort(key=lambda s: s["path"])

    # entities, with what the vocabulary says
    entities: dict[str, EntityInfo] = {}
    links: list[Link] = []
    seen_links: set[tuple[str, str, str]] = set()
    pref_labels: dict[str, list[tuple[terms.Term | None, str]]] = defaultdict(list)
    link_table = link_predicates()
    for e, said_by, term, g in entity_rows(store):
        iri, p, value, graph = e.value, said_by, _t(term), _v(g)
        entity = entities.get(iri)
        if entity is None:
            entity = entities[iri] = EntityInfo(iri=iri, label="", page=page_path(iri, base))
        if p == PREF_LABEL:
            pref_labels[iri].append((term, value))
        elif p == ns.SKOS + "altLabel":
            if value not in entity.alt_labels:
                entity.alt_labels.append(value)
        elif p in _HIDDEN_FIELDS:
            names = getattr(entity, _HIDDEN_FIELDS[p])
            if value not in names:
                names.append(value)
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
        elif p == ns.SKOS + "exactMatch":  # the same thing in another dataset (vocabulary/links.ttl)
            if value not in entity.same_as:
                entity.same_as.append(value)
        elif p == ns.ONTOLOGY + "odsCode":
            if value not in entity.ods_codes:
                entity.ods_codes.append(value)
        elif p in _DATE_PREDICATES:
            entity.dates.setdefault(_DATE_PREDICATES[p], value)
        elif p in link_table and isinstance(term, terms.NamedNode):
            if graph in documents:
                continue  # read from a document: comes with its sentence below
            key = (iri, p, value)
            if key not in seen_links:
                seen_links.add(key)
                links.append(Link(iri, p, value))
    for entity in entities.values():
        entity.label = preferred_label(entity.iri, pref_labels.get(entity.iri, ()))
        entity.types.sort()
        entity.alt_labels.sort(key=str.lower)
        entity.hidden_labels.sort(key=str.lower)
        entity.weak_labels.sort(key=str.lower)
        entity.homepages.sort()
        entity.same_as.sort()
        entity.ods_codes.sort()

    links.sort(key=lambda link: (link.subject, link.predicate, link.object))  # the vocabulary's, in one order

    # relations found in documents, read first (as text) so that only the mentions their sentences need
    # keep their places, to mark the entities' words in the sentence
    said = _statements(store, documents)
    marked = {(row.document, iri) for row in said for iri in (row.subject, row.object)}
    quoting = mention_words is None or len(documents) <= mention_words
    context = Context(store)  # the text around each quote, from the document texts of the search index
    spans = _mentions(store, documents, entities, context, quoting, marked)
    links += _relations(said, documents, entities, spans, context)
    context.close()
    del said, spans  # the rows, read: what the views need is in the links

    for link in links:
        for side in (link.subject, link.object):
            if side in entities:
                entities[side].links.append(link)
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
    for sch, name, definition, top in _rows(store, "site-schemes"):
        iri = _t(sch)
        scheme = schemes.setdefault(iri, Scheme(iri, _v(name) or local_name(iri), _v(definition) or ""))
        if top is not None:
            scheme.top.add(_t(top))
    for entity in entities.values():
        for top_of in entity.top_of:
            if top_of in schemes:
                schemes[top_of].top.add(entity.iri)

    lineage = _lineage(store, links, entities)
    return SiteData(
        base=base, entities=entities, documents=documents, schemes=schemes, lineage=lineage, class_labels=class_labels
    )


class _Said(NamedTuple):
    """One row of ``site-relations``, as text (the IRIs interned): a relation statement and its sentence."""

    document: str
    statement: str
    subject: str
    predicate: str
    object: str
    exact: str | None
    span: str | None
    rule: str | None
    confirmer: str | None
    adder: str | None


def _statements(store: Store, documents: dict[str, DocumentInfo]) -> list[_Said]:
    """The relation statements of known documents between two IRIs, in document order."""
    rows: list[_Said] = []
    for d, st, s, p, o, *rest in _rows(store, "site-relations"):
        doc = documents.get(_t(d))
        if doc is not None and isinstance(s, terms.NamedNode) and isinstance(o, terms.NamedNode):
            rows.append(_Said(doc.iri, _t(st), *(sys.intern(_t(t)) for t in (s, p, o)), *map(_text, rest)))
    rows.sort(key=lambda row: row.document)
    return rows


Spans = dict[tuple[str, str], list[tuple[int, int, str]]]


def _mentions(
    store: Store,
    documents: dict[str, DocumentInfo],
    entities: dict[str, EntityInfo],
    context: Context,
    quoting: bool,
    marked: set[tuple[str, str]],
) -> Spans:
    """Fill both sides' ``mentions``: every place an entity is named, the first of each annotation with its
    quoted words (``quoting``; else each place :data:`UNREAD`). Returns the places of the ``marked``
    (document, entity) pairs, with the words of the first."""
    spans: Spans = defaultdict(list)
    rows: list[tuple[DocumentInfo, EntityInfo, str | None, str]] = []
    for d, e, exact, spans_term in _rows(store, "site-mentions"):
        doc, entity = documents.get(_t(d)), entities.get(_v(e) or "")
        if doc is not None and entity is not None:
            read_words = quoting or (doc.iri, entity.iri) in marked
            rows.append((doc, entity, _text(exact) if read_words else None, _t(spans_term)))
    rows.sort(key=lambda row: row[0].iri)  # a document's places in a row: its text is read once
    for doc, entity, words, places_text in rows:
        places = sorted(p for p in map(parse_span, places_text.split()) if p is not None)
        if not places:
            continue
        kept = spans[(doc.iri, entity.iri)] if (doc.iri, entity.iri) in marked else None
        if not quoting:  # n places: one shared tuple of n UNREAD, on both sides
            counted = _unread(len(doc.mentions.get(entity.iri, ())) + len(places))
            doc.mentions[entity.iri] = entity.mentions[doc.iri] = counted
            if kept is not None:
                kept.extend((start, end, (words or "") if i == 0 else "") for i, (start, end, _) in enumerate(places))
            continue
        quotes = doc.mentions.get(entity.iri)
        if not isinstance(quotes, list):  # the same list on both sides: they hold the same quotes in the same order
            quotes = []
            doc.mentions[entity.iri] = entity.mentions[doc.iri] = quotes
        for i, (start, end, page) in enumerate(places):
            # the node quotes its first place; the others are known by offsets and page only
            if i == 0 and words is not None:
                prefix, suffix = context.around(doc.iri, start, end, words)
                quote = Quote(words, prefix, suffix, start, end, page)
            else:
                quote = Quote("", start=start, end=end, page=page)
            quotes.append(quote)
            if kept is not None:
                kept.append((start, end, quote.exact))
    del rows
    for d, e in _rows(store, "site-mentioned"):  # a mention without an annotation still counts
        doc, entity = documents.get(_t(d)), entities.get(_v(e) or "")
        if doc is not None and entity is not None and entity.iri not in doc.mentions:
            doc.mentions[entity.iri] = entity.mentions[doc.iri] = [] if quoting else ()
    for doc in documents.values():
        for quotes in doc.mentions.values():
            if isinstance(quotes, list):
                quotes.sort(key=lambda q: (q.start if q.start is not None else 1 << 60, q.exact))
    return spans


@lru_cache(maxsize=256)
def _unread(n: int) -> tuple[Quote, ...]:
    """``n`` places counted, not quoted: one tuple for every pair with as many."""
    return (UNREAD,) * n


def _relations(
    said: list[_Said],
    documents: dict[str, DocumentInfo],
    entities: dict[str, EntityInfo],
    spans: Spans,
    context: Context,
) -> list[Link]:
    """The relations found in documents, with the sentence and the entities' words marked in it."""
    statements: dict[tuple[str, str], Link] = {}
    for row in said:
        doc = documents[row.document]
        if (doc.iri, row.statement) in statements:
            continue
        sentence: Quote | None = None
        if row.exact is not None:
            sentence = Quote(row.exact)
            where = parse_span(row.span) if row.span is not None else None
            if where is not None:
                sentence.start, sentence.end, sentence.page = where
                sentence.prefix, sentence.suffix = context.around(doc.iri, where[0], where[1], sentence.exact)
            sentence.marks = _marks(sentence, [row.subject, row.object], spans, doc.iri, entities)
        link = Link(row.subject, row.predicate, row.object, document=doc.iri, quote=sentence, rule=row.rule)
        link.confirmed_by, link.added_by = row.confirmer, row.adder
        statements[(doc.iri, row.statement)] = link
        doc.relations.append(link)
    for doc in documents.values():
        doc.relations.sort(
            key=lambda r: (
                r.quote.start if r.quote and r.quote.start is not None else 1 << 60,
                r.subject,
                r.predicate,
                r.object,
            )
        )
    return list(statements.values())


def _tie(entities: dict[str, EntityInfo], broader: str, narrower: str) -> None:
    if broader in entities and narrower in entities and broader != narrower:
        entities[broader].narrower.add(narrower)
        entities[narrower].broader.add(broader)


def _marks(
    quote: Quote,
    iris: list[str],
    spans: Spans,
    doc: str,
    entities: dict[str, EntityInfo],
) -> list[tuple[int, int]]:
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
    documents_listed: set[tuple[int, str]] = set()  #: (step, document) a step lists
    quotes_listed: set[tuple] = set()  #: (step, document, quote's start, end, words) a step lists
    table = lineage_predicates()
    for event, before, after, relation, date, comment, source in _rows(store, "site-lineage-events"):
        recorded = table.get(_v(relation) or "")
        kind = recorded.lineage_kind if recorded and recorded.lineage_kind else "evolvesInto"
        key = (_t(before), _t(after), kind)
        step = steps.get(key)
        if step is None:
            step = steps[key] = LineageStep(key[0], key[1], kind, in_vocabulary=True)
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
            # one sentence may state a step twice (evolves into, supersedes): each quote once; a document
            # without a quote once, and only if the step lists nothing from it yet
            q, listed = link.quote, (id(step), link.document)
            if q is None and listed in documents_listed:
                continue
            if q is not None:
                quote = (*listed, q.start, q.end, q.exact)
                if quote in quotes_listed:
                    continue
                quotes_listed.add(quote)
            documents_listed.add(listed)
            step.documents.append((link.document, q if q is not None else Quote("")))
        else:
            step.in_vocabulary = True
    return [s for s in steps.values() if s.predecessor != s.successor]
