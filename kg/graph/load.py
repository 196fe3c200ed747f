"""``kg load``: bulk-load a dump (N-Quads, TriG, N-Triples, Turtle) into a store; with ``kg export``, backup and restore.

The file goes into a fresh store beside the target (``.NAME.loading-PID``) by pyoxigraph's bulk
loader, which does not hold the file in memory. Then, in that new store, the union default graph is
made (each named graph dumped as N-Triples by pyoxigraph and bulk-loaded into the default graph, in
batches; the store keeps it a set) and the search index is written (the vocabulary, and each
document's title and the texts its graph holds). Only when all that has worked does the new store
take the target's place, so a malformed file, a full disk or an interrupted load leaves the target
as it was.

A dataset file (N-Quads, TriG) keeps its named graphs: ``kg export --format nq`` then ``kg load``
gives back the same store (a second export is byte-identical). A triple file (N-Triples, Turtle:
``kg export``'s union of all graphs) and any triples a dataset file puts in its default graph go
into one named graph, ``graph/loaded``. The dump holds no document's full text, only its title,
briefing fields and quoted evidence, so the rebuilt search index finds documents by those; and no
record of where sources were read on this machine, so ``kg reextract`` needs ``kg ingest`` again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError, UsageError
from kg.graph import namespaces as ns
from kg.graph.days import add_missing_days
from kg.graph.dump import graph_names
from kg.graph.mentioncounts import PREDICATE, recount
from kg.graph.store import Store, existing_store, graph_iri, record_version, resolve_location

#: file endings ``kg load`` reads -> format
LOAD_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
}
#: bytes of N-Triples gathered before one bulk load into the union default graph
BATCH = 32 * 1024 * 1024
#: literals of a document's graph that are not its words
_NOT_TEXT = {ns.ONTOLOGY + "contentHash", ns.ONTOLOGY + "matchedBy", ns.SCHEMA + "sha256"}


@dataclass
class LoadReport:
    quads: int  #: in the named graphs
    graphs: int
    documents: int  #: indexed for search
    loaded_graph: bool  #: triples went into graph/loaded (a triple file, or a dataset's default graph)


def load_format(path: str | os.PathLike) -> ox.RdfFormat:
    """The format a file's ending names; :class:`UsageError` in one sentence for any other ending."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in LOAD_FORMATS:
        endings = ", ".join(f".{e}" for e in LOAD_FORMATS)
        raise UsageError(
            f"cannot load '{Path(path).name}': kg load reads {endings} files (N-Quads, TriG, N-Triples, Turtle)"
        )
    return LOAD_FORMATS[suffix]


def _holds_data(location: Path) -> bool:
    if not location.exists():
        return False
    if not location.is_dir():
        raise StoreError(f"{location} is a file, not a store directory")
    if not any(location.iterdir()):
        return False
    existing_store(location)  # a kg store (else one sentence why not)
    with Store(location, read_only=True) as store:
        return next(iter(store.oxigraph.named_graphs()), None) is not None


