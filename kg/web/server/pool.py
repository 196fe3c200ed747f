"""The pool of query worker processes behind ``kg serve``: spawning, killing and replacing them.

What runs inside a worker (opening the store read-only, running one job, serialising) is
:mod:`kg.graph.worker`; this module runs in the server. A worker is that file run as a script
(``python -P .../kg/graph/worker.py``), so it starts without importing the server.

Fair scheduling: heavy and light queries do not share one queue. Every query starts in the light
lane (``workers`` processes). One that has used ``light_budget`` (0.5 s) of processor time, or
has run 3 s on the clock, and is still running is *demoted*: its
worker leaves the light lane, which gets a fresh worker at once, and goes on in the heavy lane at a
lower CPU priority (nice 10) until it answers or reaches the time limit. At most ``heavy_slots``
queries run demoted at a time; a query that would be one more is stopped then (503). So however
many long queries arrive, the light lane keeps its ``workers`` processes.

Memory: each worker caps its own heap (``RLIMIT_DATA``, ``memory_mb``, :mod:`kg.graph.sandbox`), and
while it runs a query the pool reads its resident size every 50 ms and kills it above
``rss_limit_mb``. Either way the answer is 503 "The query needed more than ... of memory", and the
next query is answered by a fresh worker.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

import anyio
import psutil

from kg.graph import worker as worker_module
from kg.graph.namespaces import base_iri
from kg.graph.sandbox import WORKER_MEMORY_MB
from kg.graph.sparqlhttp import dial_for, is_remote, parse_location
from kg.graph.worker import Reply, read_parts, read_reply
from kg.web.server.idle import IdleWorkers

#: How often the pool looks at a running worker's memory, seconds.
WATCH_INTERVAL = 0.05
VERIFIED_TEXTS = 2048  #: query texts remembered as passed by the guard


class WorkerStartError(Exception):
    """A worker process could not open the store."""


def _worker_environment() -> dict[str, str]:
    """The server's environment, with the folder holding the ``kg`` package first on PYTHONPATH.

    The worker imports :mod:`kg.graph.formats`; this finds it even when ``kg`` runs from a checkout
    that is not installed (``-P`` keeps the worker's own folder off ``sys.path``).
    """
    package_parent = str(Path(worker_module.__file__).resolve().parents[2])
    paths = [package_parent, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


class _Worker:
    """One worker process and the two ends of its pipes."""

    def __init__(self, location: str, memory_mb: int = WORKER_MEMORY_MB):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        dial: list[str] = []
        passed = [to_child_r, from_child_w]
        if is_remote(location):  # the worker may open no socket: this process dials the store's server for it
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            endpoints = parse_location(location, base_iri())
            threading.Thread(target=dial_for, args=(ours, endpoints), daemon=True).start()
            dial, passed = [str(theirs.fileno())], [*passed, theirs.fileno()]
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    os.path.abspath(worker_module.__file__),
                    location,
                    str(to_child_r),
                    str(from_child_w),
                    str(memory_mb),
                    *dial,
                ],
                pass_fds=tuple(passed),
                env=_worker_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the pipes carry the protocol; stray prints go nowhere
                stderr=subprocess.DEVNULL,  # e.g. the runtime's own line when an allocation fails at the heap cap
                close_fds=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
            if dial:
                theirs.close()
        self.outbox = Connection(to_child_w, readable=False)
        self.inbox = Connection(from_child_r, writable=False)
        self.ready = False
        #: the worker's processor time (seconds) when it sent its last answer (its own count, the same as /proc's)
        self.cpu_mark: float | None = None
        self.demoted = False  #: running a long query in the heavy lane
        try:
            self.watch: psutil.Process | None = psutil.Process(self.process.pid)
        except psutil.Error:
            self.watch = None

    def rss_mb(self) -> float:
        """The worker's resident memory in MiB (0 when it cannot be read)."""
        try:
            return self.watch.memory_info().rss / 2**20 if self.watch else 0.0
        except psutil.Error:
            return 0.0

    def cpu_seconds(self) -> float:
        """Processor time the worker has used (user and system), 0 when it cannot be read."""
        try:
            used = self.watch.cpu_times() if self.watch else None
        except psutil.Error:
            return 0.0
        return used.user + used.system if used else 0.0

    def cpu_start(self) -> float:
        """The processor time a job just sent starts from: what the worker said with its last answer (it has
        been idle since, so this is at most what /proc would say now, never a laxer budget), else read now."""
        mark, self.cpu_mark = self.cpu_mark, None
        return mark if mark is not None else self.cpu_seconds()

    def took(self, reply: Reply) -> Reply:
        """A reply read from this worker, its processor time noted (and taken out of ``extra``)."""
        mark = reply.extra.pop("cpu", None)
        self.cpu_mark = float(mark) if isinstance(mark, int | float) else None
        return reply

    def wait(self, seconds: float, rss_limit_mb: float, cpu_budget: float | None = None) -> str:
        """Wait for the answer: "reply" (or the pipe closed), "time" after ``seconds``, "memory" above the
        bound, "budget" once the query has used ``cpu_budget`` seconds of processor time.

        The budget counts processor time, not time on the clock, so a light query on a busy machine
        (waiting for a processor, not using one) is not taken for a heavy one.
        """
        deadline = time.monotonic() + seconds
        start = self.cpu_start() if cpu_budget is not None else 0.0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "time"
            if self.inbox.poll(min(WATCH_INTERVAL, left)):
                return "reply"
            over = self._over(rss_limit_mb, cpu_budget, start)
            if over:
                return over

    def _over(self, rss_limit_mb: float, cpu_budget: float | None, start: float) -> str | None:
        if self.rss_mb() > rss_limit_mb:
            return "memory"
        if cpu_budget is not None and self.cpu_seconds() - start >= cpu_budget:
            return "budget"
        return None

    async def await_reply(self, seconds: float, rss_limit_mb: float, cpu_budget: float | None = None) -> str:
        """:meth:`wait` in the event loop: the pipe is watched by the loop itself (a reader on its
        descriptor), and the memory and budget are looked at every :data:`WATCH_INTERVAL` by a timer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        start = self.cpu_start() if cpu_budget is not None else 0.0
        descriptor = self.inbox.fileno()
        while True:
            left = deadline - loop.time()
            if left <= 0:
                return "time"
            woken: asyncio.Future[str] = loop.create_future()
            loop.add_reader(descriptor, _settle, woken, "reply")
            timer = loop.call_later(min(WATCH_INTERVAL, left), _settle, woken, "tick")
            try:
                if await woken == "reply":
                    return "reply"
            finally:
                timer.cancel()
                loop.remove_reader(descriptor)
                os.set_blocking(descriptor, True)  # uvloop made it non-blocking; the pipe is read whole
            over = self._over(rss_limit_mb, cpu_budget, start)
            if over:
                return over

    def died_of_memory(self) -> bool:
        """Whether a worker that closed its pipe was ended by its heap cap (abort) or the system's OOM killer."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return False
        return code in (-signal.SIGABRT, -signal.SIGKILL)

    def demote(self) -> None:
        self.demoted = True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, 10)  # light queries come first for the CPU
        except (AttributeError, OSError):
            pass

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


