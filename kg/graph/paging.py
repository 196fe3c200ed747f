"""Saved queries a page at a time: the one place a page's ``LIMIT`` and ``OFFSET`` are written into a query.

A saved query whose header says ``# page: N`` answers N rows at a time (:mod:`kg.graph.saved`); the page
is written into the SPARQL text itself, so the query workers, a remote store and raw pyoxigraph run the
same text. See docs/saved-queries-scale.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from kg.errors import UsageError

if TYPE_CHECKING:
    from kg.graph.saved import SavedQuery

PAGE_MARKER = "#PAGE"  #: a body line replaced by the page's LIMIT and OFFSET (else they go at the end)
#: a body line replaced by a LIMIT of every row up to the page's end (offset + limit, and the probe's row), or
#: by nothing for every row: a subquery that picks the rows the page can come from (the first M+N by a cheap
#: key, ties of the last kept by the query itself) before the page is cut at the end
THROUGH_MARKER = "#THROUGH"
#: a line that ends with ``#IF ?name`` is left out when the optional parameter ``name`` is empty: it may only
#: narrow what an empty parameter narrows anyway (``{ SELECT ?s WHERE { ?s rdf:predicate ?predicate } }``:
#: every statement has one), so the query means the same with the line or without it, and without it no
#: index is read in full to match "anything"
IF_MARKER = re.compile(r"#IF\s+[?$]([A-Za-z_][A-Za-z0-9_]*)\s*$")
MAX_PAGE = 100_000  #: the largest limit or offset a page may be given


def _shown(value: str) -> str:
    from kg.graph.saved import _shown as shown

    return shown(value)


def _without_comments(text: str) -> str:
    from kg.graph.saved import _strip_comments

    return _strip_comments(text)


def page_options(query: SavedQuery, limit: int | str | None = None, offset: int | str | None = None) -> tuple[int, int]:
    """The page asked for: ``limit`` (None or empty: the query's ``# page:``; 0: all) and ``offset``
    (None or empty: 0), checked; a value that is not a whole number from 0 raises :class:`UsageError`.

    >>> from kg.graph.saved import SavedQuery
    >>> page_options(SavedQuery("q", "Q", "", page=100), None, "200")
    (100, 200)
    """

    def whole(name: str, value: int | str | None, default: int) -> int:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        text = str(value).strip()
        if not text.isdigit() or not text.isascii() or int(text) > MAX_PAGE:
            raise UsageError(f"{name} must be a whole number from 0 to {MAX_PAGE:,}, not '{_shown(text)}'")
        return int(text)

    return whole("limit", limit, query.page), whole("offset", offset, 0)


_ENDS_WITH_SLICE = re.compile(r"\b(?:LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)


def given_sparql(query: SavedQuery, given: Collection[str]) -> str:
    r"""The query's text without its lines marked ``#IF ?name`` for a parameter not in ``given`` (the names
    of the parameters that have values).

    >>> from kg.graph.saved import SavedQuery
    >>> text = "SELECT ?s WHERE {\n?s ?p ?o .\n?s <http://x/y> ?y .  #IF ?y\n}"
    >>> given_sparql(SavedQuery("q", "Q", "", sparql=text), {"y"}) == text
    True
    >>> given_sparql(SavedQuery("q", "Q", "", sparql=text), set())
    'SELECT ?s WHERE {\n?s ?p ?o .\n}'
    """
    lines = query.sparql.splitlines()
    kept = [line for line in lines if (m := IF_MARKER.search(line)) is None or m.group(1) in given]
    return query.sparql if len(kept) == len(lines) else "\n".join(kept)


def paged_sparql(
    query: SavedQuery, limit: int, offset: int = 0, probe: bool = True, given: Collection[str] | None = None
) -> str:
    r"""The query's text with the page's ``LIMIT`` and ``OFFSET`` written in: in place of each ``#PAGE``
    line if there are any (a query may pick its page twice, in two subqueries), else at the end (a query that ends with its own ``LIMIT`` is wrapped in a
    subquery first); each ``#THROUGH`` line becomes ``LIMIT offset+limit+1`` (nothing for every row). ``probe`` asks for one row more than the page, to tell whether another page
    follows (:func:`kg.graph.saved.run_saved` drops it). A limit of 0 with no offset leaves the text as it is.
    ``given``: the names of the parameters that have values (lines marked ``#IF`` for the others are left
    out, :func:`given_sparql`); None keeps every line.

    >>> from kg.graph.saved import SavedQuery
    >>> paged_sparql(SavedQuery("q", "Q", "", sparql="SELECT ?s WHERE { ?s ?p ?o }"), 10, 20)
    'SELECT ?s WHERE { ?s ?p ?o }\nLIMIT 11 OFFSET 20\n'
    >>> paged_sparql(SavedQuery("q", "Q", "", sparql="SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o\n#THROUGH\n} }"), 10, 20)
    'SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o\nLIMIT 31\n} }\nLIMIT 11 OFFSET 20\n'
    """
    if given is not None:
        query = dataclasses.replace(query, sparql=given_sparql(query, given))
    if not limit and not offset:
        return query.sparql
    slice_ = (f"LIMIT {limit + 1 if probe else limit} " if limit else "") + f"OFFSET {offset}"
    through = f"LIMIT {offset + limit + (1 if probe else 0)}" if limit else ""
    lines = [through if line.strip() == THROUGH_MARKER else line for line in query.sparql.splitlines()]
    if any(line.strip() == PAGE_MARKER for line in lines):
        return "\n".join(slice_ if line.strip() == PAGE_MARKER else line for line in lines) + "\n"
    text = "\n".join(lines)
    if _ENDS_WITH_SLICE.search(_without_comments(text)):
        return f"SELECT * WHERE {{\n{{\n{text}\n}}\n}}\n{slice_}\n"
    return f"{text.rstrip()}\n{slice_}\n"
