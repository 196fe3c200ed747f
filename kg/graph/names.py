"""Entity names as people type them: one resolver for search, saved-query parameters and the site.

A name is compared in the extraction's normal form (:mod:`kg.ingest.labels`: case, accents,
hyphens, apostrophes, British and American spellings, "programme"/"program") with plurals
added (``ACOs``, ``primary care networks``, ``integrated care systems``). Every strong label of
an entity (its preferred name, acronyms, long forms and other names) is a key. A renamed entity
keeps its own page, so an old name finds the old entity, and its successor is offered beside it.

Lookups are exact on the keys; a name that matches none is compared with every key by
optimal string alignment distance (a typo, a swapped pair of letters), within :func:`typo_budget`,
to say "did you mean". The offline pages get the same keys and the same budget from
:meth:`NameIndex.to_json`, so their JavaScript looks up what Python produced.

>>> sorted(name_keys("Primary Care Network"))
['primary care network', 'primary care networks']
>>> typo_budget("acos"), typo_budget("primary care netwrok")
(1, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from kg.ingest.labels import norm, variants

if TYPE_CHECKING:
    from kg.graph.store import Store
    from kg.ingest.vocabulary import Entity, Vocabulary

#: Normal-form length from which one, two and three typing slips are forgiven.
TYPO_STEPS = (4, 8, 16)
#: At most this many "did you mean" suggestions.
SUGGESTIONS = 5


def typo_budget(key: str) -> int:
    """How many edits (insert, delete, change, swap two neighbours) a key of this length may carry."""
    return sum(1 for step in TYPO_STEPS if len(key) >= step)


def plurals(form: str) -> set[str]:
    """The plural forms writers use of a normal form's last word (``networks``, ``ACSs``, ``processes``)."""
    if not form:
        return set()
    forms = {form + "s"}
    if form.endswith(("s", "x", "ch", "sh")):
        forms.add(form + "es")
    if form.endswith("y") and len(form) > 3 and form[-2] not in "aeiou":
        forms.add(form[:-1] + "ies")
    return forms


def name_keys(label: str) -> set[str]:
    """Every normal form under which ``label`` is found: its spelling variants and their plurals."""
    keys = set()
    for form in variants(label):
        keys.add(form)
        keys |= plurals(form)
    return keys


def query_keys(text: str) -> set[str]:
    """The normal forms of what someone typed (its variants; plurals are already keys of the index)."""
    return variants(text) if norm(text) else set()


@dataclass(frozen=True)
class Sense:
    """One entity a name may stand for."""

    iri: str
    label: str
    kind: str  #: the most specific kg: class name, e.g. "CareModel"
    context: str = ""  #: where this sense applies when it is not the English one (e.g. the US), else ""
    also: str = ""  #: the name that matched when it is not the preferred one (an acronym, a plural)

    def describe(self) -> str:
        """``accountable care organisation (ACO, care model)``: enough to choose between senses."""
        extra = [self.also] if self.also and norm(self.also) != norm(self.label) else []
        extra.append(_spaced(self.kind))
        if self.context:
            extra.append(self.context)
        return f"{self.label} ({', '.join(extra)})"

    def as_dict(self) -> dict[str, str]:
        return {"iri": self.iri, "label": self.label, "kind": self.kind, "context": self.context}


@dataclass
class Resolution:
    """What a typed name stands for: one sense, several, or none (with suggestions)."""

    text: str
    found: list[Sense] = field(default_factory=list)  #: exact matches, the plain (English) senses first
    suggestions: list[Sense] = field(default_factory=list)  #: close names when nothing matched
    successors: list[Sense] = field(default_factory=list)  #: what the found entity became, if it was renamed

    @property
    def status(self) -> str:
        """``found``, ``ambiguous`` or ``unknown``."""
        if not self.found:
            return "unknown"
        return "found" if len(self.chosen) == 1 else "ambiguous"

    @property
    def chosen(self) -> list[Sense]:
        """The senses left after preferring the plain ones (the English ACO over the US one)."""
        plain = [s for s in self.found if not s.context]
        return plain or self.found

    @property
    def iri(self) -> str | None:
        return self.chosen[0].iri if self.status == "found" else None

    def sentence(self) -> str:
        """One sentence for a person: what was not found or which senses to choose between."""
        if self.status == "ambiguous":
            return (
                f"'{self.text}' names {len(self.chosen)} entities: "
                + "; ".join(s.describe() for s in self.chosen)
                + " — give one of their names or kgid: identifiers"
            )
        if self.status == "unknown":
            hint = f": did you mean {' or '.join(s.describe() for s in self.suggestions)}?" if self.suggestions else ""
            return f"no entity is called '{self.text}'{hint}"
        return f"'{self.text}' is {self.chosen[0].describe()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "status": self.status,
            "iri": self.iri,
            "choices": [s.as_dict() for s in (self.chosen if self.found else self.suggestions)],
            "successors": [s.as_dict() for s in self.successors],
            "message": self.sentence(),
        }


