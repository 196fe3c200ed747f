"""Does the store still hold what a row of the file table says of a document? (:mod:`kg.ingest.filetable`)

A re-ingest asks it of every document of every file whose size and time are unchanged; four key lookups
a document give the answer that :meth:`kg.graph.store.Store.source_keys` gives (one query reading every
document's source records: 0.9 s at 1,000 documents, linear) without reading the documents it is not
asked about.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.graph import namespaces as ns

_CONTENT_HASH = ox.NamedNode(ns.ONTOLOGY + "contentHash")
_PRIMARY_SOURCE = ox.NamedNode(ns.PROV + "hadPrimarySource")
_SOURCE_PATH = ox.NamedNode(ns.ONTOLOGY + "sourcePath")
_SHA256 = ox.NamedNode(ns.SCHEMA + "sha256")


def holds_source(held: ox.Store, doc: str, content_hash: str, source: str, name: str, sha256: str) -> bool:
    """Whether ``doc``'s graph records ``content_hash`` and the source record ``source`` (published ``name``,
    bytes ``sha256``): ``source_key(...) in store.source_keys()``, for one document.

    The four quads are the pattern of ``source-keys.rq``, every term bound; its literals are the plain
    strings :mod:`kg.ingest.triples` writes (the query compared the strings only: a hash written with
    another datatype would fail here and its file be read again, never the reverse)."""
    try:
        graph, record = ox.NamedNode(doc), ox.NamedNode(source)
    except ValueError:  # not an IRI (a damaged row): the store cannot hold it
        return False
    return (
        ox.Quad(graph, _CONTENT_HASH, ox.Literal(content_hash), graph) in held
        and ox.Quad(graph, _PRIMARY_SOURCE, record, graph) in held
        and ox.Quad(record, _SOURCE_PATH, ox.Literal(name), graph) in held
        and ox.Quad(record, _SHA256, ox.Literal(sha256), graph) in held
    )
