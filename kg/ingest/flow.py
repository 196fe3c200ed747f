"""The ingest flow: read → parse → extract → triples → store, one document at a time.

Documents stream through: each is written to its own named graph in one
transaction as soon as it is ready, so memory stays flat and a failure
loses only the document that failed. A document whose text, extractor and
vocabulary are unchanged and whose source is already recorded is skipped,
so re-ingesting the same files leaves the store exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field

from kg.errors import SourceError
from kg.graph.search import SearchIndex
from kg.graph.store import Store
from kg.ingest.curation import Curation, rules_fingerprint
from kg.ingest.extract import EntityMatcher, Extraction
from kg.ingest.parse import ParsedDocument, parse
from kg.ingest.relations import RelationExtractor
from kg.ingest.sources import Skipped, Source, iter_sources
from kg.ingest.triples import SourceRecord, content_hash, document_iri, document_quads, source_record
from kg.ingest.vocabulary import Vocabulary


@dataclass
class IngestReport:
    """What an ingest run did, for the summary table and for tests."""

    written: list[tuple[str, str]] = field(default_factory=list)  #: (document IRI, title)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    failures: list[SourceError] = field(default_factory=list)
    skipped: list[SourceError] = field(default_factory=list)  #: files of a folder deliberately not read, with why
    read_from: list[tuple[str, str, str]] = field(default_factory=list)  #: (document IRI, title, source location)
    sources_read: int = 0
    mentions: int = 0
    relations: int = 0
    search_index_rebuilt: bool = False  #: the search index was damaged, set aside and started afresh

    @property
    def documents(self) -> int:
        return len(self.written) + len(self.unchanged)


class Pipeline:
    """The vocabulary-dependent parts, built once per run."""

    def __init__(self, vocabulary: Vocabulary | None = None, curation: Curation | None = None):
        self.vocabulary = vocabulary or Vocabulary()
        self.matcher = EntityMatcher(self.vocabulary)
        self.relations = RelationExtractor(self.vocabulary, self.matcher)
        self.curation = curation or Curation.load(base=self.vocabulary.base)
        self.rules = rules_fingerprint()

    def extract(self, document: ParsedDocument) -> Extraction:
        extraction = self.matcher.extract(document)
        extraction.relations = self.relations.extract(document, extraction)
        return self.curation.apply(document_iri(document, self.vocabulary.base), document.text, extraction)

    def fingerprint(self, document: str) -> str:
        """Changes when the vocabulary, the extraction rules or the decisions in force on ``document`` change."""
        return "-".join(p for p in (self.vocabulary.fingerprint, self.rules, self.curation.digest(document)) if p)


def ingest(
    paths: Iterable[str | os.PathLike],
    store: Store,
    pipeline: Pipeline | None = None,
    on_source: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest files and folders into ``store``; bad inputs are reported, not raised."""
    pipeline = pipeline or Pipeline()
    store.load_vocabulary(pipeline.vocabulary)
    with SearchIndex(store.location, rebuild_if_damaged=True) as index:
        index.put_vocabulary(pipeline.vocabulary)
        report = _ingest_all(paths, store, pipeline, index, on_source)
        report.search_index_rebuilt = index.rebuilt
        return report


def _ingest_all(
    paths: Iterable[str | os.PathLike],
    store: Store,
    pipeline: Pipeline,
    index: SearchIndex,
    on_source: Callable[[str], None] | None,
) -> IngestReport:
    report = IngestReport()
    for item in iter_sources(paths):
        if on_source:
            on_source(item.location)
        if isinstance(item, SourceError):
            (report.skipped if isinstance(item, Skipped) else report.failures).append(item)
            continue
        report.sources_read += 1
        store.remember_locations({item.name or item.location: item.location})
        try:
            documents = parse(item)
            if not documents:
                raise SourceError(item.location, "no document found in the text (no title line)")
            for document in documents:
                _ingest_document(document, item, store, pipeline, report, index)
        except SourceError as exc:
            report.failures.append(exc)
        except Exception as exc:  # one broken document must not stop the run
            report.failures.append(SourceError(item.location, f"{type(exc).__name__}: {exc}"))
    return report


def _ingest_document(
    document: ParsedDocument, source: Source, store: Store, pipeline: Pipeline, report: IngestReport, index: SearchIndex
) -> None:
    iri = document_iri(document, store.base)
    report.read_from.append((iri, document.title, source.location))
    fingerprint = pipeline.fingerprint(iri)
    stored = store.stored_document(iri)
    here = source_record(source, store.base)
    if stored and stored.content_hash == content_hash(document, fingerprint) and astuple(here) in stored.sources:
        report.unchanged.append((iri, document.title))
        if not index.has(iri):
            index.put(iri, "document", document.title, "", document.text)
        return
    sources = {here.iri: here}  # this file, and any other file the same document was read from before
    for record in stored.sources if stored else []:
        sources.setdefault(record[0], SourceRecord(*record))
    extraction = pipeline.extract(document)
    iri, quads = document_quads(
        document, extraction, sorted(sources.values(), key=lambda s: s.name), fingerprint, base=store.base
    )
    store.replace_graph(iri, [*quads, *pipeline.curation.quads(iri, quads)])
    index.put(iri, "document", document.title, "", document.text)
    report.written.append((iri, document.title))
    report.mentions += len(extraction.mentions)
    report.relations += len(extraction.relations)