def _spaced(kind: str) -> str:
    """``CareModel`` -> ``care model``."""
    out = "".join(" " + c.lower() if c.isupper() else c for c in kind).strip()
    return out or "concept"


class NameIndex:
    """Normal-form keys of every entity name -> the entities, with typo suggestions."""

    def __init__(self, entities: list[Entity], successors: dict[str, list[str]] | None = None):
        self.senses: dict[str, Sense] = {}
        self.labels: dict[str, list[str]] = {e.iri: e.labels for e in entities}  #: every strong name, preferred first
        by_iri = {e.iri: e for e in entities}
        self.keys: dict[str, dict[str, str]] = {}  #: key -> {IRI: the label that gave the key}
        for entity in entities:
            context = _context(entity, by_iri)
            self.senses[entity.iri] = Sense(entity.iri, entity.pref_label, entity.type_name, context)
            for label in entity.labels:
                for key in name_keys(label):
                    self.keys.setdefault(key, {}).setdefault(entity.iri, label)
        self.successors = successors or {}

    @classmethod
    def from_vocabulary(cls, vocabulary: Vocabulary) -> NameIndex:
        from kg.graph.predicates import lineage_predicates
        from kg.graph.terms import NamedNode

        steps = lineage_predicates(vocabulary.directory)
        successors: dict[str, list[str]] = {}
        for t in vocabulary.vocabulary_triples:
            step = steps.get(t.predicate.value)
            if step is None or not isinstance(t.subject, NamedNode) or not isinstance(t.object, NamedNode):
                continue
            older, newer = step.lineage_pair(t.subject.value, t.object.value)
            if older in vocabulary.entities and newer in vocabulary.entities:
                successors.setdefault(older, []).append(newer)
        return cls(list(vocabulary.entities.values()), successors)

    def extended(self, entities: list[Entity]) -> NameIndex:
        """This index and the ``entities`` it does not know yet (concepts found in documents, e.g. publishers)."""
        new = [e for e in entities if e.iri not in self.senses]
        if not new:
            return self
        index = NameIndex(new, self.successors)
        index.senses = {**self.senses, **index.senses}
        index.labels = {**self.labels, **index.labels}
        keys = {key: dict(found) for key, found in self.keys.items()}
        for key, found in index.keys.items():
            keys.setdefault(key, {}).update(found)
        index.keys = keys
        return index

    def has(self, iri: str) -> bool:
        return iri in self.senses

    def sense(self, iri: str) -> Sense | None:
        return self.senses.get(iri)

    def lookup(self, text: str) -> list[Sense]:
        """The entities one of whose names ``text`` is, in the normal form (plain senses first)."""
        matched: dict[str, str] = {}
        for key in sorted(query_keys(text)):
            for iri, label in self.keys.get(key, {}).items():
                matched.setdefault(iri, label)
        found = [_with_also(self.senses[iri], label) for iri, label in matched.items()]
        return sorted(found, key=lambda s: (bool(s.context), s.label.lower(), s.iri))

    def suggest(self, text: str, limit: int = SUGGESTIONS) -> list[Sense]:
        """Entities with a name within the typo budget of ``text``, closest first."""
        key = norm(text)
        budget = typo_budget(key)
        if not budget:
            return []
        scored: dict[str, tuple[int, str]] = {}
        for candidate, iris in self.keys.items():
            if abs(len(candidate) - len(key)) > budget:
                continue
            distance = OSA.distance(key, candidate, score_cutoff=budget)
            if distance > budget:
                continue
            for iri, label in iris.items():
                if iri not in scored or distance < scored[iri][0]:
                    scored[iri] = (distance, label)
        ranked = sorted(scored.items(), key=lambda kv: (kv[1][0], self.senses[kv[0]].label.lower()))
        return [_with_also(self.senses[iri], label) for iri, (_, label) in ranked[:limit]]

    def complete(self, text: str, limit: int = 10) -> list[Sense]:
        """Entities with a name that starts with what was typed (in the normal form), exact names first."""
        key = norm(text)
        if not key:
            return []
        best: dict[str, tuple[int, int, str]] = {}
        for candidate, iris in self.keys.items():
            if not candidate.startswith(key) and f" {key}" not in f" {candidate}":
                continue
            rank = 0 if candidate == key else (1 if candidate.startswith(key) else 2)
            for iri, label in iris.items():
                score = (rank, len(candidate), label)
                if iri not in best or score < best[iri]:
                    best[iri] = score
        ranked = sorted(best.items(), key=lambda kv: (kv[1][0], bool(self.senses[kv[0]].context), kv[1][1], kv[0]))
        return [_with_also(self.senses[iri], label) for iri, (_, _, label) in ranked[:limit]]

    def resolve(self, text: str) -> Resolution:
        found = self.lookup(text)
        result = Resolution(text.strip(), found, [] if found else self.suggest(text))
        if result.status == "found":
            iri = result.chosen[0].iri
            result.successors = [self.senses[s] for s in self.successors.get(iri, []) if s in self.senses]
        return result

    def to_json(self, pages: dict[str, str] | None = None) -> dict[str, Any]:
        """The index for the offline pages: keys -> entity numbers, entities, and the typo steps.

        ``pages`` maps an IRI to its page path; entities without one are left out.
        """
        iris = sorted(self.senses if pages is None else [i for i in self.senses if i in pages])
        number = {iri: n for n, iri in enumerate(iris)}
        keys = {}
        for key, found in sorted(self.keys.items()):
            ids = sorted(number[i] for i in found if i in number)
            if ids:
                keys[key] = ids
        return {
            "typoSteps": list(TYPO_STEPS),
            "entities": [
                {
                    **self.senses[iri].as_dict(),
                    "page": (pages or {}).get(iri),
                    "names": self.labels.get(iri, [])[1:],
                    "successors": [number[s] for s in self.successors.get(iri, []) if s in number],
                }
                for iri in iris
            ],
            "keys": keys,
        }


