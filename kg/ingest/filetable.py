"""The file table: what each local file gave the last time it was read, so an unchanged file is not read again.

One row per file read (table ``files`` in the store's ``search.sqlite``, which is per store and on this
machine, like the files it names): its absolute path, size and modification time (``st_mtime_ns``) when it
was read, the name it is published under, the SHA-256 of its bytes, the IRI of its source record, and the
documents it gave, each with its content hash and the pipeline fingerprint it was extracted under
(:meth:`kg.ingest.flow.Pipeline.fingerprint`: vocabulary, rules and the curation decisions in force on it).

A file whose size and modification time are those of its row, published under the same name, whose every
document's fingerprint is still the one in force, and whose every document the store still holds with that
content hash and that source (checked against :meth:`kg.graph.store.Store.source_keys`, read once at the
start of the run) and the search index with that hash, never reaches a worker: it is unchanged, as for
``make`` or ``rsync``. A file edited so that its size and time stay the same (``os.utime`` setting the old
time back) is not seen: ``kg ingest --rehash`` reads every file again. Web addresses have no row and are
always read.

Rows are written by the batch writer after the store's transaction that holds their documents has
committed (:class:`kg.ingest.writer.BatchWriter`), so an ingest stopped at any point leaves rows that claim
only documents the store holds; a row the store has since moved away from (a document removed or rewritten
from another file) fails the check above, and its file is read again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

_SCHEMA = """CREATE TABLE IF NOT EXISTS files (
    location TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, encoding TEXT NOT NULL, source TEXT NOT NULL, documents TEXT NOT NULL
) WITHOUT ROWID"""

#: a file modified this recently (ns) when it was looked at may be modified again within the clock's
#: resolution without its time changing: it gets no row (as git does with "racily clean" entries)
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Stat:
    """What is compared: the file's size and modification time, and when they were looked at."""

    size: int
    mtime_ns: int
    seen_ns: int

    @classmethod
    def of(cls, path: str) -> Stat | None:
        try:
            found = os.stat(path)
        except OSError:
            return None
        return cls(found.st_size, found.st_mtime_ns, time.time_ns())

    @property
    def racy(self) -> bool:
        return self.seen_ns - self.mtime_ns < RACY_NS


@dataclass(frozen=True)
class FileDocument:
    iri: str
    title: str
    content_hash: str
    fingerprint: str


@dataclass(frozen=True)
class FileRow:
    location: str  #: absolute path
    size: int
    mtime_ns: int
    name: str  #: the source's published name
    sha256: str
    encoding: str
    source: str  #: the source record's IRI
    documents: tuple[FileDocument, ...]

    def values(self) -> tuple:
        docs = json.dumps([[d.iri, d.title, d.content_hash, d.fingerprint] for d in self.documents])
        return (self.location, self.size, self.mtime_ns, self.name, self.sha256, self.encoding, self.source, docs)


class FileTable:
    """The ``files`` table in an open SQLite database (the search index's)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        with db:
            db.execute(_SCHEMA)

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM files").fetchone()[0])

    def get(self, location: str) -> FileRow | None:
        found = self.db.execute("SELECT * FROM files WHERE location = ?", (location,)).fetchone()
        if found is None:
            return None
        try:
            documents = tuple(FileDocument(*map(str, d)) for d in json.loads(found[7]))
        except (ValueError, TypeError):
            return None
        location, size, mtime_ns, name, sha256, encoding, source = found[:7]
        return FileRow(location, size, mtime_ns, name, sha256, encoding, source, documents)

    def put_many(self, rows: Iterable[FileRow]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [r.values() for r in rows]
            )

    def remove_many(self, locations: Iterable[str]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM files WHERE location = ?", [(loc,) for loc in locations])
