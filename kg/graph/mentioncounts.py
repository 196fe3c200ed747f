"""How many documents mention each entity (``kg:mentionedInDocuments``), kept in a graph of its own.

No one document carries that number, so a query that sorts entities by it (``entities-without-definition``)
would read every mention in the store: 3.5 million at 100,000 documents. The store keeps it instead, one
``xsd:integer`` per entity that at least one document mentions, in the named graph ``graph/mention-counts``
(and, like every graph, in the union default graph). An entity no document mentions has no count.

The ingest's writer (:class:`kg.ingest.writer.BatchWriter`) notes the entities each batch's graphs
mentioned before it was written (asked of the store, for the graphs it holds already) and after (read from
the graphs written), and :func:`recount` counts those entities again from the
mentions once the run's batches are written, in one write of the counts graph: a reader sees every count
old or every one new. While a run is under way its batches are visible before their counts are, so for
that while a count may lag its documents. A run stopped before its recount leaves a marker
(``mention-counts.pending`` beside the store), and the next writer counts every entity again; so does
one that finds a store with documents but no counts yet (a store on a SPARQL server written by an older
kg). ``kg upgrade`` and ``kg load`` count everything; ``kg validate`` compares the counts with the
mentions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.query import stream_rows
from kg.graph.serialized import GraphData, SerializedGraph
from kg.graph.store import COUNTS_GRAPH, Store, graph_iri

PREDICATE = ns.ONTOLOGY + "mentionedInDocuments"
PENDING = "mention-counts.pending"  #: the marker of a run whose counts are not written yet
#: graphs, or entities, named in one query
CHUNK = 200

_PREDICATE = ox.NamedNode(PREDICATE)


def counts_graph(base: str) -> ox.NamedNode:
    return ox.NamedNode(graph_iri(COUNTS_GRAPH, base))


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def mentioned(store: Store, graphs: Iterable[str], held_only: bool = False) -> set[str]:
    """The entities the named graphs ``graphs`` mention, as the store holds them now (one query for each
    :data:`CHUNK` graphs); with ``held_only``, the store is asked nothing of graphs its list of graph names
    lacks (a new store's batches: no question at all)."""
    names = sorted(set(graphs))
    if held_only:
        names = [g for g in names if store.oxigraph.contains_named_graph(ox.NamedNode(g))]
    found: set[str] = set()
    for chunk in _chunks(names):
        for (entity,) in stream_rows(store, rq.text("mentioned-in-graphs", g=chunk)):
            if isinstance(entity, ox.NamedNode):
                found.add(entity.value)
    return found


_MENTIONS = ox.NamedNode(ns.SCHEMA + "mentions")
_MENTIONS_TEXT = str(_MENTIONS).encode()


def mentioned_by(graphs: Iterable[GraphData]) -> set[str]:
    """The entities graphs about to be written mention, read from the graphs themselves (their quads, or the
    N-Triples lines of their bytes that have the mentions predicate, parsed by pyoxigraph)."""
    found: set[str] = set()
    for graph in graphs:
        if isinstance(graph, SerializedGraph):
            lines = [line for line in graph.union.splitlines() if line.split(b" ", 2)[1:2] == [_MENTIONS_TEXT]]
            quads: Iterable[ox.Quad] = ox.parse(b"\n".join(lines), ox.RdfFormat.N_TRIPLES) if lines else ()
        else:
            quads = graph
        found.update(q.object.value for q in quads if q.predicate == _MENTIONS and isinstance(q.object, ox.NamedNode))
    return found


def counted(store: Store, entities: Iterable[str] | None = None) -> dict[str, int]:
    """Entity → the number of documents that mention it, counted from the mentions: of ``entities``
    (those no document mentions are left out), or of every entity mentioned (None)."""
    if entities is None:
        queries: Iterable[str] = [rq.text("mention-counts-all")]
    else:
        queries = (rq.text("mention-counts", entity=chunk) for chunk in _chunks(sorted(set(entities))))
    found: dict[str, int] = {}
    for text in queries:
        found.update(_numbers(store, text))
    return found


def stored(store: Store) -> dict[str, int]:
    """Entity → the count the store holds for it."""
    return _numbers(store, rq.text("mention-counts-stored", g=[counts_graph(store.base).value]))


def _numbers(store: Store, text: str) -> dict[str, int]:
    """Entity → number, from the rows (?entity ?documents) of the query ``text``."""
    found: dict[str, int] = {}
    for entity, documents in stream_rows(store, text):
        if isinstance(entity, ox.NamedNode) and isinstance(documents, ox.Literal):
            found[entity.value] = int(documents.value)
    return found


def recount(store: Store, entities: Iterable[str] | None = None) -> int:
    """Count the documents of ``entities`` (None: of every entity) again and write the counts graph, in one
    write, when anything changed; the number of entities whose count changed."""
    old = stored(store)
    if entities is None:
        new = counted(store)
    else:
        wanted = set(entities)
        new = {entity: n for entity, n in old.items() if entity not in wanted}
        new.update(counted(store, wanted))
    changed = {e for e in old.keys() | new.keys() if old.get(e) != new.get(e)}
    if changed:
        graph = counts_graph(store.base)
        quads = [ox.Quad(ox.NamedNode(e), _PREDICATE, ox.Literal(n), graph) for e, n in sorted(new.items())]
        store.replace_graphs([(graph.value, quads)])
    return len(changed)


def _marker(store: Store) -> Path:
    return store.state / PENDING


def is_pending(store: Store) -> bool:
    """Whether a writer stopped before writing its counts, or a store of documents holds no counts at all."""
    if _marker(store).exists():
        return True
    if store.oxigraph.contains_named_graph(counts_graph(store.base)):
        return False
    # no counts: a store with documents is one written before them (asked of the graph names, not the mentions:
    # an ASK for any mention made Virtuoso 7.2 plan still-current-after-superseded's page wrongly afterwards)
    return store.document_count() > 0


def mark_pending(store: Store) -> None:
    """Note, before a writer's first batch is committed, that the counts may lag until it ends."""
    marker = _marker(store)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def clear_pending(store: Store) -> None:
    _marker(store).unlink(missing_ok=True)


def differences(store: Store) -> dict[str, tuple[int | None, int | None]]:
    """Entity → (stored count, count of its mentions) wherever the two differ (None: no count). ``kg
    validate`` checks the same through the SHACL-SPARQL constraint of ``shapes.ttl``."""
    old, new = stored(store), counted(store)
    return {e: (old.get(e), new.get(e)) for e in sorted(old.keys() | new.keys()) if old.get(e) != new.get(e)}
