"""Bringing a store written by an older kg up to date, without ingesting its documents again.

What each format version lacks (:data:`kg.graph.store.FORMAT_VERSION`): version 4, the documents' stored
days (:mod:`kg.graph.days`); versions 4 and 5, each entity's number of documents
(:mod:`kg.graph.mentioncounts`). :class:`kg.graph.store.Store` runs :func:`upgrade` when it opens such a
store for writing, and ``kg upgrade`` runs :func:`bring_up_to_date` on any store, a SPARQL server's too
(which records no version). Each step is safe to repeat: what is there already is not written again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import StoreError
from kg.graph.store import Store, record_version

#: what a store of each version that can be upgraded lacks, in the sentence that refuses it read-only
LACKS = {4: "the documents' stored days and each entity's document count", 5: "each entity's document count"}


@dataclass(frozen=True)
class Upgrade:
    days: int  #: days written (kg.graph.days)
    counts: int  #: entities whose document count was written (kg.graph.mentioncounts)


def bring_up_to_date(store: Store) -> Upgrade:
    """Every day the store lacks, its ontology and vocabulary graphs as this kg's files have them (if they
    differ: an older store has no definition of the newer properties until an ingest writes them), and
    every entity's document count; what ``kg upgrade`` runs on any store."""
    from kg.graph.days import add_missing_days
    from kg.graph.mentioncounts import clear_pending, recount
    from kg.ingest.vocabulary import Vocabulary

    days = add_missing_days(store)
    store.load_vocabulary(Vocabulary(base=store.base))
    counts = recount(store)
    clear_pending(store)
    return Upgrade(days, counts)


def upgrade(store: Store, version: int) -> Upgrade:
    """Bring a directory store of an older ``version`` up to date, then record this kg's version; what was
    written. Opened read-only, such a store is refused in one sentence."""
    if store.read_only:
        raise StoreError(
            f"the store at {store.location} has format version {version}, without {LACKS.get(version, 'what this kg writes')}: "
            f"run 'kg upgrade --store {store.location}' once to add them"
        )
    done = bring_up_to_date(store)
    record_version(Path(store.location), replace=True)
    return done
