"""Stage 5, store: the persistent RDF dataset (Oxigraph, through pyoxigraph).

One named graph per document (graph IRI = document IRI), the vocabulary and
the ontology in graphs of their own. Graphs are written in batches
(:meth:`Store.replace_graphs`), each batch one transaction: a reader sees a
document's old graph or its new one, never half of either.

The store's own default graph holds the union of all the named graphs as a
set: every triple once, however many graphs hold it. Queries read it as
their default graph, so ``COUNT(*)`` and other aggregates count distinct
triples (pyoxigraph 0.5's built-in union default graph is a multiset: a
relation three documents assert would count three times). Every write of a
named graph brings the default graph in line in the same transaction, and
:meth:`Store.rebuild_union` makes it again from the named graphs.

A store records its format in a small file, ``kg-store.json`` (``{"format": "kg-store",
"version": 1}``), written when the store is first opened for writing. A store made before the
file existed is of version 1 and gets the file the next time it is written; a store of a version
this program does not know (a newer one), a format file that cannot be read, a folder of other
files, and a database RocksDB finds damaged are each refused in one sentence (:class:`StoreError`).
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError, damaged_store
from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.binding import bind_values
from kg.graph.holdings import holds_source
from kg.graph.serialized import GraphData, SerializedGraph

if TYPE_CHECKING:
    from kg.graph.upgrade import Upgrade
    from kg.ingest.vocabulary import Vocabulary

DEFAULT_STORE = "kg-store"
FORMAT_FILE = "kg-store.json"  #: the store's format and version, beside the database's files
FORMAT_NAME = "kg-store"
#: the layout this program reads and writes: one named graph per document; 2: one annotation per entity named,
#: its places as kg:span values; 3: compact evidence nodes without target or selector nodes, a relation's
#: statement its own evidence (docs/evidence.md); 4: each document's kg:entityCount and kg:relationCount, which
#: documents-with-entity-counts sorts by (docs/saved-queries-scale.md); 5: each document's kg:issuedDay and
#: kg:reviewDay (kg.graph.days); 6: each entity's kg:mentionedInDocuments in graph/mention-counts
#: (kg.graph.mentioncounts). A store of version 4 or 5 is brought up to date when opened for writing
#: (kg.graph.upgrade); one of another version is refused in one sentence.
FORMAT_VERSION = 6
UPGRADES_FROM = (4, 5)
#: the graph of each entity's number of documents (kg.graph.mentioncounts)
COUNTS_GRAPH = "mention-counts"
#: the named graphs that are no document's
OWN_GRAPHS = ("ontology", "vocabulary", COUNTS_GRAPH)


def resolve_location(location: str | os.PathLike | None) -> str:
    """``--store`` if given, else ``KG_STORE``, else ``./kg-store``."""
    return str(location or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(location: str | os.PathLike[str] | None = None, read_only: bool = False, create: bool = True) -> Store:
    """The store at ``location``: a directory (:class:`Store`) or a SPARQL server
    (``sparql+http://HOST:PORT/PATH``, :class:`kg.graph.remote.RemoteStore`)."""
    resolved = resolve_location(location)
    if is_remote(resolved):
        from kg.graph.remote import RemoteStore

        return RemoteStore(resolved, read_only=read_only, create=create)
    return Store(resolved, read_only=read_only, create=create)


def is_remote(location: object) -> bool:
    """Whether ``location`` names a SPARQL server (``sparql+http://`` or ``sparql+https://``)."""
    return isinstance(location, str) and location.lower().startswith(("sparql+http://", "sparql+https://"))


def local_folder(location: str | os.PathLike[str]) -> Path:
    """Where the files kept beside a store live (search index, source locations): the store's directory, or
    for a SPARQL server a local folder of its own (:func:`kg.graph.remote.state_dir`)."""
    if is_remote(location):
        from kg.graph.remote import state_dir

        return state_dir(str(location))
    return Path(location)


def data_signature(location: str) -> tuple:
    """Changes when the store's data does: its directory's files, or a server's ingest times and vocabulary."""
    if is_remote(location):
        from kg.graph.remote import signature

        return signature(location)
    from kg.graph.worker import store_signature

    return store_signature(location)


def graph_iri(name: str, base: str | None = None) -> str:
    """IRI of one of the fixed graphs: "ontology" or "vocabulary"."""
    return f"{base or ns.base_iri()}graph/{name}"


def existing_store(location: str | os.PathLike) -> str:
    """The absolute directory of a store that must already exist; :class:`StoreError` saying why it is not one.

    A SPARQL server's address is given back as it is, once the server has answered and holds a kg store."""
    if is_remote(location):
        open_store(str(location), read_only=True).close()
        return str(location)
    path = Path(location)
    if not path.exists():
        raise StoreError(f"there is no store at {location}: run 'kg ingest' first or pass --store")
    if not path.is_dir():
        raise StoreError(f"{location} is a file, not a store directory")
    if not (path / "CURRENT").is_file():  # every Oxigraph (RocksDB) database has one
        raise StoreError(
            f"{location} is not a kg store (there is no Oxigraph database in it): run 'kg ingest' first or pass --store"
        )
    store_version(path)
    return str(path.resolve())


def store_version(location: str | os.PathLike[str]) -> int | None:
    """The format version a store records (None: no database yet; a database without the file is version 1).

    Raises :class:`StoreError` for a format file that cannot be read, names another format, or holds a
    version this program does not know.
    """
    path = Path(location) / FORMAT_FILE
    if not path.exists():
        current = Path(location) / "CURRENT"
        if current.is_file() and current.read_bytes().startswith(b"MANIFEST-"):  # before versions were recorded
            _refuse_version(location, 1)
        return None
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        name, version = recorded["format"], recorded["version"]
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
        raise StoreError(
            f"the store's format file {path} cannot be read ({type(exc).__name__}): it is damaged"
        ) from None
    if name != FORMAT_NAME or not isinstance(version, int):
        raise StoreError(f"{location} holds a '{name}' database, not a kg store")
    if version != FORMAT_VERSION and version not in UPGRADES_FROM:
        _refuse_version(location, version)
    return version


def _refuse_version(location: str | os.PathLike[str], version: int) -> None:
    if version > FORMAT_VERSION:
        raise StoreError(
            f"the store at {location} has format version {version}, from a newer kg (this one reads version "
            f"{FORMAT_VERSION}): use a matching kg, or ingest into a new store"
        )
    raise StoreError(
        f"the store at {location} has format version {version}, from an older kg (this one reads version "
        f"{FORMAT_VERSION}, with compact evidence and each document's counts and days): ingest the documents again into a new store, "
        f"e.g. 'kg ingest --store NEW-STORE PATH ...'"
    )


def record_version(location: Path, replace: bool = False) -> None:
    """Write the format file (at creation, or with ``replace`` once a store is brought up to date), atomically."""
    target = location / FORMAT_FILE
    if target.exists() and not replace:
        return
    part = target.with_name(FORMAT_FILE + ".part")
    part.write_text(json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION}) + "\n", encoding="utf-8")
    os.replace(part, target)


