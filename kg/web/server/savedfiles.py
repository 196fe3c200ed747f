"""The saved queries ``/api/saved/NAME`` runs, each read again only when its file changes.

Reading a saved query parses its header and binds its default values (an entity default is looked
up in the vocabulary's names), a few milliseconds of processor time that every request paid before
its query could start. :class:`SavedFiles` keeps each query read, keyed by its folder and name, with
its file's size and time: a request looks at the file (one ``stat``) and reads it again only when it
changed. An unknown name or a file that cannot be read is not kept, so the caller's usual errors
(404 with suggestions, 500) come from :func:`kg.graph.saved.find_saved` itself.
"""

from __future__ import annotations

import os

from kg.graph import saved as saved_queries

KEPT = 256  #: saved queries kept at most (the package ships 15)


class SavedFiles:
    """Saved queries by (folder, name), with the size and time of the file each was read from."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], tuple[tuple[int, int], saved_queries.SavedQuery]] = {}

    @staticmethod
    def _stamp(folder: str, name: str) -> tuple[int, int] | None:
        try:
            info = os.stat(os.path.join(folder, f"{name}.rq"))
        except (OSError, ValueError):
            return None
        return (info.st_size, info.st_mtime_ns)

    def kept(self, name: str) -> saved_queries.SavedQuery | None:
        """The query read before, if its file has not changed since (one ``stat``; None otherwise)."""
        folder = str(saved_queries.queries_dir())
        found = self._kept.get((folder, name))
        if found is None or found[0] != self._stamp(folder, name):
            return None
        return found[1]

    def read(self, name: str) -> saved_queries.SavedQuery:
        """:func:`kg.graph.saved.find_saved`, kept for :meth:`kept` (in a thread: it reads the file)."""
        folder = str(saved_queries.queries_dir())
        stamp = self._stamp(folder, name)
        query = saved_queries.find_saved(name)
        if stamp is not None:
            if len(self._kept) >= KEPT:
                self._kept.pop(next(iter(self._kept)))
            self._kept[(folder, name)] = (stamp, query)
        return query
