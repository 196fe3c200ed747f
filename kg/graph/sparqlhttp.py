"""A SPARQL 1.1 server seen through the few ``pyoxigraph.Store`` methods the rest of ``kg.graph`` calls.

``--store sparql+http://HOST:PORT/PATH`` (or ``sparql+https://``) names a server instead of a directory.
:func:`parse_location` finds its three endpoints (Query, Update, Graph Store Protocol) and where it keeps
the union of the named graphs; :class:`Dataset` runs queries and updates there and gives genuine
pyoxigraph results (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``), so :mod:`kg.graph.query`,
:mod:`kg.graph.export`, :mod:`kg.graph.linked` and the query workers work on it unchanged.

This module imports only the standard library and pyoxigraph (a query worker imports it); the HTTP
itself is a :class:`Transport` given by the caller: httpx in the ``kg`` process
(:mod:`kg.graph.remote`), a connection the server dials for it in a query worker
(:mod:`kg.graph.worker`, which may open no socket itself).

Endpoints, from the path of the URL (each can be given explicitly as a query parameter)::

    sparql+http://127.0.0.1:7878/            Oxigraph server: /query, /update, /store; union in the default graph
    sparql+http://127.0.0.1:8890/sparql      Virtuoso: /sparql (query and update), /sparql-graph-crud (GSP);
                                             union in the named graph <KG_BASE>graph/union
    ...?query=/q&update=/u&gsp=/g&union=default|IRI&timeout=SECONDS
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from kg.errors import StoreError

SCHEMES = ("sparql+http://", "sparql+https://")
DEFAULT_TIMEOUT = 120.0  #: seconds to wait for one answer
HELD_AT_ONCE = 500  #: graphs asked about in one query by :meth:`Dataset.held`
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"

_STRING_OR_COMMENT = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_PROLOGUE = re.compile(r"^\s*(BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)\s*", re.IGNORECASE)
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_FROM = re.compile(r"(?<![?$\w])FROM\b", re.IGNORECASE)
_GRAPH = re.compile(r"(?<![?$\w:])GRAPH\s*(<[^<>\s]*>|[^\s{]+)", re.IGNORECASE)
_WHERE = re.compile(r"(?<![?$\w:])WHERE\b", re.IGNORECASE)


class ServerError(StoreError):
    """The server did not answer, or answered with an error; ``status`` is its HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def is_remote(location: object) -> bool:
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


@dataclass(frozen=True)
class Endpoints:
    """Where a server answers, and which graph holds the union of the named graphs."""

    name: str  #: ``http://host:port/path``, as messages name the server
    query: str
    update: str
    gsp: str
    union: str | None  #: None: the server's default graph; else the IRI of a named graph
    timeout: float = DEFAULT_TIMEOUT

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.query).hostname or ""

    @property
    def port(self) -> int:
        split = urllib.parse.urlsplit(self.query)
        return split.port or (443 if split.scheme == "https" else 80)


