"""Keyword search over documents and entities: a SQLite FTS5 index beside the store.

The index (``search.sqlite`` in the store directory) holds each document's
title and text and each entity's labels and definition. ``kg ingest``
updates it with every document it writes, so it stays in step with the
store. Searching understands the domain: a query that names an entity (by
acronym, long form, plural or another spelling, resolved by
:mod:`kg.graph.names`, the rules saved-query parameters use) searches for
all its names and their plurals, and lists that entity first; a renamed model
also offers its successor and predecessor; a query that names nothing gets
"did you mean" from the names within a typo or two. Case and accents do not
matter (unicode61 tokenizer with diacritics removed).

Given the documents that mention each named entity (``mentions``, from the
store: :func:`mentioning_query`, :func:`store_mentions`), the entity's hit
carries their number and every one of them is listed, as on the entity's page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import StoreError
from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.names import Sense, name_keys, names_for
from kg.graph.predicates import lineage_predicates
from kg.graph.terms import NamedNode
from kg.ingest.labels import norm
from kg.ingest.vocabulary import Entity, Vocabulary

if TYPE_CHECKING:
    from kg.graph.store import Store

#: Entity IRIs -> for each, the IRIs of the documents that mention it.
Mentions = Callable[[list[str]], dict[str, list[str]]]

INDEX_NAME = "search.sqlite"
_SCHEMA = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5(
        iri UNINDEXED, kind UNINDEXED, title, labels, body,
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
    # the key: an FTS5 table cannot index a column, so each IRI's row is found through this table
    """CREATE TABLE IF NOT EXISTS keys (
        iri TEXT PRIMARY KEY, id INTEGER NOT NULL, kind TEXT NOT NULL, hash TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS keys_kind ON keys (kind)",
    # documents a writer is about to commit to the store: until it says so, their rows may not match it
    "CREATE TABLE IF NOT EXISTS pending (iri TEXT PRIMARY KEY) WITHOUT ROWID",
)
#: One row of the index: (IRI, kind, title, labels, body, content hash or None).
Row = tuple[str, str, str, str, str, str | None]


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str  #: "document" or "entity"
    title: str
    snippet: str
    score: float
    documents: int | None = None  #: an entity's: how many documents mention it (when the store was asked)
    exact: bool = False  #: an entity the whole query names


@dataclass
class SearchResult:
    query: str
    expanded: list[str]  #: every name searched for
    hits: list[Hit]
    see_also: list[tuple[str, str, str]]  #: (relation, label, IRI): successors and predecessors
    suggestions: list[Sense] = field(default_factory=list)  #: "did you mean", when the query names nothing


