"""Values bound into a query's text, as pyoxigraph's ``substitutions`` would bind them.

:func:`bind_values` writes each bound value into the WHERE clause as a term (quoted and escaped by pyoxigraph,
never pasted from user text) and binds the variable for the projection with an inline ``VALUES``. A SPARQL
server takes only text, so a remote store gets that text; the local store gets it too
(:func:`as_constants`, used by :func:`kg.graph.query.run_query` and the query workers), because Oxigraph
plans a constant written in the text (an index lookup) but not a variable bound by ``substitutions``
(docs/saved-queries-scale.md: 190 ms against 0.2 ms for one pattern).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg.graph.sparqlhttp import _FORM, _blank, query_form


def bind_values(sparql: str, bound: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]) -> str:
    """The query with ``bound`` variables given their values, as pyoxigraph's ``substitutions`` do.

    Inside the WHERE clause each bound variable is replaced by its value (so a nested OPTIONAL sees the
    constant, not a variable joined afterwards), and an inline ``VALUES`` at the start of the clause binds
    the variable itself for the projection, GROUP BY, ORDER BY and a CONSTRUCT template. Values are written
    by pyoxigraph as terms (quoted, escaped), never pasted as text.
    """
    if not bound:
        return sparql
    text = _blank(sparql)
    start = _where_brace(text, query_form(sparql))
    if start is None:
        raise SyntaxError("the query has no WHERE clause to bind values in")
    end = _matching(text, start)
    terms = {name: str(term) for name, term in bound.items()}
    body = _substitute(sparql[start + 1 : end], text[start + 1 : end], terms)
    names = " ".join(f"?{name}" for name in terms)
    values = " ".join(terms.values())
    return f"{sparql[: start + 1]} VALUES ({names}) {{ ({values}) }} {body}{sparql[end:]}"


Bound = Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


def as_constants(
    sparql: str, bound: Bound
) -> tuple[str, dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]:
    """The query with ``bound`` written in as constants (:func:`bind_values`), and what is left to bind as
    ``substitutions``: nothing, unless the query has no WHERE group to write them in (then all of them).

    >>> text, left = as_constants("SELECT ?e WHERE { ?d <http://schema.org/mentions> ?e }", {"e": ox.Literal("x")})
    >>> text, left
    ('SELECT ?e WHERE { VALUES (?e) { ("x") }  ?d <http://schema.org/mentions> "x" }', {})
    """
    if not bound:
        return sparql, {}
    try:
        return bind_values(sparql, bound), {}
    except SyntaxError:  # no WHERE group (or unbalanced braces): pyoxigraph binds them, or names the mistake
        return sparql, dict(bound)


_TOKEN = re.compile(
    r"(?<![?$\w:])BOUND\s*\(\s*[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)\s*\)"  # 1: BOUND(?v)
    r"|[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)"  # 2: a variable
    r"|(?<![?$\w:])(SELECT)\b"  # 3
    r"|(?<![?$\w:])((?:GROUP|ORDER)\s+BY)\b"  # 4: a subquery's solution modifiers
    r"|[{}()]",
    re.IGNORECASE,
)


def _substitute(original: str, blanked: str, terms: Mapping[str, str]) -> str:
    """Bound variables of a WHERE clause replaced by their values; in a subquery's projection a bare
    variable becomes ``(value AS ?variable)``, in its GROUP BY or ORDER BY ``(value)``, and ``BOUND(?v)``
    of a bound variable ``true`` (a value is not a variable, and those places take only variables bare)."""
    out, last = [], 0
    projection, depth, modifier = False, 0, False
    for match in _TOKEN.finditer(blanked):
        token = match.group(0)
        if match.group(1) is not None:
            if match.group(1) in terms:
                out += [original[last : match.start()], "true"]
                last = match.end()
            continue
        if match.group(3):
            projection, depth, modifier = True, 0, False
        elif match.group(4):
            modifier = True
        elif token in "{}":
            projection = modifier = False
        elif projection and token == "(":
            depth += 1
        elif projection and token == ")":
            depth -= 1
        elif match.group(2) in terms:
            value = terms[match.group(2)]
            if projection and depth == 0:
                value = f"({value} AS {token})"
            elif modifier:
                value = f"({value})"
            out += [original[last : match.start()], value]
            last = match.end()
    return "".join(out) + original[last:]


def _matching(text: str, start: int) -> int:
    """The offset of the ``}`` that closes the ``{`` at ``start`` (blanked text)."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise SyntaxError("the query's braces are not balanced")


def _where_brace(text: str, form: str) -> int | None:
    """The offset of the ``{`` that opens the query's WHERE group, in blanked text."""
    depth, groups = 0, 0
    skip_template = form == "CONSTRUCT" and not re.match(r"\s*WHERE\b", text[_FORM.search(text).end() :], re.I)  # type: ignore[union-attr]
    for index, char in enumerate(text):
        if char == "{":
            if depth == 0:
                if skip_template and groups == 0:
                    groups += 1
                else:
                    return index
            depth += 1
        elif char == "}":
            depth -= 1
    return None
