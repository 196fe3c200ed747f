"""Stage 6b, export: the store as standard RDF files other tools read without help.

Dataset formats (TriG, N-Quads, JSON-LD) keep one named graph per document;
triple formats (Turtle, N-Triples, RDF/XML) hold the union of all graphs.
Output is sorted, so two exports of the same store are byte-identical and
diff cleanly. JSON-LD is compacted against the published context
(:mod:`kg.graph.jsonld`): a file export refers to ``context.jsonld`` and
writes it beside the export; on a stream the context is embedded.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import UsageError
from kg.graph import jsonld
from kg.graph import namespaces as ns
from kg.graph.formats import EXPORT_ENDINGS, export_formats, rdf_format
from kg.graph.store import Store
from kg.graph.xmltext import xml_triples

#: name -> format (:mod:`kg.graph.formats`)
FORMATS = export_formats()


def _key(term: object) -> tuple[bool, str]:
    return (type(term).__name__ != "NamedNode", str(term))


def sorted_quads(store: Store) -> list[ox.Quad]:
    """Every quad of the named graphs (the store's default graph is their union, derived, so not exported)."""
    named = (q for q in store.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph))
    return sorted(named, key=lambda q: (_key(q.graph_name), _key(q.subject), str(q.predicate), _key(q.object)))


def sorted_triples(store: Store) -> list[ox.Triple]:
    """The union of all named graphs, each triple once (what the store's default graph mirrors)."""
    union = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.oxigraph
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    return sorted(union, key=lambda t: (_key(t.subject), str(t.predicate), _key(t.object)))


def serialise(store: Store, fmt: str, context_reference: str | None = None) -> bytes:
    """The whole store in format ``fmt`` (one of :data:`FORMATS`).

    JSON-LD names ``context_reference`` as its ``@context`` if given, else embeds the context.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    if FORMATS[fmt].key == "JSON_LD":
        return jsonld.compact(sorted_quads(store), context_reference)
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
    """Write the store to ``out`` (a path or binary stream); return the bytes if ``out`` is None.

    A JSON-LD file gets the context it refers to, ``context.jsonld``, written beside it.
    """
    if out is None or hasattr(out, "write"):
        data = serialise(store, fmt)
        if out is None:
            return data
        out.write(data)
        return None
    path = Path(out)
    beside = FORMATS.get(fmt) is not None and FORMATS[fmt].key == "JSON_LD"
    if beside and path.name == jsonld.CONTEXT_NAME:
        raise UsageError(f"a JSON-LD export cannot be called {jsonld.CONTEXT_NAME}: that name is kept for its context")
    write_file(path, serialise(store, fmt, jsonld.CONTEXT_NAME if beside else None))
    if beside:
        write_file(path.with_name(jsonld.CONTEXT_NAME), jsonld.context_text().encode("utf-8"))
    return None


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (never a half-written export)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def format_for(path: str | os.PathLike) -> str | None:
    """The export format a file name asks for by its ending, if any."""
    suffix = Path(path).suffix.lower().lstrip(".")
    for name, fmt in FORMATS.items():
        if suffix == fmt.extension:
            return name
    return EXPORT_ENDINGS.get(suffix)
