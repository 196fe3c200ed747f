"""Query workers for ``kg serve``: each SPARQL query runs in a separate process that can be killed.

pyoxigraph has no query timeout, so a query that runs too long cannot be
stopped from inside the process that runs it. The server therefore keeps a
small pool of worker processes. Each opens the store with
``pyoxigraph.Store.read_only`` (which works while another process, such as
``kg ingest``, holds the store open for writing), runs one query at a time,
serialises the answer itself and sends back bytes. When a query runs past the
time limit the server kills that worker and starts a fresh one.

A worker is this file run as a script (``python -P kg/worker.py``), not
through :mod:`multiprocessing`: it then imports only pyoxigraph and the
standard library, so it starts in a tenth of a second instead of importing
the whole ``kg`` package, and never inherits the server's open store or
threads.

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
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

if not __package__:  # run as a script (see _Worker): the package is beside this file, two folders up
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from kg.graph import sandbox, sparqlguard  # noqa: E402 -- after the path is set
from kg.graph.sparqlguard import has_dataset_clause  # noqa: E402
from kg.graph.xmltext import xml_term, xml_triples  # noqa: E402

#: Media type of every format a worker can write, by pyoxigraph format name.
MEDIA_TYPES = {
    "JSON": "application/sparql-results+json",
    "XML": "application/sparql-results+xml",
    "CSV": "text/csv; charset=utf-8",
    "TSV": "text/tab-separated-values; charset=utf-8",
    "TURTLE": "text/turtle; charset=utf-8",
    "N_TRIPLES": "application/n-triples",
    "JSON_LD": "application/ld+json",
    "RDF_XML": "application/rdf+xml",
}
RESULT_FORMATS = ("JSON", "XML", "CSV", "TSV")
GRAPH_FORMATS = ("TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML")
TEXT = "text/plain; charset=utf-8"

#: Files of a store directory that change without the data changing (RocksDB's own log, the lock, the search index).
_IGNORED = re.compile(r"^(LOG.*|LOCK|search\.sqlite.*)$")
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
    extra: dict = field(default_factory=dict)  #: e.g. the named graphs, for the service description

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        return cls(status, TEXT, message.encode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


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


# --------------------------------------------------------------------------- terms over the pipe


def encode_term(term) -> tuple:
    """A NamedNode or Literal as plain values that can cross the pipe."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    raise TypeError(f"cannot send {term!r} to a worker")


def decode_term(data: tuple):
    if data[0] == "iri":
        return ox.NamedNode(data[1])
    _, value, datatype, language = data
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


# --------------------------------------------------------------------------- in the worker process


def store_signature(location: str) -> tuple:
    """The store directory's files (names, sizes, times): it changes when the store's contents do.

    Cheap (one directory listing), so it is taken before every job here and before every page
    request of a site the server builds itself (:mod:`kg.web.server`). A file removed while the
    directory is read (RocksDB compacting) is left out: the listing differs either way.
    """
    entries = []
    with os.scandir(location) as listing:
        for entry in listing:
            if not _IGNORED.match(entry.name):
                try:
                    info = entry.stat()
                except FileNotFoundError:
                    continue
                entries.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(entries))


OPEN_ATTEMPTS = 3  #: tries at opening the store read-only before a job fails


class Snapshot:
    """A read-only store, reopened when the directory changes."""

    def __init__(self, location: str):
        self.location = location
        self.signature: tuple | None = None
        self.store: ox.Store | None = None
        self.refresh()

    def refresh(self, force: bool = False) -> ox.Store:
        signature = store_signature(self.location)
        if force or self.store is None or signature != self.signature:
            self.store = None
            # a writer replacing its files as we open can make one attempt fail: try again shortly
            for attempt in range(1, OPEN_ATTEMPTS + 1):
                try:
                    self.store = ox.Store.read_only(self.location)
                    break
                except OSError:
                    if attempt == OPEN_ATTEMPTS:
                        raise
                    time.sleep(0.1 * attempt)
            self.signature = signature
        return self.store


def _format(name: str | None, kind: str, allowed: tuple) -> str:
    if name is None:
        shown = (
            "SPARQL results (JSON, XML, CSV, TSV)" if kind == "results" else "RDF (Turtle, N-Triples, JSON-LD, RDF/XML)"
        )
        raise _Refused(
            406,
            f"this query's answer is {shown}, and the format asked for (by 'format' or the Accept header) is not one of them",
        )
    if name not in allowed:
        raise _Refused(406, f"unknown format {name}")
    return name


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _tsv_term(term) -> str:
    return "" if term is None else str(term)


