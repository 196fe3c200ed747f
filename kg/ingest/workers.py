"""Read → parse → extract → quads for one input at a time, in worker processes, each input under a bound.

:func:`work` is what happens to one input; it is a generator so that the same steps run in a worker
process or in the ingest's own process (``--jobs 1``):

1. it reads and parses the input and yields :class:`Parsed` (each document's IRI, title and content
   hash, and the source record), then waits for the writer's :data:`Decision` for each document:
   ``None`` (unchanged, nothing to do), :data:`INDEX` (unchanged, but the search index needs its text)
   or the source records the document's graph is to name;
2. it extracts the documents to write and yields :class:`Done`, each document's graph as N-Quads bytes.

A failure at any point is yielded as a :class:`~kg.errors.SourceError`, and that is the input's end.

:class:`WorkerPool` runs :func:`work` in ``jobs`` processes started once with the pipeline (the
vocabulary and matcher are built once, sent to each worker, never per document), when the first input
reaches the pool: a run that reads no file starts no worker. Each input has a
time bound (``time_limit`` seconds from when it is handed to a worker) and a memory bound
(``memory_limit`` bytes: the worker caps its own heap with ``RLIMIT_DATA``, and the pool watches its
resident size): a worker past either is killed and replaced, and the input is reported as too slow or
too large while the others go on. Workers end when the ingest does, even a killed one's
(``PR_SET_PDEATHSIG`` and end of file on their pipe).
"""

from __future__ import annotations

import ctypes
import dataclasses
import itertools
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import SourceError
from kg.ingest.parse import parse
from kg.ingest.sources import read, source_name
from kg.ingest.triples import SourceRecord, content_hash, document_graph, document_iri, source_record

if TYPE_CHECKING:
    from kg.ingest.flow import Pipeline

TIME_LIMIT = 60.0  #: seconds one input may take to be read, parsed and extracted
MEMORY_LIMIT = 1024**3  #: bytes of memory a worker may use for one input
WATCH_INTERVAL = 0.1  #: seconds between looks at the busy workers' clocks and memory
START_TIMEOUT = 120.0  #: seconds a new worker may take to start (import kg, unpickle the pipeline)

INDEX = "index"  #: the decision for an unchanged document whose text the search index needs
#: None: unchanged; INDEX; or the sources the document's graph names.
Decision = str | tuple[SourceRecord, ...] | None


@dataclass(frozen=True)
class Task:
    """One input: a file found under ``given``, or an address."""

    seq: int  #: where it comes in the run (the report keeps this order)
    item: str  #: the path or address to read
    given: str  #: the path or address the user gave, that the file was found under

    @property
    def location(self) -> str:
        return self.item


@dataclass(frozen=True)
class Parsed:
    """An input read and parsed: what the writer needs to decide what to do with each document."""

    location: str
    here: SourceRecord
    documents: tuple[tuple[str, str, str], ...]  #: (IRI, title, content hash) of each document, in order


@dataclass(frozen=True)
class DocumentResult:
    iri: str
    title: str
    text: str  #: for the search index
    content_hash: str
    nquads: bytes  #: the document's graph as N-Quads; empty for a document only (re)indexed
    union: bytes = b""  #: N-Triples of its triples, for the union default graph (:class:`SerializedGraph`)
    mentions: int = 0
    relations: int = 0


@dataclass(frozen=True)
class Done:
    results: tuple[DocumentResult, ...]


Message = Parsed | Done | SourceError


def work(task: Task, pipeline: Pipeline, base: str) -> Generator[Message, list[Decision], None]:
    """Read, parse and extract one input (see the module's docstring for the conversation)."""
    try:
        path: Path | str = task.item if "://" in task.item else Path(task.item)
        source = dataclasses.replace(read(path), name=source_name(task.given, path))
        documents = parse(source)
        if not documents:
            raise SourceError(source.location, "no document found in the text (no title line)")
        infos = []
        for document in documents:
            iri = document_iri(document, base)
            infos.append((iri, document.title, content_hash(document, pipeline.fingerprint(iri))))
        decisions = yield Parsed(source.location, source_record(source, base), tuple(infos))
        results = []
        for document, (iri, title, digest), decision in zip(documents, infos, decisions, strict=True):
            if decision is None:
                continue
            if isinstance(decision, str):  # INDEX
                results.append(DocumentResult(iri, title, document.text, digest, b""))
                continue
            extraction = pipeline.extract(document)
            iri, built = document_graph(document, extraction, decision, pipeline.fingerprint(iri), base=base)
            built.add_quads(pipeline.curation.quads(iri, built.iter_quads()))  # parsed only if it has decisions
            graph = built.serialized()
            results.append(
                DocumentResult(
                    iri,
                    title,
                    document.text,
                    digest,
                    graph.nquads,
                    graph.union,
                    len(extraction.mentions),
                    len(extraction.relations),
                )
            )
        yield Done(tuple(results))
    except SourceError as exc:
        yield exc
    except MemoryError:
        yield SourceError(task.location, "too large (MemoryError)")
    except RecursionError:
        yield SourceError(task.location, "too deeply nested to read")
    except Exception as exc:  # one broken document must not stop the run
        yield SourceError(task.location, f"{type(exc).__name__}: {exc}")


