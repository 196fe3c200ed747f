"""Data commands: ``kg load`` (a dump back into a store; with ``kg export``, backup and restore) and
``kg compact`` (the store's files rewritten smaller after a large ingest) and ``kg upgrade`` (a store
written by an older kg brought up to date in place).

Like :mod:`kg.cli`, each command is a thin layer: it calls one library function and prints the
result; library errors become one sentence and an exit status.
"""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli import StoreOption, app, err, fail, open_store, store_location
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


@app.command("compact")
def compact_command(store: str | None = StoreOption) -> None:
    """Rewrite the store's files smaller after a large ingest (the same quads; minutes at 100,000 documents)."""
    from kg.graph.compaction import compact

    try:
        with open_store(store, create=False) as kg_store:
            done = compact(kg_store)
    except KGError as exc:
        fail(str(exc))
    err.print(
        f"compacted {store_location(store)}: {done.before / 2**20:,.0f} MiB before, {done.after / 2**20:,.0f} MiB after "
        f"({done.seconds:,.1f} s)",
        highlight=False,
        soft_wrap=True,
    )


@app.command("upgrade")
def upgrade_command(store: str | None = StoreOption) -> None:
    """Bring a store written by an older kg up to date in place: the documents' stored days and each entity's
    document count (docs/saved-queries-scale.md)."""
    from kg.graph.upgrade import bring_up_to_date

    try:
        with open_store(store, create=False) as kg_store:  # a folder of format 4 or 5 is brought up to date as it opens
            done = kg_store.upgraded or bring_up_to_date(kg_store)  # else (a current folder, a server): here
    except KGError as exc:
        fail(str(exc))
    err.print(
        f"{store_location(store)} is up to date: {done.days:,} days written, {done.counts:,} entities' document counts",
        highlight=False,
        soft_wrap=True,
    )
