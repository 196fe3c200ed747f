"""Re-extraction from the store: read again every source the store records, without the folders being given.

After a vocabulary term, a pattern or a librarian's decision changes, the
documents already in the store are extracted again from the files they
came from. A file that is no longer where it was read from is reported as
moved (with the documents it held), and the others still go in; the
documents of a moved file stay in the store as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.graph.recorded import RecordedSource, recorded_sources
from kg.graph.store import Store
from kg.ingest.flow import IngestReport, Pipeline, ingest


@dataclass
class ReextractReport:
    """The ingest of the recorded sources, and the sources that could not be found again."""

    ingest: IngestReport
    sources: list[RecordedSource] = field(default_factory=list)
    moved: list[RecordedSource] = field(default_factory=list)  #: files no longer at their recorded path


def reextract(
    store: Store,
    pipeline: Pipeline | None = None,
    documents: set[str] | None = None,
    on_source: Callable[[str], None] | None = None,
) -> ReextractReport:
    """Ingest again every source the store records (or only those of ``documents``); report moved files."""
    sources = recorded_sources(store, documents)
    present = [s for s in sources if s.is_address or Path(s.location).is_file()]
    moved = [s for s in sources if s not in present]
    report = ingest([s.location for s in present], store, pipeline, on_source=on_source, rehash=True)
    return ReextractReport(report, sources, moved)
