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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.graph import namespaces as ns
from kg.graph import terms
from kg.graph.days import DAY_OF, day_literal
from kg.graph.evidence import span
from kg.graph.serialized import SerializedGraph
from kg.ingest.extract import EXTRACTOR_VERSION, Extraction, Mention, Relation
from kg.ingest.labels import slug
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source, page_at


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


_iri_text = terms.iri_text
_literal_text = terms.literal_text
_quoted = terms.quoted


class GraphBuilder:
    """Collects the triples of one named graph as N-Triples text (no pyoxigraph ``Quad`` per line).

    :meth:`add` takes IRIs as strings (each checked once, then shared: :func:`kg.graph.terms.iri_text`) or
    terms (written as pyoxigraph writes them); :meth:`add_literal` writes a literal without making it.
    :meth:`serialized` is the graph as the store loads it, :attr:`quads` the same graph as quads."""

    def __init__(self, graph: str | terms.NamedNode):
        self.graph = graph if isinstance(graph, terms.NamedNode) else terms.iri(graph)
        self.graph_text = str(self.graph)
        self.lines: list[str] = []  #: ``S P O`` of each triple, in the order added

    def add(self, s: str | terms.NamedNode | terms.BlankNode, p: str, o: str | terms.Term) -> None:
        self.lines.append(
            f"{_iri_text(s) if type(s) is str else str(s)} {_iri_text(p)} {_iri_text(o) if type(o) is str else str(o)}"
        )

    def add_literal(self, s: str, p: str, value: str, datatype: str | None = None, language: str | None = None) -> None:
        """``add(s, p, literal(value, datatype, language))``, written without a pyoxigraph literal."""
        o = _quoted(value) if datatype is None and language is None else _literal_text(value, datatype, language)
        self.lines.append(f"{_iri_text(s)} {_iri_text(p)} {o}")

    def add_quads(self, quads: Iterable[terms.Quad]) -> None:
        """Quads made elsewhere (the curation's records); each must be in this graph."""
        for q in quads:
            if q.graph_name != self.graph:
                raise ValueError(f"a quad of graph {q.graph_name} added to the graph {self.graph}")
            self.lines.append(f"{q.subject} {q.predicate} {q.object}")

    def serialized(self) -> SerializedGraph:
        return SerializedGraph.of_lines(self.graph_text, self.lines)

    def iter_quads(self) -> Iterator[terms.Quad]:
        """The quads, parsed from the text when first iterated (a generator: nothing is done until then)."""
        yield from self.quads

    @property
    def quads(self) -> list[terms.Quad]:
        return self.serialized().quads()


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
        g.add_literal(node, ns.ONTOLOGY + "matchedBy", how)
        _places(g, node, text, places, page_starts)


def _places(g: GraphBuilder, node: str, text: str, places: list[tuple[int, int]], page_starts: tuple[int, ...]) -> None:
    """Every place as a ``kg:span`` of ``node`` and the first place's words as its ``oa:exact``."""
    for start, end in places:
        g.add_literal(node, ns.ONTOLOGY + "span", span(start, end, page_at(page_starts, start)))
    start, end = places[0]
    g.add_literal(node, ns.OA + "exact", text[start:end])


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
            g.add_literal(statement, ns.ONTOLOGY + "extractionRule", r.rule)
        for mechanism in r.mechanisms:
            g.add_literal(statement, ns.ONTOLOGY + "matchedBy", mechanism)
        if r.modality:
            g.add_literal(statement, ns.ONTOLOGY + "modality", r.modality)


