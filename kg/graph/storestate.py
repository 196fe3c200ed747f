"""The store folder's signature for every request, without listing and stating every file each time.

:func:`store_signature` lists the folder and stats each file: cheap once, but
``kg serve`` takes it for every request it may answer from its kept answers
(:mod:`kg.web.server.answers`), and a large store has hundreds of RocksDB table files. Those files
(``*.sst``) are written once and never changed in place; a file that is made, removed or renamed
changes the folder's own time. So :class:`StoreState` keeps the last listing and, while the folder's
time is unchanged, stats only the files that may change in place (the write-ahead logs, the
manifest, the store's own JSON files): while none of them has changed either, the last listing is
the answer, from a handful of ``stat`` calls; when one has (a write, which may have come with a new
table file: RocksDB records each in the manifest), the folder is listed again.

The folder's time has the resolution of the kernel's clock tick, so two changes within one tick
could leave it unchanged; a listing taken while the folder's time is less than :data:`SETTLE`
seconds old is therefore not reused (as git does for its index), and the folder is listed in full.

>>> import tempfile, pathlib
>>> folder = tempfile.mkdtemp()
>>> state = StoreState(folder)
>>> _ = (pathlib.Path(folder) / "000004.log").write_bytes(b"x")
>>> state.signature() == store_signature(folder)
True
"""

from __future__ import annotations

import os
import re
import time

SETTLE = 2.0  #: seconds the folder's time must be old before a listing of it is reused
IMMUTABLE = (".sst",)  #: endings of files written once and never changed in place


#: Files of a store directory that change without the data changing (RocksDB's own log, the lock, the search index).
_IGNORED = re.compile(r"^(LOG.*|LOCK|search\.sqlite.*)$")


def store_signature(location: str) -> tuple:
    """The store directory's files (names, sizes, times): it changes when the store's contents do.

    Cheap (one directory listing), so it is taken before every job here and before every page
    request of a site the server builds itself (:mod:`kg.web.server`). A file removed while the
    directory is read (RocksDB compacting) is left out: the listing differs either way.
    """
    entries = []
    with os.scandir(location) as listing:
        for entry in listing:
            if not _IGNORED.match(entry.name):
                try:
                    info = entry.stat()
                except FileNotFoundError:
                    continue
                entries.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(entries))


class StoreState:
    """The signature of one store folder, as :func:`store_signature` gives it, taken cheaply."""

    def __init__(self, location: str):
        self.location = location
        self._folder_time: int | None = None
        self._found: tuple = ()  #: the last full listing
        self._changing: list[tuple[str, int, int]] = []  #: its files that may change in place, as listed
        self.listings = 0  #: full listings taken

    def signature(self) -> tuple:
        folder_time = os.stat(self.location).st_mtime_ns
        settled = time.time_ns() - folder_time > SETTLE * 1e9
        if folder_time != self._folder_time or not settled:
            return self._list(folder_time if settled else None)
        changing = []
        for name, _, _ in self._changing:
            try:
                info = os.stat(os.path.join(self.location, name))
            except FileNotFoundError:  # removed: the folder's time moved too, list it again
                return self._list(None)
            changing.append((name, info.st_size, info.st_mtime_ns))
        if changing != self._changing:  # written to (a log, the manifest): a new table file may have come with it
            return self._list(folder_time)  # settled: the new listing is good until the folder or a file moves
        return self._found

    def _list(self, folder_time: int | None) -> tuple:
        self.listings += 1
        found = store_signature(self.location)
        self._folder_time = folder_time
        self._found = found
        self._changing = [e for e in found if not e[0].endswith(IMMUTABLE)]
        return found
