"""The store on a SPARQL 1.1 server: ``--store sparql+http://HOST:PORT/PATH`` (Oxigraph server, Virtuoso ...).

:class:`RemoteStore` is a :class:`kg.graph.store.Store` whose data lives on a server: the same named
graphs (one per document, the ontology, the vocabulary), the same set-union default graph, the same
methods, so every command runs on it as on a directory. How the server's endpoints are found and
where the union is kept: :mod:`kg.graph.sparqlhttp` and ``docs/remote-store.md``.

Writes: :meth:`RemoteStore.replace_graphs` sends several documents' graphs in one SPARQL update
request (up to :data:`BATCH_BYTES` of text; a document is never split between two requests). Oxigraph
server applies one request as one transaction; Virtuoso commits one request as a whole too (it answers
"Commit -- done" at its end) — either way a reader never sees half of a document's graph, and a server
that stops mid-ingest keeps every request it acknowledged. HTTP is httpx, with a time limit on every
exchange; a server that is down, slow or refuses a request is one sentence naming it (:class:`ServerError`).

Files a directory store keeps beside its database (the search index, where sources were read from) are
kept for a server in a local folder of their own, :func:`state_dir`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from kg.errors import StoreError
from kg.graph import namespaces as ns
from kg.graph.sparqlhttp import (
    Body,
    Dataset,
    Endpoints,
    ServerError,
    insert_new_update,
    parse_location,
    rebuild_union_update,
    replace_steps,
    triple_lines,
)
from kg.graph.store import GraphData, SerializedGraph, Store, source_key

#: At most this much SPARQL text in one update request (several documents' graphs, never half of one).
BATCH_BYTES = 4_000_000
#: At most this many operations in one update request: Virtuoso 7.2 refuses a request of about 700
#: (SQ156 "Query too large, variables in state over the limit"), which small graphs reach within 4 MB.
BATCH_OPERATIONS = 400
STATE_ENV = "KG_REMOTE_STATE"  #: where the local files of remote stores are kept (default: ~/.cache/kg/remote)


def state_dir(location: str) -> Path:
    """The local folder for a remote store's search index and source locations (one per server address)."""
    root = Path(
        os.environ.get(STATE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg" / "remote"
    )
    slug = "".join(c if c.isalnum() else "-" for c in location.split("://", 1)[-1])[:80].strip("-")
    return root / f"{slug}-{hashlib.sha256(location.encode()).hexdigest()[:10]}"


class HttpxTransport:
    """The HTTP of a :class:`Dataset`: one httpx client (kept-alive connections), a time limit on every exchange."""

    def __init__(self, endpoints: Endpoints):
        import httpx

        self.name = endpoints.name
        self.timeout = endpoints.timeout
        self.client = httpx.Client(timeout=httpx.Timeout(endpoints.timeout, connect=min(10.0, endpoints.timeout)))

    def __call__(self, url: str, fields: Sequence[tuple[str, str]] | Body | None, accept: str) -> bytes:
        import httpx

        headers = {"Accept": accept}
        try:
            if fields is None:
                response = self.client.get(url, headers=headers)
            elif isinstance(fields, Body):
                headers["Content-Type"] = fields.content_type
                response = self.client.post(url, content=fields.data, headers=headers)
            else:
                response = self.client.post(url, data=dict_or_pairs(fields), headers=headers)
        except httpx.TimeoutException:
            raise ServerError(f"the SPARQL server at {self.name} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ServerError(f"the SPARQL server at {self.name} cannot be reached ({reason})") from None
        if response.status_code >= 400:
            raise server_refused(self.name, response.status_code, response.content)
        return response.content

    def close(self) -> None:
        self.client.close()


def dict_or_pairs(fields: Sequence[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Form fields for httpx (a repeated name, such as ``named-graph-uri``, as a list)."""
    data: dict[str, str | list[str]] = {}
    for key, value in fields:
        if key in data:
            known = data[key]
            data[key] = [*known, value] if isinstance(known, list) else [known, value]
        else:
            data[key] = value
    return data


def server_refused(name: str, status: int, body: bytes) -> ServerError:
    """The one sentence for an HTTP error status (the first line of what the server said, shortened)."""
    said = " ".join(body.decode("utf-8", "replace").split())[:300]
    return ServerError(
        f"the SPARQL server at {name} refused the request (HTTP {status}: {said or 'no detail'})", status
    )


def not_written(exc: ServerError) -> ServerError:
    """The sentence for a batch the server did not take."""
    return ServerError(f"{exc}; the documents of this batch were not written (those before it were)", exc.status)


class RemoteStore(Store):
    """A kg store on a SPARQL 1.1 server. Use as a context manager, like :class:`Store`."""

    def __init__(self, location: str, read_only: bool = False, create: bool = True) -> None:
        self.location = location
        self.base = ns.base_iri()
        self.read_only = read_only
        self.endpoints = parse_location(location, self.base)
        self._transport = HttpxTransport(self.endpoints)
        self.dataset = Dataset(self.endpoints, self._transport, self.base)
        self._store = None
        self.upgraded = None  # a server records no format version: kg upgrade adds what an older kg did not write
        try:
            graphs = self.dataset.graphs()
            if (read_only or not create) and not graphs:
                raise StoreError(
                    f"the SPARQL server at {self.endpoints.name} holds no kg store yet: run 'kg ingest --store {location}' first"
                )
            if graphs and self.union_is_missing():
                if read_only:
                    raise StoreError(
                        f"the union graph on {self.endpoints.name} is empty: run 'kg ingest --store {location}' once"
                    )
                self.rebuild_union()
        except BaseException:
            self._transport.close()
            raise

    def compact(self) -> None:
        raise StoreError(f"{self.endpoints.name} is a SPARQL server: it compacts its own database (see its manual)")

    @property
    def oxigraph(self) -> ox.Store:
        """The server's dataset; it answers the ``pyoxigraph.Store`` methods kg calls (query, iteration, ...)."""
        return cast(ox.Store, self.dataset)

    def close(self) -> None:
        transport = getattr(self, "_transport", None)
        if transport is not None:
            transport.close()
            self._transport = None  # type: ignore[assignment]

    # ------------------------------------------------------------ local files

    @property
    def state(self) -> Path:
        return state_dir(self.location)

    def source_locations(self) -> dict[str, str]:
        try:
            data = json.loads((self.state / self.LOCATIONS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def remember_locations(self, locations: dict[str, str]) -> None:
        if not locations or self.read_only:
            return
        known = self.source_locations()
        if all(known.get(k) == v for k, v in locations.items()):
            return
        known.update(locations)
        self.state.mkdir(parents=True, exist_ok=True)
        target = self.state / self.LOCATIONS
        part = target.with_suffix(".part")
        part.write_text(json.dumps(known, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(part, target)

    # ------------------------------------------------------------ writing

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.endpoints.name} was opened read-only")

    def replace_graph(self, graph: str, quads: Sequence[ox.Quad]) -> None:
        self.replace_graphs([(graph, quads)])

    def replace_graphs(self, graphs: Sequence[tuple[str, GraphData]]) -> None:
        """Make each graph hold exactly its quads, and the union agree: several graphs per update request.

        Each request is applied by the server as a whole; a graph is never split between two requests. The
        server is asked once which of the graphs it holds: those are replaced (:func:`replace_steps`), the
        others are written by ``INSERT DATA`` alone (:func:`insert_new_update`), with nothing to delete first,
        as the embedded store loads a batch of new graphs. A graph named twice keeps its last quads.
        """
        self._refuse_if_read_only()
        batch = {graph: data.quads() if isinstance(data, SerializedGraph) else data for graph, data in graphs}
        if not batch:
            return
        try:
            held = self.dataset.held(list(batch))
        except ServerError as exc:
            raise not_written(exc) from None
        replacing: list[str] = []
        new: list[tuple[str, list[str]]] = []
        written: dict[str, bool] = {}
        size = operations = 0
        for graph, quads in batch.items():
            if graph in held:
                steps = replace_steps(graph, quads, self.endpoints.union)
                step, count = " ;\n".join(steps), len(steps)
                cost = len(step)
            elif quads:
                lines = triple_lines(quads)
                cost, count = 2 * sum(len(line) + 3 for line in lines), 1  # the graph, and the union
            else:
                continue  # removing a graph the server does not hold: nothing to do
            if written and (size + cost > BATCH_BYTES or operations + count > BATCH_OPERATIONS):
                self._send(replacing, new, written)
                replacing, new, written, size, operations = [], [], {}, 0, 0
            operations += count
            if graph in held:
                replacing.append(step)
            else:
                new.append((graph, lines))
            written[graph] = bool(quads)
            size += cost
        if written:
            self._send(replacing, new, written)

    def _send(self, replacing: list[str], new: list[tuple[str, list[str]]], written: dict[str, bool]) -> None:
        try:
            self.dataset.update(" ;\n".join([*replacing, *insert_new_update(new, self.endpoints.union)]), written)
        except ServerError as exc:
            raise not_written(exc) from None

    def add_to_graphs(self, graphs: Sequence[tuple[str, Sequence[ox.Quad]]]) -> None:
        """Add quads to graphs the server holds, and their triples to the union: :data:`BATCH_OPERATIONS`
        graphs an update request."""
        self._refuse_if_read_only()
        listed = [(graph, triple_lines(quads)) for graph, quads in graphs]
        for start in range(0, len(listed), BATCH_OPERATIONS):
            steps = insert_new_update(listed[start : start + BATCH_OPERATIONS], self.endpoints.union)
            try:
                self.dataset.update(
                    " ;\n".join(steps), {graph: True for graph, _ in listed[start : start + BATCH_OPERATIONS]}
                )
            except ServerError as exc:
                raise not_written(exc) from None

    def rebuild_union(self) -> None:
        self._refuse_if_read_only()
        self.dataset.update(rebuild_union_update(self.endpoints.union, self.base))

    def union_is_missing(self) -> bool:
        union = self.endpoints.union
        where = "{ ?s ?p ?o }" if union is None else f"{{ GRAPH <{union}> {{ ?s ?p ?o }} }}"
        rows = self.dataset.select(f"SELECT ?s WHERE {where} LIMIT 1")
        return not rows and bool(self.dataset.graphs())

    def source_check(self) -> Callable[[str, str, str, str, str], bool]:
        """As :meth:`Store.source_check`, answered from :meth:`Store.source_keys`, read on the first question
        (one query, where :meth:`holds_source`'s key lookups would be four requests a document)."""
        keys: set[int] | None = None

        def holds(doc: str, content_hash: str, source: str, name: str, sha256: str) -> bool:
            nonlocal keys
            if keys is None:
                keys = self.source_keys()
            return source_key(doc, content_hash, source, name, sha256) in keys

        return holds

    def signature(self) -> tuple:
        """What changes when the data does: the documents' ingest times and the vocabulary's version."""
        rows = self.dataset.select(
            "SELECT (COUNT(?t) AS ?n) (MAX(STR(?t)) AS ?last) (SAMPLE(STR(?v)) AS ?version) WHERE { "
            "{ GRAPH ?g { ?a <http://www.w3.org/ns/prov#endedAtTime> ?t } } UNION "
            f"{{ GRAPH <{self.base}graph/vocabulary> {{ ?x <{ns.DCTERMS}hasVersion> ?v }} }} }}"
        )
        row = rows[0] if rows else {}
        return tuple(str(row.get(k).value) if row.get(k) is not None else "" for k in ("n", "last", "version"))  # type: ignore[union-attr]


_OPEN: dict[str, RemoteStore] = {}


def signature(location: str) -> tuple:
    """:meth:`RemoteStore.signature` of the server at ``location`` (one client kept per address)."""
    store = _OPEN.get(location)
    if store is None:
        store = _OPEN[location] = RemoteStore(location, read_only=True)
    return store.signature()