def _context(entity: Entity, by_iri: dict[str, Entity]) -> str:
    """Where a sense applies, from its ``kg:senseContext`` entities: "with Medicare, Medicaid"."""
    names = sorted(by_iri[c].pref_label if c in by_iri else c.rsplit("/", 1)[-1] for c in entity.sense_context)
    if not names:
        return ""
    return "used with " + ", ".join(names[:2]) + (" …" if len(names) > 2 else "")


def _with_also(sense: Sense, label: str) -> Sense:
    if label == sense.label:
        return sense
    return Sense(sense.iri, sense.label, sense.kind, sense.context, label)


def entities_from_rows(rows: list[list[Any]]) -> list[Entity]:
    """Entities from the rows of ``names-store.rq`` (``e``, ``label``, ``alt``, ``type``; values or terms)."""
    from kg.ingest.vocabulary import Entity

    def text(value: Any) -> str | None:
        return None if value is None else str(getattr(value, "value", value))

    found: dict[str, Entity] = {}
    for row in rows:
        iri, label, alt, kind = (text(v) for v in row)
        if iri is None or label is None:
            continue
        entity = found.setdefault(iri, Entity(iri, label))
        if alt and alt not in entity.alt_labels:
            entity.alt_labels.append(alt)
        if kind:
            entity.types.add(kind)
    return list(found.values())


def names_query() -> str:
    """The SPARQL that lists the store's concepts and names, for :func:`entities_from_rows`."""
    from kg.graph import rq

    return rq.text("names-store")


def store_names(store: Store) -> NameIndex:
    """The vocabulary's names and those of every other concept in ``store`` (one resolver for all).

    Kept while the store's files are unchanged (their newest time and total size), so repeated saved
    queries in one process do not read every concept again each time.
    """
    import os

    vocabulary = default_names(store.base)
    try:
        files = [entry.stat() for entry in os.scandir(store.location) if entry.is_file()]
        stamp = (max((f.st_mtime_ns for f in files), default=0), sum(f.st_size for f in files), len(files))
    except OSError:
        stamp = None
    key = (store.location, store.base, id(vocabulary), stamp)
    if stamp is not None and key in _STORE_NAMES:
        return _STORE_NAMES[key]
    from kg.graph.query import run_query

    index = vocabulary.extended(entities_from_rows(run_query(store, names_query()).rows))
    if stamp is not None:
        if len(_STORE_NAMES) >= 4:
            _STORE_NAMES.pop(next(iter(_STORE_NAMES)))
        _STORE_NAMES[key] = index
    return index


_STORE_NAMES: dict[tuple, NameIndex] = {}


@lru_cache(maxsize=4)
def _cached(base: str, stamp: tuple) -> NameIndex:
    from kg.ingest.vocabulary import Vocabulary

    return NameIndex.from_vocabulary(Vocabulary(base=base))


def names_for(vocabulary: Vocabulary) -> NameIndex:
    """The name index of a vocabulary (kept on it, built once)."""
    index = getattr(vocabulary, "_name_index", None)
    if index is None:
        index = NameIndex.from_vocabulary(vocabulary)
        vocabulary._name_index = index  # type: ignore[attr-defined]
    return index


def default_names(base: str | None = None) -> NameIndex:
    """The name index of the vocabulary under ``ontology/`` with ``base`` (the configured base if None).

    Built again when a vocabulary or ontology file changes (their sizes and times are the key).
    """
    from kg.graph import namespaces as ns
    from kg.resources import ontology_dir

    folder = ontology_dir()
    stamp = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*.ttl")) if p.is_file()
    )
    return _cached(base or ns.base_iri(), stamp)