Decide = Callable[[Task, Parsed], list[Decision]]
Finish = Callable[[Task, Done | SourceError], None]


class InProcess:
    """``--jobs 1``: every input in the ingest's own process, one after another, without bounds (for debugging)."""

    started = 0  #: worker processes: none

    def __init__(self, pipeline: Pipeline, base: str):
        self.pipeline, self.base = pipeline, base

    def run(self, tasks: Iterator[Task], decide: Decide, finish: Finish, tick: Callable[[], None]) -> None:
        for task in tasks:
            steps = work(task, self.pipeline, self.base)
            message = next(steps)
            while isinstance(message, Parsed):
                message = steps.send(decide(task, message))
            finish(task, message)
            tick()

    def close(self) -> None:
        pass


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the ingest that started it ends (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: end of file on the pipe ends the worker instead
        pass


def _worker_main(conn: Connection, base: str, memory_limit: int, parent: int) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the ingest ended while this worker started
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the ingest, which then closes us
    from kg.graph.sandbox import limit_memory

    conn.send(("hello", os.getpid()))  # the pipeline comes over our own pipe: see WorkerPool._start
    try:
        pipeline = pickle.loads(conn.recv_bytes())
    except (EOFError, OSError):
        return
    limit_memory(max(1, (_heap_bytes() + memory_limit) // (1024 * 1024)))
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            steps = work(task, pipeline, base)
            message = next(steps)
            while isinstance(message, Parsed):
                conn.send(message)
                message = steps.send(conn.recv())
            if isinstance(message, SourceError) and _out_of_memory(message.reason):
                message = SourceError(
                    task.location, f"too large (it needed more than {_megabytes(memory_limit)} of memory)"
                )
            conn.send(message)
        except (EOFError, OSError):
            return
        if isinstance(message, SourceError) and message.reason.startswith("too large"):
            return  # a fresh worker for the next input, not one whose heap is fragmented at its limit


def _out_of_memory(reason: str) -> bool:
    """A failure that is the memory bound at work: MemoryError, or a library that could not allocate
    (zlib: "Unable to allocate output buffer") and said so in its own words."""
    lowered = reason.lower()
    return lowered.startswith("too large") or "memoryerror" in lowered or "unable to allocate" in lowered


def _could_not_start(code: int | None) -> str:
    how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return (
        f"an ingest worker could not start ({how}; its error is printed above): a script that ingests with "
        "jobs > 1 must call it under 'if __name__ == \"__main__\":', as worker processes import the script again"
    )


def _heap_bytes() -> int:
    """What RLIMIT_DATA already counts in this process (its data segment), so the limit is on top of it."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[5]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 1024**3:g} GiB" if size >= 1024**3 else f"{size / 1024**2:.0f} MiB"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    pid: int = 0
    task: Task | None = None
    started: float = 0.0
    base_rss: int = 0  #: its resident size when it was ready: the bound is on what an input adds to it

    def rss(self) -> int:
        try:
            return int(Path(f"/proc/{self.pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, ValueError):
            pass
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """``jobs`` worker processes, each input bounded in time and memory; see the module's docstring."""

    def __init__(
        self,
        pipeline: Pipeline,
        base: str,
        jobs: int,
        time_limit: float = TIME_LIMIT,
        memory_limit: int = MEMORY_LIMIT,
    ):
        self.context = multiprocessing.get_context("spawn")  # no fork of a process holding the store open
        self.pipeline = pipeline
        self._pipeline_bytes: bytes | None = None
        self.base, self.jobs = base, max(1, jobs)
        self.time_limit, self.memory_limit = time_limit, memory_limit
        self.starting: list[_Worker] = []
        self.idle: list[_Worker] = []
        self.busy: list[_Worker] = []
        self.started = 0  #: worker processes started in this run (none when no input needed reading)

    @property
    def pipeline_bytes(self) -> bytes:
        """The pipeline as sent to each worker, pickled once, when the first worker asks for it."""
        if self._pipeline_bytes is None:
            self._pipeline_bytes = pickle.dumps(self.pipeline)
        return self._pipeline_bytes

    def _start(self) -> None:
        """Start a worker; the pipeline is sent when it says hello, not as an argument of the process: spawn
        writes the arguments into a pipe whose reading end the parent holds until the write is done, so a
        worker that died on starting (a script without ``if __name__ == "__main__":``) would block it for ever
        on arguments larger than the pipe's buffer."""
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main,
            args=(theirs, self.base, self.memory_limit, os.getpid()),
            daemon=True,
        )
        process.start()
        self.started += 1
        theirs.close()
        self.starting.append(_Worker(process, ours, started=time.monotonic()))

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        for pool in (self.starting, self.idle, self.busy):
            if worker in pool:
                pool.remove(worker)
        self._start()

    def run(self, tasks: Iterator[Task], decide: Decide, finish: Finish, tick: Callable[[], None]) -> None:
        """Hand every task to a worker; ``decide`` and ``finish`` are called here, in the writer's process.

        The workers are started when the first task comes, not before: a run whose every input the file
        table vouches for (:mod:`kg.ingest.filetable`) starts none and pickles no pipeline."""
        first = next(iter(tasks), None)
        if first is None:
            return
        waiting = itertools.chain([first], tasks)
        while len(self.starting) + len(self.idle) + len(self.busy) < self.jobs:
            self._start()
        more = True
        watched = time.monotonic()  #: when the busy workers' clocks and memory were last looked at
        while True:
            while more and self.idle:
                task = next(waiting, None)
                if task is None:
                    more = False
                    break
                worker = self.idle.pop()
                worker.task, worker.started = task, time.monotonic()
                try:
                    worker.conn.send(task)
                except OSError:  # it died while idle: a fresh one takes the task
                    self._replace(worker)
                    self._retry(task, finish)
                    continue
                self.busy.append(worker)
            if not more and not self.busy:
                return
            if not self.busy and not self.idle and not self.starting:
                self._start()
            conns = [w.conn for w in (*self.starting, *self.busy)]
            for conn in wait(conns, timeout=WATCH_INTERVAL):
                self._receive(next(w for w in (*self.starting, *self.busy) if w.conn is conn), decide, finish)
            if time.monotonic() >= watched + WATCH_INTERVAL:  # not after every message: a /proc read per worker
                self._watch(finish)
                watched = time.monotonic()
            tick()

    def _retry(self, task: Task, finish: Finish) -> None:
        finish(task, SourceError(task.location, "the worker reading it stopped before it started"))

    def _receive(self, worker: _Worker, decide: Decide, finish: Finish) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            task, starting = worker.task, worker in self.starting
            worker.process.join(1)
            code = worker.process.exitcode
            self._replace(worker)
            if task is not None:
                finish(task, SourceError(task.location, self._stopped(code)))
            elif starting:
                raise SourceError("kg ingest", _could_not_start(code)) from None
            return
        if worker in self.starting and message[0] == "hello":
            worker.pid = message[1]
            try:
                worker.conn.send_bytes(self.pipeline_bytes)
            except OSError:  # it died already: its end of file comes next
                pass
            return
        if worker in self.starting:
            worker.base_rss = worker.rss()
            self.starting.remove(worker)
            self.idle.append(worker)
            return
        task = worker.task
        assert task is not None
        if isinstance(message, Parsed):
            worker.conn.send(decide(task, message))
            return
        worker.task = None
        self.busy.remove(worker)
        self.idle.append(worker)
        finish(task, message)

    def _stopped(self, code: int | None) -> str:
        if code == -signal.SIGABRT:  # what an allocation past RLIMIT_DATA does to native code
            return f"too large (it needed more than {_megabytes(self.memory_limit)} of memory)"
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return f"the worker reading it stopped ({how})"

    def _watch(self, finish: Finish) -> None:
        now = time.monotonic()
        for worker in list(self.starting):
            if now - worker.started > START_TIMEOUT:
                worker.kill()
                raise SourceError("kg ingest", f"an ingest worker did not start within {START_TIMEOUT:g} s")
        for worker in list(self.busy):
            task = worker.task
            assert task is not None
            if now - worker.started > self.time_limit:
                self._replace(worker)
                finish(task, SourceError(task.location, f"too slow (stopped after {self.time_limit:g} s)"))
            elif worker.rss() - worker.base_rss > self.memory_limit:
                self._replace(worker)
                finish(
                    task,
                    SourceError(
                        task.location, f"too large (it needed more than {_megabytes(self.memory_limit)} of memory)"
                    ),
                )

    def close(self) -> None:
        for worker in (*self.starting, *self.idle, *self.busy):
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in (*self.starting, *self.idle, *self.busy):
            worker.process.join(2)
            if worker.process.is_alive():
                worker.kill()
            worker.conn.close()
        self.starting, self.idle, self.busy = [], [], []
