"""The librarian's commands: the ingest's document list, ``kg reextract``, ``kg term``, ``kg review``, ``kg digest``.

Like :mod:`kg.cli`, each command is a thin layer: it opens the store, calls
one library function and prints the result; library errors become one
sentence and an exit status.
"""

from __future__ import annotations

from rich.markup import escape

from kg.cli import out
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