def document_graph(
    document: ParsedDocument,
    extraction: Extraction,
    sources: Iterable[Source | SourceRecord],
    fingerprint: str,
    when: _dt.datetime | None = None,
    base: str | None = None,
) -> tuple[str, GraphBuilder]:
    """The document's IRI and its named graph as written (:meth:`GraphBuilder.serialized` for the store)."""
    base = base or ns.base_iri()
    doc = document_iri(document, base)
    g = GraphBuilder(doc)
    activity = doc + "#ingest"
    agent = agent_iri(base)
    when = when or _dt.datetime.now(_dt.UTC).replace(microsecond=0)

    g.add(doc, ns.RDF + "type", ns.ONTOLOGY + "Document")
    if document.kind != "Document":
        g.add(doc, ns.RDF + "type", ns.ONTOLOGY + document.kind)
    g.add_literal(doc, ns.DCTERMS + "title", document.title)
    for attribute, predicate in (
        ("issued", ns.DCTERMS + "issued"),
        ("modified", ns.DCTERMS + "modified"),
        ("review_due", ns.ONTOLOGY + "reviewDue"),
    ):
        value = getattr(document, attribute)
        if value:
            g.add_literal(doc, predicate, value.value, value.xsd)
    for attribute, predicate in (("issued", ns.DCTERMS + "issued"), ("review_due", ns.ONTOLOGY + "reviewDue")):
        value = getattr(document, attribute)
        day = day_literal(value.value) if value else None
        if day is not None:  # the first day of each date, as xsd:date (kg:issuedDay, kg:reviewDay; kg.graph.days)
            g.add(doc, DAY_OF[predicate], day)
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
            g.add_literal(doc, predicate, document.fields[name])
    if document.link:
        g.add_literal(doc, ns.DCTERMS + "source", document.link, ns.XSD + "anyURI")
    g.add_literal(doc, ns.ONTOLOGY + "contentHash", content_hash(document, fingerprint))
    g.add(doc, ns.PROV + "wasGeneratedBy", activity)

    for entity in extraction.new_entities:
        g.add(entity.iri, ns.RDF + "type", ns.SKOS + "Concept")
        g.add(entity.iri, ns.RDF + "type", ns.ONTOLOGY + entity.type)
        g.add_literal(entity.iri, ns.SKOS + "prefLabel", entity.label, language="en")
        g.add(entity.iri, ns.SKOS + "inScheme", f"{base}id/scheme-discovered")

    g.add(activity, ns.RDF + "type", ns.PROV + "Activity")
    g.add(activity, ns.PROV + "wasAssociatedWith", agent)
    g.add_literal(activity, ns.PROV + "endedAtTime", when.isoformat(), ns.XSD + "dateTime")
    g.add(agent, ns.RDF + "type", ns.PROV + "SoftwareAgent")
    g.add_literal(agent, ns.RDFS + "label", f"kg extractor {EXTRACTOR_VERSION}")
    g.add_literal(agent, ns.SCHEMA + "softwareVersion", EXTRACTOR_VERSION)
    for source in sources:
        record = source if isinstance(source, SourceRecord) else source_record(source, base)
        g.add(doc, ns.PROV + "hadPrimarySource", record.iri)
        g.add(activity, ns.PROV + "used", record.iri)
        g.add(record.iri, ns.RDF + "type", ns.ONTOLOGY + "SourceFile")
        g.add_literal(record.iri, ns.ONTOLOGY + "sourcePath", record.name)
        g.add_literal(record.iri, ns.SCHEMA + "sha256", record.sha256)
        g.add_literal(record.iri, ns.SCHEMA + "encodingFormat", record.encoding)

    mention_quads(g, doc, document.text, extraction.mentions, activity, document.page_starts)
    relation_quads(g, doc, document.text, extraction.relations, activity, document.page_starts)
    # counts the saved query documents-with-entity-counts sorts by without reading every mention
    # (docs/saved-queries-scale.md): distinct entities mentioned, distinct statements (one per relation read)
    relations = {(r.subject, r.predicate, r.object, r.start) for r in extraction.relations}
    g.add_literal(doc, ns.ONTOLOGY + "entityCount", str(len({m.entity for m in extraction.mentions})), _INTEGER)
    g.add_literal(doc, ns.ONTOLOGY + "relationCount", str(len(relations)), _INTEGER)
    return doc, g


_INTEGER = ns.XSD + "integer"
