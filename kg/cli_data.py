"""Data commands: ``kg load`` (a dump back into a store; with ``kg export``, backup and restore).

Like :mod:`kg.cli`, each command is a thin layer: it calls one library function and prints the
result; library errors become one sentence and an exit status.
"""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import StoreOption, app, err, fail, store_location
from kg.errors import KGError


@app.command("load")
def load_command(
    file: Path = typer.Argument(..., help="The dump to load: .nq, .trig (named graphs kept), .nt or .ttl."),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Replace everything the store holds with the dump (else the store must be new or empty).",
    ),
    store: str | None = StoreOption,
) -> None:
    """Bulk-load a dump into a store, rebuilding its union graph and search index (export + load = backup + restore)."""
    from kg.graph.load import load_dump

    try:
        report = load_dump(file, store, replace=replace)
    except KGError as exc:
        fail(str(exc))
    note = " (triples outside named graphs are in graph/loaded)" if report.loaded_graph else ""
    err.print(
        f"loaded {report.quads:,} quads in {report.graphs:,} graphs from {file} into {store_location(store)}; "
        f"search index: {report.documents:,} documents{note}",
        highlight=False,
        soft_wrap=True,
    )
