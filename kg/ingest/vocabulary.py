"""The SKOS vocabulary and the OWL ontology, read from the Turtle files under ``ontology/``.

The files are the single source of truth a librarian edits; this module
turns them into plain Python values (:class:`Entity`) for the extractor,
and into quads for the store. Files are written with the canonical base
IRI; a different ``KG_BASE`` is applied here, on load.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar, cast

from kg.errors import VocabularyError
from kg.graph import namespaces as ns
from kg.graph import terms
from kg.graph.predicates import neighbour_predicates
from kg.ingest.labels import norm
from kg.resources import data_dir, ontology_dir  # noqa: F401  (re-exported for callers)


@dataclass
class Entity:
    """One named thing the extractor can find in text."""

    iri: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    weak_labels: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)  #: class IRIs other than skos:Concept
    homepage_hosts: set[str] = field(default_factory=set)
    neighbours: set[str] = field(default_factory=set)  #: related, broader, narrower, lineage (both ways)
    sense_context: set[str] = field(default_factory=set)
    definition: str | None = None

    @property
    def labels(self) -> list[str]:
        return [self.pref_label, *self.alt_labels]

    @property
    def type_name(self) -> str:
        """The most specific local class name, for display and styling."""
        names = sorted(t.rsplit("#", 1)[-1] for t in self.types if t.startswith(ns.ONTOLOGY))
        return names[0] if names else "Concept"


T = TypeVar("T")


def _rebase(term: T, base: str) -> T:
    """Move an IRI from the canonical base to ``base``."""
    if isinstance(term, terms.NamedNode) and base != ns.CANONICAL_BASE and term.value.startswith(ns.CANONICAL_BASE):
        if not term.value.startswith(ns.ONTOLOGY.rstrip("#")):
            return cast(T, terms.NamedNode(base + term.value[len(ns.CANONICAL_BASE) :]))
    return term


_AT = re.compile(r"at line (?P<line>\d+) (?:column|between columns) (?P<column>\d+)(?: and \d+)?: (?P<reason>[^(]*)")


def turtle_mistake(path: Path, message: str) -> str:
    """One sentence naming the file, the line and the mistake, from the Turtle parser's message.

    >>> turtle_mistake(Path("t.ttl"), "Parser error at line 4 between columns 4 and 7: A dot is expected (t.ttl, line 4)")
    't.ttl, line 4, column 4: a dot is expected (is a ";" or "." missing at the end of the line before?)'
    """
    found = _AT.search(message)
    if not found:
        return f"{path}: {message}"
    line, reason = int(found["line"]), found["reason"].strip().rstrip(".")
    if reason.lower().startswith("unexpected end"):
        try:  # the parser points past the end: name the last line written
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            line = max((n for n, text in enumerate(lines, 1) if text.strip()), default=line)
        except OSError:
            pass
        return f'{path}, line {line}: the file ends inside a statement (is the final "." missing?)'
    reason = reason[:1].lower() + reason[1:]
    if "dot is expected" in reason:
        reason += ' (is a ";" or "." missing at the end of the line before?)'
    return f"{path}, line {line}, column {found['column']}: {reason}"


def read_turtle(path: Path, base: str) -> list[terms.Triple]:
    """Parse one Turtle file; a syntax error names the file, line and column."""
    try:
        triples = terms.read_turtle(path)
    except (SyntaxError, ValueError, OSError) as exc:
        raise VocabularyError(turtle_mistake(path, str(exc))) from None
    if base == ns.CANONICAL_BASE:
        return triples
    return [terms.Triple(_rebase(q.subject, base), q.predicate, _rebase(q.object, base)) for q in triples]


class Vocabulary:
    """The known entities, the ontology and the shapes, as read from ``ontology/``."""

    def __init__(self, directory: Path | None = None, base: str | None = None):
        self.directory = Path(directory or ontology_dir())
        self.base = base or ns.base_iri()
        if not (self.directory / "vocabulary").is_dir():
            raise VocabularyError(
                f"{self.directory}: no vocabulary folder here (expected {self.directory / 'vocabulary'})"
            )
        self.vocabulary_files = sorted((self.directory / "vocabulary").glob("*.ttl"))
        self.ontology_files = sorted(p for p in self.directory.glob("*.ttl") if p.name != "shapes.ttl")
        self.shapes_file = self.directory / "shapes.ttl"
        self.problems: list[str] = []  #: one sentence per vocabulary file that could not be read (and was left out)
        self.vocabulary_triples: list[terms.Triple] = []
        for path in self.vocabulary_files:
            try:
                self.vocabulary_triples += read_turtle(path, self.base)
            except VocabularyError as exc:
                self.problems.append(f"{exc}; the file is left out until it is mended")
        self.ontology_triples = [t for f in self.ontology_files for t in read_turtle(f, self.base)]
        self.entities = self._build_entities()
        self.superclasses = self._class_closure()

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever any ontology or vocabulary file changes."""
        digest = hashlib.sha256()
        for path in [*self.ontology_files, *self.vocabulary_files]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]

    def _build_entities(self) -> dict[str, Entity]:
        by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for t in self.vocabulary_triples:
            if isinstance(t.subject, terms.NamedNode):
                by_subject[t.subject.value][t.predicate.value].append(t.object)
        entities: dict[str, Entity] = {}
        for iri, props in by_subject.items():
            types = {o.value for o in props.get(ns.RDF + "type", [])}
            prefs = [o.value for o in props.get(ns.SKOS + "prefLabel", [])]
            if ns.SKOS + "Concept" not in types or not prefs:
                continue
            entities[iri] = Entity(
                iri=iri,
                pref_label=prefs[0],
                alt_labels=[o.value for o in props.get(ns.SKOS + "altLabel", [])],
                weak_labels=[o.value for o in props.get(ns.ONTOLOGY + "weakLabel", [])],
                types=types - {ns.SKOS + "Concept"},
                homepage_hosts={
                    o.value.lower().removeprefix("www.") for o in props.get(ns.ONTOLOGY + "homepageHost", [])
                },
                sense_context={o.value for o in props.get(ns.ONTOLOGY + "senseContext", [])},
                definition=next((o.value for o in props.get(ns.SKOS + "definition", [])), None),
            )
        linking = neighbour_predicates(self.directory)
        for iri, props in by_subject.items():
            for predicate in linking:
                for o in props.get(predicate, []):
                    if iri in entities and o.value in entities:
                        entities[iri].neighbours.add(o.value)
                        entities[o.value].neighbours.add(iri)
        return entities

    @cached_property
    def label_index(self) -> dict[str, set[str]]:
        """Normal form of every strong label (pref and alt) -> the IRIs of the entities it names."""
        index: dict[str, set[str]] = defaultdict(set)
        for entity in self.entities.values():
            for label in entity.labels:
                index[norm(label)].add(entity.iri)
        return dict(index)

    def _class_closure(self) -> dict[str, set[str]]:
        """Class IRI -> itself and every class above it (rdfs:subClassOf, transitively)."""
        parents: dict[str, set[str]] = defaultdict(set)
        for t in self.ontology_triples:
            subject, obj = t.subject, t.object
            if t.predicate.value == ns.RDFS + "subClassOf" and isinstance(obj, terms.NamedNode):
                if isinstance(subject, terms.NamedNode):
                    parents[subject.value].add(obj.value)
        closure: dict[str, set[str]] = {}

        def up(cls: str, seen: set[str]) -> set[str]:
            if cls in closure:
                return closure[cls]
            result = {cls}
            for parent in parents.get(cls, ()):
                if parent not in seen:
                    result |= up(parent, seen | {cls})
            closure[cls] = result
            return result

        for cls in list(parents):
            up(cls, set())
        return closure

    def kinds(self, iri: str) -> set[str]:
        """Local names of every kg: class the entity belongs to, directly or through a superclass."""
        entity = self.entities.get(iri)
        if entity is None:
            return set()
        names = set()
        for cls in entity.types:
            for above in self.superclasses.get(cls, {cls}):
                if above.startswith(ns.ONTOLOGY):
                    names.add(above[len(ns.ONTOLOGY) :])
        return names

    def by_host(self, host: str) -> Entity | None:
        """The organisation whose home page is on ``host`` (or a parent domain of it)."""
        host = host.lower().removeprefix("www.")
        for entity in self.entities.values():
            for known in entity.homepage_hosts:
                if host == known or host.endswith("." + known):
                    return entity
        return None

    def quads(self, graph: str) -> list[terms.Quad]:
        """The vocabulary as quads in ``graph``."""
        name = terms.NamedNode(graph)
        return [terms.Quad(t.subject, t.predicate, t.object, name) for t in self.vocabulary_triples]

    def ontology_quads(self, graph: str) -> list[terms.Quad]:
        name = terms.NamedNode(graph)
        return [terms.Quad(t.subject, t.predicate, t.object, name) for t in self.ontology_triples]