def execute(snapshot: Snapshot, job: dict) -> Reply:
    """Run one job; every outcome, good or bad, is a :class:`Reply`."""
    try:
        if job["kind"] == "graphs":
            store = snapshot.refresh()
            graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
            return Reply(200, TEXT, b"", {"graphs": graphs})
        return _query(snapshot, job)
    except _Refused as exc:
        return Reply.error(exc.status, str(exc))


def _run(snapshot: Snapshot, job: dict):
    sparql = job["sparql"]
    try:
        sparqlguard.check(sparql)
    except sparqlguard.Refused as exc:
        if looks_like_update(sparql):
            raise _Refused(
                403, "This endpoint is read-only: SPARQL updates (INSERT, DELETE, DROP, LOAD ...) are not accepted."
            ) from None
        raise _Refused(400, str(exc)) from None
    options: dict = {"prefixes": job.get("prefixes") or None}
    substitutions = {ox.Variable(name): decode_term(value) for name, value in (job.get("substitutions") or {}).items()}
    if substitutions:
        options["substitutions"] = substitutions
    default_graph, named_graphs = job.get("default_graph"), job.get("named_graphs")
    if default_graph is not None or named_graphs is not None:
        # the protocol's dataset replaces the union default graph and any FROM in the query
        options["default_graph"] = [ox.NamedNode(g) for g in default_graph or []] or ox.DefaultGraph()
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
    elif not has_dataset_clause(sparql):
        options["use_default_graph_as_union"] = True
    for attempt in (1, 2):
        try:
            return snapshot.refresh(force=attempt == 2).query(sparql, **options)
        except SyntaxError as exc:
            if looks_like_update(sparql):
                raise _Refused(
                    403, "This endpoint is read-only: SPARQL updates (INSERT, DELETE, DROP, LOAD ...) are not accepted."
                ) from None
            raise _Refused(400, f"The SPARQL query is not valid: {exc}") from None
        except ValueError as exc:
            raise _Refused(400, f"The query cannot be run: {exc}") from None
        except OSError as exc:
            if attempt == 2:
                raise _Refused(500, f"The store could not be read: {exc}") from None


def _query(snapshot: Snapshot, job: dict) -> Reply:
    answer = _run(snapshot, job)
    max_rows = int(job.get("max_rows") or 10_000)
    try:
        if isinstance(answer, ox.QueryBoolean):
            fmt = _format(job.get("results_format"), "results", RESULT_FORMATS)
            return Reply(200, MEDIA_TYPES[fmt], answer.serialize(format=getattr(ox.QueryResultsFormat, fmt)))
        if isinstance(answer, ox.QuerySolutions):
            fmt = _format(job.get("results_format"), "results", RESULT_FORMATS)
            return Reply(200, MEDIA_TYPES[fmt], _solutions(answer, fmt, max_rows, job))
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
        body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes=job.get("prefixes") or None)
        return Reply(200, MEDIA_TYPES[fmt], body or b"")
    except (OSError, RuntimeError, ValueError) as exc:  # raised while evaluating, row by row
        raise _Refused(500, f"The query failed: {exc}") from None


def _solutions(answer: ox.QuerySolutions, fmt: str, max_rows: int, job: dict) -> bytes:
    """At most ``max_rows`` solutions, serialised by pyoxigraph.

    pyoxigraph serialises only a live result, which cannot be cut short, so the
    rows read are written as SPARQL TSV (every term in full), parsed back and
    serialised in the format asked for.
    """
    variables = [v.value for v in answer.variables]
    rows = []
    for solution in answer:
        rows.append([solution[v] for v in variables])
        if len(rows) > max_rows:
            raise _Refused(
                422, f"The result has more than {max_rows:,} rows (the server's limit): narrow the query or add LIMIT."
            )
    drop = set(job.get("drop") or ())
    for i, name in enumerate(variables):
        if name in (job.get("drop_if_empty") or ()) and all(row[i] is None for row in rows):
            drop.add(name)
    if drop:
        keep = [i for i, name in enumerate(variables) if name not in drop]
        variables = [variables[i] for i in keep]
        rows = [[row[i] for i in keep] for row in rows]
    if fmt == "XML":
        rows = [[xml_term(t) for t in row] for row in rows]  # as for RDF/XML (kg.graph.xmltext)
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    tsv = "\n".join(lines) + "\n"
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=getattr(ox.QueryResultsFormat, fmt))


