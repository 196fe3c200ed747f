"""The one table of relations between entities, read from the ontology (``kg.ttl``).

Every part of the tool that names a relation or follows a lineage takes it
from here: the site's pages ("A was introduced by B", "B introduced A"), the
relationship map (which relations it draws, under which name), the lineage
merge (which end of a statement came first) and the vocabulary's neighbour
links. The facts live in ``kg.ttl`` as ``rdfs:label``, ``kg:readsAs``,
``kg:inverseLabel``, ``kg:lineageStep``, ``kg:predecessorEnd``,
``kg:drawnOnMap`` and ``kg:linksNeighbours``; a library edits them there.

>>> table = predicates()
>>> step = table[ns.ONTOLOGY + "supersedes"]
>>> step.reads_as, step.inverse, step.lineage_kind, step.predecessor_end
('supersedes', 'superseded by', 'supersedes', 'object')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.graph import namespaces as ns
from kg.graph.namespaces import local_name

#: The map's name for an edge whose predicate the table does not know.
DEFAULT_EDGE = "default"
DEFAULT_EDGE_LABEL = "related"


@dataclass(frozen=True)
class Predicate:
    """One relation property as the tool shows it."""

    iri: str
    label: str  #: the short name (``rdfs:label``)
    reads_as: str  #: from the subject's side on a page
    inverse: str  #: from the object's side
    lineage_kind: str | None = None  #: local name of the change it records: "evolvesInto", "supersedes"
    predecessor_end: str | None = None  #: "subject" or "object" for a lineage step
    on_map: bool = False
    links_neighbours: bool = False

    @property
    def name(self) -> str:
        """The local name (``evolvesInto``): the key the map and its styles use."""
        return local_name(self.iri)

    def lineage_pair(self, subject: str, obj: str) -> tuple[str, str]:
        """(predecessor, successor) of a statement with this predicate."""
        return (obj, subject) if self.predecessor_end == "object" else (subject, obj)


_ANNOTATIONS = {
    ns.RDFS + "label": "label",
    ns.ONTOLOGY + "readsAs": "reads_as",
    ns.ONTOLOGY + "inverseLabel": "inverse",
    ns.ONTOLOGY + "lineageStep": "lineage_kind",
    ns.ONTOLOGY + "predecessorEnd": "predecessor_end",
    ns.ONTOLOGY + "drawnOnMap": "on_map",
    ns.ONTOLOGY + "linksNeighbours": "links_neighbours",
}
#: Any of these makes a property a relation the tool shows.
_MARKS = {"reads_as", "inverse", "lineage_kind", "on_map", "links_neighbours"}


def read_predicates(path: Path) -> dict[str, Predicate]:
    """The relation table stated in one ontology file, by predicate IRI (in the file's order)."""
    facts: dict[str, dict[str, str]] = {}
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        field_name = _ANNOTATIONS.get(triple.predicate.value)
        if field_name is None or not isinstance(triple.subject, ox.NamedNode):
            continue
        obj = triple.object
        if isinstance(obj, ox.Literal) and obj.language not in (None, "en"):
            continue
        value = local_name(obj.value) if field_name == "lineage_kind" else obj.value
        facts.setdefault(triple.subject.value, {}).setdefault(field_name, value)
    table: dict[str, Predicate] = {}
    for iri, values in facts.items():
        if not _MARKS & values.keys():
            continue
        label = values.get("label") or local_name(iri)
        reads_as = values.get("reads_as") or label
        table[iri] = Predicate(
            iri=iri,
            label=label,
            reads_as=reads_as,
            inverse=values.get("inverse") or "(inverse) " + reads_as,
            lineage_kind=values.get("lineage_kind"),
            predecessor_end=values.get("predecessor_end"),
            on_map=values.get("on_map") == "true",
            links_neighbours=values.get("links_neighbours") == "true",
        )
    return table


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> dict[str, Predicate]:
    return read_predicates(Path(path))


def predicates(directory: Path | None = None) -> dict[str, Predicate]:
    """The table from ``directory``'s ``kg.ttl``, else the ontology in use (``KG_ONTOLOGY_DIR`` or the packaged one)."""
    path = Path(directory or resources.ontology_dir()) / "kg.ttl"
    if not path.is_file():
        path = resources.package_dir("kg.graph", "ontology", "kg.ttl")
    return _cached(str(path), path.stat().st_mtime)


def link_predicates() -> dict[str, Predicate]:
    """Relations between entities that a page lists (everything in the table but the map's document edges)."""
    return {iri: p for iri, p in predicates().items() if iri not in (ns.SCHEMA + "mentions", ns.DCTERMS + "publisher")}


def lineage_predicates(directory: Path | None = None) -> dict[str, Predicate]:
    """Relations that record a change from one entity to another."""
    return {iri: p for iri, p in predicates(directory).items() if p.lineage_kind}


def map_relations() -> dict[str, Predicate]:
    """Relations between entities that the map draws, besides mentions and publishers."""
    return {iri: p for iri, p in link_predicates().items() if p.on_map}


def neighbour_predicates(directory: Path | None = None) -> set[str]:
    """Relations that make two vocabulary entities context for each other."""
    return {iri for iri, p in predicates(directory).items() if p.links_neighbours}


def name_of(iri: str) -> str:
    """How a page writes ``iri`` from its subject's side (its local name if the table lacks it)."""
    known = predicates().get(iri)
    return known.reads_as if known else local_name(iri)


def name_from_object(iri: str) -> str:
    """How a page writes ``iri`` from its object's side."""
    known = predicates().get(iri)
    return known.inverse if known else "(inverse) " + local_name(iri)


def map_label(name: str) -> str:
    """The map's name for an edge keyed by local name (``evolvesInto``, ``mentions``, ``publisher``)."""
    for p in predicates().values():
        if p.on_map and p.name == name:
            return p.label
    return DEFAULT_EDGE_LABEL
