"""A set of string tuples that keeps only its latest additions in memory and the rest on disk.

An ingest remembers, for the whole run, every (document, source) it read and every file it found
(:class:`kg.ingest.flow._Run`), to tell at the end what a path no longer holds. Held as Python sets,
those grew with the corpus (about 0.4 KB a document); a :class:`SpillSet` holds at most ``buffer``
entries in a set and moves them, a batch at a time, into a private temporary SQLite database
(``sqlite3.connect("")``: a file of its own, deleted when closed), so the process's memory stays flat.

>>> seen = SpillSet(2, buffer=2)
>>> for pair in [("a", "1"), ("b", "2"), ("c", "3")]:
...     seen.add(pair)
>>> seen.add(("a", "1"))  # again, once on disk
>>> ("a", "1") in seen, ("c", "3") in seen, ("a", "2") in seen, len(seen)
(True, True, False, 3)
>>> seen.close()
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container

BUFFER = 4096  #: entries kept in memory before they are written out


class SpillSet(Container[tuple[str, ...]]):
    """A set of tuples of ``width`` strings; ``add`` and ``in`` as for a set."""

    def __init__(self, width: int, buffer: int = BUFFER):
        self.width, self.buffer = width, max(1, buffer)
        self.recent: set[tuple[str, ...]] = set()
        self._db: sqlite3.Connection | None = None
        self._spilled = 0

    def _table(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            columns = ", ".join(f"c{i} TEXT NOT NULL" for i in range(self.width))
            keys = ", ".join(f"c{i}" for i in range(self.width))
            self._db.execute(f"CREATE TABLE entries ({columns}, PRIMARY KEY ({keys})) WITHOUT ROWID")
        return self._db

    def add(self, entry: tuple[str, ...]) -> None:
        self.recent.add(entry)  # perhaps on disk too: the spill ignores it there (no query per entry added)
        if len(self.recent) >= self.buffer:
            self._spill()

    def _spill(self) -> None:
        db = self._table()
        marks = ", ".join("?" * self.width)
        before = db.total_changes
        db.execute("BEGIN")
        db.executemany(f"INSERT OR IGNORE INTO entries VALUES ({marks})", self.recent)
        db.execute("COMMIT")
        self._spilled += db.total_changes - before  # the entries new to the disk
        self.recent = set()

    def __contains__(self, entry: object) -> bool:
        if entry in self.recent:
            return True
        if self._db is None or not isinstance(entry, tuple) or len(entry) != self.width:
            return False
        where = " AND ".join(f"c{i} = ?" for i in range(self.width))
        return self._db.execute(f"SELECT 1 FROM entries WHERE {where}", entry).fetchone() is not None

    def __len__(self) -> int:
        if self._db is not None and self.recent:
            self._spill()  # the entries in memory may be on disk as well: count them once
        return self._spilled + len(self.recent)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self.recent = set()
