"""Adding vocabulary terms without writing Turtle: a label, short forms, a type, a definition, broader terms.

Terms are appended as SKOS to one additions file, ``vocabulary/local-terms.ttl``
in the ontology folder (:func:`kg.resources.ontology_dir`), so the packaged
files stay as shipped and a library's own terms are in one place it can
keep in version control. Before anything is written every label and short
form is checked against the labels the vocabulary already has (in the same
normal form the extractor matches with), the type against the ontology's
classes, and each broader or related term must name one known entity (by
``kgid:NAME``, label or short form). The file is parsed again after
writing; if it does not parse, it is put back as it was.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError, VocabularyError
from kg.graph import namespaces as ns
from kg.graph import terms as rdf
from kg.ingest.labels import norm, slug
from kg.ingest.vocabulary import Vocabulary, read_turtle
from kg.resources import ontology_dir

ADDITIONS = "local-terms.ttl"
_HEADER = f"""@prefix kg:   <{ns.ONTOLOGY}> .
@prefix kgid: <{ns.CANONICAL_BASE}id/> .
@prefix skos: <{ns.SKOS}> .

# Terms a librarian added with 'kg term add' or 'kg term import' (one block per term, newest last).
# The file is plain Turtle: it may be edited by hand too, and 'kg reextract' links what changed.
"""


@dataclass(frozen=True)
class TermSpec:
    """A term as a librarian describes it."""

    label: str
    type: str = "Concept"  #: local name of a kg: class under kg:PolicyEntity (Concept, CareModel, NationalBody ...)
    acronyms: tuple[str, ...] = ()
    alt_labels: tuple[str, ...] = ()
    definition: str = ""
    broader: tuple[str, ...] = ()  #: kgid:NAME, a label or a short form
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedTerm:
    iri: str  #: with the canonical base, as the vocabulary files are written
    spec: TermSpec
    scheme: str
    broader: tuple[str, ...]
    related: tuple[str, ...]

    @property
    def name(self) -> str:
        return "kgid:" + self.iri.rsplit("/", 1)[-1]

    def turtle(self) -> str:
        def lit(text: str) -> str:
            return str(rdf.Literal(" ".join(text.split()), language="en"))

        lines = [f"{self.name} a skos:Concept, kg:{self.spec.type} ;", f"    skos:inScheme {self.scheme} ;"]
        lines.append(f"    skos:prefLabel {lit(self.spec.label)} ;")
        alternatives = [*self.spec.acronyms, *self.spec.alt_labels]
        if alternatives:
            lines.append(f"    skos:altLabel {' , '.join(lit(a) for a in alternatives)} ;")
        if self.spec.definition.strip():
            lines.append(f"    skos:definition {lit(self.spec.definition)} ;")
        for predicate, targets in (("skos:broader", self.broader), ("skos:related", self.related)):
            if targets:
                lines.append(f"    {predicate} {' , '.join(targets)} ;")
        lines[-1] = lines[-1].removesuffix(" ;") + " ."
        return "\n".join(lines) + "\n"


@dataclass
class AddedTerms:
    path: Path
    terms: list[PlannedTerm] = field(default_factory=list)


def additions_file(directory: Path | None = None) -> Path:
    """The file new terms are written to: ``vocabulary/local-terms.ttl`` in the ontology folder."""
    return Path(directory or ontology_dir()) / "vocabulary" / ADDITIONS


def _canonical(iri: str, base: str) -> str:
    return ns.CANONICAL_BASE + iri[len(base) :] if iri.startswith(base) else iri


class TermPlanner:
    """Checks new terms against a vocabulary and gives each its IRI, scheme and links."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.base = vocabulary.base
        self.planned: dict[str, PlannedTerm] = {}  #: normal form of each new label → term
        self._schemes = self._schemes_by_type()

    def _schemes_by_type(self) -> dict[str, str]:
        counts: dict[str, Counter] = {}
        schemes = {
            t.subject.value: t.object.value
            for t in self.vocabulary.vocabulary_triples
            if t.predicate.value == ns.SKOS + "inScheme"
            and isinstance(t.object, rdf.NamedNode)
            and isinstance(t.subject, rdf.NamedNode)
        }
        for entity in self.vocabulary.entities.values():
            for cls in entity.types:
                if entity.iri in schemes:
                    counts.setdefault(cls, Counter())[schemes[entity.iri]] += 1
        return {cls: counter.most_common(1)[0][0] for cls, counter in counts.items()}

    def types(self) -> list[str]:
        root = ns.ONTOLOGY + "PolicyEntity"
        return sorted(
            c[len(ns.ONTOLOGY) :] for c, above in self.vocabulary.superclasses.items() if root in above and c != root
        )

    def resolve(self, name: str, what: str) -> str:
        """The short IRI (kgid:NAME) of the one entity ``name`` names; UsageError when none or several."""
        name = name.strip()
        if name.startswith("kgid:") or "://" in name:
            iri = self.base + "id/" + name[5:] if name.startswith("kgid:") else name
            if iri in self.vocabulary.entities or any(
                t.iri == _canonical(iri, self.base) for t in self.planned.values()
            ):
                return "kgid:" + iri.rsplit("/", 1)[-1]
            raise UsageError(f"the {what} term '{name}' is not in the vocabulary")
        if norm(name) in self.planned:
            return self.planned[norm(name)].name
        found = sorted(self.vocabulary.label_index.get(norm(name), ()))
        if len(found) == 1:
            return "kgid:" + found[0].rsplit("/", 1)[-1]
        if not found:
            raise UsageError(f"no term in the vocabulary is called '{name}' (give the {what} term as kgid:NAME)")
        names = ", ".join("kgid:" + iri.rsplit("/", 1)[-1] for iri in found)
        raise UsageError(f"'{name}' names several terms ({names}): give the {what} term as kgid:NAME")

    def plan(self, spec: TermSpec) -> PlannedTerm:
        label = " ".join(spec.label.split())
        if not label:
            raise UsageError("a term needs a label")
        if ns.ONTOLOGY + spec.type not in self.vocabulary.superclasses or spec.type not in self.types():
            raise UsageError(f"'{spec.type}' is not a type of term: choose one of {', '.join(self.types())}")
        for written in (label, *spec.acronyms, *spec.alt_labels):
            key = norm(written)
            if not key:
                raise UsageError(f"the label '{written}' has no letters or digits")
            known = sorted(self.vocabulary.label_index.get(key, ()))
            if known:
                entity = self.vocabulary.entities[known[0]]
                raise UsageError(
                    f"'{written}' is already a label of kgid:{known[0].rsplit('/', 1)[-1]} ({entity.pref_label}): "
                    "add to that term instead, or choose another label"
                )
            if key in self.planned:
                raise UsageError(f"'{written}' is given twice (also for '{self.planned[key].spec.label}')")
        iri = f"{ns.CANONICAL_BASE}id/{slug(label)}"
        if self.base + "id/" + slug(label) in self.vocabulary.entities:
            raise UsageError(f"kgid:{slug(label)} is already in the vocabulary: choose another label")
        scheme_iri = self._schemes.get(ns.ONTOLOGY + spec.type) or f"{self.base}id/scheme-concepts"
        scheme = "kgid:" + scheme_iri.rsplit("/", 1)[-1]
        planned = PlannedTerm(
            iri,
            TermSpec(label, spec.type, tuple(spec.acronyms), tuple(spec.alt_labels), spec.definition),
            scheme,
            tuple(self.resolve(b, "broader") for b in spec.broader if b.strip()),
            tuple(self.resolve(r, "related") for r in spec.related if r.strip()),
        )
        for written in (label, *spec.acronyms, *spec.alt_labels):
            self.planned[norm(written)] = planned
        return planned


