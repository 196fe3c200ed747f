"""Keyword search over documents and entities: a SQLite FTS5 index beside the store.

The index (``search.sqlite`` in the store directory) holds each document's
title and text and each entity's labels and definition. ``kg ingest``
updates it with every document it writes, so it stays in step with the
store. Searching understands the domain: a query that names an entity by
acronym or long form searches for all its names, and a renamed model also
offers its successor and predecessor. Case and accents do not matter
(unicode61 tokenizer with diacritics removed).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kg.errors import StoreError
from kg.graph.predicates import lineage_predicates
from kg.graph.terms import NamedNode
from kg.ingest.labels import norm
from kg.ingest.vocabulary import Vocabulary

INDEX_NAME = "search.sqlite"
_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5(
    iri UNINDEXED, kind UNINDEXED, title, labels, body,
    tokenize = 'unicode61 remove_diacritics 2'
)"""


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str  #: "document" or "entity"
    title: str
    snippet: str
    score: float


@dataclass
class SearchResult:
    query: str
    expanded: list[str]  #: every name searched for
    hits: list[Hit]
    see_also: list[tuple[str, str, str]]  #: (relation, label, IRI): successors and predecessors


class SearchIndex:
    """The FTS5 index of one store directory."""

    def __init__(self, store_location: str | Path, rebuild_if_damaged: bool = False):
        """Open (or create) the index; a damaged one raises :class:`StoreError`, or with ``rebuild_if_damaged``
        (``kg ingest``) is set aside as ``search.sqlite.damaged`` and started afresh: every document the
        ingest reads is indexed again, and :attr:`rebuilt` says so."""
        self.path = Path(store_location) / INDEX_NAME
        self.rebuilt = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open()
        except sqlite3.DatabaseError as exc:
            if not rebuild_if_damaged:
                raise StoreError(
                    f"the search index {self.path} is damaged ({exc}): run 'kg ingest' again to rebuild it"
                ) from None
            self.path.replace(self.path.with_name(INDEX_NAME + ".damaged"))
            self.db = self._open()
            self.rebuilt = True
        except OSError as exc:
            raise StoreError(f"cannot open the search index {self.path}: {exc}") from None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            db.execute(_SCHEMA)
            db.execute("SELECT count(*) FROM items").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, iri: str, kind: str, title: str, labels: str, body: str) -> None:
        """Replace one item, in one transaction."""
        with self.db:
            self.db.execute("DELETE FROM items WHERE iri = ?", (iri,))
            self.db.execute(
                "INSERT INTO items (iri, kind, title, labels, body) VALUES (?, ?, ?, ?, ?)",
                (iri, kind, title, labels, body),
            )

    def put_vocabulary(self, vocabulary: Vocabulary) -> None:
        with self.db:
            self.db.execute("DELETE FROM items WHERE kind = 'entity'")
            self.db.executemany(
                "INSERT INTO items (iri, kind, title, labels, body) VALUES (?, 'entity', ?, ?, ?)",
                [
                    (e.iri, e.pref_label, " ; ".join(e.labels + e.weak_labels), e.definition or "")
                    for e in vocabulary.entities.values()
                ],
            )

    def has(self, iri: str) -> bool:
        return self.db.execute("SELECT 1 FROM items WHERE iri = ? LIMIT 1", (iri,)).fetchone() is not None

    def search(self, query: str, vocabulary: Vocabulary, limit: int = 20) -> SearchResult:
        """Documents and entities matching ``query``, best first, with a snippet."""
        named = _entities_named(query, vocabulary)
        names = _expand(query, named)
        expression = " OR ".join(_phrase(name) for name in names if _phrase(name))
        hits: list[Hit] = []
        if expression:
            rows = self.db.execute(
                """SELECT iri, kind, title, snippet(items, 4, '[', ']', ' … ', 12), snippet(items, 3, '[', ']', ' … ', 8),
                          bm25(items, 0.0, 0.0, 10.0, 6.0, 1.0)
                   FROM items WHERE items MATCH ? ORDER BY bm25(items, 0.0, 0.0, 10.0, 6.0, 1.0) LIMIT ?""",
                (expression, limit),
            ).fetchall()
            for iri, kind, title, body_snippet, label_snippet, rank in rows:
                snippet = (
                    body_snippet if "[" in body_snippet else (label_snippet if "[" in label_snippet else body_snippet)
                )
                hits.append(Hit(iri, kind, title, re.sub(r"\s+", " ", snippet).strip(), -rank))
        return SearchResult(query, names, hits, _lineage(named, vocabulary))


def _phrase(text: str) -> str:
    words = re.findall(r"\w+", text)
    return '"' + " ".join(words) + '"' if words else ""


def _entities_named(query: str, vocabulary: Vocabulary) -> list:
    """The entities whose name (or its singular) the whole query is."""
    key = norm(query)
    iris = vocabulary.label_index.get(key, set()) | vocabulary.label_index.get(key.rstrip("s"), set())
    found = [vocabulary.entities[iri] for iri in sorted(iris)]
    plain = [e for e in found if not e.sense_context]  # the English ACO, not the US one that shares its name
    return plain or found


def _expand(query: str, named: list) -> list[str]:
    """The query itself and every name of an entity it names (ACO ⇄ accountable care organisation)."""
    names = [query]
    for entity in named:
        for label in entity.labels:
            if norm(label) not in {norm(n) for n in names}:
                names.append(label)
    return names


def _lineage(entities: list, vocabulary: Vocabulary) -> list[tuple[str, str, str]]:
    """What the named entities evolved into or from (a search for ACS offers ICS)."""
    named = {e.iri for e in entities}
    offers = []
    steps = lineage_predicates(vocabulary.directory)
    for t in vocabulary.vocabulary_triples:
        step = steps.get(t.predicate.value)
        if step is None:
            continue
        if not isinstance(t.subject, NamedNode) or not isinstance(t.object, NamedNode):
            continue
        older, newer = step.lineage_pair(t.subject.value, t.object.value)
        if older in named and newer in vocabulary.entities:
            offers.append(("successor", vocabulary.entities[newer].pref_label, newer))
        if newer in named and older in vocabulary.entities:
            offers.append(("predecessor", vocabulary.entities[older].pref_label, older))
    return sorted(set(offers))
