"""The idle query workers of :class:`kg.web.server.pool.WorkerPool`, handed out first come, first served.

A worker is asked for from two kinds of place: a thread (``kg serve``'s search, which runs in one,
and any program that calls :meth:`WorkerPool.run`), which may block, and the event loop itself
(:meth:`WorkerPool.arun`, every query of a request), which must not. :class:`IdleWorkers` serves
both from one queue: a worker put back goes to whoever has waited longest, a thread (woken by its
event) or a coroutine (woken through its loop, from any thread); with none waiting it is kept for
the next ask. Whether a waiter was given a worker is decided under the queue's lock, so a waiter
that gives up (its time ran out, or its task was cancelled) and a worker handed to it at that
moment never cross: the worker is either taken or put back.

>>> idle = IdleWorkers()
>>> idle.put("w1")
>>> idle.get(0.01), idle.get(0.01)
('w1', None)
>>> import asyncio
>>> async def ask():
...     asyncio.get_running_loop().call_later(0.01, idle.put, "w2")
...     return await idle.aget(5)
>>> asyncio.run(ask())
'w2'
"""

from __future__ import annotations

import asyncio
import collections
import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class _Waiter(Generic[T]):
    """One ask that found no idle worker: given one (``item``) by :meth:`IdleWorkers.put`, under its lock."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.item: T | None = None
        self.loop = loop
        self.event = threading.Event() if loop is None else None
        self.woken: asyncio.Future[None] | None = loop.create_future() if loop is not None else None

    def give(self, item: T) -> bool:
        if self.loop is None:
            self.item = item
            assert self.event is not None
            self.event.set()
            return True
        try:
            self.loop.call_soon_threadsafe(self.wake)
        except RuntimeError:  # its loop has closed: nobody is waiting there any more
            return False
        self.item = item
        return True

    def wake(self) -> None:
        if self.woken is not None and not self.woken.done():
            self.woken.set_result(None)


class IdleWorkers(Generic[T]):
    """Idle workers for threads (:meth:`get`) and coroutines (:meth:`aget`), in the order they asked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: collections.deque[T] = collections.deque()
        self._waiting: collections.deque[_Waiter[T]] = collections.deque()

    def put(self, item: T) -> None:
        with self._lock:
            while self._waiting:
                if self._waiting.popleft().give(item):
                    return
            self._free.append(item)

    def _ask(self, loop: asyncio.AbstractEventLoop | None) -> T | _Waiter[T]:
        with self._lock:
            if self._free:
                return self._free.popleft()
            waiter: _Waiter[T] = _Waiter(loop)
            self._waiting.append(waiter)
            return waiter

    def _give_up(self, waiter: _Waiter[T]) -> T | None:
        """The worker given to ``waiter`` after all, or None (it is no longer waiting)."""
        with self._lock:
            if waiter.item is None:
                self._waiting.remove(waiter)
            return waiter.item

    def get(self, timeout: float) -> T | None:
        """An idle worker, waiting at most ``timeout`` seconds for one (None if none came)."""
        asked = self._ask(None)
        if not isinstance(asked, _Waiter):
            return asked
        assert asked.event is not None
        asked.event.wait(timeout)
        return self._give_up(asked)

    async def aget(self, timeout: float) -> T | None:
        """:meth:`get` for the event loop: waits without blocking it."""
        loop = asyncio.get_running_loop()
        asked = self._ask(loop)
        if not isinstance(asked, _Waiter):
            return asked
        assert asked.woken is not None
        timer = loop.call_later(timeout, asked.wake)
        try:
            await asked.woken
        except asyncio.CancelledError:
            given = self._give_up(asked)
            if given is not None:
                self.put(given)  # taken, but not wanted any more: the next in line has it
            raise
        finally:
            timer.cancel()
        return self._give_up(asked)
