"""The librarian's commands: the ingest's document list, ``kg reextract``, ``kg term``, ``kg review``, ``kg digest``.

Like :mod:`kg.cli`, each command is a thin layer: it opens the store, calls
one library function and prints the result; library errors become one
sentence and an exit status.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from kg.cli import EXIT_PROBLEMS, StoreOption, app, err, fail, out
from kg.errors import KGError
from kg.graph.store import Store, resolve_location
from kg.ingest.flow import IngestReport


def print_documents(report: IngestReport) -> None:
    """The documents an ingest read, with their titles, files and what happened to each."""
    from kg.ingest.summary import document_lines

    for line in document_lines(report):
        note = f"; {line.note}" if line.note else ""
        out.print(
            f"{line.status:<9}  {escape(line.title)}  [dim]({escape(line.location)}{escape(note)})[/]",
            highlight=False,
            soft_wrap=True,
        )


def print_counts(title: str, report: IngestReport, total: int) -> None:
    from rich.table import Table

    from kg.ingest.summary import distinct_written

    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("source files read", report.sources_read),
        ("documents written", distinct_written(report)),
        ("documents unchanged", len(report.unchanged)),
        ("mentions", report.mentions),
        ("relations", report.relations),
        ("failures", len(report.failures)),
        ("triples in store", total),
    ):
        table.add_row(label, str(value))
    out.print(table)


def print_problems(report: IngestReport, notes: list[str] | None = None) -> None:
    for skipped in report.skipped:
        err.print(
            f"[cyan]not read[/] {escape(skipped.location)}: {escape(skipped.reason)}", highlight=False, soft_wrap=True
        )
    for failure in report.failures:
        err.print(
            f"[yellow]skipped[/] {escape(failure.location)}: {escape(failure.reason)}", highlight=False, soft_wrap=True
        )
    for note in notes or []:
        err.print(f"[yellow]note[/] {escape(note)}", highlight=False, soft_wrap=True)


@app.command("reextract")
def reextract_command(store: str | None = StoreOption) -> None:
    """Read again every source the store records and extract anew (after a vocabulary, pattern or review change)."""
    from kg.ingest.flow import Pipeline
    from kg.ingest.reextract import reextract

    try:
        with Store(store, create=False) as kg_store:
            pipeline = Pipeline()
            result = reextract(kg_store, pipeline)
            total = len(kg_store)
    except KGError as exc:
        fail(str(exc))
    print_documents(result.ingest)
    print_counts(
        f"Re-extracted {len(result.sources)} recorded sources in {resolve_location(store)}", result.ingest, total
    )
    print_problems(result.ingest, pipeline.curation.problems)
    for source in result.moved:
        titles = "; ".join(source.documents.values())
        err.print(
            f"[yellow]moved[/] {escape(source.location)} is no longer there (it held: {escape(titles)}); "
            "ingest it from where it is now",
            highlight=False,
            soft_wrap=True,
        )
    if result.ingest.failures or result.moved:
        raise typer.Exit(EXIT_PROBLEMS)
