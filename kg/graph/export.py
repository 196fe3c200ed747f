"""Stage 6b, export: the store as standard RDF files other tools read without help.

Dataset formats (TriG, N-Quads, JSON-LD) keep one named graph per document;
triple formats (Turtle, N-Triples, RDF/XML) hold the union of all graphs.
Output is sorted, so two exports of the same store are byte-identical and
diff cleanly.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import UsageError
from kg.graph import namespaces as ns
from kg.graph.formats import EXPORT_ENDINGS, export_formats, rdf_format
from kg.graph.store import Store
from kg.graph.xmltext import xml_triples

#: name -> format (:mod:`kg.graph.formats`)
FORMATS = export_formats()


def _key(term: object) -> tuple[bool, str]:
    return (type(term).__name__ != "NamedNode", str(term))


def sorted_quads(store: Store) -> list[ox.Quad]:
    return sorted(store.oxigraph, key=lambda q: (_key(q.graph_name), _key(q.subject), str(q.predicate), _key(q.object)))


def sorted_triples(store: Store) -> list[ox.Triple]:
    unique = {ox.Triple(q.subject, q.predicate, q.object) for q in store.oxigraph}
    return sorted(unique, key=lambda t: (_key(t.subject), str(t.predicate), _key(t.object)))


def serialise(store: Store, fmt: str) -> bytes:
    """The whole store in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    chosen = rdf_format(FORMATS[fmt].key)
    data: list[ox.Quad] | list[ox.Triple]
    if chosen.supports_datasets:
        data = sorted_quads(store)
    elif chosen == ox.RdfFormat.RDF_XML:
        data = xml_triples(sorted_triples(store))  # characters XML 1.0 cannot hold become U+FFFD (kg.graph.xmltext)
    else:
        data = sorted_triples(store)
    prefixed = chosen in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
    output = io.BytesIO()
    ox.serialize(data, output, chosen, prefixes=ns.prefixes(store.base) if prefixed else None)
    return output.getvalue()


def export(store: Store, fmt: str, out: str | os.PathLike | BinaryIO | None = None) -> bytes | None:
    """Write the store to ``out`` (a path or binary stream); return the bytes if ``out`` is None."""
    data = serialise(store, fmt)
    if out is None:
        return data
    if hasattr(out, "write"):
        out.write(data)
        return None
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # never leave a half-written export behind
    return None


def format_for(path: str | os.PathLike) -> str | None:
    """The export format a file name asks for by its ending, if any."""
    suffix = Path(path).suffix.lower().lstrip(".")
    for name, fmt in FORMATS.items():
        if suffix == fmt.extension:
            return name
    return EXPORT_ENDINGS.get(suffix)
