"""Reading policy documents: sources and readers → parse → extract and relations → triples.

:mod:`kg.ingest.flow` runs those stages into a store; its entry points are
re-exported here (resolved on first use, so importing a reader stays cheap):
``kg.ingest.ingest(paths, store)``, ``kg.ingest.Pipeline``, ``kg.ingest.IngestReport``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["IngestReport", "Pipeline", "ingest"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kg.ingest import flow

        return getattr(flow, name)
    raise AttributeError(f"module 'kg.ingest' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from kg.ingest.flow import IngestReport, Pipeline, ingest
