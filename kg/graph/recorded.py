"""What the store records about where its documents came from: the source files and addresses, per document."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.graph.store import Store


@dataclass
class RecordedSource:
    """One file or address the store read, and the documents it gave."""

    location: str  #: where this machine read it (the store's local record), else the name kg:sourcePath records
    documents: dict[str, str] = field(default_factory=dict)  #: document IRI → title

    @property
    def is_address(self) -> bool:
        return "://" in self.location


def recorded_sources(store: Store, documents: set[str] | None = None) -> list[RecordedSource]:
    """Every source the store records (only those of ``documents`` when given), sorted by location."""
    found: dict[str, RecordedSource] = {}
    titles: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store._select("recorded-sources"):
        doc = row["doc"]
        if not isinstance(doc, ox.NamedNode) or (documents is not None and doc.value not in documents):
            continue
        path, title = row["path"], row["title"]
        assert isinstance(path, ox.Literal)
        titles[path.value][doc.value] = title.value if isinstance(title, ox.Literal) else doc.value
        path = path.value
        found.setdefault(path, RecordedSource(path))
    here = store.source_locations()  # published names → where this machine read them
    for path, source in found.items():
        source.location = here.get(path, path)
        source.documents = dict(sorted(titles[path].items(), key=lambda item: item[1]))
    return [found[path] for path in sorted(found)]


def documents_mentioning(store: Store, entity: str) -> list[str]:
    """The titles of the documents that mention ``entity``, sorted."""
    answer = store._select("documents-mentioning", entity=ox.NamedNode(entity))
    return [row["title"].value for row in answer if isinstance(row["title"], ox.Literal)]