def parse_location(location: str, base: str) -> Endpoints:
    """The endpoints of ``sparql+http(s)://HOST:PORT/PATH[?query=…&update=…&gsp=…&union=…&timeout=…]``."""
    if not is_remote(location):
        raise StoreError(f"{location} is not a SPARQL server address (sparql+http://HOST:PORT/PATH)")
    split = urllib.parse.urlsplit(location[len("sparql+") :])
    if not split.hostname:
        raise StoreError(f"{location} names no server: write sparql+http://HOST:PORT/PATH")
    try:
        split.port  # noqa: B018 -- raises for a port that is not a number
    except ValueError:
        raise StoreError(f"{location} has a port that is not a number") from None
    options = dict(urllib.parse.parse_qsl(split.query))
    unknown = sorted(set(options) - {"query", "update", "gsp", "union", "timeout"})
    if unknown:
        raise StoreError(f"{location}: unknown option {unknown[0]} (known: query, update, gsp, union, timeout)")
    root = f"{split.scheme}://{split.netloc}"
    path = split.path or "/"
    if path.rstrip("/").endswith("/sparql"):  # Virtuoso's layout
        endpoint = path.rstrip("/")
        defaults = {"query": endpoint, "update": endpoint, "gsp": endpoint + "-graph-crud", "union": "named"}
    else:  # Oxigraph server's layout
        folder = path if path.endswith("/") else path + "/"
        defaults = {"query": folder + "query", "update": folder + "update", "gsp": folder + "store", "union": "default"}
    chosen = {**defaults, **options}
    union = chosen["union"]
    union_graph = None if union == "default" else (f"{base}graph/union" if union == "named" else union)
    try:
        timeout = float(chosen.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise StoreError(f"{location}: timeout must be a number of seconds") from None
    return Endpoints(
        name=root + path,
        query=urllib.parse.urljoin(root, chosen["query"]),
        update=urllib.parse.urljoin(root, chosen["update"]),
        gsp=urllib.parse.urljoin(root, chosen["gsp"]),
        union=union_graph,
        timeout=timeout,
    )


@dataclass(frozen=True)
class Body:
    """A request body sent as it is, such as an update as ``application/sparql-update`` (the SPARQL 1.1
    Protocol's "update via POST directly"): no form encoding, which costs seconds a megabyte in Python."""

    content_type: str
    data: bytes


SPARQL_UPDATE = "application/sparql-update; charset=utf-8"


class Transport(Protocol):
    """One HTTP exchange: POST form ``fields`` or a :class:`Body` (GET when ``fields`` is None) to ``url``;
    the body back.

    Raises :class:`ServerError` (one sentence naming the server) for no answer, a timeout or a status ≥ 400.
    """

    def __call__(self, url: str, fields: Sequence[tuple[str, str]] | Body | None, accept: str) -> bytes: ...


# --------------------------------------------------------------------------- query text


def _blank(sparql: str) -> str:
    """The text with strings and comments blanked (same length), IRIs kept: safe to search for keywords."""
    return _STRING_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " " * len(m.group(0)), sparql)


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (upper case); :class:`SyntaxError` for anything else."""
    text = _blank(sparql)
    while True:
        match = _PROLOGUE.match(text)
        if not match:
            break
        text = text[match.end() :]
    form = _FORM.match(text)
    if form is None:
        raise SyntaxError("the text is not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return form.group(1).upper()


def names_dataset(sparql: str) -> bool:
    """Whether a query names its own dataset (FROM / FROM NAMED)."""
    return bool(_FROM.search(_blank(sparql)))


def with_prefixes(sparql: str, prefixes: Mapping[str, str] | None) -> str:
    """The query with ``prefixes`` declared first (a prefix the query declares itself still wins)."""
    if not prefixes:
        return sparql
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + sparql


# --------------------------------------------------------------------------- the dataset


class Dataset:
    """The server's dataset, answering like a ``pyoxigraph.Store`` for the methods kg uses.

    The union of the named graphs (what queries read as their default graph) is the server's default graph
    (Oxigraph) or a named graph of its own (Virtuoso, whose queries without FROM read every graph it holds,
    its own system graphs too), sent as ``default-graph-uri``. No ``named-graph-uri`` is sent (a list of
    every graph grows with the store; Virtuoso refuses one of 10,000): each ``GRAPH`` pattern is limited to
    kg's graphs in the query's text instead (:mod:`kg.graph.graphscope`), so ``GRAPH ?g`` sees the same
    graphs as on the embedded store.
    """

    def __init__(self, endpoints: Endpoints, transport: Transport, base: str, graphs_ttl: float | None = None):
        self.endpoints = endpoints
        self.transport = transport
        self.base = base
        #: seconds the list of named graphs is reused (None: until this process writes; a query worker, which
        #: never writes, reads it again after a few seconds so that graphs another process adds are seen)
        self.graphs_ttl = graphs_ttl
        self._graphs: list[str] | None = None
        self._graphs_at = 0.0

    # ------------------------------------------------------------ queries

    def query(
        self,
        sparql: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[ox.Variable, Any] | None = None,
        default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | ox.DefaultGraph | None = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
        **_: object,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        form = query_form(sparql)
        from kg.graph.binding import bind_values  # here: binding and graphscope read this module's helpers
        from kg.graph.graphscope import scope_graphs

        text = bind_values(sparql, {v.value: t for v, t in (substitutions or {}).items()})
        dataset = self._dataset_fields(text, default_graph, named_graphs)
        if default_graph is None and named_graphs is None and not names_dataset(text):
            text, named = scope_graphs(text, self.base, self.endpoints.union)  # GRAPH ?g: kg's graphs only
            dataset += [("named-graph-uri", g) for g in named]
        fields = [("query", with_prefixes(text, prefixes)), *dataset]
        if form in ("SELECT", "ASK"):
            body = self.transport(self.endpoints.query, fields, RESULTS_JSON)
            try:
                return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
            except SyntaxError as exc:
                raise ServerError(
                    f"the SPARQL server at {self.endpoints.name} sent results kg cannot read: {exc}"
                ) from None
        body = self.transport(self.endpoints.query, fields, N_TRIPLES)
        return as_query_triples(body, self.endpoints.name)

    def _dataset_fields(
        self,
        sparql: str,
        default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | ox.DefaultGraph | None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None,
    ) -> list[tuple[str, str]]:
        if default_graph is not None or named_graphs is not None:  # given with the query: it replaces the rest
            graphs = [default_graph] if isinstance(default_graph, ox.DefaultGraph) else list(default_graph or [])
            union = self.endpoints.union
            fields = [("default-graph-uri", g.value) for g in graphs if not isinstance(g, ox.DefaultGraph)]
            if union is not None and any(isinstance(g, ox.DefaultGraph) for g in graphs):
                fields.append(("default-graph-uri", union))
            return fields + [("named-graph-uri", g.value) for g in named_graphs or []]
        if names_dataset(sparql) or self.endpoints.union is None:
            return []
        return [("default-graph-uri", self.endpoints.union)]  # named graphs: see kg.graph.graphscope

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """A SELECT over the server's whole dataset as it is (no union rule), rows as {variable: term}."""
        body = self.transport(self.endpoints.query, [("query", sparql)], RESULTS_JSON)
        answer = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if not isinstance(answer, ox.QuerySolutions):
            raise ServerError(f"the SPARQL server at {self.endpoints.name} answered a SELECT with a boolean")
        names = [v.value for v in answer.variables]
        return [{n: s[n] for n in names} for s in answer]

    def update(self, sparql: str, written: Mapping[str, bool] | None = None) -> None:
        """Run an update; ``written`` says which graphs it left holding data (True) or empty (False), so the
        list of graphs is brought up to date without asking the server (None: ask again next time)."""
        self.transport(self.endpoints.update, Body(SPARQL_UPDATE, sparql.encode("utf-8")), "*/*")
        if written is None or self._graphs is None:
            self._graphs = None
            return
        known = set(self._graphs)
        known |= {g for g, full in written.items() if full}
        known -= {g for g, full in written.items() if not full}
        self._graphs = sorted(known)

    # ------------------------------------------------------------ graphs and quads

    def held(self, graphs: Sequence[str]) -> set[str]:
        """Which of ``graphs`` the server holds now, whatever the list of graphs known here says: one query
        for each :data:`HELD_AT_ONCE` graphs (Virtuoso refuses a ``VALUES`` of some thousands: SP031)."""
        found: set[str] = set()
        for start in range(0, len(graphs), HELD_AT_ONCE):
            values = " ".join(f"<{g}>" for g in graphs[start : start + HELD_AT_ONCE])
            rows = self.select(
                f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
            )
            found |= {r["g"].value for r in rows if isinstance(r.get("g"), ox.NamedNode)}
        return found

    def graphs(self, refresh: bool = False) -> list[str]:
        """The named graphs kg reads (on a server with a named union graph: those under the base, less the union)."""
        stale = self.graphs_ttl is not None and time.monotonic() - self._graphs_at > self.graphs_ttl
        if self._graphs is None or refresh or stale:
            self._graphs_at = time.monotonic()
            ours = f'FILTER(STRSTARTS(STR(?g), "{_escape(self.base)}"))'  # not another user's graphs
            if self.endpoints.union is None:
                rows = self.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ }} {ours} }}")
            else:
                rows = self.select(
                    f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} FILTER(?g != <{self.endpoints.union}>) }}"
                )
            self._graphs = sorted(r["g"].value for r in rows if isinstance(r.get("g"), ox.NamedNode))
        return self._graphs

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter([ox.NamedNode(g) for g in self.graphs()])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return graph.value in self.graphs()

    def graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """One graph's triples by the Graph Store Protocol (None: the union)."""
        target = graph if graph is not None else self.endpoints.union
        query = "default" if target is None else "graph=" + urllib.parse.quote(target, safe="")
        if target is not None and self.endpoints.gsp.endswith("-graph-crud"):
            query = "graph-uri=" + urllib.parse.quote(target, safe="")  # Virtuoso's name for the parameter
        body = self.transport(f"{self.endpoints.gsp}?{query}", None, N_TRIPLES)
        try:
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as exc:
            raise ServerError(
                f"the SPARQL server at {self.endpoints.name} sent a graph kg cannot read: {exc}"
            ) from None

    def dump(
        self,
        output: Any = None,
        format: ox.RdfFormat | None = None,
        *,
        from_graph: ox.NamedNode | ox.DefaultGraph | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> bytes | None:
        """As :meth:`pyoxigraph.Store.dump`: one graph (``from_graph``; the default graph is the union) as
        triples, or, without ``from_graph``, every quad; read by the Graph Store Protocol one graph at a time."""
        if from_graph is None:
            return ox.serialize(self.quads(), output, format, prefixes=prefixes)
        graph = None if isinstance(from_graph, ox.DefaultGraph) else from_graph.value
        return ox.serialize(self.graph_triples(graph), output, format, prefixes=prefixes)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad: those of each named graph, then the union as the default graph (as the embedded store)."""
        for graph in self.graphs():
            node = ox.NamedNode(graph)
            for t in self.graph_triples(graph):
                yield ox.Quad(t.subject, t.predicate, t.object, node)
        for t in self.graph_triples(None):
            yield ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads()

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[ox.Quad]:
        if isinstance(graph_name, ox.DefaultGraph):
            quads: Iterator[ox.Quad] = (
                ox.Quad(t.subject, t.predicate, t.object, graph_name) for t in self.graph_triples(None)
            )
        elif isinstance(graph_name, ox.NamedNode):
            quads = (
                ox.Quad(t.subject, t.predicate, t.object, graph_name) for t in self.graph_triples(graph_name.value)
            )
        else:
            quads = self.quads()
        return (
            q
            for q in quads
            if (subject is None or q.subject == subject)
            and (predicate is None or q.predicate == predicate)
            and (object is None or q.object == object)
        )

    def __contains__(self, quad: ox.Quad) -> bool:
        triple = f"{quad.subject} {quad.predicate} {quad.object}"
        graph = self.endpoints.union if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        sparql = f"ASK {{ {triple} }}" if graph is None else f"ASK {{ GRAPH <{graph}> {{ {triple} }} }}"
        body = self.transport(self.endpoints.query, [("query", sparql)], RESULTS_JSON)
        return bool(as_boolean(ox.parse_query_results(body, ox.QueryResultsFormat.JSON)))

    def flush(self) -> None:
        """Nothing to do: the server commits each update request."""


def as_boolean(answer: ox.QuerySolutions | ox.QueryBoolean) -> ox.QueryBoolean:
    """An ASK's answer as a ``QueryBoolean`` (Virtuoso answers some ASKs as a table of one
    ``__ASK_RETVAL`` column: a row means true)."""
    if isinstance(answer, ox.QueryBoolean):
        return answer
    value = "true" if next(iter(answer), None) is not None else "false"
    parsed = ox.parse_query_results('{"head":{},"boolean":' + value + "}", ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean)
    return parsed


def as_query_triples(ntriples: bytes, server: str) -> ox.QueryTriples:
    """N-Triples as a genuine ``pyoxigraph.QueryTriples`` (what ``Store.query`` gives for a CONSTRUCT)."""
    scratch = ox.Store()
    try:
        scratch.bulk_extend(ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise ServerError(f"the SPARQL server at {server} sent a graph kg cannot read: {exc}") from None
    answer = scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(answer, ox.QueryTriples)
    return answer


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --------------------------------------------------------------------------- updates


def replace_steps(graph: str, quads: Sequence[ox.Quad], union: str | None) -> list[str]:
    """The SPARQL update steps that make ``graph`` hold exactly ``quads`` and the union agree.

    The same steps as :meth:`kg.graph.store.Store.replace_graph`, with the union in ``union`` (None: the
    default graph): what only this graph held leaves the union, the graph is dropped and written anew.
    """
    lines = " .\n".join(triple_lines(quads))
    if union is None:
        target, into = "?s ?p ?o", lambda body: body
        others = f"FILTER(?other != <{graph}>)"
    else:
        target, into = f"GRAPH <{union}> {{ ?s ?p ?o }}", lambda body: f"GRAPH <{union}> {{ {body} }}"
        others = f"FILTER(?other != <{graph}> && ?other != <{union}>)"
    steps = [
        f"DELETE {{ {target} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} {others} }} }}",
        f"DROP SILENT GRAPH <{graph}>",
    ]
    if quads:
        steps += [f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines} }} }}", f"INSERT DATA {{ {into(lines)} }}"]
    return steps


def triple_lines(quads: Sequence[ox.Quad]) -> list[str]:
    """Each quad's triple as N-Triples text (without the final dot)."""
    return [f"{q.subject} {q.predicate} {q.object}" for q in quads]


