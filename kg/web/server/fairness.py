"""Fair shares for clients of ``kg serve``: a cap on each client's running queries, and a deadline for request heads.

* **Queries per client** (:class:`ClientSlots`): a client, known by its remote address, may have at
  most ``per_client`` queries running or waiting for a worker at once (``kg serve --client-queries``,
  default :data:`CLIENT_QUERIES`); one more is answered at once with 429 and ``Retry-After``, so one
  client sending many queries in parallel cannot take every worker while others wait. Pages, styles
  and scripts are not counted: only what goes to a query worker.
  (Behind a reverse proxy every request comes from the proxy's address: set the cap to 0, off, there,
  and let the proxy limit clients.)
* **Request heads** (:class:`HeadDeadline`): a connection must deliver a request's line and headers
  within :data:`HEAD_SECONDS` of its first byte (or of being opened), else it is closed, and in at
  most :data:`HEAD_BYTES` bytes, else it is answered 400 and closed (the same for uvicorn's h11 and
  httptools protocols; httptools, in C, is used when it is installed). Uvicorn
  itself times out only idle kept-alive connections, so a client that opens connections and sends
  half a request, a byte now and then, would otherwise hold its connection slots for ever. A body
  has its own deadline (:data:`kg.web.server.headers.BODY_SECONDS`), and a query reaches a worker
  only once its request is whole, so slow clients hold neither workers nor, for long, connections.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover -- httptools not installed
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from kg.web.server.negotiation import Problem
from kg.web.server.transport import Coalesced

CLIENT_QUERIES = 4  #: default cap on one client's queries at once
RETRY_AFTER = 2  #: seconds a client told 429 is asked to wait
HEAD_SECONDS = 10.0  #: time a connection has to send a request's line and headers

#: the remote address of the request being answered (set by :class:`RememberClient`)
CLIENT: ContextVar[str | None] = ContextVar("kg_client", default=None)


class RememberClient:
    """ASGI middleware: notes the request's remote address in :data:`CLIENT` for :class:`ClientSlots`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = CLIENT.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)


class ClientSlots:
    """At most ``per_client`` queries at once for each client address (0: no cap).

    Used from the event loop only (:meth:`kg.web.server.app.Service.run`), so the counts need no lock.

    >>> slots = ClientSlots(1)
    >>> with slots.hold("10.0.0.1"):
    ...     try:
    ...         with slots.hold("10.0.0.1"):
    ...             pass
    ...     except Problem as refused:
    ...         print(refused.status, refused.headers)
    429 {'Retry-After': '2'}
    >>> slots.running("10.0.0.1")
    0
    """

    def __init__(self, per_client: int = CLIENT_QUERIES, retry_after: int = RETRY_AFTER):
        self.per_client = max(0, int(per_client))
        self.retry_after = retry_after
        self._running: collections.Counter[str] = collections.Counter()
        self.refused = 0  #: queries answered 429

    def running(self, client: str) -> int:
        return self._running[client]

    @contextlib.contextmanager
    def hold(self, client: str | None) -> Iterator[None]:
        """A slot for one query of ``client`` while the block runs; :class:`Problem` 429 when it has none left."""
        if not self.per_client or client is None:
            yield
            return
        if self._running[client] >= self.per_client:
            self.refused += 1
            raise Problem(
                429,
                f"Too many queries at once from your address: at most {self.per_client} may run at a time; "
                f"wait for one to finish (retry after {self.retry_after} s).",
                {"Retry-After": str(self.retry_after)},
            )
        self._running[client] += 1
        try:
            yield
        finally:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]


HEAD_BYTES = 64 * 1024  #: the most a request's line and headers may take


class _HeadClock:
    """The request-head deadline, for either of uvicorn's HTTP/1.1 protocols (:class:`HeadDeadline`).

    Both protocols keep ``self.cycle``, the request/response cycle of the request being answered, made
    once a request's head has been read; ``self.loop`` and ``self.transport`` are theirs too.
    """

    head_seconds: float = HEAD_SECONDS
    head_bytes: int = HEAD_BYTES
    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_size = 0  #: bytes received of the request head being read
        self.heads_timed_out = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self.transport = Coalesced(cast(asyncio.Transport, transport), self.loop)  # one write per small response
        self._start_head_clock()

    def _start_head_clock(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_seconds, self._head_too_slow)

    def _stop_head_clock(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        waiting = self._between_requests()
        if waiting:
            self._start_head_clock()  # a new request begins: not restarted by each later byte
            self._head_size += len(data)
        cycle = self.cycle
        super().data_received(data)  # type: ignore[misc]
        if self.cycle is not cycle:  # the parser read a whole request head
            self._stop_head_clock()
            self._head_size = 0
        elif waiting and self._head_size > self.head_bytes and not self.transport.is_closing():
            self.send_400_response("Request line and headers too large.")  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)  # type: ignore[misc]

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()


class HeadDeadline(_HeadClock, H11Protocol):
    """Uvicorn's h11 protocol, closing a connection whose request line and headers take over ``head_seconds``
    (or are refused, 400, past :data:`HEAD_BYTES`).

    The clock starts when the connection opens and again at the first byte of each later request
    on it; it stops when the request's head is complete (the parser has given a request, so a new
    request/response cycle began). :class:`HttpToolsHeadDeadline` is the same for httptools.
    """


if HttpToolsProtocol is not None:

    class HttpToolsHeadDeadline(_HeadClock, HttpToolsProtocol):
        """:class:`HeadDeadline` for uvicorn's httptools protocol (llhttp, in C: a fraction of h11's cost)."""

    PROTOCOLS: dict[str, type[_HeadClock]] = {"h11": HeadDeadline, "httptools": HttpToolsHeadDeadline}
else:  # pragma: no cover -- httptools is a dependency; this is the fall-back without it
    PROTOCOLS = {"h11": HeadDeadline}

#: the protocol a server uses unless told otherwise: httptools when it is installed
DEFAULT_PROTOCOL = "httptools" if "httptools" in PROTOCOLS else "h11"


def head_deadline(seconds: float, http: str | None = None) -> type[_HeadClock]:
    """The request-head deadline of ``seconds`` on protocol ``http`` ("h11", "httptools"; default
    :data:`DEFAULT_PROTOCOL`), for ``uvicorn.Config(http=...)``."""
    base = PROTOCOLS[http or DEFAULT_PROTOCOL]
    if seconds == base.head_seconds:
        return base
    return type(base.__name__, (base,), {"head_seconds": float(seconds)})
