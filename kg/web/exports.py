"""Every format ``kg export`` writes, chosen by name or by the file's ending, in one place.

RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) comes from
:mod:`kg.graph.export`; the network for graph tools (GraphML, GEXF, CSV node
and edge lists) from :mod:`kg.web.network`. A file name whose ending names
no format is refused: writing Turtle into ``graph.graphml`` would mislead.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.errors import UsageError
from kg.graph.export import FORMATS, export, format_for
from kg.graph.formats import EXPORT_ENDINGS
from kg.graph.store import Store
from kg.web.network import NETWORK_FORMATS, write_network

#: every ``--format`` name, RDF first
ALL_FORMATS = (*FORMATS, *NETWORK_FORMATS)
DEFAULT = "turtle"


def endings() -> list[str]:
    """The file endings that name a format, as a person types them."""
    rdf = {f".{f.extension}" for f in FORMATS.values()} | {f".{e}" for e in EXPORT_ENDINGS}
    return sorted(rdf | {f".{e}" for e in NETWORK_FORMATS.values()})


def choose(fmt: str | None, output: str | os.PathLike | None) -> str:
    """The format to write: ``fmt`` if given, else the one the file's ending names, else Turtle on a stream."""
    if fmt is not None:
        if fmt not in ALL_FORMATS:
            raise UsageError(f"unknown export format '{fmt}': choose one of {', '.join(ALL_FORMATS)}")
        return fmt
    if output is None:
        return DEFAULT
    suffix = Path(output).suffix.lower().lstrip(".")
    named = format_for(output)
    if named is None:
        named = next((name for name, ending in NETWORK_FORMATS.items() if ending == suffix), None)
    if named is None:
        raise UsageError(
            f"cannot tell the export format from the file name '{Path(output).name}': "
            f"end it with one of {' '.join(endings())} or give --format"
        )
    return named


def write(store: Store, fmt: str, output: str | os.PathLike) -> list[Path]:
    """Write ``store`` in ``fmt`` to the file ``output``; return every file written."""
    if fmt in NETWORK_FORMATS:
        return write_network(store, fmt, output)
    export(store, fmt, output)
    path = Path(output)
    return [path, path.with_name("context.jsonld")] if FORMATS[fmt].key == "JSON_LD" else [path]