def insert_new_update(graphs: Sequence[tuple[str, Sequence[str]]], union: str | None) -> list[str]:
    """The ``INSERT DATA`` operations that write graphs the server does not hold yet (IRI, triple lines) and
    add their triples to the union, each triple once: one operation a graph (Virtuoso's SPARQL compiler runs
    out of memory on one operation of many thousand triples), nothing to delete first."""
    seen: set[str] = set()
    steps = []
    for graph, lines in graphs:
        if not lines:
            continue
        fresh = [line for line in lines if line not in seen]
        seen.update(fresh)
        joined = " .\n".join(fresh)
        into = "" if not fresh else (joined if union is None else f"GRAPH <{union}> {{\n{joined} }}")
        steps.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + " .\n".join(lines) + f" }}\n{into} }}")
    return steps


def rebuild_union_update(union: str | None, base: str) -> str:
    """The update that makes the union again from the named graphs."""
    if union is None:
        return "CLEAR SILENT DEFAULT ; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    return (
        f"CLEAR SILENT GRAPH <{union}> ; INSERT {{ GRAPH <{union}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{_escape(base)}") && ?g != <{union}>) }}'
    )


# --------------------------------------------------------------------------- HTTP over connections dialed by another process


class DialedTransport:
    """HTTP (``http.client``) over connections that another process opens and passes over a Unix socket.

    A query worker denies itself new network sockets (:mod:`kg.graph.sandbox`), so it cannot connect
    anywhere, least of all to an address a query names. When it needs a connection to the store's server
    it sends one byte on ``dialer`` (a Unix socket to the server process); the server connects to the
    address of ``--store``, the only one it knows, and passes the connected socket back (SCM_RIGHTS).
    """

    def __init__(self, endpoints: Endpoints, dialer: socket.socket):
        self.endpoints = endpoints
        self.dialer = dialer
        self.connection: http.client.HTTPConnection | None = None

    def _dial(self) -> socket.socket:
        self.dialer.sendall(b"c")
        message, fds, _, _ = socket.recv_fds(self.dialer, 512, 1)
        if not fds:
            reason = message.decode("utf-8", "replace") or "the server process did not answer"
            raise ServerError(f"the SPARQL server at {self.endpoints.name} cannot be reached ({reason})")
        sock = socket.socket(fileno=fds[0])
        sock.settimeout(self.endpoints.timeout)
        if urllib.parse.urlsplit(self.endpoints.query).scheme == "https":
            import ssl

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.endpoints.host)
        return sock

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            transport = self

            class Dialed(http.client.HTTPConnection):
                def connect(self) -> None:
                    self.sock = transport._dial()

            self.connection = Dialed(self.endpoints.host, self.endpoints.port, timeout=self.endpoints.timeout)
        return self.connection

    def __call__(self, url: str, fields: Sequence[tuple[str, str]] | Body | None, accept: str) -> bytes:
        split = urllib.parse.urlsplit(url)
        path = split.path + (f"?{split.query}" if split.query else "")
        headers = {"Accept": accept, "Host": split.netloc}
        body = None
        if isinstance(fields, Body):
            body, headers["Content-Type"] = fields.data, fields.content_type
        elif fields is not None:
            body = urllib.parse.urlencode(list(fields)).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection the server has closed since: dial again, once
            connection = self._connection()
            try:
                connection.request("GET" if body is None else "POST", path, body, headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                connection.close()
                if attempt == 2:
                    raise ServerError(
                        f"the SPARQL server at {self.endpoints.name} closed the connection ({exc})"
                    ) from None
            except TimeoutError:
                connection.close()
                raise ServerError(
                    f"the SPARQL server at {self.endpoints.name} did not answer within {self.endpoints.timeout:g} s"
                ) from None
            except OSError as exc:
                connection.close()
                raise ServerError(f"the SPARQL server at {self.endpoints.name} cannot be reached ({exc})") from None
        if response.status >= 400:
            said = " ".join(data.decode("utf-8", "replace").split())[:300]
            raise ServerError(
                f"the SPARQL server at {self.endpoints.name} refused the request (HTTP {response.status}: {said or 'no detail'})",
                response.status,
            )
        return data


def dial_for(worker_end: socket.socket, endpoints: Endpoints) -> None:
    """Answer a worker's requests for connections (run in a thread of the server process, until it closes)."""
    while True:
        try:
            request = worker_end.recv(16)
        except OSError:
            break
        if not request:
            break
        try:
            with socket.create_connection(
                (endpoints.host, endpoints.port), timeout=min(10.0, endpoints.timeout)
            ) as conn:
                socket.send_fds(worker_end, [b"ok"], [conn.fileno()])
        except OSError as exc:
            try:
                worker_end.sendall(str(exc).encode("utf-8")[:500] or b"no connection")
            except OSError:
                break
    worker_end.close()
