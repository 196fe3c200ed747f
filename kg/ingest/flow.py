"""The ingest flow: read → parse → extract → triples (in worker processes) → store (one writer, in batches).

Inputs stream through: each is read, parsed and extracted in a worker process
(:mod:`kg.ingest.workers`, bounded in time and memory per input) while this
process, the single writer, decides for each document whether it changed and
writes the changed ones in batches (:mod:`kg.ingest.writer`, one transaction per
batch), so memory stays flat and a failure loses only the input that failed. A
document whose text, extractor and vocabulary are unchanged and whose source is
already recorded is neither extracted nor written, so re-ingesting the same
files leaves the store exactly as it was. After the inputs, what the paths held
before and no longer hold leaves the store (:mod:`kg.ingest.stale`). The report
lists the inputs in the order found, whichever worker finished first.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.graph.search import SearchIndex
from kg.graph.store import SerializedGraph, Store
from kg.ingest import stale as stale_module
from kg.ingest import workers
from kg.ingest.curation import Curation, rules_fingerprint
from kg.ingest.extract import EntityMatcher, Extraction
from kg.ingest.filetable import FileDocument, FileRow, FileTable, Stat
from kg.ingest.parse import ParsedDocument
from kg.ingest.relations import RelationExtractor
from kg.ingest.sources import Skipped, SourceNames, discover
from kg.ingest.spill import SpillSet
from kg.ingest.triples import SourceRecord, document_iri
from kg.ingest.vocabulary import Vocabulary
from kg.ingest.writer import BATCH_SECONDS, BATCH_SIZE, BatchWriter


@dataclass
class IngestReport:
    """What an ingest run did, for the summary table and for tests."""

    written: list[tuple[str, str]] = field(default_factory=list)  #: (document IRI, title)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    failures: list[SourceError] = field(default_factory=list)
    skipped: list[SourceError] = field(default_factory=list)  #: files of a folder deliberately not read, with why
    read_from: list[tuple[str, str, str]] = field(default_factory=list)  #: (document IRI, title, source location)
    removed: list[stale_module.Gone] = field(default_factory=list)  #: documents a path no longer holds
    orphaned: list[tuple[str, str, list[str]]] = field(default_factory=list)  #: every source gone (--prune)
    pruned: bool = False  #: the orphaned documents were removed
    sources_read: int = 0  #: files and addresses read (by a worker)
    not_read: int = 0  #: files not read again: size and time as recorded, their documents as stored (--rehash reads)
    mentions: int = 0
    relations: int = 0
    batches: int = 0  #: store transactions written
    write_seconds: float = 0.0  #: of the run, spent by the writer in the store and the search index
    workers_started: int = 0  #: worker processes started (none when every input was unchanged, or --jobs 1)
    search_index_rebuilt: bool = False  #: the search index was damaged, set aside and started afresh
    search_index_repaired: list[str] = field(default_factory=list)  #: rows dropped: an ingest was stopped

    @property
    def documents(self) -> int:
        return len(self.written) + len(self.unchanged)


class Pipeline:
    """The vocabulary-dependent parts, built once per run.

    The matcher and the relation extractor (most of the building: the cue grammar's alternations) are
    built when first used, or when the pipeline is pickled for the workers: a re-ingest whose files are
    all unchanged needs only :meth:`fingerprint`, and builds neither."""

    def __init__(self, vocabulary: Vocabulary | None = None, curation: Curation | None = None):
        self.vocabulary = vocabulary or Vocabulary()
        self.curation = curation or Curation.load(base=self.vocabulary.base)
        self.rules = rules_fingerprint()

    @functools.cached_property
    def matcher(self) -> EntityMatcher:
        return EntityMatcher(self.vocabulary)

    @functools.cached_property
    def relations(self) -> RelationExtractor:
        return RelationExtractor(self.vocabulary, self.matcher)

    def __getstate__(self) -> dict[str, Any]:
        """What a worker is sent: the parts built here once, not rebuilt in each worker."""
        self.relations  # noqa: B018 (builds the matcher too)
        return self.__dict__

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
    *,
    jobs: int = 1,
    time_limit: float = workers.TIME_LIMIT,
    memory_limit: int = workers.MEMORY_LIMIT,
    prune: bool = False,
    batch_size: int = BATCH_SIZE,
    batch_seconds: float = BATCH_SECONDS,
    rehash: bool = False,
    on_found: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest files, folders and addresses into ``store``; bad inputs are reported, not raised.

    ``jobs`` worker processes read and extract (1: in this process, without the time and memory
    bounds, for debugging); ``prune`` also removes the documents whose every source file is gone;
    ``rehash`` reads every file, even those whose size and time the file table has (:mod:`kg.ingest.filetable`).
    ``on_found`` is told how many inputs the paths hold (files found, addresses, and those named as not
    read), once every path has been walked and before the first input is looked at; ``on_source`` is
    then called once for each of them.
    """
    pipeline = pipeline or Pipeline()
    given = [os.fspath(p) for p in paths]
    store.load_vocabulary(pipeline.vocabulary)
    with SearchIndex(store.location, rebuild_if_damaged=True) as index:
        report = IngestReport(search_index_rebuilt=index.rebuilt)
        if index.pending() or index.rebuilt:
            report.search_index_repaired = index.reconcile(store.content_hashes())
        index.put_vocabulary(pipeline.vocabulary)
        executor: workers.InProcess | workers.WorkerPool = (
            workers.InProcess(pipeline, store.base)
            if jobs <= 1
            else workers.WorkerPool(pipeline, store.base, jobs, time_limit, memory_limit)
        )
        try:
            with BatchWriter(store, index, batch_size, batch_seconds) as writer:
                run = _Run(store, pipeline, index, writer, on_source, rehash, on_found)
                try:
                    executor.run(run.tasks(given), run.decide, run.finish, writer.tick)
                    writer.flush()
                    run.tidy(given, prune)
                    run.fill(report)
                finally:
                    run.close()
        finally:
            executor.close()
        report.batches, report.write_seconds = writer.batches, writer.seconds
        report.workers_started = executor.started
        return report


@dataclass
class _Document:
    """What this run knows of one document: the sources its graph names, and the last version sent to write."""

    sources: dict[str, SourceRecord]
    content_hash: str | None
    issued: int = 0  #: versions asked of the workers
    queued: int = 0  #: the version handed to the writer


@dataclass
class _Reading:
    """A local file handed to a worker: what its row in the file table will say once its documents are written."""

    location: str  #: absolute
    stat: Stat | None
    name: str
    parsed: workers.Parsed | None = None


class _Run:
    """The writer's side of one ingest: decides per document, collects the report in input order."""

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline,
        index: SearchIndex,
        writer: BatchWriter,
        on_source: Callable[[str], None] | None,
        rehash: bool = False,
        on_found: Callable[[int], None] | None = None,
    ):
        self.store, self.pipeline, self.index, self.writer = store, pipeline, index, writer
        self.on_source, self.on_found = on_source, on_found
        self.rehash = rehash
        self.files = FileTable(index.db)
        self.places = store.source_locations()  #: published name → where it was read, as at the start of the run
        self.holds_source = store.source_check()  #: does the store hold a document as a file-table row says
        self.documents: dict[str, _Document] = {}
        self.asked: dict[tuple[int, str], int] = {}  #: (task, document) → the version its result is
        self.by_seq: dict[int, IngestReport] = {}  #: the part of the report of each input not yet folded in
        self.settled: set[int] = set()  #: inputs done whose part waits for an earlier input's
        self.folded = IngestReport()  #: the parts of inputs 1 … ``next_seq - 1``, in that order
        self.next_seq = 1
        self.reading: dict[int, _Reading] = {}  #: local files in a worker's hands
        self.confirmed = SpillSet(2)  #: (document, source IRI) read this run (on disk but the latest)
        self.seen = SpillSet(1)  #: (absolute location,) of each local file found this run
        self.stamps: list[tuple[str, Stat]] = []  #: files vouched for by rows an older kg wrote, to complete
        self.reread: set[str] = set()  #: published names of the files read this run that were read before
        self.failed: set[str] = set()  #: locations that could not be read this run
        self.removed: list[stale_module.Gone] = []
        self.orphaned: list[tuple[str, str, list[str]]] = []
        self.pruned = False

    def close(self) -> None:
        self.confirmed.close()
        self.seen.close()

    def _part(self, seq: int) -> IngestReport:
        return self.by_seq.setdefault(seq, IngestReport())

    def _settle(self, seq: int) -> None:
        """Input ``seq`` is done: fold its part, and those of the done inputs after it, into the report in
        input order, so only the inputs in the workers' hands (and those done out of turn) keep a part."""
        self.settled.add(seq)
        while self.next_seq in self.settled:
            self.settled.remove(self.next_seq)
            part = self.by_seq.pop(self.next_seq, None)
            if part is not None:
                _merge(self.folded, part)
            self.next_seq += 1

    def tasks(self, given: list[str]) -> Iterator[workers.Task]:
        seq = 0
        walked = [(root, list(discover([root]))) for root in given]  # one walk, counted for on_found
        if self.on_found:
            self.on_found(sum(len(items) for _, items in walked))
        for root, items in walked:
            names = SourceNames(root)
            for item in items:
                seq += 1
                if isinstance(item, SourceError):
                    part = self._part(seq)
                    (part.skipped if isinstance(item, Skipped) else part.failures).append(item)
                    if not isinstance(item, Skipped) and not Path(item.location).exists() and "://" not in root:
                        self.failed.add(stale_module.local(item.location))  # a path not there: nothing removed
                    if self.on_source:
                        self.on_source(item.location)
                    self._settle(seq)
                    continue
                if isinstance(item, Path):
                    location = stale_module.local(str(item))
                    self.seen.add((location,))
                    reading = _Reading(location, Stat.of(location), names(item))
                    if not self.rehash and self._unchanged(seq, str(item), reading):
                        self._settle(seq)
                        continue
                    self.reading[seq] = reading
                yield workers.Task(seq, str(item), root)

    def _unchanged(self, seq: int, item: str, reading: _Reading) -> bool:
        """Whether the file table vouches for the file (see :mod:`kg.ingest.filetable`); if so, report it."""
        stat = reading.stat
        row = self.files.get(reading.location) if stat is not None else None
        if row is None or stat is None or not row.vouches(stat, reading.name):
            return False
        for doc in row.documents:
            if (
                doc.iri in self.documents  # a file read this run gave it too: decide with that file
                or doc.fingerprint != self.pipeline.fingerprint(doc.iri)
                or not self.holds_source(doc.iri, doc.content_hash, row.source, row.name, row.sha256)
                or not self.index.has(doc.iri, doc.content_hash)
            ):
                return False
        if row.ctime_ns is None:
            self.stamps.append((reading.location, stat))
        part = self._part(seq)
        part.not_read += 1
        for doc in row.documents:
            part.read_from.append((doc.iri, doc.title, item))
            part.unchanged.append((doc.iri, doc.title))
            self.confirmed.add((doc.iri, row.source))
        if self.on_source:
            self.on_source(item)
        return True

    def decide(self, task: workers.Task, parsed: workers.Parsed) -> list[workers.Decision]:
        here = parsed.here
        part = self._part(task.seq)
        part.sources_read += 1
        if here.name in self.places:
            self.reread.add(here.name)
        reading = self.reading.get(task.seq)
        if reading is not None:
            reading.parsed = parsed
        self.writer.remember(here.name, stale_module.local(parsed.location))
        decisions: list[workers.Decision] = []
        for iri, title, digest in parsed.documents:
            part.read_from.append((iri, title, parsed.location))
            self.confirmed.add((iri, here.iri))
            known = self.documents.get(iri)
            if known is None:
                stored = self.store.stored_document(iri)
                records = [SourceRecord(*r) for r in stored.sources] if stored else []
                known = _Document({r.iri: r for r in records}, stored.content_hash if stored else None)
                self.documents[iri] = known
            if known.content_hash == digest and known.sources.get(here.iri) == here:
                part.unchanged.append((iri, title))
                decisions.append(None if self.index.has(iri, digest) else workers.INDEX)
                continue
            known.sources[here.iri] = here
            known.content_hash = digest
            known.issued += 1
            self.asked[(task.seq, iri)] = known.issued
            decisions.append(tuple(sorted(known.sources.values(), key=lambda s: s.name)))
        return decisions

    def finish(self, task: workers.Task, outcome: workers.Done | SourceError) -> None:
        try:
            self._finish(task, outcome)
        finally:
            self._settle(task.seq)

    def _finish(self, task: workers.Task, outcome: workers.Done | SourceError) -> None:
        part = self._part(task.seq)
        reading = self.reading.pop(task.seq, None)
        if self.on_source:
            self.on_source(task.location)
        if isinstance(outcome, SourceError):
            part.failures.append(outcome)
            self.failed.add(stale_module.local(task.location))  # its documents stay as they were
            if reading is not None:
                self.writer.forget_file(reading.location)
            return
        for result in outcome.results:
            row = (result.iri, "document", result.title, "", result.text, result.content_hash)
            if not result.nquads:
                self.writer.index_only(row)
                continue
            version = self.asked.pop((task.seq, result.iri), 0)
            known = self.documents[result.iri]
            if version <= known.queued:
                continue  # a later file's version of the same document is already on its way
            known.queued = version
            self.writer.write(result.iri, SerializedGraph(result.nquads, result.union), row)
            part.written.append((result.iri, result.title))
            part.mentions += result.mentions
            part.relations += result.relations
        if reading is not None:
            self._record(reading)

    def _record(self, reading: _Reading) -> None:
        """Queue the file's row, written after the store's transaction holding its documents commits."""
        parsed, stat = reading.parsed, reading.stat
        if parsed is None or stat is None or stat.racy:
            self.writer.forget_file(reading.location)
            return
        here = parsed.here
        documents = tuple(
            FileDocument(iri, title, digest, self.pipeline.fingerprint(iri)) for iri, title, digest in parsed.documents
        )
        self.writer.record_file(
            FileRow(
                *(reading.location, stat.size, stat.mtime_ns, here.name, here.sha256, here.encoding, here.iri),
                *(documents, stat.ctime_ns, stat.inode),
            )
        )

    def _gone_names(self, roots: list[str]) -> set[str]:
        """Published names of local files under ``roots`` read before and not found this run."""
        gone = set()
        for name, place in self.places.items():
            if "://" in place:
                continue
            where = stale_module.local(place)
            if (where,) not in self.seen and any(stale_module.within(where, r) for r in roots):
                gone.add(name)
        return gone

    def tidy(self, given: list[str], prune: bool) -> None:
        """Remove what the paths no longer hold; report (and with ``prune`` remove) orphaned documents.

        Only the documents that record a source the run touched are looked at: a file under a given path
        that was not found again, or one that was read again (what it gives may have changed)."""
        roots = [stale_module.local(g) for g in given if "://" not in g]
        candidates = self._gone_names(roots) | self.reread
        recorded = self.store.document_sources(sorted(candidates)) if candidates else {}
        gone, lost = stale_module.stale(self.store, given, self.confirmed, self.failed, recorded, candidates)
        for entry in gone:
            if entry.removed:
                self.writer.remove(entry.iri)
            else:
                quads = stale_module.without_sources(self.store.graph_quads(entry.iri), lost[entry.iri])
                self.writer.write(entry.iri, quads, None)
        self.removed = gone
        self.writer.flush()
        self.writer.forget_files(
            stale_module.local(self.places[n]) for n in candidates if n not in self.reread and n in self.places
        )
        self.files.stamp_many(self.stamps)
        self.stamps.clear()
        missing = stale_module.missing_names(self.store)
        recorded = self.store.document_sources(sorted(missing)) if missing else {}
        self.orphaned = stale_module.orphaned(self.store, recorded)
        if prune and self.orphaned:
            for iri, _, _ in self.orphaned:
                self.writer.remove(iri)
            self.writer.flush()
            self.pruned = True

    def fill(self, report: IngestReport) -> None:
        """The run's report, each input's part in the order the inputs were found."""
        _merge(report, self.folded)
        for seq in sorted(self.by_seq):  # none when every input was settled
            _merge(report, self.by_seq[seq])
        report.removed, report.orphaned, report.pruned = self.removed, self.orphaned, self.pruned


def _merge(report: IngestReport, part: IngestReport) -> None:
    """Add one input's part (or several inputs' parts, folded) to ``report``."""
    report.written += part.written
    report.unchanged += part.unchanged
    report.failures += part.failures
    report.skipped += part.skipped
    report.read_from += part.read_from
    report.sources_read += part.sources_read
    report.not_read += part.not_read
    report.mentions += part.mentions
    report.relations += part.relations