def load_dump(path: str | os.PathLike, location: str | os.PathLike | None = None, replace: bool = False) -> LoadReport:
    """Load the dump at ``path`` into the store at ``location`` (new or empty, or any with ``replace``)."""
    source = Path(path)
    fmt = load_format(source)
    if not source.is_file():
        raise UsageError(f"cannot load {source}: there is no such file")
    target = Path(resolve_location(location))
    if "://" in str(target):
        raise UsageError(f"kg load writes a store directory, not {target}")
    if _holds_data(target) and not replace:
        raise UsageError(
            f"the store at {target} already holds data: give --replace to replace it with {source.name}, "
            "or load into a new store"
        )
    if target.exists() and any(target.iterdir()):
        Store(target).close()  # refuse now if another kg process holds it, rather than after the work
    temp = target.with_name(f".{target.name}.loading-{os.getpid()}")
    shutil.rmtree(temp, ignore_errors=True)
    temp.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = _build(source, fmt, temp)
        _swap(temp, target)
        return report
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _build(source: Path, fmt: ox.RdfFormat, temp: Path) -> LoadReport:
    base = ns.base_iri()
    loaded = ox.NamedNode(graph_iri("loaded", base))
    raw = ox.Store(str(temp))
    record_version(temp)  # a new store of this program's format (a folder without the file reads as version 1)
    try:
        raw.bulk_load(path=str(source), format=fmt, to_graph=None if fmt.supports_datasets else loaded)
    except (SyntaxError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise UsageError(f"{source} is not valid {fmt.name}: {reason}; nothing was changed") from None
    except OSError as exc:
        raise StoreError(f"loading {source} failed: {exc}; nothing was changed") from None
    moved = _move_default_graph(raw, loaded) if fmt.supports_datasets else False
    # the counts are the store's own (graph/mention-counts, made again below): a triple file's copies of them
    # in graph/loaded would go stale as documents change
    raw.update(f"DELETE WHERE {{ GRAPH {loaded} {{ ?entity <{PREDICATE}> ?documents }} }}")
    quads = _make_union(raw)
    names = graph_names(raw)
    raw.flush()
    del raw
    documents = 0
    with Store(temp) as store:  # records the store's format version
        add_missing_days(store)  # a dump of a store written before the stored days (format 4) lacks them
        recount(store)  # and one from before the counts (format 5) has none: counted from the mentions
        documents = _index(store, names)
    return LoadReport(quads, len(names), documents, moved or not fmt.supports_datasets)


def _move_default_graph(raw: ox.Store, loaded: ox.NamedNode) -> bool:
    """Triples a dataset file put in its default graph go into ``graph/loaded`` (the default graph is the union)."""
    default = ox.DefaultGraph()
    if next(iter(raw.quads_for_pattern(None, None, None, default)), None) is None:
        return False
    raw.update(f"INSERT {{ GRAPH {loaded} {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }} ; CLEAR DEFAULT")
    return True


def _make_union(raw: ox.Store) -> int:
    """Fill the default graph with the set union of the named graphs, in bulk; the named quads counted."""
    batch: list[bytes] = []
    size = quads = 0
    for graph in graph_names(raw):
        data = raw.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        quads += data.count(b"\n")
        batch.append(data)
        size += len(data)
        if size >= BATCH:
            raw.bulk_load(input=b"".join(batch), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            batch, size = [], 0
    if batch:
        raw.bulk_load(input=b"".join(batch), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return quads


def _documents(store: ox.Store, graph: ox.NamedNode | ox.BlankNode) -> Iterator[tuple[str, str, str]]:
    """(IRI, title, text) of each document a graph describes: its title, and the texts of it and its evidence.

    A document's evidence is named ``DOC#...``; one pass over the graph, so a graph describing many
    documents (``graph/loaded``) costs no more per document than one per document.
    """
    kind = ox.NamedNode(ns.ONTOLOGY + "Document")
    typed = store.quads_for_pattern(None, ox.NamedNode(ns.RDF + "type"), kind, graph)
    docs = {q.subject.value for q in typed if isinstance(q.subject, ox.NamedNode)}
    if not docs:
        return
    title = ns.DCTERMS + "title"
    titles: dict[str, list[str]] = {d: [] for d in docs}
    texts: dict[str, set[str]] = {d: set() for d in docs}
    for q in store.quads_for_pattern(None, None, None, graph):
        subject, value = q.subject, q.object
        if not isinstance(subject, ox.NamedNode) or not isinstance(value, ox.Literal):
            continue
        doc = subject.value.split("#", 1)[0]
        if doc not in docs:
            continue
        if q.predicate.value == title and subject.value == doc:
            titles[doc].append(value.value)
        elif q.predicate.value not in _NOT_TEXT and (
            value.language is not None or value.datatype.value == ns.XSD + "string"
        ):
            texts[doc].add(value.value)
    for doc in sorted(docs):
        yield doc, min(titles[doc], default=""), "\n".join(sorted(texts[doc]))


def _index(store: Store, names: list[ox.NamedNode | ox.BlankNode]) -> int:
    """Write the search index of a loaded store: the vocabulary's entities and every document."""
    from kg.graph.search import SearchIndex
    from kg.ingest.vocabulary import Vocabulary

    count = 0
    with SearchIndex(store.location) as index:
        index.put_vocabulary(Vocabulary())
        for graph in names:
            for iri, title, text in _documents(store.oxigraph, graph):
                index.put(iri, "document", title, "", text)
                count += 1
    return count


def _swap(temp: Path, target: Path) -> None:
    """Put the new store in the target's place; the old one is removed only once the new one is there."""
    if not target.exists():
        os.replace(temp, target)
        return
    old = target.with_name(f".{target.name}.replaced-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(temp, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
