"""Where the files the tool reads live: inside the installed package, or a library's own edited copies.

Every folder of data a librarian may edit ships inside the package (so a
pip-installed ``kg`` runs anywhere) and can be pointed elsewhere by one
environment variable:

=====================  =========================================  ==============================
setting                what                                       default (inside the package)
=====================  =========================================  ==============================
``KG_ONTOLOGY_DIR``    ``kg.ttl``, ``shapes.ttl``, ``vocabulary/``  ``kg/graph/ontology/``
``KG_DATA_DIR``        ``patterns/``, ``parsing/`` (TOML)          ``kg/ingest/data/``
``KG_QUERIES_DIR``     the saved queries (``.rq``)                 ``kg/graph/queries/``
``KG_TEMPLATES_DIR``   the site's page templates (Jinja2)          ``kg/web/templates/``
=====================  =========================================  ==============================

>>> (ontology_dir() / "kg.ttl").is_file()
True
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path


@lru_cache(maxsize=256)
def package_dir(package: str, *parts: str) -> Path:
    """A folder shipped inside ``package`` (``kg.graph``, ``kg.web`` ...), as a file-system path.

    Kept once found: where a package is installed does not change while a process runs, and
    ``importlib.resources`` takes tens of microseconds a call (the map asked once per edge).
    """
    return Path(str(files(package).joinpath(*parts)))


def _setting(name: str, package: str, *parts: str) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else package_dir(package, *parts)


def ontology_dir() -> Path:
    """The ontology, shapes and vocabulary files (``KG_ONTOLOGY_DIR`` overrides)."""
    return _setting("KG_ONTOLOGY_DIR", "kg.graph", "ontology")


def data_dir() -> Path:
    """Extraction patterns and parsing rules (``KG_DATA_DIR`` overrides)."""
    return _setting("KG_DATA_DIR", "kg.ingest", "data")


def queries_dir() -> Path:
    """The saved queries (``KG_QUERIES_DIR`` overrides)."""
    return _setting("KG_QUERIES_DIR", "kg.graph", "queries")


def templates_dir() -> Path:
    """The site's Jinja2 templates (``KG_TEMPLATES_DIR`` overrides)."""
    return _setting("KG_TEMPLATES_DIR", "kg.web", "templates")


def sparql_dir() -> Path:
    """The SPARQL the tool runs itself (not meant to be edited)."""
    return package_dir("kg.graph", "sparql")


def web_dir(*parts: str) -> Path:
    """Static files of the site and the query page, and the vendored scripts."""
    return package_dir("kg.web", *parts)
