"""Which named graphs ``GRAPH ?g`` ranges over on a SPARQL server, written into the query instead of sent.

On the embedded store a query's named graphs are the graphs kg wrote: the documents' graphs, the ontology's
and the vocabulary's, all with IRIs under the store's base. A server holds more: the union copy graph kg
keeps on Virtuoso (``<KG_BASE>graph/union``), Virtuoso's own system graphs, and whatever else shares the
server. Sending every graph kg wrote as a ``named-graph-uri`` grows each request with the store, and
Virtuoso turns the list into one ``IN (…)`` that it refuses beyond about 10,000 graphs ("SP030 Too many
arguments"). So :func:`scope_graphs` sends no list; it wraps each ``GRAPH`` pattern of the query in a group
with a filter that keeps only kg's graphs::

    GRAPH ?d { P }   becomes   { GRAPH ?d { P } FILTER(STRSTARTS(STR(?d), "<base>") && ?d != <union>) }

which gives the same solutions as the embedded store whatever the number of graphs: the filter is on a
variable the ``GRAPH`` pattern always binds, so applying it in the new group or after the join with the
rest of the query is the same. What the servers do with the dataset (tried on Oxigraph server 0.4 and
Virtuoso 7.2 with 12,000 graphs):

* Oxigraph server, no dataset sent: the default graph is its own (kg's union), ``GRAPH`` reads every
  named graph. ``GRAPH <iri>`` of one of kg's graphs is left as it is; any other constant gets the filter.
* Virtuoso with ``default-graph-uri`` the union graph and no ``named-graph-uri``: ``GRAPH ?g`` reads every
  graph it holds (the union and system graphs too: the filter takes them out), but ``GRAPH <iri>`` reads
  nothing. So a query whose ``GRAPH`` patterns all name IRIs is sent with those of kg as ``named-graph-uri``
  (a list as long as the query's text) and not rewritten; in a query that also has ``GRAPH ?g``, a constant
  graph becomes a variable of its own, inside a subquery that projects only the pattern's variables.

The text is searched with strings, comments and IRIs blanked (:func:`kg.graph.sparqlhttp._blank`), so a
``GRAPH`` in a literal is not touched.

>>> text, named = scope_graphs("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "https://b/", "https://b/u")
>>> print(text, named)
SELECT * WHERE { { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://b/") && ?g != <https://b/u>) } } []
>>> scope_graphs('ASK { GRAPH <https://b/d1> { ?s ?p "GRAPH ?x {" } GRAPH <http://other/> {} }', "https://b/", "https://b/u")
('ASK { GRAPH <https://b/d1> { ?s ?p "GRAPH ?x {" } GRAPH <http://other/> {} }', ['https://b/d1'])
>>> print(scope_graphs("ASK { GRAPH <http://other/g> { ?s ?p ?o } }", "https://b/", None)[0])
ASK { { GRAPH <http://other/g> { ?s ?p ?o } FILTER(STRSTARTS(STR(<http://other/g>), "https://b/")) } }
>>> print(scope_graphs("SELECT * { GRAPH ?g {} GRAPH <https://b/d1> { ?s ?p ?o } }", "https://b/", "https://b/u")[0])
SELECT * { { GRAPH ?g {} FILTER(STRSTARTS(STR(?g), "https://b/") && ?g != <https://b/u>) } { SELECT ?o ?p ?s WHERE { GRAPH ?kg_graph_2 { ?s ?p ?o } FILTER(?kg_graph_2 = <https://b/d1> && STRSTARTS(STR(?kg_graph_2), "https://b/") && ?kg_graph_2 != <https://b/u>) } } }
"""

from __future__ import annotations

import re

from kg.graph.binding import _matching
from kg.graph.sparqlhttp import _GRAPH, _blank, _escape


def scope_graphs(sparql: str, base: str, union: str | None) -> tuple[str, list[str]]:
    """The query with each ``GRAPH term { … }`` limited to kg's graphs (IRIs under ``base``, other than
    ``union``, the graph of the union copy; None when that is the server's default graph), and the graphs
    to send as ``named-graph-uri`` (none, or those the query names, never a list that grows with the store).
    """
    text = _blank(sparql)
    patterns = []  # (start, end of the term, end, term) of each GRAPH pattern
    for match in _GRAPH.finditer(text):
        brace = match.end()
        while brace < len(text) and text[brace].isspace():
            brace += 1
        if brace < len(text) and text[brace] == "{":  # else not a graph pattern: nothing to scope
            patterns.append((match.start(), match.end(1), _matching(text, brace) + 1, match.group(1)))
    named: list[str] = []
    if union is not None and all(_is_iri(term) for _, _, _, term in patterns):
        # Virtuoso reads GRAPH <iri> beside a default-graph-uri only from the named-graph-uri given, and
        # GRAPH ?g from every graph it holds: naming only the query's own IRIs is enough here
        named = sorted({term[1:-1] for _, _, _, term in patterns if _kept(term[1:-1], base, union)})
        return sparql, named
    inserts: list[tuple[int, int, str]] = []  # (offset, 0 closing / 1 opening, text)
    for number, (begin, term_end, end, term) in enumerate(patterns, 1):
        if union is None and _is_iri(term) and _kept(term[1:-1], base, union):
            continue
        if union is not None and not term.startswith(("?", "$")):
            # beside GRAPH ?g a named graph cannot be sent (it would be all GRAPH ?g reads): the constant
            # becomes a variable of a subquery that projects only the pattern's own variables
            hidden = f"?kg_graph_{number}"
            inner = sorted(set(_VARIABLE.findall(text[begin:end])))
            opening = f"{{ SELECT {' '.join('?' + v for v in inner) or '*'} WHERE {{ GRAPH {hidden}"
            inserts += [(begin, 1, opening), (term_end, 2, "")]
            inserts += [(end, 0, f" FILTER({hidden} = {term} && {_test(hidden, base, union)}) }} }}")]
            continue
        inserts += [(begin, 1, "{ "), (end, 0, f" FILTER({_test(term, base, union)}) }}")]
    return _apply(sparql, inserts), named


_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)")


def _apply(sparql: str, inserts: list[tuple[int, int, str]]) -> str:
    """``sparql`` with each text inserted at its offset; kind 2 drops the text from the previous insert's
    offset to its own (the constant of a GRAPH pattern replaced by a variable)."""
    out, last = [], 0
    for offset, kind, piece in sorted(inserts):  # at one offset a group closes before the next one opens
        if kind == 2:
            last = offset
            continue
        out += [sparql[last:offset], piece]
        last = offset
    return "".join(out) + sparql[last:]


def _test(term: str, base: str, union: str | None) -> str:
    return f'STRSTARTS(STR({term}), "{_escape(base)}")' + (f" && {term} != <{union}>" if union else "")


def _is_iri(term: str) -> bool:
    return term.startswith("<")


def _kept(iri: str, base: str, union: str | None) -> bool:
    return iri.startswith(base) and iri != union