def _settle(future: asyncio.Future[str], outcome: str) -> None:
    if not future.done():
        future.set_result(outcome)


def _seconds(value: float) -> str:
    return f"{value:g}"


class WorkerPool:
    """``workers`` light-lane query processes and up to ``heavy_slots`` demoted ones; :meth:`run` blocks.

    >>> pool = WorkerPool("/nowhere", workers=1)
    >>> pool.timeout, pool.max_rows, pool.light_budget, pool.heavy_slots, pool.rss_limit_mb - pool.memory_mb
    (30.0, 10000, 0.5, 1, 128)
    """

    def __init__(
        self,
        location: str,
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        startup_timeout: float = 60.0,
        light_budget: float = 0.5,
        heavy_slots: int = 1,
        memory_mb: int = WORKER_MEMORY_MB,
        rss_limit_mb: int | None = None,
    ):
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.location = location if is_remote(location) else os.path.abspath(location)
        self.size = workers
        self.timeout = float(timeout)
        self.max_rows = int(max_rows)
        self.startup_timeout = startup_timeout
        self.light_budget = float(light_budget)  #: processor seconds a query may use in the light lane
        #: ... and seconds on the clock, for a machine so busy that a heavy query gets little processor time
        self.light_wall = max(3.0, 4 * self.light_budget)
        self.heavy_slots = max(0, int(heavy_slots))
        self.memory_mb = int(memory_mb)
        #: resident size above which the pool kills a worker: the heap cap plus room for code and mapped files
        self.rss_limit_mb = int(rss_limit_mb) if rss_limit_mb is not None else self.memory_mb + 128
        self._idle: IdleWorkers[_Worker] = IdleWorkers()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._heavy = 0  #: demoted queries running now
        #: digests of query texts a worker has passed through the full guard (kg.graph.sparqlguard.check):
        #: a fresh worker then only tokenizes them, instead of parsing each again with rdflib
        self._verified: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.restarts = 0  #: workers replaced after a time limit, a memory stop or a crash
        self.demotions = 0  #: queries that went on in the heavy lane

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
        worker = _Worker(self.location, self.memory_mb)
        self._all.add(worker)
        return worker

    def _add_light(self) -> None:
        """A fresh worker for the light lane; it joins the idle ones once it has started and opened the store,
        so no request waits for a start while another worker is free."""
        with self._lock:
            if self._closed:
                return
            fresh = self._spawn()

        def join_when_ready() -> None:
            try:
                fresh.wait_ready(self.startup_timeout)
            except WorkerStartError:
                pass  # the request that takes it answers 500 and replaces it
            self._idle.put(fresh)

        threading.Thread(target=join_when_ready, daemon=True).start()

    def _discard(self, worker: _Worker, *, kill: bool) -> None:
        """Take a worker out of the pool: killed (a stopped query), or asked to end (a demoted one that answered)."""
        with self._lock:
            self._all.discard(worker)
            if kill:
                self.restarts += 1
        if kill:
            worker.kill()
        else:
            threading.Thread(target=worker.stop, daemon=True).start()

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker; one of the light lane gets a successor at once."""
        self._discard(worker, kill=True)
        if not worker.demoted:
            self._add_light()

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

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all)

    # ---------------------------------------------------------------- work

    def _memory_reply(self) -> Reply:
        return Reply.error(
            503,
            f"The query needed more than {self.memory_mb} MiB of memory (the server's limit for one query) and was "
            "stopped: narrow it, or add LIMIT.",
        )

    def _demote(self, worker: _Worker) -> bool:
        """Move a worker past its light budget to the heavy lane, if a slot is free; the light lane is refilled."""
        with self._lock:
            if self._heavy >= self.heavy_slots:
                return False
            self._heavy += 1
            self.demotions += 1
        worker.demote()
        self._add_light()
        return True

    def _prepared(self, job: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The job with the pool's limits, and the digest of its query text (marked verified if known)."""
        job = {"max_rows": self.max_rows, "memory_mb": self.memory_mb, **job}
        digest = hashlib.sha256(job["sparql"].encode("utf-8", "surrogatepass")).hexdigest() if "sparql" in job else ""
        with self._lock:
            if digest in self._verified:
                job["verified"] = True
        return job, digest

    def _remember(self, digest: str, reply: Reply) -> Reply:
        """The reply; its query text noted as verified if the worker says it passed the full guard."""
        if digest and reply.extra.pop("verified", False):
            with self._lock:
                self._verified[digest] = None
                while len(self._verified) > VERIFIED_TEXTS:
                    self._verified.popitem(last=False)
        return reply

    def _busy_reply(self) -> Reply:
        return Reply.error(
            503,
            f"The server is busy: every query worker was in use for {_seconds(self.timeout)} s; try again shortly.",
        )

    def _over_budget(self, worker: _Worker) -> Reply | None:
        """A query past its light budget: demoted (None, it goes on), or stopped when no heavy slot is free."""
        if self._demote(worker):
            return None
        self._replace(worker)
        return Reply.error(
            503,
            f"The query used more than {_seconds(self.light_budget)} s of processor time while the server "
            "was already running "
            f"{self.heavy_slots} long {'query' if self.heavy_slots == 1 else 'queries'} (its limit): "
            "try again shortly, or narrow it / add LIMIT.",
        )

    def _stopped(self, worker: _Worker, outcome: str) -> Reply:
        """A query stopped at the time limit ("time") or above the memory bound ("memory"): its worker is replaced."""
        self._replace(worker)
        if outcome == "memory":
            return self._memory_reply()
        return Reply.error(
            503,
            f"The query was stopped after {_seconds(self.timeout)} s (the server's time limit): narrow it, or add LIMIT.",
        )

    def _failed(self, worker: _Worker, exc: Exception) -> Reply:
        """A worker that could not start, or whose pipe closed while it had a job: replaced."""
        if isinstance(exc, WorkerStartError):
            self._replace(worker)
            return Reply.error(500, f"The query worker could not start: {exc}")
        memory = worker.died_of_memory()
        self._replace(worker)
        if memory:
            return self._memory_reply()
        return Reply.error(500, "The query worker stopped unexpectedly (it has been restarted).")

    def _release(self, worker: _Worker) -> None:
        if worker.demoted:
            self._discard(worker, kill=False)  # the light lane already has its successor
        else:
            self._idle.put(worker)

    def _admit(self, job: dict[str, Any]) -> tuple[dict[str, Any], str] | Reply:
        """The job prepared (see :meth:`_prepared`), or the reply of a pool shutting down."""
        if self._closed:
            return Reply.error(503, "The server is shutting down.")
        return self._prepared(job)

    def _free_slot(self, worker: _Worker) -> None:
        """After a job on ``worker``, however it ended: a demoted one's heavy slot is free again."""
        with self._lock:
            if worker.demoted:
                self._heavy -= 1

    def run(self, job: dict[str, Any]) -> Reply:
        """Run a job (see :func:`kg.graph.worker.execute`) under the limits; always returns a :class:`Reply`.

        Blocks: for threads. The event loop uses :meth:`arun`; both follow :meth:`_course`."""
        if not self._started and not self._closed:
            self.start()
        admitted = self._admit(job)
        if isinstance(admitted, Reply):
            return admitted
        worker = self._idle.get(self.timeout)
        if worker is None:
            return self._busy_reply()
        try:
            return self._remember(admitted[1], self._run_on(worker, admitted[0]))
        finally:
            self._free_slot(worker)

    async def arun(self, job: dict[str, Any]) -> Reply:
        """:meth:`run` for the event loop, without a thread per query: an idle worker is waited for, and its
        answer read, by the loop itself (:meth:`_Worker.await_reply`). What may block (a worker that is
        still starting, a large answer's parts, replacing a worker) runs in a thread."""
        if not self._started and not self._closed:
            return await anyio.to_thread.run_sync(self.run, job)
        admitted = self._admit(job)
        if isinstance(admitted, Reply):
            return admitted
        worker = await self._idle.aget(self.timeout)
        if worker is None:
            return self._busy_reply()
        try:
            return self._remember(admitted[1], await self._arun_on(worker, admitted[0]))
        finally:
            self._free_slot(worker)

    def _course(self, worker: _Worker, job: dict[str, Any]) -> Generator[_Wait | _Call, Any, Reply | None]:
        """One job on one worker, the same for a thread (:meth:`_run_on`) and the event loop (:meth:`_arun_on`).

        It yields what its driver is to do, each in its own way, and is sent the result: a :class:`_Wait`
        for the worker's answer (the outcome of :meth:`_Worker.wait` or :meth:`_Worker.await_reply`) or a
        :class:`_Call` of what may block (called, or called in a thread). It returns the reply of a query
        that was stopped or refused, or None once the answer is there to be read."""
        if not worker.ready:
            yield _Call(worker.wait_ready, self.startup_timeout)
        worker.outbox.send(job)
        started = time.monotonic()
        light_wall = min(self.light_wall, self.timeout)
        outcome = yield _Wait(light_wall, self.light_budget)
        if outcome == "time" and light_wall < self.timeout:
            outcome = "budget"  # on a machine too busy to give it the processor time, the clock decides
        if outcome == "budget":
            refused = yield _Call(self._over_budget, worker)
            if refused is not None:
                return refused
            outcome = yield _Wait(self.timeout - (time.monotonic() - started), None)
        if outcome != "reply":
            return (yield _Call(self._stopped, worker, outcome))
        return None

    def _answered(self, worker: _Worker, reply: Reply) -> Reply:
        """The answer read from ``worker``, its processor time noted before another job can be sent; released."""
        worker.took(reply)
        self._release(worker)
        return reply

    def _drive(self, worker: _Worker, course: Generator[_Wait | _Call, Any, Reply | None]) -> Reply | None:
        """:meth:`_course` run in this thread: what it returns."""
        try:
            step = next(course)
            while True:
                if isinstance(step, _Wait):
                    step = course.send(worker.wait(step.seconds, self.rss_limit_mb, step.cpu_budget))
                else:
                    step = course.send(step())
        except StopIteration as ended:
            return ended.value

    async def _adrive(self, worker: _Worker, course: Generator[_Wait | _Call, Any, Reply | None]) -> Reply | None:
        """:meth:`_course` run by the event loop (what may block in a thread): what it returns."""
        try:
            step = next(course)
            while True:
                if isinstance(step, _Wait):
                    step = course.send(await worker.await_reply(step.seconds, self.rss_limit_mb, step.cpu_budget))
                else:
                    step = course.send(await anyio.to_thread.run_sync(step))
        except StopIteration as ended:
            return ended.value

    def _run_on(self, worker: _Worker, job: dict[str, Any]) -> Reply:
        try:
            stopped = self._drive(worker, self._course(worker, job))
            if stopped is not None:
                return stopped
            reply = read_reply(worker.inbox)
        except (WorkerStartError, EOFError, OSError) as exc:
            return self._failed(worker, exc)
        return self._answered(worker, reply)

    async def _arun_on(self, worker: _Worker, job: dict[str, Any]) -> Reply:
        try:
            stopped = await self._adrive(worker, self._course(worker, job))
            if stopped is not None:
                return stopped
            status, media_type, extra, count, body = worker.inbox.recv()  # the header is there: no wait
            if count:  # a large answer: its parts are read in a thread, not by the loop
                body = await anyio.to_thread.run_sync(read_parts, worker.inbox, count)
        except (WorkerStartError, EOFError, OSError) as exc:
            return await anyio.to_thread.run_sync(self._failed, worker, exc)
        except asyncio.CancelledError:  # with a job sent, the worker's state is unknown: it goes
            with self._lock:
                still_ours = worker in self._all  # not already replaced on the way
            if still_ours:
                self._replace(worker)
            raise
        return self._answered(worker, Reply(status, media_type, body, extra))


class _Wait(NamedTuple):
    """A step of :meth:`WorkerPool._course`: wait up to ``seconds`` for the answer, within ``cpu_budget``."""

    seconds: float
    cpu_budget: float | None


class _Call:
    """A step of :meth:`WorkerPool._course`: a call that may block (the event loop makes it in a thread)."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function, self.args = function, args

    def __call__(self) -> Any:
        return self.function(*self.args)
