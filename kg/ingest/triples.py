"""Stage 4, triples: turn one parsed and extracted document into the quads of its named graph.

The graph's name is the document's IRI. It holds the document's metadata
(dcterms), its mentions (schema:mentions), the relations found in it, the
evidence for each in a compact form (one node per entity named and way of
matching, with a ``kg:span`` for every place and the first place's words; the
relation's rdf:Statement with its sentence and place; docs/evidence.md, whose
standard W3C Web Annotation view ``web-annotations.rq`` makes), and its provenance (PROV-O:
which files, when, which extractor version). Every IRI is derived from
content, so building the same document twice gives the same quads.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.graph import namespaces as ns
from kg.graph import terms
from kg.graph.days import day_quads
from kg.graph.evidence import span
from kg.ingest.extract import EXTRACTOR_VERSION, Extraction, Mention, Relation
from kg.ingest.labels import slug
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source, page_at

_n = terms.iri
_lit = terms.literal


def document_iri(document: ParsedDocument, base: str | None = None) -> str:
    """Stable IRI from the document's identity, so copies in two files are one document."""
    base = base or ns.base_iri()
    digest = hashlib.sha1(document.identity.encode("utf-8")).hexdigest()[:10]
    return f"{base}doc/{slug(document.title, 50)}-{digest}"


def source_iri(source: Source, base: str | None = None) -> str:
    base = base or ns.base_iri()
    return f"{base}source/{hashlib.sha1(source_location(source).encode('utf-8')).hexdigest()[:16]}"


def source_location(source: Source) -> str:
    """An absolute file path, or the address as given (what the source's IRI is made from; never published)."""
    if "://" in source.location:
        return source.location
    return str(Path(source.location).resolve())


@dataclass(frozen=True)
class SourceRecord:
    """A source file as a document's graph records it: its IRI and what is published about it."""

    iri: str
    name: str  #: relative to the folder ingested, or the address (:attr:`kg.ingest.sources.Source.name`)
    sha256: str
    encoding: str


def source_record(source: Source, base: str | None = None) -> SourceRecord:
    return SourceRecord(source_iri(source, base), source.name or source.location, source.sha256, source.encoding)


def entity_iri(label: str, base: str | None = None) -> str:
    return f"{base or ns.base_iri()}id/{slug(label)}"


def agent_iri(base: str | None = None) -> str:
    return f"{base or ns.base_iri()}agent/kg-extractor-{EXTRACTOR_VERSION}"


def content_hash(document: ParsedDocument, fingerprint: str) -> str:
    """Changes when the text, the extractor or the vocabulary changes."""
    digest = hashlib.sha256()
    for part in (document.title, document.text, EXTRACTOR_VERSION, fingerprint):
        digest.update(part.encode("utf-8") + b"\0")
    if document.page_starts:  # the same text laid out on other pages changes the evidence
        digest.update(repr(document.page_starts).encode("ascii"))
    return digest.hexdigest()


#: IRI → its term, shared by every graph a process builds: a worker names the same predicates, classes and
#: entities in every document. Emptied when it reaches :data:`_IRI_CACHE_SIZE` entries, so memory stays bounded.
_IRIS: dict[str, terms.NamedNode] = {}
_IRI_CACHE_SIZE = 50_000


def _made(value: str) -> terms.NamedNode:
    if len(_IRIS) >= _IRI_CACHE_SIZE:
        _IRIS.clear()
    node = _IRIS[value] = _n(value)
    return node


@dataclass
class GraphBuilder:
    """Collects the quads of one named graph."""

    graph: terms.NamedNode

    def __post_init__(self):
        self.quads: list[terms.Quad] = []

    def _iri(self, value: str) -> terms.NamedNode:
        return _IRIS.get(value) or _made(value)

    def add(self, s: str | terms.NamedNode | terms.BlankNode, p: str, o: str | terms.Term) -> None:
        get = _IRIS.get
        self.quads.append(
            terms.Quad(
                (get(s) or _made(s)) if isinstance(s, str) else s,
                get(p) or _made(p),
                (get(o) or _made(o)) if isinstance(o, str) else o,
                self.graph,
            )
        )


