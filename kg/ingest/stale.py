"""Nothing stale: what an ingested path held before and no longer holds leaves the store.

Every document's graph records the sources it was read from (``prov:hadPrimarySource``, with the
published ``kg:sourcePath``), and the store's ``source-locations.json`` where this machine read each
one. After an ingest of a path (a file, a folder or an address), a document that path's files gave
before and did not give in this run has lost that source: a document left with no source is removed,
one that another file still holds is rewritten without the lost source. A file under the path that
failed this run (unreadable, too slow) keeps its documents: nothing is lost to an error.

A document every one of whose recorded sources is a local file that is no longer there is
*orphaned*: it is reported after every ingest, and removed with ``kg ingest --prune``.
"""

from __future__ import annotations

import os
from collections.abc import Container
from dataclasses import dataclass

from kg.graph import namespaces as ns
from kg.graph.store import Store
from kg.graph.terms import NamedNode, Quad


@dataclass(frozen=True)
class Gone:
    """A document removed, or rewritten without a source it no longer comes from."""

    iri: str
    title: str
    where: str  #: the path or address it is no longer in
    removed: bool  #: False: still held by another source, rewritten without this one


def local(location: str) -> str:
    """An absolute path for a file's location (as recorded or given); an address as it is."""
    return location if "://" in location else os.path.abspath(location)


def within(location: str, given: str) -> bool:
    """Whether ``location`` is ``given`` or below it."""
    return location == given or location.startswith(given.rstrip(os.sep) + os.sep)


def missing_names(store: Store) -> set[str]:
    """Published names of the recorded local files that are no longer there (a stat each, no query)."""
    return {
        name for name, place in store.source_locations().items() if "://" not in place and not os.path.exists(place)
    }


def stale(
    store: Store,
    given: list[str],
    confirmed: Container[tuple[str, ...]],
    failed: set[str],
    recorded: dict[str, tuple[str, list[tuple[str, str]]]] | None = None,
    names: set[str] | None = None,
) -> tuple[list[Gone], dict[str, set[str]]]:
    """The documents ``given`` held before and no longer holds, and for each, the source IRIs it lost.

    ``confirmed`` holds the (document, source IRI) pairs this run read; ``failed`` the locations
    (made absolute with :func:`local`) that could not be read this run; ``recorded`` the documents to
    look at (default: every one); ``names``, when given, the only published source names that may be lost
    (the files the run read again or did not find: a file it did not read again keeps its documents).
    """
    roots = [local(g) for g in given]
    places = {name: local(where) for name, where in store.source_locations().items()}
    gone: list[Gone] = []
    lost: dict[str, set[str]] = {}
    for doc, (title, sources) in sorted((store.document_sources() if recorded is None else recorded).items()):
        dropped = set()
        where = ""
        for src, name in sources:
            place = places.get(name)
            if (
                place is None
                or (names is not None and name not in names)
                or (doc, src) in confirmed
                or any(within(place, f) for f in failed)
            ):
                continue
            root = next((r for r in roots if within(place, r)), None)
            if root is not None:
                dropped.add(src)
                where = where or root
        if dropped:
            lost[doc] = dropped
            gone.append(Gone(doc, title, where, removed=dropped >= {src for src, _ in sources}))
    return gone, lost


def orphaned(
    store: Store, recorded: dict[str, tuple[str, list[tuple[str, str]]]] | None = None
) -> list[tuple[str, str, list[str]]]:
    """Documents whose every source is a local file no longer there: (IRI, title, the files), sorted by title."""
    places = store.source_locations()
    found = []
    for doc, (title, sources) in (store.document_sources() if recorded is None else recorded).items():
        files = [places.get(name) for _, name in sources]
        if files and all(f is not None and "://" not in f and not os.path.exists(f) for f in files):
            found.append((doc, title, sorted(str(f) for f in files)))
    return sorted(found, key=lambda item: (item[1], item[0]))


def without_sources(quads: list[Quad], sources: set[str]) -> list[Quad]:
    """A document's graph without what it says about ``sources``: as if it had been read without them."""
    links = {ns.PROV + "hadPrimarySource", ns.PROV + "used"}
    kept = []
    for q in quads:
        if isinstance(q.subject, NamedNode) and q.subject.value in sources:
            continue
        if q.predicate.value in links and isinstance(q.object, NamedNode) and q.object.value in sources:
            continue
        kept.append(q)
    return kept
