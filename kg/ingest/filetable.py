"""The file table: what each local file gave the last time it was read, so an unchanged file is not read again.

One row per file read (table ``files`` in the store's ``search.sqlite``, which is per store and on this
machine, like the files it names): its absolute path, size, modification time (``st_mtime_ns``), inode
change time (``st_ctime_ns``) and inode number when it was read, the name it is published under, the
SHA-256 of its bytes, the IRI of its source record, and the documents it gave, each with its content hash
and the pipeline fingerprint it was extracted under (:meth:`kg.ingest.flow.Pipeline.fingerprint`:
vocabulary, rules and the curation decisions in force on it).

A file whose size, times and inode are those of its row, published under the same name, whose every
document's fingerprint is still the one in force, and whose every document the store still holds with that
content hash and that source (:meth:`kg.graph.store.Store.source_check`: a few key lookups a document, or
on a SPARQL server one query for every document's source records) and the search index with that hash,
never reaches a worker: it is unchanged, as for ``make`` or ``rsync``. The change time is what catches an
edit that keeps the size and sets the old modification time back (``os.utime``, ``touch -r``, archive
tools): the system sets it to the present on every write, ``utime`` or ``chmod``, and no call sets it back;
the inode number catches another file put in the place of the old one. What is not seen is a change made
under the file system (a disk image edited, the clock set back): ``kg ingest --rehash`` reads every file
again. A row written by a kg that did not record the change time and inode is checked by size, time and
name, as then, and completed the first time it vouches for its file. Web addresses have no row and are
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
#: each row's inode change time and number, in a table of their own: ``files`` keeps the columns an older
#: kg writes with ``INSERT ... VALUES`` (a row it writes or replaces is then one without a stamp, or with
#: a stamp of the old file, which fails the check: its file is read once more)
_STAMPS = """CREATE TABLE IF NOT EXISTS file_stamps (
    location TEXT PRIMARY KEY, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL
) WITHOUT ROWID"""
_GET = """SELECT f.location, f.size, f.mtime_ns, f.name, f.sha256, f.encoding, f.source, f.documents,
    s.ctime_ns, s.inode FROM files AS f LEFT JOIN file_stamps AS s ON s.location = f.location WHERE f.location = ?"""

#: a file modified this recently (ns) when it was looked at may be modified again within the clock's
#: resolution without its time changing: it gets no row (as git does with "racily clean" entries)
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Stat:
    """What is compared: the file's size, modification time, inode change time and inode number, and when
    they were looked at."""

    size: int
    mtime_ns: int
    seen_ns: int
    ctime_ns: int = 0  #: ``st_ctime_ns``: set by the system on every write, ``utime`` or ``chmod``, never back
    inode: int = 0

    @classmethod
    def of(cls, path: str) -> Stat | None:
        try:
            found = os.stat(path)
        except OSError:
            return None
        return cls(found.st_size, found.st_mtime_ns, time.time_ns(), found.st_ctime_ns, found.st_ino)

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
    ctime_ns: int | None = None  #: None for a row an older kg wrote
    inode: int | None = None

    def values(self) -> tuple:
        docs = json.dumps([[d.iri, d.title, d.content_hash, d.fingerprint] for d in self.documents])
        return (self.location, self.size, self.mtime_ns, self.name, self.sha256, self.encoding, self.source, docs)

    def vouches(self, stat: Stat, name: str) -> bool:
        """Whether the file is as it was when read: size, modification time and published name, and its
        inode change time and number (a row from an older kg has none: size, time and name, as then)."""
        return (self.size, self.mtime_ns, self.name) == (stat.size, stat.mtime_ns, name) and (
            self.ctime_ns is None or (self.ctime_ns, self.inode) == (stat.ctime_ns, stat.inode)
        )


class FileTable:
    """The ``files`` table in an open SQLite database (the search index's)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        with db:
            db.execute(_SCHEMA)
            db.execute(_STAMPS)

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM files").fetchone()[0])

    def get(self, location: str) -> FileRow | None:
        found = self.db.execute(_GET, (location,)).fetchone()
        if found is None:
            return None
        try:
            documents = tuple(FileDocument(*map(str, d)) for d in json.loads(found[7]))
        except (ValueError, TypeError):
            return None
        location, size, mtime_ns, name, sha256, encoding, source = found[:7]
        return FileRow(location, size, mtime_ns, name, sha256, encoding, source, documents, found[8], found[9])

    def put_many(self, rows: Iterable[FileRow]) -> None:
        with self.db:
            rows = list(rows)
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [r.values() for r in rows]
            )
            self.db.executemany("DELETE FROM file_stamps WHERE location = ?", [(r.location,) for r in rows])
            self.db.executemany(
                "INSERT INTO file_stamps VALUES (?, ?, ?)",
                [(r.location, r.ctime_ns, r.inode) for r in rows if r.ctime_ns is not None and r.inode is not None],
            )

    def stamp_many(self, stamps: Iterable[tuple[str, Stat]]) -> None:
        """Give rows an older kg wrote the inode change time and number of the files they vouched for."""
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO file_stamps VALUES (?, ?, ?)",
                [(location, stat.ctime_ns, stat.inode) for location, stat in stamps],
            )

    def remove_many(self, locations: Iterable[str]) -> None:
        with self.db:
            gone = [(loc,) for loc in locations]
            self.db.executemany("DELETE FROM files WHERE location = ?", gone)
            self.db.executemany("DELETE FROM file_stamps WHERE location = ?", gone)
