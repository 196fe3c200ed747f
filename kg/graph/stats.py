"""What ``kg stats`` counts, in a librarian's terms: documents, entities, relations, review dates, the last ingest.

Every count is a query of ``kg/graph/sparql/`` (``stats-*.rq``) over the document graphs, so a triple
kept in several graphs is counted once. The RDF sizes (quads, graphs, triples by type) are
:meth:`kg.graph.store.Store.stats`, which ``kg stats --rdf`` adds.

A review date written as a month or a year counts from its first day (as the saved query
``due-for-review`` reads it): "2026-12" is due on 1 December 2026.

>>> first_day("2026"), first_day("2026-12"), first_day("2026-12-24")
('2026-01-01', '2026-12-01', '2026-12-24')
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import Any

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.predicates import link_predicates, name_of
from kg.graph.store import Store
from kg.ingest.dates import first_day


@dataclass(frozen=True)
class Count:
    """One line of a count: what is counted (a name a person reads), its IRI if it has one, how many."""

    label: str
    count: int
    iri: str | None = None
    mentioned: int | None = None  #: for entities: how many of them some document mentions


@dataclass
class LibraryStats:
    """The counts ``kg stats`` prints."""

    documents: int
    by_type: list[Count]
    by_publisher: list[Count]
    undated: int
    with_review_date: int
    due_this_month: int  #: review date from today to the end of this month
    overdue: int  #: review date before today
    entities: list[Count]
    relations: list[Count]
    last_ingest: str | None  #: xsd:dateTime of the latest ingest, as stored
    today: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The counts as JSON data (``kg stats -f json``)."""
        return asdict(self)


def _rows(store: Store, name: str, **values: list[str]) -> list[dict[str, str]]:
    answer = store.oxigraph.query(rq.text(name, **values), prefixes=ns.prefixes(store.base))
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"the internal query {name} is not a SELECT")
    names = [v.value for v in answer.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in answer]


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def library_stats(store: Store, today: _dt.date | None = None) -> LibraryStats:
    """Count the store's holdings; ``today`` decides what is overdue and what falls due this month."""
    day = (today or _dt.date.today()).isoformat()
    month_end = day[:7] + "-31"  # compared as text: every day of this month is at most this
    by_type = [
        Count(r.get("label") or _local(r["type"]), int(r["n"]), r["type"]) for r in _rows(store, "stats-document-types")
    ]
    dates = _rows(store, "stats-document-dates")
    by_publisher = [
        Count(r.get("label") or _local(r["publisher"]), int(r["n"]), r["publisher"])
        for r in _rows(store, "stats-document-publishers")
    ]
    unnamed = sum(1 for r in dates if "publishedBy" not in r)
    if unnamed:
        by_publisher.append(Count("(no publisher named)", unnamed))
    due = [first_day(r["reviewDue"]) for r in dates if "reviewDue" in r]
    mentioned = {r["type"]: int(r["n"]) for r in _rows(store, "stats-entity-kinds-mentioned")}
    entities = [
        Count(r.get("label") or _local(r["type"]), int(r["n"]), r["type"], mentioned.get(r["type"], 0))
        for r in _rows(store, "stats-entity-kinds")
        if r["type"].startswith(ns.ONTOLOGY)
    ]
    relations_table = link_predicates()
    relations = sorted(
        (
            Count(relations_table[r["p"]].reads_as or name_of(r["p"]), int(r["n"]), r["p"])
            for r in _rows(store, "stats-relations", p=sorted(relations_table))
            if int(r["n"])
        ),
        key=lambda c: (-c.count, c.label),
    )
    last = _rows(store, "stats-last-ingest")
    return LibraryStats(
        documents=len(dates),
        by_type=by_type,
        by_publisher=by_publisher,
        undated=sum(1 for r in dates if "issuedOn" not in r),
        with_review_date=len(due),
        due_this_month=sum(1 for d in due if day <= d <= month_end),
        overdue=sum(1 for d in due if d < day),
        entities=entities,
        relations=relations,
        last_ingest=last[0].get("last") if last else None,
        today=day,
    )
