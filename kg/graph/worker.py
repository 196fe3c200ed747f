"""Query workers for ``kg serve``: each SPARQL query runs in a separate process that can be killed.

pyoxigraph has no query timeout, so a query that runs too long cannot be
stopped from inside the process that runs it. The server therefore keeps a
small pool of worker processes. Each opens the store with
``pyoxigraph.Store.read_only`` (which works while another process, such as
``kg ingest``, holds the store open for writing), runs one query at a time,
serialises the answer itself and sends back bytes. When a query runs past the
time limit the server kills that worker and starts a fresh one.

The pool of workers (spawning, killing, replacing) is :mod:`kg.web.server.pool`; this module is
what runs inside a worker, and the rules the worker shares with :mod:`kg.graph.query` and
:mod:`kg.graph.saved` (:func:`dataset_options`, :func:`kept_columns`).

A worker is this file run as a script (``python -P kg/graph/worker.py``), not
through :mod:`multiprocessing`: it then imports only pyoxigraph, the
standard library, :mod:`kg.graph.formats` and the guards (:mod:`kg.graph.sparqlguard`, which loads
rdflib's SPARQL parser only for a text no worker has checked yet, :mod:`kg.graph.sandbox`,
:mod:`kg.graph.xmltext`), so it starts in a tenth of a second instead of importing the whole ``kg``
package, and never inherits the server's open store or threads.

A read-only store is a snapshot of the moment it was opened. Before each job
a worker compares the store directory's files (names, sizes, times) with what
it saw last and reopens the store if they changed, so answers follow an
ingest that finishes while the server runs.

Limits and their statuses (the server passes them on as HTTP statuses):

* a result with more than ``max_rows`` rows (or triples) is refused with 422;
  the worker stops reading after ``max_rows + 1``, it never builds the whole result;
* a query still running after ``timeout`` seconds: the worker is killed and
  replaced, and the answer is 503 "The query was stopped after 30 s (the server's time limit)";
* a federated query (``SERVICE``), which would make the server fetch other addresses: 400, decided by
  :func:`kg.graph.sparqlguard.check` on the tokens and the parse tree of the query; a query that check
  cannot read is refused too (400). Each worker also denies itself new IPv4/IPv6 sockets (seccomp,
  :func:`kg.graph.sandbox.deny_network`) and caps its heap (:func:`kg.graph.sandbox.limit_memory`) before it opens the store;
* every worker busy for ``timeout`` seconds: 503 "The server is busy ...".
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, TypedDict

import pyoxigraph as ox

from kg.errors import damaged_store
from kg.graph.binding import as_constants
from kg.graph.chunked import serialised, tsv_line
from kg.graph.formats import BY_KEY, GRAPH_FORMATS, RESULT_FORMATS, Format, rdf_format, results_format
from kg.graph.sandbox import WORKER_MEMORY_MB, deny_network, limit_memory
from kg.graph.sparqlguard import FEDERATED, Refused, check, check_tokens
from kg.graph.sparqlhttp import Dataset, DialedTransport, ServerError, is_remote, parse_location
from kg.graph.storestate import StoreState, store_signature  # noqa: F401 -- store_signature is used from here too
from kg.graph.syntax import explain
from kg.graph.xmltext import xml_term, xml_triples

TEXT = "text/plain; charset=utf-8"
_NETWORK_DENIED = False  #: set in a worker once its seccomp filter is in place

#: What an update starts with, once the prologue (BASE, PREFIX) is gone.
_UPDATE = re.compile(r"^(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)\s*", re.IGNORECASE)
_STRING_OR_COMMENT = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*'
)


@dataclass
class Reply:
    """What a worker answers: an HTTP status, a media type and the body."""

    status: int
    media_type: str
    body: bytes
    extra: dict[str, Any] = field(default_factory=dict)  #: e.g. the named graphs, for the service description
    #: a large answer's body in parts (``body`` is then empty): sent over the pipe one by one, never copied whole
    parts: list[bytes] = field(default_factory=list)

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        return cls(status, TEXT, message.encode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def pieces(self) -> list[bytes]:
        """The body as the parts it was made in (one part for most answers)."""
        return self.parts or [self.body]


# --------------------------------------------------------------------------- query text


def looks_like_update(sparql: str) -> bool:
    """Whether a text is a SPARQL update (INSERT, DELETE, DROP ...) rather than a query."""
    text = _STRING_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", sparql).strip()
    while True:
        match = _PROLOGUE.match(text)
        if not match:
            break
        text = text[match.end() :]
    return bool(_UPDATE.match(text.strip()))


# --------------------------------------------------------------------------- rules shared with kg.graph.query and kg.graph.saved


class DatasetOptions(TypedDict, total=False):
    """The keyword arguments of ``pyoxigraph.Store.query`` that choose the dataset."""

    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | ox.DefaultGraph
    named_graphs: list[ox.NamedNode | ox.BlankNode]


def dataset_options(
    sparql: str, default_graph: list[str] | None = None, named_graphs: list[str] | None = None
) -> DatasetOptions:
    """pyoxigraph's query options for the dataset a query runs over: the one rule, stated here.

    A dataset given with the query (the protocol's ``default-graph-uri`` / ``named-graph-uri``) replaces
    everything else (named graphs alone leave the default graph empty); otherwise a query's own FROM /
    FROM NAMED names its dataset; otherwise the default graph is the union of all graphs, so a short
    query needs no GRAPH clause. That union is the store's own default graph, which the store keeps as
    the set of every named graph's triples (:mod:`kg.graph.store`): pyoxigraph's
    ``use_default_graph_as_union`` would count a triple once per graph holding it.
    """
    if default_graph is not None or named_graphs is not None:
        graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in default_graph or []]
        return {"default_graph": graphs, "named_graphs": [ox.NamedNode(g) for g in named_graphs or []]}
    return {}


def kept_columns(
    variables: list[str], rows: Sequence[Sequence[object]], bound: set[str], optional: set[str]
) -> list[int]:
    """The columns of a saved query's table to keep: the one rule for parameter columns, stated here.

    A parameter given a value (in ``bound``) only repeats it in every row, so its column goes; a
    parameter left out (in ``optional``) goes when it stayed empty in every row.
    """
    return [
        i
        for i, name in enumerate(variables)
        if name not in bound and not (name in optional and all(row[i] is None for row in rows))
    ]


# --------------------------------------------------------------------------- terms over the pipe


def encode_term(term: object) -> tuple[str | None, ...]:
    """A NamedNode or Literal as plain values that can cross the pipe."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    raise TypeError(f"cannot send {term!r} to a worker")


def decode_term(data: tuple[str | None, ...]) -> ox.NamedNode | ox.Literal:
    if data[0] == "iri":
        return ox.NamedNode(str(data[1]))
    _, value, datatype, language = data
    if language:
        return ox.Literal(str(value), language=language)
    return ox.Literal(str(value), datatype=ox.NamedNode(str(datatype)))


# --------------------------------------------------------------------------- in the worker process


OPEN_ATTEMPTS = 3  #: tries at opening the store read-only before a job fails


class Snapshot:
    """A read-only store, reopened when the directory changes (its signature taken by :class:`StoreState`:
    a few ``stat`` calls rather than a listing of the folder before every job)."""

    def __init__(self, location: str):
        self.location = location
        self.state = StoreState(location)
        self.signature: tuple | None = None
        self.store: ox.Store | None = None
        self.refresh()

    def refresh(self, force: bool = False) -> ox.Store:
        signature = self.state.signature()
        if force or self.store is None or signature != self.signature:
            self.store = None
            self.store = self._open()
            self.signature = signature
        return self.store

    def _open(self) -> ox.Store:
        # a writer replacing its files as we open can make one attempt fail: try again shortly
        for attempt in range(1, OPEN_ATTEMPTS):
            try:
                return ox.Store.read_only(self.location)
            except OSError:
                time.sleep(0.1 * attempt)
        return ox.Store.read_only(self.location)


GRAPHS_TTL = 2.0  #: seconds a worker reuses a SPARQL server's list of named graphs


class RemoteSnapshot:
    """A store on a SPARQL server, reached over connections the server process dials (:class:`DialedTransport`).

    Every query reads the server's data as it is then, so there is nothing to reopen."""

    def __init__(self, location: str, dialer_fd: int):
        import socket

        from kg.graph.namespaces import base_iri

        endpoints = parse_location(location, base_iri())
        dialer = socket.socket(fileno=dialer_fd)
        self.store = Dataset(endpoints, DialedTransport(endpoints, dialer), base_iri(), graphs_ttl=GRAPHS_TTL)

    def refresh(self, force: bool = False) -> Dataset:
        if force:
            self.store.graphs(refresh=True)
        return self.store


def _format(name: str | None, kind: str, allowed: tuple[Format, ...]) -> str:
    """The format key asked for, if it is one of ``allowed`` (formats of :mod:`kg.graph.formats`)."""
    if name is None:
        shown = (
            "SPARQL results (JSON, XML, CSV, TSV)" if kind == "results" else "RDF (Turtle, N-Triples, JSON-LD, RDF/XML)"
        )
        raise _Refused(
            406,
            f"this query's answer is {shown}, and the format asked for (by 'format' or the Accept header) is not one of them",
        )
    if name not in {f.key for f in allowed}:
        raise _Refused(406, f"unknown format {name}")
    return name


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def execute(snapshot: Snapshot | RemoteSnapshot, job: dict[str, Any]) -> Reply:
    """Run one job; every outcome, good or bad, is a :class:`Reply`."""
    try:
        if job["kind"] == "graphs":
            store = snapshot.refresh()
            graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
            return Reply(200, TEXT, b"", {"graphs": graphs})
        reply = _query(snapshot, job)
    except _Refused as exc:
        reply = Reply.error(exc.status, str(exc))
    if job.get("guard_passed") and not job.get("verified"):
        reply.extra["verified"] = True  # the pool remembers the text: other workers need not parse it again
    return reply


def _run(snapshot: Snapshot | RemoteSnapshot, job: dict[str, Any]) -> Any:
    sparql = job["sparql"]
    try:
        if job.get("verified"):  # a text another worker has checked in full (the pool keeps the list)
            check_tokens(sparql)
        else:
            check(sparql)
            job["guard_passed"] = True
    except Refused as exc:
        if looks_like_update(sparql):
            raise _Refused(
                403, "This endpoint is read-only: SPARQL updates (INSERT, DELETE, DROP, LOAD ...) are not accepted."
            ) from None
        if str(exc) != FEDERATED and _NETWORK_DENIED:
            # rdflib could not read it: pyoxigraph's own parser names the mistake better. It only parses
            # here (the lazy result is never read), and this process cannot open a socket anyway.
            try:
                ox.Store().query(sparql, prefixes=job.get("prefixes") or None)
            except SyntaxError as syntax:
                known = job.get("prefixes") or {}
                raise _Refused(400, f"The SPARQL query is not valid: {explain(sparql, str(syntax), known)}") from None
            except Exception:  # noqa: BLE001 -- parsed, then failed on the empty store: still refused below
                pass
        raise _Refused(400, str(exc)) from None
    options: dict = {"prefixes": job.get("prefixes") or None}
    # bound values are written into the text as terms (checked above without them), so Oxigraph plans them
    sparql, left = as_constants(
        sparql, {name: decode_term(value) for name, value in (job.get("substitutions") or {}).items()}
    )
    if left:
        options["substitutions"] = {ox.Variable(name): term for name, term in left.items()}
    options.update(dataset_options(sparql, job.get("default_graph"), job.get("named_graphs")))
    known = job.get("prefixes") or {}
    for attempt in (1, 2):
        try:
            return snapshot.refresh(force=attempt == 2).query(sparql, **options)
        except SyntaxError as exc:
            if looks_like_update(sparql):
                raise _Refused(
                    403, "This endpoint is read-only: SPARQL updates (INSERT, DELETE, DROP, LOAD ...) are not accepted."
                ) from None
            raise _Refused(400, f"The SPARQL query is not valid: {explain(sparql, str(exc), known)}") from None
        except ValueError as exc:
            raise _Refused(400, f"The query cannot be run: {exc}") from None
        except ServerError as exc:  # the store's server refused the query (4xx) or failed (no answer, 5xx)
            status = 400 if exc.status is not None and 400 <= exc.status < 500 else 502
            raise _Refused(status, str(exc)[:1].upper() + str(exc)[1:] + ".") from None
        except OSError as exc:
            if attempt == 2:
                raise _Refused(500, f"The store could not be read: {exc}") from None


def _query(snapshot: Snapshot | RemoteSnapshot, job: dict[str, Any]) -> Reply:
    answer = _run(snapshot, job)
    max_rows = int(job.get("max_rows") or 10_000)
    try:
        if isinstance(answer, ox.QueryBoolean):
            fmt = _format(job.get("results_format"), "results", RESULT_FORMATS)
            return Reply(200, BY_KEY[fmt].content_type, answer.serialize(format=results_format(fmt)) or b"")
        if isinstance(answer, ox.QuerySolutions):
            fmt = _format(job.get("results_format"), "results", RESULT_FORMATS)
            parts, count, more = _solutions(answer, fmt, max_rows, job)
            body, rest = (parts[0], []) if len(parts) == 1 else (b"", parts)
            return Reply(200, BY_KEY[fmt].content_type, body, {"rows": count, "more": more}, rest)
        fmt = _format(job.get("graph_format"), "graph", GRAPH_FORMATS)
        triples = []
        for triple in answer:
            triples.append(triple)
            if len(triples) > max_rows:
                raise _Refused(
                    422,
                    f"The result has more than {max_rows:,} triples (the server's limit): narrow the query or add LIMIT.",
                )
        if fmt == "RDF_XML":
            triples = xml_triples(triples)  # XML 1.0 cannot hold some control characters: U+FFFD instead
        graph = ox.serialize(triples, format=rdf_format(fmt), prefixes=job.get("prefixes") or None)
        return Reply(200, BY_KEY[fmt].content_type, graph or b"")
    except (OSError, RuntimeError, ValueError) as exc:  # raised while evaluating, row by row
        raise _Refused(500, f"The query failed: {exc}") from None
    except MemoryError:  # the worker's heap cap (kg.graph.sandbox.limit_memory), reached while reading or writing
        raise _Refused(503, too_large(job)) from None


def too_large(job: dict[str, Any]) -> str:
    """The sentence of a 503 for an answer too large for a worker's memory."""
    limit = job.get("memory_mb") or WORKER_MEMORY_MB
    return (
        f"The answer is too large to build within the server's memory limit for one query ({limit} MiB): "
        "narrow the query, add LIMIT, or ask for it a page at a time."
    )


def _solutions(
    answer: ox.QuerySolutions, fmt: str, max_rows: int, job: dict[str, Any]
) -> tuple[list[bytes], int, bool]:
    """At most ``max_rows`` solutions, serialised by pyoxigraph, how many there are, and whether a
    page follows: a job with ``page_rows`` (a saved query's page, asked for with one row more) keeps
    that many rows and says whether there was another.

    pyoxigraph serialises only a live result, which cannot be cut short, so the
    rows read are written as SPARQL TSV (every term in full), parsed back and
    serialised in the format asked for, a batch of rows at a time (:mod:`kg.graph.chunked`).
    Each row is kept as its TSV line only (one string, not a term object per cell), with a note of
    which columns were ever bound, so a large answer takes a fraction of the memory it did.
    """
    variables = [v.value for v in answer.variables]
    lines: list[str] = []
    bound_once = [False] * len(variables)
    page = int(job.get("page_rows") or 0)
    more = False
    xml = fmt == "XML"  # as for RDF/XML (kg.graph.xmltext)
    for solution in answer:
        if page and len(lines) == page:
            more = True
            break
        row = [solution[name] for name in variables]
        for i, term in enumerate(row):
            if term is not None:
                bound_once[i] = True
                if xml:
                    row[i] = xml_term(term)
        lines.append(tsv_line(row))  # a TSV term never holds a tab: it is written \t
        if len(lines) > max_rows:
            raise _Refused(
                422, f"The result has more than {max_rows:,} rows (the server's limit): narrow the query or add LIMIT."
            )
    ever = [[True if filled else None for filled in bound_once]]  # one row standing for all: is a column ever bound
    keep = kept_columns(variables, ever, set(job.get("drop") or ()), set(job.get("drop_if_empty") or ()))
    if len(keep) < len(variables):
        variables = [variables[i] for i in keep]
        for n, line in enumerate(lines):
            cells = line.split("\t")
            lines[n] = "\t".join(cells[i] for i in keep)
    return serialised(variables, lines, fmt), len(lines), more


def _watch_parent(parent: int) -> None:
    """End this worker if the server went away without closing it (killed, crashed)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def worker_main(argv: list[str]) -> int:
    """``worker.py LOCATION READ_FD WRITE_FD [MEMORY_MB [DIALER_FD]]``: answer jobs until the pipe closes.

    A LOCATION that is a SPARQL server's address is read through connections dialed on DIALER_FD."""
    location, read_fd, write_fd = argv[0], int(argv[1]), int(argv[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which then closes us
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    global _NETWORK_DENIED
    _NETWORK_DENIED = deny_network().startswith("seccomp")  # even a query the guard misread cannot connect
    limit_memory(int(argv[3]) if len(argv) > 3 else WORKER_MEMORY_MB)
    try:
        snapshot: Snapshot | RemoteSnapshot = (
            RemoteSnapshot(location, int(argv[4])) if is_remote(location) else Snapshot(location)
        )
    except OSError as exc:
        outbox.send(("failed", f"cannot open the store at {location} for reading: {exc}"))
        return 1
    except RuntimeError as exc:  # RocksDB found the files damaged
        outbox.send(("failed", str(damaged_store(location, exc))))
        return 1
    outbox.send(("ready", os.getpid()))
    while True:
        try:
            job = inbox.recv()
        except (EOFError, OSError):
            return 0
        if job is None:
            return 0
        try:
            reply = execute(snapshot, job)
        except Exception as exc:  # noqa: BLE001 -- a worker must answer, whatever happened
            reply = Reply.error(500, f"The query failed: {type(exc).__name__}: {exc}")
        try:
            send_reply(outbox, reply, job)
        except (BrokenPipeError, OSError):
            return 0


INLINE = 64 * 1024  #: bytes up to which an answer's body goes in the same message as its status


def send_reply(outbox: Connection, reply: Reply, job: dict[str, Any]) -> None:
    """One message (status, media type, extra, number of parts, body) for an answer of one part of up to
    :data:`INLINE` bytes; otherwise the first four with an empty body, then each part as bytes: no
    pickled copy of a large body. :func:`read_reply` reads either. ``extra["cpu"]`` is the worker's
    processor time as it answers, so the pool need not read it when the next job starts."""
    try:
        parts = reply.pieces()
        used = (
            os.times()
        )  # the processor time used so far, as the pool reads it from /proc: its next job's budget starts here
        reply.extra["cpu"] = used.user + used.system
        if len(parts) == 1 and len(parts[0]) <= INLINE:
            outbox.send((reply.status, reply.media_type, reply.extra, 0, parts[0]))
            return
        outbox.send((reply.status, reply.media_type, reply.extra, len(parts), b""))
    except MemoryError:
        parts = [too_large(job).encode("utf-8")]
        outbox.send((503, TEXT, {}, 1, b""))
    for part in parts:
        outbox.send_bytes(part)


def read_reply(inbox: Connection) -> Reply:
    """What :func:`send_reply` sent, as a :class:`Reply` (in the server)."""
    status, media_type, extra, count, body = inbox.recv()
    if count:
        body = read_parts(inbox, count)
    return Reply(status, media_type, body, extra)


def read_parts(inbox: Connection, count: int) -> bytes:
    """A large answer's ``count`` parts, joined."""
    return b"".join(inbox.recv_bytes() for _ in range(count))


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