def _watch_parent(parent: int) -> None:
    """End this worker if the server went away without closing it (killed, crashed)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def worker_main(argv: list[str]) -> int:
    """``worker.py LOCATION READ_FD WRITE_FD``: answer jobs until the pipe closes."""
    location, read_fd, write_fd = argv[0], int(argv[1]), int(argv[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which then closes us
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    sandbox.deny_network()  # even a query the guard misread cannot connect anywhere
    sandbox.limit_memory(int(argv[3]) if len(argv) > 3 else sandbox.WORKER_MEMORY_MB)
    try:
        snapshot = Snapshot(location)
    except OSError as exc:
        outbox.send(("failed", f"cannot open the store at {location} for reading: {exc}"))
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
            outbox.send((reply.status, reply.media_type, reply.body, reply.extra))
        except (BrokenPipeError, OSError):
            return 0


# --------------------------------------------------------------------------- in the server


class WorkerStartError(Exception):
    """A worker process could not open the store."""


class _Worker:
    """One worker process and the two ends of its pipes."""

    def __init__(self, location: str):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-P", os.path.abspath(__file__), location, str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the pipes carry the protocol; stray prints go nowhere
                close_fds=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.outbox = Connection(to_child_w, readable=False)
        self.inbox = Connection(from_child_r, writable=False)
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.inbox.poll(timeout):
            raise WorkerStartError(f"a query worker did not start within {timeout:g} s")
        try:
            state, detail = self.inbox.recv()
        except (EOFError, OSError):
            raise WorkerStartError("a query worker stopped while starting") from None
        if state != "ready":
            raise WorkerStartError(detail)
        self.ready = True

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.outbox.close()
        self.inbox.close()

    def stop(self) -> None:
        """Ask the worker to end; kill it if it does not."""
        try:
            self.outbox.send(None)
            self.process.wait(timeout=2)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        self.kill()


def _seconds(value: float) -> str:
    return f"{value:g}"


class WorkerPool:
    """``workers`` query processes; :meth:`run` blocks, so call it from a thread.

    >>> pool = WorkerPool("/nowhere", workers=1)
    >>> pool.timeout, pool.max_rows
    (30.0, 10000)
    """

    def __init__(
        self,
        location: str,
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        startup_timeout: float = 60.0,
    ):
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.location = os.path.abspath(location)
        self.size = workers
        self.timeout = float(timeout)
        self.max_rows = int(max_rows)
        self.startup_timeout = startup_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.restarts = 0  #: workers replaced after a time limit or a crash

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        """Start the workers and wait until each has opened the store; :class:`WorkerStartError` if one cannot."""
        with self._lock:
            if self._started:
                return
            self._started = True
            workers = [self._spawn() for _ in range(self.size)]
        try:
            for worker in workers:
                worker.wait_ready(self.startup_timeout)
        except WorkerStartError:
            self.close()
            raise
        for worker in workers:
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.location)
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
            self.restarts += 1
            fresh = self._spawn()  # it opens the store while the next request is on its way
        self._idle.put(fresh)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all)

    # ---------------------------------------------------------------- work

    def run(self, job: dict) -> Reply:
        """Run a job (see :func:`execute`) under the time limit; always returns a :class:`Reply`."""
        if self._closed:
            return Reply.error(503, "The server is shutting down.")
        if not self._started:
            self.start()
        job = {"max_rows": self.max_rows, **job}
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Reply.error(
                503,
                f"The server is busy: every query worker was in use for {_seconds(self.timeout)} s; try again shortly.",
            )
        try:
            worker.wait_ready(self.startup_timeout)
            worker.outbox.send(job)
            if not worker.inbox.poll(self.timeout):
                self._replace(worker)
                worker = None
                return Reply.error(
                    503,
                    f"The query was stopped after {_seconds(self.timeout)} s (the server's time limit): narrow it, or add LIMIT.",
                )
            status, media_type, body, extra = worker.inbox.recv()
            return Reply(status, media_type, body, extra)
        except WorkerStartError as exc:
            self._replace(worker)
            worker = None
            return Reply.error(500, f"The query worker could not start: {exc}")
        except (EOFError, OSError):
            self._replace(worker)
            worker = None
            return Reply.error(
                500,
                "The query worker stopped unexpectedly (it has been restarted); the query may need more memory than the server has.",
            )
        finally:
            if worker is not None:
                self._idle.put(worker)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
