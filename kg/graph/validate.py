"""Stage 6c, validate: check the store against the SHACL shapes in ``ontology/shapes.ttl``.

Like ``pyshacl.validate`` it returns data and text: whether the store
conforms, the report as an RDF graph (storable, exportable), and the
report as text for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
import rdflib

from kg.graph.export import serialise
from kg.graph.store import Store
from kg.ingest.vocabulary import ontology_dir


@dataclass
class ValidationReport:
    conforms: bool
    graph: rdflib.Graph
    text: str

    @property
    def violations(self) -> int:
        return len(set(self.graph.subjects(rdflib.RDF.type, rdflib.SH.ValidationResult)))


def validate(store: Store, shapes: Path | None = None) -> ValidationReport:
    """Validate the union of all graphs in ``store``."""
    shapes = Path(shapes or ontology_dir() / "shapes.ttl")
    data = rdflib.Graph()
    data.parse(data=serialise(store, "nt"), format="nt")
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    conforms, graph, text = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=False, allow_warnings=True
    )
    return ValidationReport(bool(conforms), graph, text)
