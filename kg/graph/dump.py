"""Graphs and the whole dataset as a stream of bytes, for the server's Graph Store read and its dumps.

pyoxigraph writes a serialisation to a file-like object as it goes; here that object hands each
chunk to a bounded queue that the caller's iterator drains, so memory holds a few chunks whatever
the size of the store. The store is opened read-only for the stream's own use (while ``kg ingest``
may hold it open for writing) and closed when the stream ends or the reader goes away.

What a stream holds:

* a dataset format (N-Quads, TriG): every quad of the named graphs, one graph per document; the
  store's default graph is their union and is derived, so it is left out, as ``kg export`` does;
* a graph format with ``graph`` an IRI: that named graph;
* a graph format with ``graph`` None: the default graph (the union of all graphs, each triple once).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import IO, cast

import pyoxigraph as ox

from kg.graph.formats import rdf_format

CHUNK = 64 * 1024  #: bytes gathered before a chunk is handed over
_QUEUED = 8  #: chunks waiting at most
_END = object()


class _Gone(Exception):
    """The reader stopped reading."""


class _Pipe:
    """A binary file that hands what is written to a bounded queue, in chunks of :data:`CHUNK` bytes."""

    def __init__(self, chunks: queue.Queue, stop: threading.Event):
        self.chunks, self.stop, self.buffer = chunks, stop, bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self._put(bytes(self.buffer))
            self.buffer.clear()

    def _put(self, item: object) -> None:
        while True:
            if self.stop.is_set():
                raise _Gone
            try:
                self.chunks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def _open(location: str) -> ox.Store:
    """The store read-only: a directory, or a SPARQL server's dataset (:mod:`kg.graph.remote`)."""
    if location.lower().startswith(("sparql+http://", "sparql+https://")):
        from kg.graph.remote import RemoteStore

        return RemoteStore(location, read_only=True).oxigraph
    return ox.Store.read_only(location)


class Stream:
    """A serialisation of a read-only store, read as an iterator of byte chunks."""

    def __init__(self, location: str, key: str, graph: str | None = None, prefixes: dict[str, str] | None = None):
        """Open the store; :class:`LookupError` when ``graph`` names a graph the store does not hold."""
        self.store = _open(location)
        self.format = rdf_format(key)
        self.graph = graph
        self.prefixes = prefixes if self.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if graph is not None and not self.format.supports_datasets:
            if not self.store.contains_named_graph(ox.NamedNode(graph)):
                raise LookupError(graph)

    def _quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs (a dataset format)."""
        return (
            q for q in self.store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)
        )

    def _triples(self) -> Iterator[ox.Triple]:
        """The triples of one graph (a graph format): the named graph asked for, or the default graph."""
        graph = ox.NamedNode(self.graph) if self.graph is not None else ox.DefaultGraph()
        return (
            ox.Triple(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(None, None, None, graph)
        )

    def __iter__(self) -> Iterator[bytes]:
        chunks: queue.Queue = queue.Queue(maxsize=_QUEUED)
        stop = threading.Event()
        failure: list[BaseException] = []

        def produce() -> None:
            pipe = _Pipe(chunks, stop)
            try:
                output = cast(IO[bytes], pipe)  # pyoxigraph needs only write()
                if self.format.supports_datasets:
                    ox.serialize(self._quads(), output, self.format, prefixes=self.prefixes)
                else:
                    ox.serialize(self._triples(), output, self.format, prefixes=self.prefixes)
                pipe.flush()
            except _Gone:
                return
            except BaseException as exc:  # noqa: BLE001 -- passed to the reader, which raises it
                failure.append(exc)
            try:
                pipe._put(_END)
            except _Gone:
                pass

        thread = threading.Thread(target=produce, name="kg-dump", daemon=True)
        thread.start()
        try:
            while True:
                item = chunks.get()
                if item is _END:
                    break
                yield item
            if failure:
                raise failure[0]
        finally:
            stop.set()
            thread.join(timeout=5)
            self.store = None  # type: ignore[assignment]
