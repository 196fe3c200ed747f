"""JSON-LD with short keys: the published ``@context`` and compaction of the store's quads against it.

The context is a data file, ``ontology/context.jsonld``: one short key per
property the data uses (``prefLabel``, ``mentions``, ``evolvesInto`` ...),
with IRI-valued properties typed ``@id`` and English-only texts tagged
``@language: en``, plus the usual prefixes. An export written to a file
refers to the context by its file name, :data:`CONTEXT_NAME`, and the file is
written beside it, so any JSON-LD processor resolves it offline; written to
a stream the context is embedded. ``kg serve`` publishes the same file at
:data:`CONTEXT_IRI`.

Compaction is rdflib's JSON-LD serialiser; named graphs stay named graphs.
"""

from __future__ import annotations

import io
import json
from functools import cache
from typing import Any

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.resources import ontology_dir

CONTEXT_NAME = "context.jsonld"
#: where the context is published (the canonical base + the file name)
CONTEXT_IRI = ns.CANONICAL_BASE + CONTEXT_NAME


def context_path():
    return ontology_dir() / CONTEXT_NAME


@cache
def context_text() -> str:
    """The context document as published (a JSON object with one ``@context`` key)."""
    return context_path().read_text(encoding="utf-8")


def context() -> dict[str, Any]:
    """The term definitions (the value of ``@context``)."""
    return dict(json.loads(context_text())["@context"])


def compact(quads: list[ox.Quad], reference: str | None = None) -> bytes:
    """The quads as compact JSON-LD; ``@context`` is ``reference`` if given, else the context itself."""
    import rdflib  # heavy: only an export to JSON-LD needs it

    nquads = io.BytesIO()
    ox.serialize(quads, nquads, ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads.getvalue().decode("utf-8"), format="nquads")
    terms = context()
    text = dataset.serialize(format="json-ld", context=terms, auto_compact=True)
    document = json.loads(text)
    document["@context"] = reference if reference is not None else terms
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def compact_graph(quads: list[ox.Quad]) -> list[dict[str, Any]]:
    """The entries of ``@graph`` that compacting ``quads`` (one named graph, or a few) gives, context removed.

    Streamed exports write these one graph at a time inside one ``@graph`` array with one ``@context``.
    """
    if not quads:
        return []
    document = _ordered(json.loads(compact(quads, "")))
    document.pop("@context", None)
    if set(document) == {"@graph"}:
        return list(document["@graph"])
    return [document]


def _ordered(value: Any) -> Any:
    """Arrays sorted (they are sets: the context declares no ``@list``), so rdflib's order, which varies
    from one process to the next, does not reach the output: exports are byte-identical."""
    if isinstance(value, dict):
        return {k: _ordered(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_ordered(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value
