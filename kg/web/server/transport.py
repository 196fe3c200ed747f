"""One socket write per small response: the writes of one turn of the event loop, sent together.

Uvicorn's h11 protocol writes a response's status line and headers, then its body, as two writes;
for a small answer each is a system call of its own, and on a busy machine those two calls were
the largest single cost of a light query's request in ``kg serve`` (py-spy: 39 % of the event
loop's time went to ``transport.write``). :class:`Coalesced` stands in front of the connection's
transport: writes made during one turn of the loop are kept and sent at the end of that turn as one
write. A write of :data:`LARGE` bytes or more is sent at once (after what was kept), so a large
body is never copied to be joined. Closing sends what was kept first; everything else is the
transport's own.
"""

from __future__ import annotations

import asyncio
from typing import Any

LARGE = 64 * 1024  #: bytes from which a write goes out at once rather than being joined


class Coalesced:
    """A transport whose small writes of one loop turn go out as one ``write``."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._kept: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if len(data) >= LARGE:
            self.flush()
            self._transport.write(data)
            return
        if not self._kept:
            self._loop.call_soon(self.flush)
        self._kept.append(bytes(data))
        self._size += len(data)
        if self._size >= LARGE:
            self.flush()

    def flush(self) -> None:
        if not self._kept:
            return
        data = self._kept[0] if len(self._kept) == 1 else b"".join(self._kept)
        self._kept, self._size = [], 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading, set_protocol ...
        return getattr(self._transport, name)
