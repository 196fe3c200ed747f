"""Graphs and the whole dataset as a stream of bytes, for the server's Graph Store read and its dumps.

pyoxigraph writes a serialisation to a file-like object as it goes; here that object hands each
chunk to a bounded queue that the caller's iterator drains, so memory holds a few chunks whatever
the size of the store. The store is opened read-only for the stream's own use (while ``kg ingest``
may hold it open for writing) and closed when the stream ends or the reader goes away.

What a stream holds:

* a dataset format (N-Quads, TriG): every quad of the named graphs, one graph per document, graph by
  graph in sorted order and each graph sorted (:func:`nquads_chunks`, :func:`dataset_quads`), so
  ``/dump.nq`` is byte for byte what ``kg export --format nq`` writes; the store's default graph is
  their union and is derived, so it is left out;
* a graph format with ``graph`` an IRI: that named graph, sorted;
* a graph format with ``graph`` None: the default graph (the union of all graphs, each triple once), in
  the store's index order (:func:`union_triples`).

The generators here are also what :mod:`kg.graph.export` writes files from: memory holds one graph's
quads (sorted) and the list of graph names, never the store.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import IO, cast

import pyoxigraph as ox

from kg.graph.formats import rdf_format


def _key(term: object) -> tuple[bool, str]:
    return (type(term).__name__ != "NamedNode", str(term))


def _quad_key(q: ox.Quad) -> tuple:
    return (_key(q.subject), str(q.predicate), _key(q.object))


def graph_names(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
    """The named graphs, sorted (IRIs first); only the names are held, not their quads."""
    return sorted(store.named_graphs(), key=_key)


def graph_quads(store: ox.Store, graph: ox.NamedNode | ox.BlankNode) -> list[ox.Quad]:
    """One named graph's quads, sorted."""
    return sorted(store.quads_for_pattern(None, None, None, graph), key=_quad_key)


def dataset_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """Every quad of the named graphs, graph by graph in sorted order, each graph sorted."""
    for graph in graph_names(store):
        yield from graph_quads(store, graph)


def union_triples(store: ox.Store) -> Iterator[ox.Triple]:
    """The union of all named graphs, each triple once (the store's default graph), in the store's order.

    Oxigraph keys its indexes by the terms' encoded values (hashes of long strings), so the order depends
    only on the triples: two stores holding the same data give the same order.
    """
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        yield ox.Triple(q.subject, q.predicate, q.object)


def nquads_chunks(store: ox.Store) -> Iterator[bytes]:
    """The N-Quads of every named graph, one chunk per graph, in the order of :func:`graph_names`.

    Each graph is written by pyoxigraph's own serialiser (as N-Triples, which is N-Quads without the
    graph), its lines sorted as bytes and given the graph's name: the fastest way to a sorted dump.
    """
    for graph in graph_names(store):
        lines = (store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"").split(b"\n")
        lines.pop()  # after the last line's end
        lines.sort()
        tail = b" " + str(graph).encode("utf-8") + b" .\n"
        yield b"".join(line[:-2] + tail for line in lines)  # "<s> <p> <o> ." -> "<s> <p> <o> <g> ."


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
        return dataset_quads(self.store)

    def _triples(self) -> Iterator[ox.Triple]:
        """The triples of one graph (a graph format): the named graph asked for, or the default graph."""
        if self.graph is None:
            return union_triples(self.store)
        return (ox.Triple(q.subject, q.predicate, q.object) for q in graph_quads(self.store, ox.NamedNode(self.graph)))

    def __iter__(self) -> Iterator[bytes]:
        chunks: queue.Queue = queue.Queue(maxsize=_QUEUED)
        stop = threading.Event()
        failure: list[BaseException] = []

        def produce() -> None:
            pipe = _Pipe(chunks, stop)
            try:
                output = cast(IO[bytes], pipe)  # pyoxigraph needs only write()
                if self.format == ox.RdfFormat.N_QUADS:
                    for chunk in nquads_chunks(self.store):
                        pipe.write(chunk)
                elif self.format.supports_datasets:
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
