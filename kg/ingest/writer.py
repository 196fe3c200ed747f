"""The one writer of an ingest: documents go to the store and the search index in batches.

A batch is written when it holds ``size`` documents or its first document has waited ``seconds``,
whichever comes first, and at the end of the run. Each batch is one store transaction
(:meth:`kg.graph.store.Store.replace_graphs`: every document of it old or every one new, the union
default graph kept right), then one search-index transaction. Between the two, the index's journal
(:meth:`kg.graph.search.SearchIndex.mark_pending`, written before the store's commit) names the
documents whose rows may not match the store yet; the next ingest reconciles them
(:meth:`kg.graph.search.SearchIndex.reconcile`) if the writer was stopped there.

Where each batch's sources were read from is recorded before the batch is committed (appended to the
store's ``source-locations.log``, folded into ``source-locations.json`` at the end), so every document
in the store has its source's place on record, which is how a later ingest finds what a path no
longer holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from kg.graph.search import Row, SearchIndex
from kg.graph.store import SerializedGraph, Store
from kg.graph.terms import Quad
from kg.ingest.filetable import FileRow, FileTable

BATCH_SIZE = 64  #: documents per batch
BATCH_SECONDS = 2.0  #: the longest a document waits for its batch to be written


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

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.flush()
        if self.locations:  # after an error too: the batches written so far keep their records
            self.store.remember_locations(self.locations)
        self.store.compact_locations()

    def _added(self) -> None:
        if not self.first:
            self.first = time.monotonic()
        if len(self.graphs.keys() | self.rows.keys()) >= self.size:  # documents, most with a graph and a row
            self.flush()

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
            self.flush()

    def forget_file(self, location: str) -> None:
        self.file_rows[location] = None

    def forget_files(self, locations: Iterable[str]) -> None:
        for location in locations:
            self.forget_file(location)
        self.flush()

    def tick(self) -> None:
        """Write the batch if its first document has waited long enough."""
        if self.first and time.monotonic() - self.first >= self.wait:
            self.flush()

    def flush(self) -> None:
        """Write what is collected: locations (when due), then the store (one transaction), then the index."""
        start = time.perf_counter()
        try:
            self._flush()
        finally:
            self.seconds += time.perf_counter() - start

    def _flush(self) -> None:
        if self.locations:
            self.store.remember_locations(self.locations)
            self.locations = {}
        if not self.graphs and not self.rows:
            self._write_files()
            self.first = 0.0
            return
        graphs = list(self.graphs.items())
        if graphs:
            self.index.mark_pending(list(self.graphs))
            self.store.replace_graphs(graphs)
        self.index.put_many([row for row in self.rows.values() if row is not None])
        gone = [iri for iri, row in self.rows.items() if row is None]
        if gone:
            self.index.remove_many(gone)
        if graphs:
            self.index.clear_pending()
            self.batches += 1
            self.documents += len(graphs)
        self.graphs, self.rows, self.first = {}, {}, 0.0
        self._write_files()

    def _write_files(self) -> None:
        """The file table's rows, after the store's commit: a row never names a document the store lacks."""
        if not self.file_rows:
            return
        self.files.remove_many(loc for loc, row in self.file_rows.items() if row is None)
        self.files.put_many(row for row in self.file_rows.values() if row is not None)
        self.file_rows = {}