@dataclass(frozen=True)
class StoredDocument:
    """What the store already holds about a document, to decide whether to rewrite it."""

    content_hash: str | None
    sources: list[tuple[str, str, str, str]]  #: (IRI, name, sha256, encoding) of each source file


def source_key(doc: str, content_hash: str, source: str, name: str, sha256: str) -> int:
    """One number for a document's content hash and one of its source records (:meth:`Store.source_keys`)."""
    return hash((doc, content_hash, source, name, sha256))


#: N-Quads lines (quads and union triples) a batch of new graphs may have to be bulk-loaded, well below the
#: million quads by which Oxigraph's bulk loader splits its input into separately added chunks
BULK_LIMIT = 500_000


def _with_union(batch: dict[str, GraphData]) -> bytes:
    """N-Quads of every graph of ``batch`` and of the union default graph's copy of each triple."""
    parts = []
    for graph in batch.values():
        serialized = graph if isinstance(graph, SerializedGraph) else SerializedGraph.of(graph)
        parts += [serialized.nquads, serialized.union]
    return b"".join(parts)


class Store:
    """A local Oxigraph store in a directory. Use as a context manager."""

    def __init__(
        self, location: str | os.PathLike[str] | None = None, read_only: bool = False, create: bool = True
    ) -> None:
        self.location = resolve_location(location)
        self.base = ns.base_iri()
        self.read_only = read_only
        path = Path(self.location)
        if "://" in self.location:
            raise StoreError(
                f"{self.location}: a store is a directory or a SPARQL server's address (sparql+http://HOST:PORT/PATH)"
            )
        if read_only or not create:
            existing_store(self.location)
        elif path.exists() and not path.is_dir():
            raise StoreError(f"{self.location} is a file, not a store directory")
        elif path.is_dir():
            # the format file is written first: with it (checked below), a folder is a store, perhaps one
            # stopped while being made; without it or a database, it must be empty (but the file's .part)
            made = (path / "CURRENT").exists() or (path / FORMAT_FILE).exists()
            if not made and any(p.name != FORMAT_FILE + ".part" for p in path.iterdir()):
                raise StoreError(
                    f"{self.location} is a folder of other files, not a kg store: give a new or empty folder"
                )
        version = store_version(path) if path.is_dir() else None
        self._store: ox.Store | None = None
        self._locations: dict[str, str] | None = None
        #: load batches of new graphs with the bulk loader (see :meth:`replace_graphs`); False for benchmarks
        self.bulk_new_graphs = True
        try:
            if not read_only:  # the format file first: a store stopped while being made still says what it is
                path.mkdir(parents=True, exist_ok=True)
                record_version(path)
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"the store at {self.location} is in use by another kg process") from None
            raise StoreError(f"cannot open the store at {self.location}: {exc}") from None
        except RuntimeError as exc:  # RocksDB: "Corruption: ..." and the like
            raise damaged_store(self.location, exc) from None
        if self.union_is_missing():  # written by a kg from before the union default graph
            if read_only:
                raise StoreError(
                    f"the store at {self.location} was written by an older kg: run 'kg ingest' once to bring it up to date"
                )
            self.rebuild_union()
        from kg.graph.upgrade import upgrade

        #: what was written to bring it up to date as it opened (None: it was)
        self.upgraded: Upgrade | None = upgrade(self, version) if version in UPGRADES_FROM else None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    #: The file beside the database that maps each source's published name to where this machine read it
    #: (the RDF records names relative to the folder ingested, never absolute local paths).
    LOCATIONS = "source-locations.json"
    #: What was recorded since the file above was last written: one JSON object a line, appended before the
    #: batch that needs it is committed (cheap however many sources there are), folded in by
    #: :meth:`compact_locations` at the end of an ingest.
    LOCATIONS_LOG = "source-locations.log"

    def source_locations(self) -> dict[str, str]:
        """Published source name → the path or address it was last read from here (for ``kg reextract``)."""
        if self._locations is None:
            folder = Path(self.location)
            try:
                data = json.loads((folder / self.LOCATIONS).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            known = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
            try:
                lines = (folder / self.LOCATIONS_LOG).read_text(encoding="utf-8").splitlines()
            except (OSError, ValueError):
                lines = []
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:  # the last line of a run stopped while appending it
                    continue
                if isinstance(entry, dict):
                    known.update({str(k): str(v) for k, v in entry.items()})
            self._locations = known
        return dict(self._locations)

    def remember_locations(self, locations: dict[str, str]) -> None:
        """Record where sources were read from (appended to the log: see :attr:`LOCATIONS_LOG`)."""
        if not locations or self.read_only:
            return
        if self._locations is None:
            self.source_locations()  # read once; later calls update the dict in place, without a copy
        known = self._locations if self._locations is not None else {}
        changed = {k: v for k, v in locations.items() if known.get(k) != v}
        if not changed:
            return
        with open(Path(self.location) / self.LOCATIONS_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(changed, sort_keys=True) + "\n")
        known.update(changed)

    def compact_locations(self) -> None:
        """Write every recorded location to :attr:`LOCATIONS` (atomically) and empty the log."""
        log = Path(self.location) / self.LOCATIONS_LOG
        if self.read_only or not log.exists():
            return
        known = self.source_locations()
        target = Path(self.location) / self.LOCATIONS
        part = target.with_suffix(".part")
        part.write_text(json.dumps(known, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(part, target)
        log.unlink()

    def compact(self) -> None:
        """Rewrite the database's files in their final, compressed form (RocksDB's full compaction)."""
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only: it cannot be compacted")
        try:
            self.oxigraph.optimize()
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"compacting the store at {self.location} failed: {exc}") from None

    def close(self) -> None:
        store = getattr(self, "_store", None)
        if store is not None:
            if not self.read_only:
                store.flush()
            self._store = None

    @property
    def state(self) -> Path:
        """The folder of this machine's files about the store (search index, records, markers): its own."""
        return Path(self.location)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for the query and export stages."""
        if self._store is None:
            raise StoreError("the store is closed")
        return self._store

    # ------------------------------------------------------------------ writing

    def replace_graph(self, graph: str, quads: Sequence[ox.Quad]) -> None:
        """Make ``graph`` hold exactly ``quads``, and the union default graph agree, in one transaction."""
        self.replace_graphs([(graph, quads)])

    def replace_graphs(self, graphs: Sequence[tuple[str, GraphData]]) -> None:
        """Make each named graph hold exactly its quads (none: the graph is removed), and the union default
        graph agree, in one transaction: a reader sees every graph of the batch old or every one new.

        A batch of graphs the store does not hold yet is loaded as N-Quads (as given when given as
        :class:`SerializedGraph`) by Oxigraph's bulk loader, which writes the batch's sorted keys to files
        and adds them to the database in one RocksDB ``IngestExternalFiles`` call over every column family:
        atomic, like a transaction, as long as the loader makes one set of files, i.e. below its chunk of
        a million quads (:data:`BULK_LIMIT`); a larger batch is one transaction (``Store.load``). The bulk
        loader writes about three times faster (``bench/bench_writer.py``); it has no transaction's
        conflict checks, and needs none: the store is locked to this one writer. A batch that replaces graphs is one SPARQL
        update: the old graphs are dropped, the triples that only they held leave the union (found
        here, a key lookup per triple, rather than by a ``FILTER NOT EXISTS`` the engine runs slowly),
        and the new graphs and their triples are inserted. A graph named twice keeps its last quads.
        """
        batch = dict(graphs)  # the last quads given for a graph win
        if not batch:
            return
        try:
            held = [g for g in batch if self.oxigraph.contains_named_graph(ox.NamedNode(g))]
            if not held:
                data = _with_union(batch)
                bulk = self.bulk_new_graphs and data.count(b"\n") < BULK_LIMIT
                (self.oxigraph.bulk_load if bulk else self.oxigraph.load)(data, format=ox.RdfFormat.N_QUADS)
                return
            quads = {g: q.quads() if isinstance(q, SerializedGraph) else q for g, q in batch.items()}
            self.oxigraph.update(self._replacing(quads, held))
        except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
            names = next(iter(batch)) if len(batch) == 1 else f"{len(batch)} graphs from {next(iter(batch))}"
            raise StoreError(f"writing graph {names} failed: {exc}") from None

    def _replacing(self, batch: dict[str, Sequence[ox.Quad]], held: list[str]) -> str:
        """The SPARQL update that replaces the ``held`` graphs and inserts the rest of ``batch``."""
        steps: list[str] = []
        leaving: dict[str, None] = {}  # N-Triples lines, in order, each once
        for graph in held:
            node = ox.NamedNode(graph)
            old = list(self.oxigraph.quads_for_pattern(None, None, None, node))
            if any(isinstance(t, ox.BlankNode) for q in old for t in (q.subject, q.object)):
                # DELETE DATA cannot name blank nodes: let the engine find what leaves the union
                steps.append(
                    f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
                    f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }} }}"
                )
            else:
                for q in old:
                    line = f"{q.subject} {q.predicate} {q.object}"
                    if line not in leaving and not self._held_elsewhere(q, batch):
                        leaving[line] = None
            steps.append(f"DROP SILENT GRAPH <{graph}>")
        if leaving:
            steps.insert(0, "DELETE DATA {\n" + " .\n".join(leaving) + " }")
        named = [
            f"GRAPH <{graph}> {{\n" + " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads) + " }"
            for graph, quads in batch.items()
            if quads
        ]
        if named:  # inserting a triple the union already holds changes nothing: it stays a set
            union = {f"{q.subject} {q.predicate} {q.object}": None for quads in batch.values() for q in quads}
            steps += ["INSERT DATA {\n" + "\n".join(named) + " }", "INSERT DATA {\n" + " .\n".join(union) + " }"]
        return " ;\n".join(steps)

    def _held_elsewhere(self, quad: ox.Quad, batch: dict[str, Sequence[ox.Quad]]) -> bool:
        """Whether a named graph outside ``batch`` holds ``quad``'s triple (then it stays in the union)."""
        for other in self.oxigraph.quads_for_pattern(quad.subject, quad.predicate, quad.object, None):
            name = other.graph_name
            if isinstance(name, ox.NamedNode) and name.value not in batch:
                return True
        return False

    def add_to_graphs(self, graphs: Sequence[tuple[str, Sequence[ox.Quad]]]) -> None:
        """Add quads to named graphs (each quad's own) and their triples to the union, in one transaction."""
        quads = [q for _, added in graphs for q in added]
        self.oxigraph.extend([*quads, *(ox.Quad(q.subject, q.predicate, q.object) for q in quads)])

    def rebuild_union(self) -> None:
        """Make the default graph again the set union of all named graphs (a store written before it existed)."""
        self.oxigraph.update("CLEAR SILENT DEFAULT ; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

    def union_is_missing(self) -> bool:
        """True for a store whose named graphs hold data but whose union default graph is empty."""
        default = next(iter(self.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
        return default is None and next(iter(self.oxigraph.named_graphs()), None) is not None

    def load_vocabulary(self, vocabulary: Vocabulary) -> bool:
        """Write the ontology and vocabulary graphs if the files changed. True if written."""
        vocab_graph = graph_iri("vocabulary", self.base)
        marker = ox.Quad(
            ox.NamedNode(vocab_graph),
            ox.NamedNode(ns.DCTERMS + "hasVersion"),
            ox.Literal(vocabulary.fingerprint),
            ox.NamedNode(vocab_graph),
        )
        if marker in self.oxigraph:
            return False
        self.replace_graph(
            graph_iri("ontology", self.base), vocabulary.ontology_quads(graph_iri("ontology", self.base))
        )
        self.replace_graph(vocab_graph, [*vocabulary.quads(vocab_graph), marker])
        return True

    # ------------------------------------------------------------------ reading

    def stored_document(self, doc: str) -> StoredDocument | None:
        """The content hash and sources already stored for ``doc``, or None."""
        if not self.oxigraph.contains_named_graph(ox.NamedNode(doc)):  # a key lookup: a new document costs no query
            return None
        rows = list(self._select("stored-document", doc=ox.NamedNode(doc)))
        if not rows:
            return None
        content = next((r["hash"].value for r in rows if r["hash"] is not None), None)
        sources = sorted(
            {
                (r["src"].value, r["path"].value, r["sha"].value, r["enc"].value if r["enc"] else "utf-8")
                for r in rows
                if r["path"] is not None
            }
        )
        return StoredDocument(content, sources)

    def graph_quads(self, graph: str) -> list[ox.Quad]:
        """The quads of one named graph."""
        return list(self.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def source_check(self) -> Callable[[str, str, str, str, str], bool]:
        """:func:`~kg.graph.holdings.holds_source` on this store, for one run of questions (key lookups)."""
        return functools.partial(holds_source, self.oxigraph)

    def source_keys(self) -> set[int]:
        """:func:`source_key` of every (document, content hash, source IRI, published name, SHA-256) recorded,
        in one query: what ``kg ingest`` checks its file table against on a server (a set of numbers, small
        however many documents; valid in this process only)."""
        keys = set()
        for row in self._select("source-keys"):
            doc, digest, src, path, sha = (row[k] for k in ("doc", "hash", "src", "path", "sha"))
            if doc is not None and digest is not None and src is not None and path is not None and sha is not None:
                keys.add(source_key(doc.value, digest.value, src.value, path.value, sha.value))
        return keys

    def document_sources(self, names: Sequence[str] | None = None) -> dict[str, tuple[str, list[tuple[str, str]]]]:
        """Every document → its title and the (IRI, published name) of each source it records; with ``names``,
        only the documents that record a source of one of those published names: one query per name with the
        name written into its text, which Oxigraph answers from its index (0.3 ms at 10,000 documents) where a
        ``VALUES`` block or a bound variable made it read every document's sources (about 0.3 s per name)."""
        if names is None:
            return self._document_sources(self._select("document-sources"))
        found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        text = rq.text("sources-of-documents")
        for name in sorted(set(names)):
            query = bind_values(text, {"name": ox.Literal(name)})
            answer = self.oxigraph.query(query, prefixes=ns.prefixes(self.base))
            assert isinstance(answer, ox.QuerySolutions)
            for doc, (title, sources) in self._document_sources(answer).items():
                entry = found.setdefault(doc, (title, []))
                entry[1].extend(s for s in sources if s not in entry[1])
        return found

    def _document_sources(self, rows: ox.QuerySolutions) -> dict[str, tuple[str, list[tuple[str, str]]]]:
        found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        for row in rows:
            doc, title, src, path = row["doc"], row["title"], row["src"], row["path"]
            if not isinstance(doc, ox.NamedNode) or not isinstance(src, ox.NamedNode) or path is None:
                continue
            entry = found.setdefault(doc.value, (title.value if title is not None else doc.value, []))
            if (src.value, path.value) not in entry[1]:
                entry[1].append((src.value, path.value))
        return found

    def document_count(self) -> int:
        """Documents in the store: its named graphs but its own (:data:`OWN_GRAPHS`), read from the
        graph-name index, not from the quads."""
        fixed = {graph_iri(name, self.base) for name in OWN_GRAPHS}
        return sum(1 for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in fixed)

    def content_hashes(self) -> dict[str, str | None]:
        """Every document → the content hash its graph records."""
        found: dict[str, str | None] = {}
        for row in self._select("content-hashes"):
            doc, digest = row["doc"], row["hash"]
            if isinstance(doc, ox.NamedNode):
                found[doc.value] = digest.value if digest is not None else None
        return found

    def document_graphs(self) -> list[str]:
        fixed = {graph_iri(name, self.base) for name in OWN_GRAPHS}
        return sorted(
            g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in fixed
        )

    def quad_count(self) -> int:
        """Quads in the named graphs (a triple two documents hold counts twice)."""
        return self._count("store-quads")

    def __len__(self) -> int:
        """Distinct triples: the size of the union default graph."""
        return self._count("store-triples")

    def stats(self) -> dict:
        """Counts a librarian asks for first: documents, entities, triples by graph and by type."""
        by_graph: Counter = Counter()
        for quad in self.oxigraph:
            if isinstance(quad.graph_name, ox.NamedNode):  # the default graph is their union: distinct_triples
                by_graph[quad.graph_name.value] += 1
        by_type = {r["type"].value: int(r["n"].value) for r in self._select("stats-types")}
        documents = self._count("stats-documents")
        entities = self._count("stats-entities")
        mentioned = self._count("stats-mentioned")
        return {
            "documents": documents,
            "entities": entities,
            "entities_mentioned": mentioned,
            "triples": sum(by_graph.values()),
            "distinct_triples": len(self),
            "by_graph": dict(sorted(by_graph.items())),
            "by_type": by_type,
        }

    def _select(self, name: str, **bound: ox.NamedNode) -> ox.QuerySolutions:
        """One of the store's own queries (kg/graph/sparql/), with variables bound to terms."""
        answer = self.oxigraph.query(
            rq.text(name),
            prefixes=ns.prefixes(self.base),
            substitutions={ox.Variable(k): v for k, v in bound.items()} or None,
        )
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError(f"the internal query {name} is not a SELECT")
        return answer

    def _count(self, name: str) -> int:
        """The ``?n`` of a one-row counting query."""
        return int(next(iter(self._select(name)))["n"].value)
