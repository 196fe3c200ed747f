"""kg.graph.query.stream_rows: a SELECT's rows one at a time, as run_query would list them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.graph.query import run_query, stream_rows

DOCS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?doc ?title ?issued WHERE {
  ?doc dcterms:title ?title .
  OPTIONAL { ?doc dcterms:issued ?issued }
} ORDER BY ?doc
"""


def test_the_rows_are_run_querys_rows_as_tuples_in_the_same_order(sample_store):
    listed = run_query(sample_store, DOCS)
    streamed = stream_rows(sample_store, DOCS)
    assert iter(streamed) is streamed  # an iterator, not a list made before the first row
    rows = list(streamed)
    assert len(rows) >= 5
    assert rows == [tuple(row) for row in listed.rows]
    assert all(len(row) == len(listed.variables) for row in rows)


def test_an_unbound_variable_is_none_and_substitutions_bind():
    import tempfile

    from kg.graph.store import Store

    with Store(tempfile.mkdtemp()) as store:
        rows = list(stream_rows(store, "SELECT ?n ?m ?k WHERE { VALUES ?n { 1 2 } }", {"k": ox.Literal("x")}))
    assert [(n.value, m, k) for n, m, k in rows] == [("1", None, ox.Literal("x")), ("2", None, ox.Literal("x"))]


def test_only_a_select_gives_rows_and_the_guard_refuses_before_any_row(sample_store):
    with pytest.raises(QueryError, match="only a SELECT"):
        stream_rows(sample_store, "ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="only a SELECT"):
        stream_rows(sample_store, "CONSTRUCT WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError):  # raised by the call itself: nothing has been iterated yet
        stream_rows(sample_store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match="not valid"):
        stream_rows(sample_store, "SELECT ?s WHERE { ?s ")
