"""Matching names against the graph for the W3C Entity Reconciliation API (what OpenRefine speaks).

The candidates are the vocabulary's entities and the entities found in documents (the
``scheme-discovered`` concepts). A name is looked up the way search looks it up
(:func:`kg.graph.search.named_iris`: the normal form of every preferred and alternative label, so an
acronym, a long form, a former name kept as an alternative label and a plural all find the entity);
a name that is nobody's label gets the nearest labels by edit distance (rapidfuzz), so a misspelling
still offers the right entity, never as a match.

Scores run from 0 to 100: 100 for a name that is one of the entity's labels, at most 90 for a near
name. ``match`` is true only when exactly one candidate has the name as a label (after the type
filter): a name two entities share is left for a person to choose. A renamed entity also offers what
it became (or came from), scored below the entity named. Property values a query gives
(``properties``: a type, an ODS code, a Wikidata or legislation.gov.uk IRI, another label) raise the
score of the candidates that have them and lower those that have other values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.predicates import lineage_predicates
from kg.graph.search import name_keys, named_iris, prefer_plain
from kg.graph.terms import Literal, NamedNode
from kg.ingest.labels import norm
from kg.ingest.vocabulary import Vocabulary

#: Predicates whose values are identifiers in other datasets (shown with results, matched as properties).
LINK_PREDICATES = (
    ns.SKOS + "exactMatch",
    ns.SKOS + "closeMatch",
    ns.OWL + "sameAs",
    ns.DCTERMS + "identifier",
    ns.ONTOLOGY + "odsCode",
    ns.ONTOLOGY + "wikidata",
)
EXACT = 100.0
NEAR_MAX = 90.0  #: the best a name that is not a label can score
NEAR_CUTOFF = 80.0  #: edit-distance similarity (0-100) below which a near name is not offered
LINEAGE_SCORE = 60.0  #: what a successor or predecessor of the entity named scores
PROPERTY_WEIGHT = 10.0  #: added for each property value a candidate has, taken off for each it contradicts


@dataclass
class Candidate:
    """One entity that can be matched: its names, types, description and links out."""

    iri: str
    name: str
    labels: list[str]
    types: list[str]  #: class IRIs (skos:Concept left out)
    description: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  #: (predicate IRI, value) identifiers elsewhere
    sense_context: set[str] = field(default_factory=set)


@dataclass
class Result:
    candidate: Candidate
    score: float
    match: bool = False
    note: str = ""  #: why it is offered when it is not the entity named ("successor of ...")


@dataclass
class Query:
    query: str
    type: str | None = None  #: a class IRI (or a kg: name) the result must have
    limit: int = 5
    properties: list[tuple[str, str]] = field(default_factory=list)  #: (property IRI, value)


def discovered_query() -> str:
    """The SELECT of the entities found in documents (``?e ?label ?type``)."""
    return rq.text("reconcile-discovered")


class Reconciler:
    """The candidates and their label index: built once per vocabulary and store state."""

    def __init__(self, vocabulary: Vocabulary, discovered: list[dict[str, str]] | None = None):
        self.vocabulary = vocabulary
        self.candidates: dict[str, Candidate] = {}
        links: dict[str, list[tuple[str, str]]] = {}
        for t in vocabulary.vocabulary_triples:
            if (
                isinstance(t.subject, NamedNode)
                and t.predicate.value in LINK_PREDICATES
                and isinstance(t.object, (NamedNode, Literal))
            ):
                links.setdefault(t.subject.value, []).append((t.predicate.value, t.object.value))
        for e in vocabulary.entities.values():
            self.candidates[e.iri] = Candidate(
                e.iri,
                e.pref_label,
                e.labels,
                sorted(e.types),
                e.definition or "",
                sorted(links.get(e.iri, [])),
                set(e.sense_context),
            )
        for row in discovered or []:
            iri, label, cls = row.get("e"), row.get("label"), row.get("type")
            if not iri or not label or iri in vocabulary.entities:
                continue
            found = self.candidates.setdefault(
                iri, Candidate(iri, label, [label], [], "Named in a document; not in the vocabulary.")
            )
            if label not in found.labels:
                found.labels.append(label)
            if cls and cls != ns.SKOS + "Concept" and cls not in found.types:
                found.types.append(cls)
        self.index: dict[str, set[str]] = {}
        for c in self.candidates.values():
            for label in c.labels:
                self.index.setdefault(norm(label), set()).add(c.iri)
        self._keys = sorted(self.index)
        self._steps = lineage_predicates(vocabulary.directory)

    # ------------------------------------------------------------- types

    def type_iri(self, name: str | None) -> str | None:
        """A type as given (a full IRI, ``kg:Trust`` or ``Trust``) as a class IRI."""
        if not name:
            return None
        if name.startswith(("http://", "https://")):
            return name
        return ns.ONTOLOGY + name.removeprefix("kg:")

    def has_type(self, candidate: Candidate, cls: str) -> bool:
        return any(cls in self.vocabulary.superclasses.get(t, {t}) for t in candidate.types)

    def types(self) -> list[tuple[str, str]]:
        """(class IRI, label) of every class some candidate has, by label."""
        used = {
            above
            for c in self.candidates.values()
            for t in c.types
            for above in self.vocabulary.superclasses.get(t, {t})
        }
        return sorted(
            ((cls, self.class_label(cls)) for cls in used if cls.startswith(ns.ONTOLOGY)), key=lambda p: p[1].lower()
        )

    def class_label(self, cls: str) -> str:
        for t in self.vocabulary.ontology_triples:
            if (
                isinstance(t.subject, NamedNode)
                and t.subject.value == cls
                and t.predicate.value == ns.RDFS + "label"
                and isinstance(t.object, Literal)
            ):
                return t.object.value
        return ns.local_name(cls)

    # ------------------------------------------------------------- matching

    def reconcile(self, q: Query) -> list[Result]:
        """The candidates for one query, best first, at most ``q.limit``."""
        cls = self.type_iri(q.type)
        allowed = (lambda c: self.has_type(c, cls)) if cls else (lambda c: True)
        exact = prefer_plain([self.candidates[i] for i in sorted(named_iris(q.query, self.index))])
        exact = [c for c in exact if allowed(c)]
        results = {c.iri: Result(c, EXACT) for c in exact}
        if len(exact) == 1:
            results[exact[0].iri].match = True
        for c in exact:
            for other, relation in self._lineage(c.iri):
                if other in self.candidates and other not in results and allowed(self.candidates[other]):
                    results[other] = Result(self.candidates[other], LINEAGE_SCORE, note=f"{relation} of {c.name}")
        if not exact:
            for key, similarity in self._near(q.query):
                for iri in sorted(self.index[key]):
                    c = self.candidates[iri]
                    score = round(similarity * NEAR_MAX / 100, 1)
                    if allowed(c) and (iri not in results or results[iri].score < score):
                        results[iri] = Result(c, score)
        for result in results.values():
            result.score = max(0.0, min(EXACT, result.score + self._property_score(result.candidate, q.properties)))
        ranked = sorted(results.values(), key=lambda r: (-r.score, r.candidate.name.lower()))
        if ranked and ranked[0].match and q.properties and ranked[0].score < EXACT:
            ranked[0].match = False  # a property contradicts the name: a person should look
        return ranked[: max(1, q.limit)]

    def _near(self, text: str) -> list[tuple[str, float]]:
        """Labels (normal forms) within edit distance of ``text``, most similar first."""
        keys = name_keys(text)
        best: dict[str, float] = {}
        for key in keys:
            for found, similarity, _ in process.extract(
                key, self._keys, scorer=fuzz.ratio, score_cutoff=NEAR_CUTOFF, limit=10
            ):
                best[found] = max(best.get(found, 0.0), similarity)
        return sorted(best.items(), key=lambda kv: -kv[1])

    def _lineage(self, iri: str) -> list[tuple[str, str]]:
        found = []
        for t in self.vocabulary.vocabulary_triples:
            step = self._steps.get(t.predicate.value)
            if step is None or not isinstance(t.subject, NamedNode) or not isinstance(t.object, NamedNode):
                continue
            older, newer = step.lineage_pair(t.subject.value, t.object.value)
            if older == iri:
                found.append((newer, "successor"))
            elif newer == iri:
                found.append((older, "predecessor"))
        return sorted(set(found))

    def _property_score(self, c: Candidate, properties: list[tuple[str, str]]) -> float:
        score = 0.0
        for pid, value in properties:
            if not value.strip():
                continue
            if pid in ("type", ns.RDF + "type"):
                cls = self.type_iri(value)
                score += PROPERTY_WEIGHT if cls and self.has_type(c, cls) else -PROPERTY_WEIGHT
                continue
            if pid in ("label", ns.SKOS + "altLabel", ns.SKOS + "prefLabel"):
                have = [norm(label) for label in c.labels]
                score += PROPERTY_WEIGHT if norm(value) in have else -PROPERTY_WEIGHT
                continue
            predicate = self.property_iri(pid)
            have = [v for p, v in c.links if p == predicate]
            if have:
                score += PROPERTY_WEIGHT if value.strip() in have else -PROPERTY_WEIGHT
        return score

    def property_iri(self, pid: str) -> str:
        """A property as given (a full IRI, ``skos:exactMatch``, ``kg:odsCode``) as an IRI."""
        prefix, colon, rest = pid.partition(":")
        known = ns.prefixes()
        if colon and prefix in known and not rest.startswith("//"):
            return known[prefix] + rest
        return pid

    def properties(self) -> list[tuple[str, str]]:
        """(id, name) of the properties a query can give."""
        named = [("type", "type"), (ns.SKOS + "altLabel", "alternative name")]
        used = sorted({p for c in self.candidates.values() for p, _ in c.links})
        return named + [(p, ns.local_name(p)) for p in used]

    def suggest(self, prefix: str, limit: int = 10) -> list[Candidate]:
        """Candidates with a label starting with ``prefix`` (for OpenRefine's entity suggest), shortest first."""
        key = norm(prefix)
        if not key:
            return []
        found: dict[str, tuple[int, int]] = {}
        for label_key in self._keys:
            if label_key.startswith(key) or f" {key}" in f" {label_key}":
                for iri in self.index[label_key]:
                    rank = (0 if label_key.startswith(key) else 1, len(label_key))
                    if iri not in found or rank < found[iri]:
                        found[iri] = rank
        ordered = sorted(found, key=lambda i: (found[i], self.candidates[i].name.lower()))
        return [self.candidates[i] for i in ordered[:limit]]
