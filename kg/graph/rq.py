"""The SPARQL the tool runs itself, kept as ``.rq`` files in ``kg/graph/sparql/``.

:func:`text` reads one by name. A query that needs a list of predicates
writes an empty ``VALUES ?var { }`` block (valid SPARQL on its own) and the
caller passes the IRIs, which are checked and written into that block; no
other text is ever pasted into a query.

>>> "VALUES ?p { <https://schema.org/mentions> }" in text("network-statements", p=["https://schema.org/mentions"])
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kg import resources

_IRI = re.compile(r"[^\s<>\"{}|\\^`]+")


@lru_cache(maxsize=64)
def _read(name: str) -> str:
    return (resources.sparql_dir() / f"{name}.rq").read_text(encoding="utf-8")


def text(name: str, **values: Iterable[str]) -> str:
    """The query ``name``, with each ``VALUES ?var { }`` block named in ``values`` filled with those IRIs."""
    query = _read(name)
    for var, iris in values.items():
        listed = []
        for iri in iris:
            if not _IRI.fullmatch(iri):
                raise ValueError(f"not an IRI that can be written in a query: {iri!r}")
            listed.append(f"<{iri}>")
        empty = f"VALUES ?{var} {{ }}"
        if empty not in query:
            raise ValueError(f"the query {name} has no empty VALUES ?{var} block")
        query = query.replace(empty, f"VALUES ?{var} {{ {' '.join(listed)} }}")
    return query
