"""A knowledge graph of English health-policy entities.

The flow, one module per stage: :mod:`kg.sources` (read) → :mod:`kg.parse`
→ :mod:`kg.extract` and :mod:`kg.relations` → :mod:`kg.triples` →
:mod:`kg.store` → :mod:`kg.query` / :mod:`kg.export` / :mod:`kg.validate` /
:mod:`kg.view`. :mod:`kg.ingest` runs the first stages; :mod:`kg.cli` is
the command line over all of them.
"""

__version__ = "0.1.0"

from .errors import KGError, QueryError, SourceError, StoreError, UsageError, VocabularyError  # noqa: E402
from .export import export  # noqa: E402
from .ingest import IngestReport, Pipeline, ingest  # noqa: E402
from .query import QueryResult, run_query  # noqa: E402
from .store import Store  # noqa: E402
from .validate import ValidationReport, validate  # noqa: E402
from .view import write_map  # noqa: E402
from .vocabulary import Vocabulary  # noqa: E402

__all__ = [
    "KGError", "QueryError", "SourceError", "StoreError", "UsageError", "VocabularyError",
    "Store", "Vocabulary", "Pipeline", "IngestReport", "ingest", "run_query", "QueryResult",
    "export", "validate", "ValidationReport", "write_map",
]