@lru_cache(maxsize=16384)
def _mention_key(entity: str, how: str) -> str:
    """The local part of an evidence node: the same entity and way of matching in every document."""
    return hashlib.sha1(f"{entity} {how}".encode()).hexdigest()[:10]


def mention_quads(
    g: GraphBuilder,
    doc: str,
    text: str,
    mentions: Iterable[Mention],
    activity: str = "",
    page_starts: tuple[int, ...] = (),
) -> None:
    """schema:mentions, and one evidence node per entity and way of matching it (docs/evidence.md).

    The node ``<doc#m…>`` has the entity as ``oa:hasBody``, ``kg:matchedBy``, every place as a
    ``kg:span`` and the words of the first place as ``oa:exact``; nothing else (no type, target or
    selector nodes: the saved query ``web-annotations`` makes the standard form of them).
    ``activity`` is kept for callers of the old signature; evidence takes the document's provenance.
    """
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        groups.setdefault((m.entity, m.how), []).append((m.start, m.end))
    for (entity, how), places in groups.items():
        g.add(doc, ns.SCHEMA + "mentions", entity)
        node = f"{doc}#m{_mention_key(entity, how)}"
        g.add(node, ns.OA + "hasBody", entity)
        g.add(node, ns.ONTOLOGY + "matchedBy", _lit(how))
        _places(g, node, text, places, page_starts)


def _places(g: GraphBuilder, node: str, text: str, places: list[tuple[int, int]], page_starts: tuple[int, ...]) -> None:
    """Every place as a ``kg:span`` of ``node`` and the first place's words as its ``oa:exact``."""
    for start, end in places:
        g.add(node, ns.ONTOLOGY + "span", _lit(span(start, end, page_at(page_starts, start))))
    start, end = places[0]
    g.add(node, ns.OA + "exact", _lit(text[start:end]))


def relation_quads(
    g: GraphBuilder,
    doc: str,
    text: str,
    relations: Iterable[Relation],
    activity: str = "",
    page_starts: tuple[int, ...] = (),
) -> None:
    """The relation, and its statement ``<doc#s…>`` (rdf:Statement) carrying its own evidence.

    The statement has the sentence as ``oa:exact`` and its place as ``kg:span``, with
    ``kg:extractionRule``, ``kg:matchedBy`` and ``kg:modality`` (docs/evidence.md).
    """
    for r in relations:
        predicate = ns.ONTOLOGY + r.predicate
        g.add(r.subject, predicate, r.object)
        key = hashlib.sha1(f"{r.subject} {r.predicate} {r.object} {r.start}".encode()).hexdigest()[:10]
        statement = f"{doc}#s{key}"
        g.add(statement, ns.RDF + "type", ns.RDF + "Statement")
        g.add(statement, ns.RDF + "subject", r.subject)
        g.add(statement, ns.RDF + "predicate", predicate)
        g.add(statement, ns.RDF + "object", r.object)
        _places(g, statement, text, [(r.start, r.end)], page_starts)
        if r.rule:
            g.add(statement, ns.ONTOLOGY + "extractionRule", _lit(r.rule))
        for mechanism in r.mechanisms:
            g.add(statement, ns.ONTOLOGY + "matchedBy", _lit(mechanism))
        if r.modality:
            g.add(statement, ns.ONTOLOGY + "modality", _lit(r.modality))


