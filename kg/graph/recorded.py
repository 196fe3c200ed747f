"""What the store records about where its documents came from: the source files and addresses, per document."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.graph.store import Store

_SOURCES = """SELECT ?doc ?title ?path WHERE { GRAPH ?doc {
  ?doc a kg:Document ; prov:hadPrimarySource ?src . ?src kg:sourcePath ?path .
  OPTIONAL { ?doc dcterms:title ?title } } }"""


@dataclass
class RecordedSource:
    """One file or address the store read, and the documents it gave."""

    location: str  #: an absolute path or an http(s) address, as recorded (kg:sourcePath)
    documents: dict[str, str] = field(default_factory=dict)  #: document IRI → title

    @property
    def is_address(self) -> bool:
        return "://" in self.location


def recorded_sources(store: Store, documents: set[str] | None = None) -> list[RecordedSource]:
    """Every source the store records (only those of ``documents`` when given), sorted by location."""
    found: dict[str, RecordedSource] = {}
    titles: dict[str, dict[str, str]] = defaultdict(dict)
    answer = store.oxigraph.query(_SOURCES, prefixes=ns.prefixes(store.base))
    assert isinstance(answer, ox.QuerySolutions)
    for row in answer:
        doc = row["doc"]
        if not isinstance(doc, ox.NamedNode) or (documents is not None and doc.value not in documents):
            continue
        path, title = row["path"], row["title"]
        assert isinstance(path, ox.Literal)
        titles[path.value][doc.value] = title.value if isinstance(title, ox.Literal) else doc.value
        path = path.value
        found.setdefault(path, RecordedSource(path))
    for path, source in found.items():
        source.documents = dict(sorted(titles[path].items(), key=lambda item: item[1]))
    return [found[path] for path in sorted(found)]


_MENTIONING = """SELECT DISTINCT ?title ?entity WHERE { GRAPH ?doc { ?doc schema:mentions ?entity ; dcterms:title ?title } }
ORDER BY ?title"""


def documents_mentioning(store: Store, entity: str) -> list[str]:
    """The titles of the documents that mention ``entity``, sorted."""
    answer = store.oxigraph.query(
        _MENTIONING, prefixes=ns.prefixes(store.base), substitutions={ox.Variable("entity"): ox.NamedNode(entity)}
    )
    assert isinstance(answer, ox.QuerySolutions)
    return [row["title"].value for row in answer if isinstance(row["title"], ox.Literal)]
