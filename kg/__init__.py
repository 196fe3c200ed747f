"""A knowledge graph of English health-policy entities.

The package follows the flow of data:

* :mod:`kg.ingest` reads, parses and extracts (sources → parse → extract and
  relations → triples), and :mod:`kg.ingest.flow` runs those stages into a store;
* :mod:`kg.graph` is the RDF side, the only one that talks to pyoxigraph or
  holds SPARQL: store, query, saved queries, search, export, validate, and the
  ontology, vocabulary and queries as files;
* :mod:`kg.web` publishes: the read model of the map and pages, the offline
  site and the HTTP server;
* :mod:`kg.cli` is the command line over all of them.

The names below are resolved on first use, so ``import kg`` is cheap:

>>> import kg
>>> kg.Store.__name__
'Store'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

#: Public name → the module that defines it.
_EXPORTS = {
    "KGError": "kg.errors",
    "QueryError": "kg.errors",
    "SourceError": "kg.errors",
    "StoreError": "kg.errors",
    "UsageError": "kg.errors",
    "VocabularyError": "kg.errors",
    "Store": "kg.graph.store",
    "run_query": "kg.graph.query",
    "QueryResult": "kg.graph.query",
    "SavedQuery": "kg.graph.saved",
    "load_saved": "kg.graph.saved",
    "run_saved": "kg.graph.saved",
    "SearchIndex": "kg.graph.search",
    "export": "kg.graph.export",
    "validate": "kg.graph.validate",
    "ValidationReport": "kg.graph.validate",
    "Vocabulary": "kg.ingest.vocabulary",
    "Pipeline": "kg.ingest.flow",
    "IngestReport": "kg.ingest.flow",
    "write_map": "kg.web.mapview",
    "build_site": "kg.web.site",
    "create_app": "kg.web.server",
    "serve": "kg.web.server",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from kg.errors import KGError, QueryError, SourceError, StoreError, UsageError, VocabularyError
    from kg.graph.export import export
    from kg.graph.query import QueryResult, run_query
    from kg.graph.saved import SavedQuery, load_saved, run_saved
    from kg.graph.search import SearchIndex
    from kg.graph.store import Store
    from kg.graph.validate import ValidationReport, validate
    from kg.ingest.flow import IngestReport, Pipeline
    from kg.ingest.vocabulary import Vocabulary
    from kg.web.mapview import write_map
    from kg.web.server import create_app, serve
    from kg.web.site import build_site
