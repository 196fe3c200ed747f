"""Stage 6b, export: the store as standard RDF files other tools read without help, written as a stream.

Dataset formats (TriG, N-Quads, JSON-LD) keep one named graph per document;
triple formats (Turtle, N-Triples, RDF/XML) hold the union of all graphs.
JSON-LD is compacted against the published context (:mod:`kg.graph.jsonld`):
a file export refers to ``context.jsonld`` and writes it beside the export; on
a stream the context is embedded.

Every format is written as it is read from the store, so memory does not grow
with the store, and the output is deterministic (two exports of the same data
are byte-identical and diff cleanly):

* dataset formats: the named graphs in sorted order, each graph's quads sorted
  (memory: the largest graph, plus the list of graph names). N-Quads: each
  graph dumped by pyoxigraph as N-Triples, its lines sorted and given the
  graph name; TriG: pyoxigraph's serialiser fed one sorted graph at a time;
  JSON-LD: one graph at a time through rdflib's compaction, inside one
  ``@graph`` array;
* triple formats: the store's union default graph (every triple once), dumped
  by pyoxigraph in the store's own index order, which depends only on the
  triples (Oxigraph keys its indexes by the terms' encoded values) and keeps
  each subject's triples together, as Turtle wants. Sorting the union would
  need it all in memory (or a look-up per triple of which graphs hold it,
  about 20 µs each).

The generators are in :mod:`kg.graph.dump`, which the server's ``/dump.nq`` streams from too.

The store's default graph is the union of the named graphs, derived, so the
dataset formats leave it out (``kg load`` makes it again).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import IO, BinaryIO, cast

import pyoxigraph as ox

from kg.errors import UsageError
from kg.graph import jsonld
from kg.graph import namespaces as ns
from kg.graph.dump import dataset_quads, graph_names, graph_quads, nquads_chunks, union_triples
from kg.graph.formats import EXPORT_ENDINGS, export_formats, rdf_format
from kg.graph.store import Store
from kg.graph.xmltext import xml_term

#: name -> format (:mod:`kg.graph.formats`)
FORMATS = export_formats()


def sorted_quads(store: Store) -> list[ox.Quad]:
    """Every quad of the named graphs, in export order, as a list (small stores and tests only)."""
    return list(dataset_quads(store.oxigraph))


def write_stream(store: Store, fmt: str, output: IO[bytes], context_reference: str | None = None) -> None:
    """Write the whole store in format ``fmt`` (one of :data:`FORMATS`) to ``output`` as it is read.

    JSON-LD names ``context_reference`` as its ``@context`` if given, else embeds the context.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    source = store.oxigraph
    if FORMATS[fmt].key == "JSON_LD":
        _write_jsonld(source, output, context_reference)
        return
    chosen = rdf_format(FORMATS[fmt].key)
    prefixed = chosen in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
    prefixes = ns.prefixes(store.base) if prefixed else None
    if chosen == ox.RdfFormat.N_QUADS:
        for chunk in nquads_chunks(source):
            output.write(chunk)
    elif chosen.supports_datasets:
        ox.serialize(dataset_quads(source), output, chosen, prefixes=prefixes)
    elif chosen == ox.RdfFormat.RDF_XML:
        # characters XML 1.0 cannot hold become U+FFFD (kg.graph.xmltext)
        ox.serialize((xml_term(t) for t in union_triples(source)), output, chosen, prefixes=prefixes)
    else:  # the union default graph, by pyoxigraph's own dump
        source.dump(output, chosen, from_graph=ox.DefaultGraph(), prefixes=prefixes)


def _write_jsonld(store: ox.Store, output: IO[bytes], context_reference: str | None) -> None:
    """One JSON-LD document: the context, then each named graph compacted on its own, in one ``@graph``."""
    head = {"@context": context_reference if context_reference is not None else jsonld.context()}
    opening = json.dumps(head, indent=2, ensure_ascii=False)[: -len("\n}")]
    output.write(opening.encode("utf-8") + b',\n  "@graph": [')
    first = True
    for graph in graph_names(store):
        for entry in jsonld.compact_graph(graph_quads(store, graph)):
            text = json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            output.write((("\n    " if first else ",\n    ") + text).encode("utf-8"))
            first = False
    output.write(b"\n  ]\n}\n" if not first else b"]\n}\n")


def serialise(store: Store, fmt: str, context_reference: str | None = None) -> bytes:
    """The whole store in format ``fmt`` as bytes (for small stores; :func:`write_stream` for any size)."""
    output = io.BytesIO()
    chosen = rdf_format(FORMATS[fmt].key) if fmt in FORMATS and FORMATS[fmt].key != "JSON_LD" else None
    if chosen is not None and not chosen.supports_datasets:
        # bytes are for small stores (validation, tests): the union is made from the named graphs
        # themselves, so it holds what they hold even when the default graph was not kept in line
        union = sorted(
            {ox.Triple(q.subject, q.predicate, q.object) for q in sorted_quads(store)},
            key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
        )
        data = (xml_term(t) for t in union) if chosen == ox.RdfFormat.RDF_XML else union
        prefixed = chosen in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)
        ox.serialize(data, output, chosen, prefixes=ns.prefixes(store.base) if prefixed else None)
        return output.getvalue()
    write_stream(store, fmt, output, context_reference)
    return output.getvalue()


def export(store: Store, fmt: str, out: str | os.PathLike | BinaryIO | None = None) -> bytes | None:
    """Write the store to ``out`` (a path or binary stream) as a stream; return the bytes if ``out`` is None.

    A file is written whole or not at all (to ``NAME.part``, renamed when complete). A JSON-LD file
    gets the context it refers to, ``context.jsonld``, written beside it.
    """
    if out is None:
        return serialise(store, fmt)
    if hasattr(out, "write"):
        write_stream(store, fmt, cast(IO[bytes], out))
        return None
    path = Path(out)
    beside = FORMATS.get(fmt) is not None and FORMATS[fmt].key == "JSON_LD"
    if beside and path.name == jsonld.CONTEXT_NAME:
        raise UsageError(f"a JSON-LD export cannot be called {jsonld.CONTEXT_NAME}: that name is kept for its context")
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("wb") as handle:
            write_stream(store, fmt, handle, jsonld.CONTEXT_NAME if beside else None)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
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
