"""Matching names against the graph for the W3C Entity Reconciliation API (what OpenRefine speaks).

The candidates are the vocabulary's entities and every other concept the store holds (those found
in documents). Names are resolved by the one resolver search and saved queries use
(:class:`kg.graph.names.NameIndex`: the normal form of every preferred and alternative label with
spelling variants and plurals, so an acronym, a long form, a former name kept as an alternative label
and a plural all find the entity); a name that is nobody's gets the names within the resolver's typo
budget, so a misspelling still offers the right entity, never as a match.

Scores run from 0 to 100: 100 for a name that is one of the entity's names, 95 for a sense used only
elsewhere (the US ACO beside the English one), at most 90 for a near name. ``match`` is true only
when exactly one candidate is left after the type filter and the resolver's preference for the plain
(English) sense: a name two entities share is left for a person to choose. A renamed entity also
offers what it became (or came from), scored below the entity named. Property values a query gives
(``properties``: a type, an ODS code, a Wikidata or legislation.gov.uk IRI, another label) raise the
score of the candidates that have them and lower those that have other values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from kg.graph import namespaces as ns
from kg.graph.names import NameIndex, entities_from_rows, names_for, names_query
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
OTHER_SENSE = 95.0  #: a name's sense that applies elsewhere only, beside the plain one
NEAR_MAX = 90.0  #: the best a name that is not a label can score
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
    """The SELECT of every concept the store holds with its names and classes (``?e ?label ?alt ?type``)."""
    return names_query()


class Reconciler:
    """The candidates and the name resolver over them: built once per vocabulary and store state.

    ``discovered`` are the rows of :func:`discovered_query` as {variable: value}.
    """

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
                e.iri, e.pref_label, e.labels, sorted(e.types), e.definition or "", sorted(links.get(e.iri, []))
            )
        rows = [[row.get(k) for k in ("e", "label", "alt", "type")] for row in discovered or []]
        found = [e for e in entities_from_rows(rows) if e.iri not in vocabulary.entities]
        for e in found:
            self.candidates[e.iri] = Candidate(
                e.iri, e.pref_label, e.labels, sorted(e.types), "Named in a document; not in the vocabulary."
            )
        self.names: NameIndex = names_for(vocabulary).extended(found)

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

        def allowed(iri: str) -> bool:
            return iri in self.candidates and (cls is None or self.has_type(self.candidates[iri], cls))

        found = [s for s in self.names.lookup(q.query) if allowed(s.iri)]
        plain = [s for s in found if not s.context] or found  # the resolver's preference, after the type filter
        results = {s.iri: Result(self.candidates[s.iri], EXACT if s in plain else OTHER_SENSE) for s in found}
        if len(plain) == 1:
            results[plain[0].iri].match = True
        for sense in plain:
            for other, relation in self._lineage(sense.iri):
                if other not in results and allowed(other):
                    results[other] = Result(self.candidates[other], LINEAGE_SCORE, note=f"{relation} of {sense.label}")
        if not found:
            typed = norm(q.query)
            for sense in self.names.suggest(q.query, limit=max(q.limit, 5)):
                if allowed(sense.iri) and sense.iri not in results:
                    similarity = OSA.normalized_similarity(typed, norm(sense.also or sense.label))
                    results[sense.iri] = Result(self.candidates[sense.iri], round(similarity * NEAR_MAX, 1))
        for result in results.values():
            result.score = max(0.0, min(EXACT, result.score + self._property_score(result.candidate, q.properties)))
        ranked = sorted(results.values(), key=lambda r: (-r.score, r.candidate.name.lower()))
        if ranked and ranked[0].match and ranked[0].score < EXACT:
            ranked[0].match = False  # a property contradicts the name: a person should look
        return ranked[: max(1, q.limit)]

    def _lineage(self, iri: str) -> list[tuple[str, str]]:
        """What the entity became and what it came from (the resolver's successors, both ways)."""
        after = [(s, "successor") for s in self.names.successors.get(iri, [])]
        before = [(old, "predecessor") for old, new in self.names.successors.items() if iri in new]
        return sorted(set(after + before))

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
        """Candidates with a name that starts with ``prefix`` (OpenRefine's entity suggest), exact names first."""
        return [self.candidates[s.iri] for s in self.names.complete(prefix, limit) if s.iri in self.candidates]
