"""Stage 4, triples: turn one parsed and extracted document into the quads of its named graph.

The graph's name is the document's IRI. It holds the document's metadata
(dcterms), its mentions (schema:mentions), the relations found in it, the
evidence for each as a W3C Web Annotation (a TextQuoteSelector and a
TextPositionSelector into the document text, and kg:page on the target
when the source has pages), and its provenance (PROV-O:
which files, when, which extractor version). Every IRI is derived from
content, so building the same document twice gives the same quads.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.graph import namespaces as ns
from kg.graph import terms
from kg.ingest.extract import EXTRACTOR_VERSION, Extraction, Mention, Relation
from kg.ingest.labels import slug
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source, page_at

CONTEXT_CHARS = 32  #: characters of prefix and suffix kept with each quote


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
    """An absolute file path, or the address as given."""
    if "://" in source.location:
        return source.location
    return str(Path(source.location).resolve())


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


@dataclass
class GraphBuilder:
    """Collects the quads of one named graph."""

    graph: terms.NamedNode

    def __post_init__(self):
        self.quads: list[terms.Quad] = []

    def add(self, s: str | terms.NamedNode | terms.BlankNode, p: str, o: str | terms.Term) -> None:
        s = _n(s) if isinstance(s, str) else s
        o = _n(o) if isinstance(o, str) else o
        self.quads.append(terms.Quad(s, _n(p), o, self.graph))


def _quote(text: str, start: int, end: int) -> tuple[str, str, str]:
    return text[max(0, start - CONTEXT_CHARS) : start], text[start:end], text[end : end + CONTEXT_CHARS]


def _evidence(
    g: GraphBuilder,
    doc: str,
    text: str,
    ann: str,
    body: str | terms.NamedNode,
    start: int,
    end: int,
    motivation: str,
    activity: str,
    page_starts: tuple[int, ...] = (),
) -> None:
    prefix, exact, suffix = _quote(text, start, end)
    target, quote, position = ann + "-target", ann + "-quote", ann + "-position"
    g.add(ann, ns.RDF + "type", ns.OA + "Annotation")
    g.add(ann, ns.OA + "motivatedBy", ns.OA + motivation)
    g.add(ann, ns.OA + "hasBody", body)
    g.add(ann, ns.OA + "hasTarget", target)
    g.add(ann, ns.PROV + "wasGeneratedBy", activity)
    g.add(target, ns.RDF + "type", ns.OA + "SpecificResource")
    g.add(target, ns.OA + "hasSource", doc)
    g.add(target, ns.OA + "hasSelector", quote)
    g.add(target, ns.OA + "hasSelector", position)
    page = page_at(page_starts, start)
    if page:
        g.add(target, ns.ONTOLOGY + "page", _lit(str(page), ns.XSD + "positiveInteger"))
    g.add(quote, ns.RDF + "type", ns.OA + "TextQuoteSelector")
    g.add(quote, ns.OA + "exact", _lit(exact))
    g.add(quote, ns.OA + "prefix", _lit(prefix))
    g.add(quote, ns.OA + "suffix", _lit(suffix))
    g.add(position, ns.RDF + "type", ns.OA + "TextPositionSelector")
    g.add(position, ns.OA + "start", _lit(str(start), ns.XSD + "nonNegativeInteger"))
    g.add(position, ns.OA + "end", _lit(str(end), ns.XSD + "nonNegativeInteger"))


def mention_quads(
    g: GraphBuilder,
    doc: str,
    text: str,
    mentions: Iterable[Mention],
    activity: str,
    page_starts: tuple[int, ...] = (),
) -> None:
    for m in mentions:
        g.add(doc, ns.SCHEMA + "mentions", m.entity)
        ann = f"{doc}#m{m.start}-{m.end}"
        _evidence(g, doc, text, ann, _n(m.entity), m.start, m.end, "identifying", activity, page_starts)
        g.add(ann, ns.ONTOLOGY + "matchedBy", _lit(m.how))


def relation_quads(
    g: GraphBuilder,
    doc: str,
    text: str,
    relations: Iterable[Relation],
    activity: str,
    page_starts: tuple[int, ...] = (),
) -> None:
    for r in relations:
        predicate = ns.ONTOLOGY + r.predicate
        g.add(r.subject, predicate, r.object)
        key = hashlib.sha1(f"{r.subject} {r.predicate} {r.object} {r.start}".encode()).hexdigest()[:10]
        statement, ann = f"{doc}#s{key}", f"{doc}#r{key}"
        g.add(statement, ns.RDF + "type", ns.RDF + "Statement")
        g.add(statement, ns.RDF + "subject", r.subject)
        g.add(statement, ns.RDF + "predicate", predicate)
        g.add(statement, ns.RDF + "object", r.object)
        _evidence(g, doc, text, ann, _n(statement), r.start, r.end, "describing", activity, page_starts)
        if r.rule:
            g.add(ann, ns.ONTOLOGY + "extractionRule", _lit(r.rule))
        for mechanism in r.mechanisms:
            g.add(ann, ns.ONTOLOGY + "matchedBy", _lit(mechanism))
        if r.modality:
            g.add(ann, ns.ONTOLOGY + "modality", _lit(r.modality))


def document_quads(
    document: ParsedDocument,
    extraction: Extraction,
    sources: Iterable[Source],
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
        src = source_iri(source, base)
        g.add(doc, ns.PROV + "hadPrimarySource", src)
        g.add(activity, ns.PROV + "used", src)
        g.add(src, ns.RDF + "type", ns.ONTOLOGY + "SourceFile")
        g.add(src, ns.ONTOLOGY + "sourcePath", _lit(source_location(source)))
        g.add(src, ns.SCHEMA + "sha256", _lit(source.sha256))
        g.add(src, ns.SCHEMA + "encodingFormat", _lit(source.encoding))

    mention_quads(g, doc, document.text, extraction.mentions, activity, document.page_starts)
    relation_quads(g, doc, document.text, extraction.relations, activity, document.page_starts)
    return doc, g.quads
