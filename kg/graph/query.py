"""Stage 6a, query: run SPARQL over the store and shape the results for people and programs.

Queries see the union of all graphs as their default graph, so a short
query needs no GRAPH clause, and the standard prefixes (dcterms, skos,
schema, prov, org, oa, xsd, kg ...) are declared for the user.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from kg.errors import QueryError, UsageError
from kg.graph import OUTPUT_FORMATS, sparqlguard
from kg.graph import namespaces as ns
from kg.graph.binding import as_constants
from kg.graph.store import Store
from kg.graph.syntax import explain
from kg.graph.worker import dataset_options


@dataclass
class QueryResult:
    """A SELECT table, an ASK answer or a CONSTRUCT/DESCRIBE graph."""

    kind: str  #: "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    note: str = ""  #: a sentence about how the result was found (e.g. a saved query run the other way round)
    limit: int = 0  #: a saved query's page: at most this many rows (0: the whole answer) ...
    offset: int = 0  #: ... after skipping this many
    more: bool = False  #: another page follows

    @property
    def total(self) -> int | None:
        """How many rows the whole answer has, when this page shows it (the last page); else None."""
        return None if self.more or (self.offset and not self.rows) else self.offset + len(self.rows)


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def run_query(store: Store, sparql: str, substitutions: Mapping[str, Term] | None = None) -> QueryResult:
    """Run a SPARQL query; ``substitutions`` binds variables to values safely: each is written into the text
    as a term by :func:`kg.graph.binding.as_constants` (quoted and escaped, never the user's text), so that
    Oxigraph plans it as a constant."""
    answer = _answer(store, sparql, substitutions)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [[solution[v] for v in variables] for solution in answer]
        return QueryResult("select", variables=variables, rows=rows)
    return QueryResult("graph", triples=list(answer))


def stream_rows(
    store: Store, sparql: str, substitutions: Mapping[str, Term] | None = None
) -> Iterator[tuple[Term | None, ...]]:
    """The rows of a SELECT query one at a time, as tuples in the order of its variables, as the store
    gives them: a reader that keeps only what it needs of each row holds one row at a time, not the whole
    answer (:func:`run_query`'s ``rows``). The query is checked and run before the first row is asked for.

    >>> import tempfile
    >>> rows = stream_rows(Store(tempfile.mkdtemp()), "SELECT ?n ?m WHERE { VALUES ?n { 1 2 } }")
    >>> [(row[0].value, row[1]) for row in rows]
    [('1', None), ('2', None)]
    """
    answer = _answer(store, sparql, substitutions)
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError("only a SELECT query gives rows")
    return (tuple(solution) for solution in answer)


def _answer(
    store: Store, sparql: str, substitutions: Mapping[str, Term] | None
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        sparqlguard.check(sparql)  # never a connection to another endpoint, here as in the server's workers
    except sparqlguard.Refused as exc:
        raise QueryError(str(exc)) from None
    text, left = as_constants(sparql, {k.lstrip("?$"): v for k, v in (substitutions or {}).items()})
    bound = {ox.Variable(k): v for k, v in left.items()}
    try:
        answer = store.oxigraph.query(
            text, prefixes=ns.prefixes(store.base), substitutions=bound or None, **dataset_options(sparql)
        )
    except SyntaxError as exc:
        raise QueryError(
            f"the SPARQL query is not valid: {explain(sparql, str(exc), ns.prefixes(store.base))}"
        ) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the query failed: {exc}") from None
    return answer


def display(term: object, base: str | None = None) -> str:
    """A term as a person reads it: prefixed IRIs, plain literal values, empty for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        value = term.value
        for prefix, iri in _longest_first(base or ns.base_iri()):
            if value.startswith(iri) and len(value) > len(iri):
                return f"{prefix}:{value[len(iri) :]}"
        return value
    return str(term)


@lru_cache(maxsize=8)
def _longest_first(base: str) -> tuple[tuple[str, str], ...]:
    """The prefixes, longest namespace first, worked out once per base (not once per cell of a table)."""
    return tuple(sorted(ns.prefixes(base).items(), key=lambda p: -len(p[1])))


def _raw(term: object) -> str:
    if term is None:
        return ""
    return term.value if isinstance(term, (ox.Literal, ox.NamedNode)) else str(term)


def to_text(result: QueryResult, fmt: str, base: str | None = None) -> str:
    """Results as CSV, TSV or JSON text (``table`` is drawn by the CLI)."""
    if fmt not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format '{fmt}': choose one of {', '.join(OUTPUT_FORMATS)}")
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else ("true" if result.boolean else "false")
    if result.kind == "graph":
        graph = io.BytesIO()
        ox.serialize(result.triples, graph, ox.RdfFormat.N_TRIPLES)
        return graph.getvalue().decode("utf-8")
    if fmt == "json":
        return json.dumps(
            [{v: _raw(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows],
            indent=2,
            ensure_ascii=False,
        )
    if fmt == "tsv":
        clean = [[_raw(t).replace("\t", " ").replace("\n", " ") for t in row] for row in result.rows]
        return "\n".join(["\t".join(result.variables), *("\t".join(r) for r in clean)]) + "\n"
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.variables)
    writer.writerows([[_raw(t) for t in row] for row in result.rows])
    return out.getvalue()