def document_quads(
    document: ParsedDocument,
    extraction: Extraction,
    sources: Iterable[Source | SourceRecord],
    fingerprint: str,
    when: _dt.datetime | None = None,
    base: str | None = None,
) -> tuple[str, list[terms.Quad]]:
    """The document's IRI and every quad of its named graph."""
    base = base or ns.base_iri()
    doc = document_iri(document, base)
    g = GraphBuilder(_n(doc))
    activity = doc + "#ingest"
    agent = agent_iri(base)
    when = when or _dt.datetime.now(_dt.UTC).replace(microsecond=0)

    g.add(doc, ns.RDF + "type", ns.ONTOLOGY + "Document")
    if document.kind != "Document":
        g.add(doc, ns.RDF + "type", ns.ONTOLOGY + document.kind)
    g.add(doc, ns.DCTERMS + "title", _lit(document.title))
    for attribute, predicate in (
        ("issued", ns.DCTERMS + "issued"),
        ("modified", ns.DCTERMS + "modified"),
        ("review_due", ns.ONTOLOGY + "reviewDue"),
    ):
        value = getattr(document, attribute)
        if value:
            g.add(doc, predicate, _lit(value.value, value.xsd))
    g.quads += day_quads(g.quads)  # the first day of each date, as xsd:date (kg:issuedDay, kg:reviewDay)
    if extraction.publisher:
        g.add(doc, ns.DCTERMS + "publisher", extraction.publisher)
    if extraction.producer:
        g.add(doc, ns.DCTERMS + "creator", extraction.producer)
    for name, predicate in (
        ("format", ns.DCTERMS + "format"),
        ("audience", ns.ONTOLOGY + "primaryAudience"),
        ("summary", ns.DCTERMS + "abstract"),
        ("key_features", ns.ONTOLOGY + "keyFeatures"),
        ("impact", ns.ONTOLOGY + "libraryImpact"),
        ("responsible", ns.ONTOLOGY + "responsibleMember"),
    ):
        if document.fields.get(name):
            g.add(doc, predicate, _lit(document.fields[name]))
    if document.link:
        g.add(doc, ns.DCTERMS + "source", _lit(document.link, ns.XSD + "anyURI"))
    g.add(doc, ns.ONTOLOGY + "contentHash", _lit(content_hash(document, fingerprint)))
    g.add(doc, ns.PROV + "wasGeneratedBy", activity)

    for entity in extraction.new_entities:
        g.add(entity.iri, ns.RDF + "type", ns.SKOS + "Concept")
        g.add(entity.iri, ns.RDF + "type", ns.ONTOLOGY + entity.type)
        g.add(entity.iri, ns.SKOS + "prefLabel", _lit(entity.label, language="en"))
        g.add(entity.iri, ns.SKOS + "inScheme", f"{base}id/scheme-discovered")

    g.add(activity, ns.RDF + "type", ns.PROV + "Activity")
    g.add(activity, ns.PROV + "wasAssociatedWith", agent)
    g.add(activity, ns.PROV + "endedAtTime", _lit(when.isoformat(), ns.XSD + "dateTime"))
    g.add(agent, ns.RDF + "type", ns.PROV + "SoftwareAgent")
    g.add(agent, ns.RDFS + "label", _lit(f"kg extractor {EXTRACTOR_VERSION}"))
    g.add(agent, ns.SCHEMA + "softwareVersion", _lit(EXTRACTOR_VERSION))
    for source in sources:
        record = source if isinstance(source, SourceRecord) else source_record(source, base)
        g.add(doc, ns.PROV + "hadPrimarySource", record.iri)
        g.add(activity, ns.PROV + "used", record.iri)
        g.add(record.iri, ns.RDF + "type", ns.ONTOLOGY + "SourceFile")
        g.add(record.iri, ns.ONTOLOGY + "sourcePath", _lit(record.name))
        g.add(record.iri, ns.SCHEMA + "sha256", _lit(record.sha256))
        g.add(record.iri, ns.SCHEMA + "encodingFormat", _lit(record.encoding))

    mention_quads(g, doc, document.text, extraction.mentions, activity, document.page_starts)
    relation_quads(g, doc, document.text, extraction.relations, activity, document.page_starts)
    # counts the saved query documents-with-entity-counts sorts by without reading every mention
    # (docs/saved-queries-scale.md): distinct entities mentioned, distinct statements (one per relation read)
    g.add(doc, ns.ONTOLOGY + "entityCount", _count({m.entity for m in extraction.mentions}))
    g.add(
        doc,
        ns.ONTOLOGY + "relationCount",
        _count({(r.subject, r.predicate, r.object, r.start) for r in extraction.relations}),
    )
    return doc, g.quads


def _count(items: set) -> terms.Literal:
    return _lit(str(len(items)), ns.XSD + "integer")