class SearchIndex:
    """The FTS5 index of one store directory."""

    def __init__(self, store_location: str | Path, rebuild_if_damaged: bool = False):
        """Open (or create) the index; a damaged one raises :class:`StoreError`, or with ``rebuild_if_damaged``
        (``kg ingest``) is set aside as ``search.sqlite.damaged`` and started afresh: every document the
        ingest reads is indexed again, and :attr:`rebuilt` says so."""
        from kg.graph.store import local_folder

        self.path = local_folder(store_location) / INDEX_NAME
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
            with db:
                keyed = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'keys'").fetchone() is not None
                for statement in _SCHEMA:
                    db.execute(statement)
                if not keyed:  # an index from before the key table: key its rows once
                    db.execute("INSERT OR REPLACE INTO keys (iri, id, kind) SELECT iri, rowid, kind FROM items")
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

    def put(self, iri: str, kind: str, title: str, labels: str, body: str, content_hash: str | None = None) -> None:
        """Replace one item, in one transaction."""
        self.put_many([(iri, kind, title, labels, body, content_hash)])

    def put_many(self, rows: list[Row]) -> None:
        """Replace many items in one transaction; each costs a key lookup, whatever the size of the index."""
        with self.db:
            self._remove([row[0] for row in rows])
            for iri, kind, title, labels, body, content_hash in rows:
                cursor = self.db.execute(
                    "INSERT INTO items (iri, kind, title, labels, body) VALUES (?, ?, ?, ?, ?)",
                    (iri, kind, title, labels, body),
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO keys (iri, id, kind, hash) VALUES (?, ?, ?, ?)",
                    (iri, cursor.lastrowid, kind, content_hash),
                )

    def remove_many(self, iris: list[str]) -> None:
        """Remove items (documents no longer in the store), in one transaction."""
        with self.db:
            self._remove(iris)

    def _remove(self, iris: list[str]) -> None:
        for iri in iris:
            found = self.db.execute("SELECT id FROM keys WHERE iri = ?", (iri,)).fetchone()
            if found is not None:
                self.db.execute("DELETE FROM items WHERE rowid = ?", found)
                self.db.execute("DELETE FROM keys WHERE iri = ?", (iri,))

    def put_vocabulary(self, vocabulary: Vocabulary) -> None:
        rows: list[Row] = [
            (e.iri, "entity", e.pref_label, " ; ".join(e.labels + e.weak_labels), e.definition or "", None)
            for e in vocabulary.entities.values()
        ]
        with self.db:
            gone = [iri for (iri,) in self.db.execute("SELECT iri FROM keys WHERE kind = 'entity'")]
            self._remove(gone)
        self.put_many(rows)

    def has(self, iri: str, content_hash: str | None = None) -> bool:
        """Whether ``iri`` is indexed (from the document with ``content_hash``, when given)."""
        found = self.db.execute("SELECT hash FROM keys WHERE iri = ?", (iri,)).fetchone()
        return found is not None and (content_hash is None or found[0] == content_hash)

    def text(self, iri: str) -> str | None:
        """The text the index holds of document ``iri`` (what evidence offsets count in), or None."""
        found = self.db.execute(
            "SELECT body FROM items WHERE rowid = (SELECT id FROM keys WHERE iri = ? AND kind = 'document')", (iri,)
        ).fetchone()
        return None if found is None else found[0]

    def documents(self) -> dict[str, str | None]:
        """Every document indexed → the content hash it was indexed from."""
        return dict(self.db.execute("SELECT iri, hash FROM keys WHERE kind = 'document'").fetchall())

    # -------------------------------------------------------- the writer's journal (kg ingest)

    def mark_pending(self, iris: list[str]) -> None:
        """Record, before a batch is committed to the store, the documents whose rows are about to change."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO pending (iri) VALUES (?)", [(i,) for i in iris])

    def pending(self) -> list[str]:
        return [iri for (iri,) in self.db.execute("SELECT iri FROM pending ORDER BY iri")]

    def clear_pending(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM pending")

    def reconcile(self, stored: dict[str, str | None]) -> list[str]:
        """Drop the rows of documents that are not in the store as indexed (``stored``: IRI → content hash),
        after a writer stopped between committing the store and the index. Returns the IRIs dropped: the
        next ingest of their files indexes them again."""
        indexed = self.documents()
        stale = sorted(iri for iri, h in indexed.items() if iri not in stored or (h is not None and h != stored[iri]))
        with self.db:
            self._remove(stale)
            self.db.execute("DELETE FROM pending")
        return stale

    def search(
        self, query: str, vocabulary: Vocabulary, limit: int = 20, mentions: Mentions | None = None
    ) -> SearchResult:
        """Documents and entities matching ``query``, best first, with a snippet.

        The entities the query names come first, then the documents that mention them (all of
        them when ``mentions`` says which), then whatever else matches the words; the vocabulary's
        examples of what the query names (the 42 integrated care boards for "integrated care boards")
        come last among those, so that they do not crowd the others out.
        """
        names = names_for(vocabulary)
        named = _entities_named(query, vocabulary)
        searched = _expand(query, named)
        phrases = sorted({_phrase(key) for text in searched for key in name_keys(text)} - {""})
        expression = " OR ".join(phrases)
        found: dict[str, Hit] = {}
        if expression:
            rows = self.db.execute(
                """SELECT iri, kind, title, snippet(items, 4, '[', ']', ' … ', 12), snippet(items, 3, '[', ']', ' … ', 8),
                          bm25(items, 0.0, 0.0, 10.0, 6.0, 1.0)
                   FROM items WHERE items MATCH ? ORDER BY bm25(items, 0.0, 0.0, 10.0, 6.0, 1.0) LIMIT ?""",
                (expression, max(limit, 200)),
            ).fetchall()
            for iri, kind, title, body_snippet, label_snippet, rank in rows:
                snippet = (
                    body_snippet if "[" in body_snippet else (label_snippet if "[" in label_snippet else body_snippet)
                )
                found[iri] = Hit(iri, kind, title, re.sub(r"\s+", " ", snippet).strip(), -rank)
        named_iris = [e.iri for e in named]
        mentioned = mentions(named_iris) if mentions is not None and named_iris else {}
        ordered: list[Hit] = []
        for entity in named:
            hit = found.pop(entity.iri, None) or Hit(
                entity.iri, "entity", entity.pref_label, entity.definition or "", 0.0
            )
            count = len(set(mentioned.get(entity.iri, []))) if mentions is not None else None
            ordered.append(Hit(hit.iri, hit.kind, hit.title, hit.snippet, hit.score, count, True))
        documents = {d for docs in mentioned.values() for d in docs}
        first = [h for h in found.values() if h.iri in documents]
        missing = documents - {h.iri for h in first}
        titles = (
            dict(
                self.db.execute(
                    "SELECT keys.iri, items.title FROM keys JOIN items ON items.rowid = keys.id "
                    f"WHERE keys.iri IN ({','.join('?' * len(missing))})",
                    sorted(missing),
                ).fetchall()
            )
            if missing
            else {}
        )
        first += [
            Hit(d, "document", titles.get(d, d), "", 0.0) for d in sorted(missing, key=lambda d: titles.get(d, d))
        ]
        examples = _examples_of(named, vocabulary)
        rest = sorted((h for h in found.values() if h.iri not in documents), key=lambda h: h.iri in examples)
        hits = (ordered + first + rest)[: max(limit, len(ordered) + len(first))]
        suggestions = [] if named or hits else names.suggest(query)
        return SearchResult(query, searched, hits, _lineage(named, vocabulary), suggestions)


def mentioning_query(iris: list[str]) -> str:
    """The SPARQL that lists the documents mentioning each of ``iris`` (columns ``entity``, ``document``)."""
    return rq.text("search-mentioning", entity=iris)


def store_mentions(store: Store) -> Mentions:
    """:data:`Mentions` read from an open store."""
    from kg.graph.query import run_query

    def mentions(iris: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for entity, document in run_query(store, mentioning_query(iris)).rows:
            if entity is not None and document is not None:
                found.setdefault(entity.value, []).append(document.value)
        return found

    return mentions


def _examples_of(entities: list[Entity], vocabulary: Vocabulary) -> set[str]:
    """The entities the vocabulary says are examples (kg:isExampleOf) of any of ``entities``."""
    named = {e.iri for e in entities}
    example = ns.ONTOLOGY + "isExampleOf"
    return {
        t.subject.value
        for t in vocabulary.vocabulary_triples
        if t.predicate.value == example
        and isinstance(t.subject, NamedNode)
        and isinstance(t.object, NamedNode)
        and t.object.value in named
        and t.subject.value not in named
    }


def _phrase(text: str) -> str:
    words = re.findall(r"\w+", text)
    return '"' + " ".join(words) + '"' if words else ""


def _entities_named(query: str, vocabulary: Vocabulary) -> list[Entity]:
    """The entities the whole query names (in the names' normal form, plurals included), the plain senses
    preferred: the English ACO, not the US one that shares its name."""
    resolution = names_for(vocabulary).resolve(query)
    return [vocabulary.entities[s.iri] for s in resolution.chosen if s.iri in vocabulary.entities]


def _expand(query: str, named: list[Entity]) -> list[str]:
    """The query itself and every name of an entity it names (ACO ⇄ accountable care organisation)."""
    names = [query]
    for entity in named:
        for label in entity.labels:
            if norm(label) not in {norm(n) for n in names}:
                names.append(label)
    return names


def _lineage(entities: list[Entity], vocabulary: Vocabulary) -> list[tuple[str, str, str]]:
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