def add_terms(specs: Iterable[TermSpec], directory: Path | None = None) -> AddedTerms:
    """Check every term, then append them all to the additions file (all or none)."""
    vocabulary = Vocabulary(directory)
    path = additions_file(directory)
    broken = [p for p in vocabulary.problems if p.startswith(str(path))]
    if broken:
        raise VocabularyError(f"{broken[0].split('; the file is left out')[0]}: mend it before adding terms")
    planner = TermPlanner(vocabulary)
    specs = list(specs)
    planned = []
    for spec in specs:
        try:
            planned.append(planner.plan(spec))
        except UsageError as exc:
            raise UsageError(f"{spec.label}: {exc}" if len(specs) > 1 else str(exc)) from None
    if not planned:
        raise UsageError("no terms to add")
    before = path.read_text(encoding="utf-8") if path.is_file() else None
    text = before if before is not None else _HEADER
    text = text if text.endswith("\n") else text + "\n"
    text += "".join("\n" + term.turtle() for term in planned)
    path.write_text(text, encoding="utf-8")
    try:
        read_turtle(path, ns.CANONICAL_BASE)
    except VocabularyError:
        if before is None:
            path.unlink()
        else:
            path.write_text(before, encoding="utf-8")
        raise
    return AddedTerms(path, planned)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


CSV_COLUMNS = ("label", "acronym", "type", "definition", "broader", "related", "alt_labels")


def read_terms_csv(path: Path) -> list[TermSpec]:
    """Terms from a CSV with a header row: label, acronym, type, definition, broader, related, alt_labels.

    Only ``label`` is required; several values in one cell are separated by ``;``.
    """
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a readable CSV file ({exc})") from None
    if not rows or "label" not in {(k or "").strip().lower() for k in rows[0]}:
        raise UsageError(f"{path} needs a header row with at least a 'label' column ({', '.join(CSV_COLUMNS)})")
    specs = []
    for number, row in enumerate(rows, 2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        unknown = sorted(set(cells) - set(CSV_COLUMNS) - {"acronyms"})
        if unknown:
            raise UsageError(
                f"{path}, line {number}: unknown column {unknown[0]!r} (columns: {', '.join(CSV_COLUMNS)})"
            )
        if not cells.get("label"):
            raise UsageError(f"{path}, line {number}: the label is empty")
        specs.append(
            TermSpec(
                label=cells["label"],
                type=cells.get("type") or "Concept",
                acronyms=_split(cells.get("acronym") or cells.get("acronyms")),
                alt_labels=_split(cells.get("alt_labels")),
                definition=cells.get("definition", ""),
                broader=_split(cells.get("broader")),
                related=_split(cells.get("related")),
            )
        )
    return specs
