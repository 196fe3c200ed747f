"""Stored days: the first day of a document's issue and review dates, kept beside them as ``xsd:date``.

A document's ``dcterms:issued`` and ``kg:reviewDue`` are as precise as they were written (``xsd:gYear``,
``xsd:gYearMonth`` or ``xsd:date``). Beside each, the document's graph holds the day it starts on
(:func:`kg.ingest.dates.first_day`) as an ``xsd:date``: ``kg:issuedDay`` and ``kg:reviewDay``. Oxigraph
keeps an ``xsd:date`` inline, so the saved queries compare and sort the days without reading or padding
any text (docs/saved-queries-scale.md, sixth round). Days are written for the subjects typed
``kg:Document`` in the same graph only, so a query reading ``kg:issuedDay`` needs no type test.

Ingest writes them (:mod:`kg.ingest.triples`, through :func:`day_quads`). A store written before them
(format version 4) is given them when it is opened for writing, and by ``kg upgrade`` on any store
(:mod:`kg.graph.upgrade`, through :func:`add_missing_days`).

>>> import pyoxigraph as ox
>>> from kg.graph import namespaces as ns
>>> doc, g = ox.NamedNode("http://example.org/d"), ox.NamedNode("http://example.org/d")
>>> quads = [ox.Quad(doc, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.ONTOLOGY + "Document"), g),
...          ox.Quad(doc, ox.NamedNode(ns.ONTOLOGY + "reviewDue"), ox.Literal("2019-03", datatype=ox.NamedNode(ns.XSD + "gYearMonth")), g)]
>>> [(q.predicate.value.rsplit("#", 1)[-1], q.object.value) for q in day_quads(quads)]
[('reviewDay', '2019-03-01')]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.store import Store
from kg.ingest.dates import first_day

#: each date a document's graph may hold → the predicate of its first day, written beside it as xsd:date
DAY_OF = {ns.DCTERMS + "issued": ns.ONTOLOGY + "issuedDay", ns.ONTOLOGY + "reviewDue": ns.ONTOLOGY + "reviewDay"}
#: document graphs given their days in one write by :func:`add_missing_days`
BATCH_GRAPHS = 5_000

_DATE = ox.NamedNode(ns.XSD + "date")
_TYPE, _DOCUMENT = ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.ONTOLOGY + "Document")


def day_literal(written: str) -> ox.Literal | None:
    """The first day of a date written as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as an ``xsd:date``
    (None for text that is no such date).

    >>> day_literal("2018").value, day_literal("2018-09-06").value, day_literal("spring") is None
    ('2018-01-01', '2018-09-06', True)
    """
    day = first_day(written)
    try:
        return ox.Literal(_dt.date.fromisoformat(day).isoformat(), datatype=_DATE)
    except ValueError:
        return None


def day_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The day quads for the issue and review dates among one graph's ``quads`` whose subject the same
    quads type ``kg:Document``."""
    listed = list(quads)
    documents = {(q.subject, q.graph_name) for q in listed if q.predicate == _TYPE and q.object == _DOCUMENT}
    days = []
    for q in listed:
        predicate = DAY_OF.get(q.predicate.value)
        if predicate is None or (q.subject, q.graph_name) not in documents or not isinstance(q.object, ox.Literal):
            continue
        day = day_literal(q.object.value)
        if day is not None:
            days.append(ox.Quad(q.subject, ox.NamedNode(predicate), day, q.graph_name))
    return days


def missing_days(store: Store) -> dict[str, list[ox.Quad]]:
    """Document graph → the day quads it lacks (one query: every issue and review date without its day)."""
    found: dict[str, list[ox.Quad]] = {}
    for row in store.oxigraph.query(rq.text("days-missing"), prefixes=ns.prefixes(store.base)):  # type: ignore[union-attr]
        graph, document, predicate, written = row["g"], row["document"], row["dated"], row["written"]
        if not isinstance(graph, ox.NamedNode) or written is None or predicate is None:
            continue
        day = day_literal(written.value)
        if day is not None:
            found.setdefault(graph.value, []).append(
                ox.Quad(document, ox.NamedNode(DAY_OF[predicate.value]), day, graph)
            )
    return found


def add_missing_days(store: Store) -> int:
    """Write every day the store's document graphs lack, :data:`BATCH_GRAPHS` graphs a write (each write
    adds to the graphs and to the union default graph); the number of days written. Safe to repeat: a
    day already there is not looked for again."""
    missing = list(missing_days(store).items())
    for start in range(0, len(missing), BATCH_GRAPHS):
        store.add_to_graphs(missing[start : start + BATCH_GRAPHS])
    return sum(len(quads) for _, quads in missing)
