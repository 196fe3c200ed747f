"""The "why are these connected?" page's data as files: a small graph the page searches, and the evidence in
files it loads for the steps it draws.

:func:`kg.web.derived.connect_data` gives every pair of entities with all its evidence. The page needs the
whole graph to find chains, but the evidence of only the few steps it shows. So ``connect-data.js`` holds the
entities, the documents and each pair as ``[a, b, documents naming both, statements]``; the evidence of pair
``k`` (its statements with their sentences, the documents naming both, and each side's quotes in those
documents) is in ``connect/<k // PER_FILE>.js``, which the page adds as a script when a step needs it (this
works from disk, as the map's files do). At 10,000 documents the evidence was two thirds of a 37 MB file
every visit loaded.
"""

from __future__ import annotations

from typing import Any

from kg.web.mapview import script_json

BASE = "connect/"  #: the folder of the evidence files, in the site
PER_FILE = 400  #: pairs whose evidence one file holds


def connect_files(payload: dict[str, Any], per_file: int = PER_FILE) -> tuple[dict[str, Any], dict[str, str]]:
    """``connect-data.js``'s data and the evidence files (name under :data:`BASE` -> script text)."""
    nodes = payload["nodes"]
    graph = {
        **{k: v for k, v in payload.items() if k not in ("nodes", "edges")},
        "nodes": [{k: v for k, v in node.items() if k != "m"} for node in nodes],
        "edges": [[e["a"], e["b"], e["n"], len(e["rel"])] for e in payload["edges"]],
        "files": {"base": BASE, "per": per_file},
    }
    files: dict[str, str] = {}
    edges = payload["edges"]
    for first in range(0, len(edges), per_file):
        chunk: dict[str, Any] = {}
        for k in range(first, min(first + per_file, len(edges))):
            e = edges[k]
            quotes = {}
            for side in (e["a"], e["b"]):
                said = nodes[side].get("m", {})
                shown = {str(d): said[str(d)] for d in e["co"] if str(d) in said}
                if shown:
                    quotes[str(side)] = shown
            chunk[str(k)] = {"rel": e["rel"], "co": e["co"], "m": quotes}
        number = first // per_file
        files[f"{number}.js"] = (
            f"(window.KG_CONNECT_FILES = window.KG_CONNECT_FILES || []).push([{number}, {script_json(chunk)}]);\n"
        )
    return graph, files
