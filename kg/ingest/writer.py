"""The one writer of an ingest: documents go to the store and the search index in batches.

A batch is written when it holds ``size`` documents or its first document has waited ``seconds``,
whichever comes first, and at the end of the run. Each batch is one store transaction
(:meth:`kg.graph.store.Store.replace_graphs`: every document of it old or every one new, the union
default graph kept right), then one search-index transaction. Between the two, the index's journal
(:meth:`kg.graph.search.SearchIndex.mark_pending`, written before the store's commit) names the
documents whose rows may not match the store yet; the next ingest reconciles them
(:meth:`kg.graph.search.SearchIndex.reconcile`) if the writer was stopped there.

Each entity's number of documents (:mod:`kg.graph.mentioncounts`) is counted again once, at the end of
the run, for the entities the written graphs mentioned before their batch and after; a marker written
before the first batch's commit and removed after that count makes the next writer count every entity
if this one was stopped first.

Where each batch's sources were read from is recorded before the batch is committed (appended to the
store's ``source-locations.log``, folded into ``source-locations.json`` at the end), so every document
in the store has its source's place on record, which is how a later ingest finds what a path no
longer holds.

A batch that fills up while the run goes on is written to the store **in a thread of its own**
(Oxigraph releases the GIL while it loads), so the run keeps handing inputs to the workers and
answering them meanwhile instead of leaving them idle for the length of a bulk load; its search rows
and file-table rows follow, in this thread, once that write has committed and before the next batch's
store write starts: one batch in flight at most, and the order of the steps, hence what a stopped
ingest leaves, is as before. :meth:`BatchWriter.flush` (the end of the run, the removals) waits
for everything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.errors import KGError
from kg.graph import mentioncounts
from kg.graph.search import Row, SearchIndex
from kg.graph.store import SerializedGraph, Store
from kg.graph.terms import Quad
from kg.ingest.filetable import FileRow, FileTable

BATCH_SIZE = 64  #: documents per batch
BATCH_SECONDS = 2.0  #: the longest a document waits for its batch to be written


@dataclass
class _InFlight:
    """A batch whose store write runs in a thread; its index and file rows wait for that write to commit."""

    graphs: list[tuple[str, Sequence[Quad] | SerializedGraph]]
    rows: dict[str, Row | None]
    file_rows: dict[str, FileRow | None]
    thread: threading.Thread | None = None
    error: BaseException | None = None
    seconds: float = 0.0
    #: the entities the graphs mentioned before the write and after (their document counts change; None:
    #: not known, so every entity's count is redone)
    mentioned: set[str] | None = field(default_factory=set)
    done: threading.Event = field(default_factory=threading.Event)

    def write(self, store: Store) -> None:
        start = time.perf_counter()
        try:
            before = _mentioned(store, [iri for iri, _ in self.graphs])
            store.replace_graphs(self.graphs)
            after = mentioncounts.mentioned_by(graph for _, graph in self.graphs)
            self.mentioned = None if before is None else before | after
        except BaseException as exc:  # handed to the run's thread, which raises it
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - start
            self.done.set()


def _mentioned(store: Store, graphs: list[str]) -> set[str] | None:
    """The entities those of the graphs the store holds mention now (none held: no question asked, as for
    a new store's batches); None when the store cannot say (the write then fails or not on its own, and
    every entity's count is redone at the end)."""
    try:
        return mentioncounts.mentioned(store, graphs, held_only=True)
    except (KGError, OSError):
        return None


class BatchWriter:
    """Collects documents to write or remove and writes them in batches; use as a context manager."""

    def __init__(
        self,
        store: Store,
        index: SearchIndex,
        size: int = BATCH_SIZE,
        seconds: float = BATCH_SECONDS,
    ):
        self.store, self.index = store, index
        self.size, self.wait = max(1, size), seconds
        self.graphs: dict[str, Sequence[Quad] | SerializedGraph] = {}  #: IRI → quads (or their bytes), () to remove
        self.rows: dict[str, Row | None] = {}  #: IRI → search row, or None to remove
        self.locations: dict[str, str] = {}
        #: the file table's rows (None: drop the row), written after the store's transaction commits
        self.file_rows: dict[str, FileRow | None] = {}
        self.files = FileTable(index.db)
        self.first = 0.0
        self.batches = 0
        self.seconds = 0.0  #: spent writing (store and index), for the benchmark's profile
        self.documents = 0  #: graphs written or removed
        self.background = True  #: write full batches' graphs in a thread (False: every write in this thread)
        self._flying: _InFlight | None = None
        #: entities whose document counts are to be counted again at the end (None: every entity's)
        self.recount: set[str] | None = None if mentioncounts.is_pending(store) else set()
        self._marked = False  #: the counts' pending marker is written (before the first batch's commit)

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.flush()
        else:
            self._land(raise_error=False)  # a batch in flight commits or fails; its rows follow if it committed
        if self.locations:  # after an error too: the batches written so far keep their records
            self.store.remember_locations(self.locations)
        self.store.compact_locations()
        self._count(raise_error=kind is None)

    def _count(self, raise_error: bool) -> None:
        """Count the documents of the entities the batches written mentioned (or of every entity) again, in
        one write; then the marker goes. A failure leaves the marker for the next writer."""
        if self.recount is not None and not self.recount and not self._marked:
            return  # nothing written, nothing pending
        try:
            mentioncounts.recount(self.store, self.recount)
            mentioncounts.clear_pending(self.store)
        except (KGError, OSError):
            if raise_error:
                raise

    def _added(self) -> None:
        if not self.first:
            self.first = time.monotonic()
        if len(self.graphs.keys() | self.rows.keys()) >= self.size:  # documents, most with a graph and a row
            self._write(wait=False)

    def write(self, iri: str, graph: SerializedGraph | Sequence[Quad], row: Row | None) -> None:
        """Replace ``iri``'s graph with ``graph`` (quads or their bytes) and its search row with ``row``."""
        self.graphs[iri] = graph
        if row is not None:
            self.rows[iri] = row
        self._added()

    def index_only(self, row: Row) -> None:
        """(Re)index an unchanged document."""
        self.rows[row[0]] = row
        self._added()

    def remove(self, iri: str) -> None:
        self.graphs[iri] = ()
        self.rows[iri] = None
        self._added()

    def remember(self, name: str, location: str) -> None:
        self.locations[name] = location

    def record_file(self, row: FileRow) -> None:
        """Write the file's row once what is collected now (its documents among it) is in the store."""
        self.file_rows[row.location] = row
        if len(self.file_rows) >= 4 * self.size:  # files read again whose documents were all unchanged
            self._write(wait=False)

    def forget_file(self, location: str) -> None:
        self.file_rows[location] = None

    def forget_files(self, locations: Iterable[str]) -> None:
        for location in locations:
            self.forget_file(location)
        self.flush()

    def tick(self) -> None:
        """Write the batch if its first document has waited long enough."""
        if self.first and time.monotonic() - self.first >= self.wait:
            self._write(wait=False)
        elif self._flying is not None and self._flying.done.is_set():
            self._land()  # its rows need not wait for the next batch

    def flush(self) -> None:
        """Write what is collected and wait until it is written: locations (when due), then the store (one
        transaction), then the index and the file table."""
        self._write(wait=True)

    def _write(self, wait: bool) -> None:
        start = time.perf_counter()
        try:
            self._flush(wait)
        finally:
            self.seconds += time.perf_counter() - start

    def _flush(self, wait: bool) -> None:
        if self.locations:  # before the batch's store write starts
            self.store.remember_locations(self.locations)
            self.locations = {}
        self._land()  # the batch before: its store write committed, its rows written
        batch = _InFlight(list(self.graphs.items()), self.rows, self.file_rows)
        self.graphs, self.rows, self.file_rows, self.first = {}, {}, {}, 0.0
        if not batch.graphs:
            self._rows(batch)
            return
        self.index.mark_pending([iri for iri, _ in batch.graphs])
        if not self._marked:
            mentioncounts.mark_pending(self.store)
            self._marked = True
        if wait or not self.background:
            batch.write(self.store)
            self._flying = batch
            self._land()
            return
        batch.thread = threading.Thread(target=batch.write, args=(self.store,), name="kg-store-writer", daemon=True)
        self._flying = batch
        batch.thread.start()

    def _land(self, raise_error: bool = True) -> None:
        """Wait for the batch in flight; once its store write has committed, write its index and file rows."""
        batch, self._flying = self._flying, None
        if batch is None:
            return
        if batch.thread is not None:
            batch.thread.join()
            self.seconds += batch.seconds  # the thread's time, beside what this thread spent
        if batch.error is not None:
            self.recount = None  # whether it committed or not, every entity is counted again
            if raise_error:
                raise batch.error
            return
        self._rows(batch)
        self.index.clear_pending()
        if batch.mentioned is None:
            self.recount = None
        elif self.recount is not None:
            self.recount |= batch.mentioned
        self.batches += 1
        self.documents += len(batch.graphs)

    def _rows(self, batch: _InFlight) -> None:
        """A batch's search rows, then its file-table rows: after the store's commit, so a row never names a
        document the store lacks."""
        self.index.put_many([row for row in batch.rows.values() if row is not None])
        gone = [iri for iri, row in batch.rows.items() if row is None]
        if gone:
            self.index.remove_many(gone)
        if batch.file_rows:
            self.files.remove_many(loc for loc, row in batch.file_rows.items() if row is None)
            self.files.put_many(row for row in batch.file_rows.values() if row is not None)
