"""The pool of query worker processes behind ``kg serve``: spawning, killing and replacing them.

What runs inside a worker (opening the store read-only, running one job, serialising) is
:mod:`kg.graph.worker`; this module runs in the server. A worker is that file run as a script
(``python -P .../kg/graph/worker.py``), so it starts without importing the server.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.graph import worker as worker_module
from kg.graph.worker import Reply


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

    def __init__(self, location: str):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    os.path.abspath(worker_module.__file__),
                    location,
                    str(to_child_r),
                    str(from_child_w),
                ],
                pass_fds=(to_child_r, from_child_w),
                env=_worker_environment(),
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

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all)

    # ---------------------------------------------------------------- work

    def run(self, job: dict[str, Any]) -> Reply:
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
        idle_again = True  # False once the worker is killed and replaced
        try:
            worker.wait_ready(self.startup_timeout)
            worker.outbox.send(job)
            if not worker.inbox.poll(self.timeout):
                idle_again = False
                self._replace(worker)
                return Reply.error(
                    503,
                    f"The query was stopped after {_seconds(self.timeout)} s (the server's time limit): narrow it, or add LIMIT.",
                )
            status, media_type, body, extra = worker.inbox.recv()
            return Reply(status, media_type, body, extra)
        except WorkerStartError as exc:
            idle_again = False
            self._replace(worker)
            return Reply.error(500, f"The query worker could not start: {exc}")
        except (EOFError, OSError):
            idle_again = False
            self._replace(worker)
            return Reply.error(
                500,
                "The query worker stopped unexpectedly (it has been restarted); the query may need more memory than the server has.",
            )
        finally:
            if idle_again:
                self._idle.put(worker)
