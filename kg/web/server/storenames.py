"""The names a saved query's entity parameter may use, kept by the server while the store is unchanged.

An entity parameter (``?entity=ACO``) is bound through a :class:`kg.graph.names.NameIndex` of the
vocabulary and of every other concept in the store (publishers found in documents, ...). Listing
those concepts (``names-store.rq``) and indexing them costs far more than a light query itself, so
:class:`StoreNames` builds the index once per state of the store and hands the same index to every
request until the store changes:

* a store folder: its signature (:func:`kg.graph.worker.store_signature`, one directory listing, the
  same test that makes a query worker reopen the store) is taken for each request; a different one
  builds the index again;
* a SPARQL server: there is no folder to look at, so the index is kept :data:`REMOTE_TTL` seconds.

Building runs the listing in a query worker (like any query) and the indexing in a thread, never on
the event loop; concurrent requests wait for the one build rather than each doing it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from kg.graph.names import NameIndex, entities_from_rows, names_query
from kg.graph.sparqlhttp import is_remote
from kg.graph.worker import Reply, store_signature

REMOTE_TTL = 2.0  #: seconds the names of a store on a SPARQL server are reused (as a worker reuses its graph list)


class StoreNames:
    """The vocabulary's names extended by the store's concepts, one build per state of the store."""

    def __init__(self, location: str, run: Callable[[dict[str, Any]], Awaitable[Reply]]):
        self.location = location
        self._run = run  #: runs a job in a query worker (:meth:`kg.web.server.app.Service.run`)
        self._lock = anyio.Lock()
        self._kept: tuple[object, NameIndex, NameIndex] | None = None  #: (state, vocabulary's index, extended)
        self.builds = 0  #: how many times the store's names were listed

    def _state(self) -> object:
        if is_remote(self.location):
            return int(time.monotonic() // REMOTE_TTL)
        try:
            return store_signature(self.location)
        except OSError:
            return None  # a folder that cannot be listed: build each time

    async def index(self, vocabulary: NameIndex) -> NameIndex:
        """``vocabulary`` extended by the store's concepts (``vocabulary`` alone if they cannot be listed)."""
        state = self._state()  # one listing of a small folder: on the loop, as a thread's hand-off costs more
        kept = self._kept
        if state is not None and kept is not None and kept[0] == state and kept[1] is vocabulary:
            return kept[2]
        async with self._lock:
            kept = self._kept
            if state is not None and kept is not None and kept[0] == state and kept[1] is vocabulary:
                return kept[2]  # built by the request this one waited for
            listed = await self._run({"kind": "query", "sparql": names_query(), "results_format": "JSON"})
            if listed.status != 200:
                return vocabulary
            self.builds += 1
            extended = await anyio.to_thread.run_sync(_extended, vocabulary, listed.body)
            if state is not None:
                self._kept = (state, vocabulary, extended)
            return extended


def _extended(vocabulary: NameIndex, body: bytes) -> NameIndex:
    return vocabulary.extended(entities_from_rows(json_rows(body, ("e", "label", "alt", "type"))))


def json_rows(body: bytes, variables: tuple[str, ...]) -> list[list[str | None]]:
    """The rows of a SPARQL JSON results body, as plain values."""
    import json

    bindings = json.loads(body)["results"]["bindings"]
    return [[row[v]["value"] if v in row else None for v in variables] for row in bindings]
