"""Read the store into the site's read model (:class:`kg.web.readmodel.SiteData`) with a few queries.

:func:`gather` runs the ``site-*`` queries of ``kg/graph/sparql/`` over the
whole store (entities and their vocabulary links, concept schemes, lineage
events, documents and their sources, every mention's evidence, every
relation statement with its sentence; the text around quotes from the search index) and assembles the values.
"""

from __future__ import annotations

from collections import defaultdict

from kg.graph import namespaces as ns
from kg.graph import rq, terms
from kg.graph.evidence import Context, parse_span
from kg.graph.namespaces import local_name
from kg.graph.predicates import lineage_predicates, link_predicates
from kg.graph.query import run_query
from kg.graph.store import Store
from kg.web.pages import page_path
from kg.web.readmodel import DocumentInfo, EntityInfo, LineageStep, Link, Quote, Scheme, SiteData

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
_ENTITY_FIELDS = [
    ns.SKOS + "prefLabel",
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
Row = list[terms.Term | None]


def entity_predicates() -> list[str]:
    """What the site reads of each vocabulary entity (the ``site-entities`` query's predicates)."""
    return [*_ENTITY_FIELDS, *link_predicates()]


def _rows(store: Store, name: str, **values: list[str]) -> list[Row]:
    """The rows of the site's query ``name`` (kg/graph/sparql/)."""
    return run_query(store, rq.text(name, **values)).rows


def gather(store: Store) -> SiteData:
    """Everything the site shows, from a few queries over the whole store."""
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
    pref_labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    link_table = link_predicates()
    for e, pt, o, g in _rows(store, "site-entities", p=entity_predicates()):
        if not isinstance(e, terms.NamedNode):
            continue
        iri, p, value, graph = e.value, _t(pt), _t(o), _t(g)
        entity = entities.get(iri)
        if entity is None:
            entity = entities[iri] = EntityInfo(iri=iri, label="", page=page_path(iri, base))
        if p == ns.SKOS + "prefLabel":
            lang = o.language if isinstance(o, terms.Literal) else None
            pref_labels[iri].append((0 if lang in ("en", None) else 1, value))
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
        entity.hidden_labels.sort(key=str.lower)
        entity.weak_labels.sort(key=str.lower)
        entity.homepages.sort()
        entity.same_as.sort()
        entity.ods_codes.sort()

    # mentions: every place an entity is named, the first of each annotation with its quoted words
    mention_spans: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    context = Context(store)  # the text around each quote, from the document texts of the search index
    mention_rows = sorted(_rows(store, "site-mentions"), key=lambda row: _t(row[0]))
    for d, e, exact, spans in mention_rows:
        doc, entity = documents.get(_t(d)), entities.get(_v(e) or "")
        if doc is None or entity is None:
            continue
        places = sorted(p for p in map(parse_span, _t(spans).split()) if p is not None)
        for i, (start, end, page) in enumerate(places):
            # the node quotes its first place; the others are known by offsets and page only
            if i == 0 and exact is not None:
                prefix, suffix = context.around(doc.iri, start, end, _t(exact))
                quote = Quote(_t(exact), prefix, suffix, start, end, page)
            else:
                quote = Quote("", start=start, end=end, page=page)
            doc.mentions.setdefault(entity.iri, []).append(quote)
            entity.mentions.setdefault(doc.iri, []).append(quote)
            mention_spans[(doc.iri, entity.iri)].append((start, end, quote.exact))
    for d, e in _rows(store, "site-mentioned"):  # a mention without an annotation still counts
        doc, entity = documents.get(_t(d)), entities.get(_v(e) or "")
        if doc is not None and entity is not None:
            doc.mentions.setdefault(entity.iri, [])
            entity.mentions.setdefault(doc.iri, [])
    holders: list[DocumentInfo | EntityInfo] = [*documents.values(), *entities.values()]
    for holder in holders:
        for quotes in holder.mentions.values():
            quotes.sort(key=lambda q: (q.start if q.start is not None else 1 << 60, q.exact))

    # relations found in documents, with the sentence and the entities' words marked in it
    statements: dict[tuple[str, str], Link] = {}
    relation_rows = sorted(_rows(store, "site-relations"), key=lambda row: _t(row[0]))
    for d, st, subj, pred, obj, exact, place, rule, confirmer, adder in relation_rows:
        doc = documents.get(_t(d))
        if doc is None or not isinstance(subj, terms.NamedNode) or not isinstance(obj, terms.NamedNode):
            continue
        said = (doc.iri, _t(st))
        if said in statements:
            continue
        sentence: Quote | None = None
        if exact is not None:
            sentence = Quote(_t(exact))
            where = parse_span(_t(place)) if place is not None else None
            if where is not None:
                sentence.start, sentence.end, sentence.page = where
                sentence.prefix, sentence.suffix = context.around(doc.iri, where[0], where[1], sentence.exact)
            sentence.marks = _marks(sentence, [subj.value, obj.value], mention_spans, doc.iri, entities)
        link = statements[said] = Link(subj.value, _t(pred), obj.value, document=doc.iri, quote=sentence, rule=_v(rule))
        link.confirmed_by, link.added_by = _v(confirmer), _v(adder)
        doc.relations.append(link)
        links.append(link)
    context.close()
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


def _tie(entities: dict[str, EntityInfo], broader: str, narrower: str) -> None:
    if broader in entities and narrower in entities and broader != narrower:
        entities[broader].narrower.add(narrower)
        entities[narrower].broader.add(broader)


def _marks(
    quote: Quote,
    iris: list[str],
    spans: dict[tuple[str, str], list[tuple[int, int, str]]],
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
            if link.quote is not None:
                step.documents.append((link.document, link.quote))
            elif not any(d == link.document for d, _ in step.documents):
                step.documents.append((link.document, Quote("")))
        else:
            step.in_vocabulary = True
    return [s for s in steps.values() if s.predecessor != s.successor]
