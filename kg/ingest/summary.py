"""The documents an ingest run read, one line each, for the summary a librarian reads after ``kg ingest``."""

from __future__ import annotations

from dataclasses import dataclass

from kg.ingest.flow import IngestReport


@dataclass(frozen=True)
class DocumentLine:
    """One document read from one source file."""

    title: str
    location: str
    status: str  #: "written", "unchanged" or "copy" (a second file holding a document already read)
    note: str  #: e.g. "same document as data/a.txt" (two files holding one briefing)
    iri: str


def document_lines(report: IngestReport) -> list[DocumentLine]:
    """Every document of the run in the order read; a second file holding a document already read says so."""
    unchanged = {iri for iri, _ in report.unchanged}
    first: dict[str, str] = {}
    lines = []
    for iri, title, location in report.read_from:
        if iri in first:
            lines.append(DocumentLine(title, location, "copy", f"same document as {first[iri]}", iri))
            continue
        first[iri] = location
        lines.append(DocumentLine(title, location, "unchanged" if iri in unchanged else "written", "", iri))
    return lines


def untold(lines: list[DocumentLine]) -> str:
    """The documents of ``lines`` in a few words, for a list cut short.

    >>> untold([DocumentLine("A", "a.txt", "written", "", "i:a"), DocumentLine("B", "b.txt", "unchanged", "", "i:b"),
    ...         DocumentLine("C", "c.txt", "written", "", "i:c")])
    'and 3 more documents: 2 written, 1 unchanged'
    """
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.status] = counts.get(line.status, 0) + 1
    parts = ", ".join(f"{n:,} {status}" for status, n in counts.items())
    noun = "document" if len(lines) == 1 else "documents"
    return f"and {len(lines):,} more {noun}: {parts}"


def distinct_written(report: IngestReport) -> int:
    """How many different documents were written (a document held by two files counts once)."""
    return len({iri for iri, _ in report.written})
