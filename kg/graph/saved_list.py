"""The saved queries listed: a table (``kg query --list``) and JSON (``kg query --list -f json``, the query page)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.graph.query import QueryResult
from kg.graph.saved import SavedQuery


def listing(saved: dict[str, SavedQuery]) -> QueryResult:
    """The saved queries as a table: name, title, parameters (``name type = default; ...``), description."""
    return QueryResult(
        "select",
        variables=["name", "title", "parameters", "description"],
        rows=[
            [
                ox.Literal(q.name),
                ox.Literal(q.title),
                ox.Literal("; ".join(p.describe() for p in q.params)),
                ox.Literal(q.description),
            ]
            for q in saved.values()
        ],
    )


def listing_json(saved: dict[str, SavedQuery]) -> str:
    """The saved queries as JSON, each parameter with its type, default, help and whether it may be empty."""
    return (
        json.dumps(
            [
                {
                    "name": q.name,
                    "title": q.title,
                    "description": q.description,
                    "path": str(q.path),
                    "params": [
                        {"name": p.name, "type": p.type, "optional": p.optional, "default": p.default, "help": p.help}
                        for p in q.params
                    ],
                }
                for q in saved.values()
            ],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
