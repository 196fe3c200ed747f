"""Answers kept by ``kg serve`` while the store is unchanged, and their ETags.

A light saved query costs the server far more than the store: the request goes to a query worker
over a pipe, is checked by the guard, planned, run and formatted, and the answer comes back the same
way. Asked again with the same values while the store has not changed, the answer is the same bytes,
so :class:`AnswerCache` keeps it:

* **Key**: the whole job a worker would be given (the SPARQL text after the saved query's header,
  the bound values, the page, the result and graph formats, the dataset, the columns dropped, the
  prefixes): any difference in what would be run is a different key. A saved query's file that
  changes gives another text, and so another key.
* **Generation**: the store folder's signature (:func:`kg.graph.worker.store_signature`, its files'
  names, sizes and times), the same test that makes a query worker reopen its read-only snapshot.
  Any write (``kg ingest``, ``kg load``, ``kg review``, a removal) changes the files, and so the
  signature; every answer kept under the old one is dropped at the next request. An answer is
  kept under the signature read *before* its job was sent, and a worker reads the store at least
  as new as that, so no answer older than the store is ever served. A store on a SPARQL server has
  no folder to look at: nothing is kept for it.
* **What**: 200 answers only. Errors (400, 403, 422, 429, 503 ...) are worked out afresh each time,
  so every guard (SERVICE refusal, the row limit, the time limit, each client's share) applies to
  every request as before; a kept answer was one that passed them all for the same job.
* **Bound**: at most ``max_bytes`` of bodies (``kg serve --answer-cache-mb``, default 64; 0 turns it
  off), the least recently used dropped first; an answer over an eighth of that is not kept.

Every 200 answer of ``/sparql`` and ``/api/saved/NAME`` carries a strong ``ETag`` (a digest of its
bytes) and ``Cache-Control: no-cache`` (a client may keep it but must ask again, as the store can
change at any time); a request whose ``If-None-Match`` names the current answer's tag is answered
304 without the body. ``Vary: Accept`` stays, as the format follows ``Accept``.

>>> cache = AnswerCache(1000)
>>> from kg.graph.worker import Reply
>>> cache.put("job", ("generation", 1), Reply(200, "text/csv", b"a\\r\\n"))
>>> cache.get("job", ("generation", 1)).body, cache.get("job", ("generation", 2)), cache.size
(b'a\\r\\n', None, 0)
"""

from __future__ import annotations

import collections
import hashlib
import json
from typing import Any

from kg.graph.worker import Reply

DEFAULT_MB = 64  #: ``kg serve --answer-cache-mb``


def job_key(job: dict[str, Any]) -> str:
    """A job as one text: equal texts, equal work."""
    return json.dumps(job, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def etag(body: bytes) -> str:
    """A strong entity tag for a body: a digest of its bytes."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (or is ``*``); weak tags compare by their value.

    >>> matches('W/"x", "y"', '"y"'), matches("*", '"y"'), matches('"x"', '"y"'), matches(None, '"y"')
    (True, True, False, False)
    """
    if not if_none_match:
        return False
    named = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in named or tag in named


class AnswerCache:
    """200 replies by job, all of one generation of the store, at most ``max_bytes`` of bodies."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, int(max_bytes))
        self._kept: collections.OrderedDict[str, Reply] = collections.OrderedDict()
        self._generation: object = None
        self.size = 0  #: bytes of the bodies kept
        self.hits = self.misses = 0

    def _follow(self, generation: object) -> None:
        if generation != self._generation:  # the store changed: everything kept is of an older store
            self._kept.clear()
            self.size = 0
            self._generation = generation

    def get(self, key: str, generation: object) -> Reply | None:
        if not self.max_bytes or generation is None:
            return None
        self._follow(generation)
        found = self._kept.get(key)
        if found is None:
            self.misses += 1
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: str, generation: object, reply: Reply) -> None:
        """Keep a 200 reply of ``generation`` (the signature read before its job was sent)."""
        if not self.max_bytes or generation is None or reply.status != 200 or reply.parts:
            return
        if len(reply.body) > self.max_bytes // 8:
            return
        self._follow(generation)
        old = self._kept.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self._kept[key] = reply
        self.size += len(reply.body)
        while self.size > self.max_bytes and self._kept:
            _, dropped = self._kept.popitem(last=False)
            self.size -= len(dropped.body)
