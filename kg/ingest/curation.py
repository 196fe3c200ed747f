"""A librarian's decisions on what the extractor claims: confirm, reject, or add a claim it missed.

The decisions live in one plain file, ``curation/decisions.jsonl`` in the
data folder (:func:`kg.resources.data_dir`), one JSON object a line, in the
order they were taken, with who and when. IRIs are written short
(``kgid:nhs-england``, ``kg:evolvesInto``, ``schema:mentions``,
``kgdoc:…``) so the file reads and diffs well. A claim is a triple: a
relation between two entities, or ``DOCUMENT schema:mentions ENTITY`` for
a mention. A decision names a document, or none to apply to every document.
The last decision taken on a claim is the one in force.

Every ingest and re-extraction applies the decisions in force to each
document it writes (:meth:`Curation.apply` before the triples are made,
:meth:`Curation.quads` after): a rejected claim is left out, a confirmed
one is marked with the librarian who confirmed it, an added one is written
with its evidence sentence and the librarian as its source (PROV).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from kg.errors import UsageError
from kg.graph import namespaces as ns
from kg.graph import terms as rdf
from kg.graph.claims import claim_key
from kg.ingest.extract import Extraction, Mention, Relation
from kg.ingest.labels import slug
from kg.resources import data_dir

VERDICTS = {"confirm": "confirmed", "reject": "rejected", "add": "added"}
MENTIONS = ns.SCHEMA + "mentions"
_FIELDS = ("decision", "subject", "predicate", "object", "document", "who", "when", "sentence", "note")


def curation_file() -> Path:
    """The decisions file: ``curation/decisions.jsonl`` in the data folder (``KG_DATA_DIR``)."""
    return data_dir() / "curation" / "decisions.jsonl"


def expand(name: str, base: str | None = None) -> str:
    """A full IRI from ``prefix:local`` (the query prefixes) or ``<iri>``; a full IRI is returned as it is."""
    name = name.strip().removeprefix("<").removesuffix(">")
    if "://" in name:
        return name
    prefix, colon, local = name.partition(":")
    known = ns.prefixes(base)
    if colon and prefix in known:
        return known[prefix] + local
    raise UsageError(f"'{name}' is not an IRI: write it as kgid:NAME, kg:PROPERTY, kgdoc:NAME or a full https:// IRI")


def compact(iri: str, base: str | None = None) -> str:
    """The short form of an IRI for the decisions file (the longest matching query prefix)."""
    best = ""
    for prefix, namespace in ns.prefixes(base).items():
        if iri.startswith(namespace) and len(namespace) > len(ns.prefixes(base).get(best, "")):
            best = prefix
    return f"{best}:{iri[len(ns.prefixes(base)[best]) :]}" if best else iri


@dataclass(frozen=True)
class Decision:
    """One line of the decisions file, with its IRIs expanded."""

    decision: str  #: "confirm", "reject" or "add"
    subject: str
    predicate: str
    object: str
    document: str | None  #: the document it is about; None for every document
    who: str
    when: str  #: ISO 8601 date and time, UTC
    sentence: str = ""  #: the evidence sentence (required to add)
    note: str = ""
    line: int = 0  #: line number in the file (0 before it is written)

    @property
    def claim(self) -> tuple[str, str, str]:
        return (self.subject, self.predicate, self.object)

    @property
    def is_mention(self) -> bool:
        return self.predicate == MENTIONS

    @property
    def verdict(self) -> str:
        return VERDICTS[self.decision]

    def applies_to(self, document: str) -> bool:
        return self.document is None or self.document == document

    def key(self) -> str:
        """A short stable name of the claim (and its document), as ``kg review`` shows it."""
        return claim_key(self.claim, self.document)

    def as_line(self, base: str | None = None) -> str:
        values = asdict(self)
        values.pop("line")
        for name in ("subject", "predicate", "object", "document"):
            if values[name]:
                values[name] = compact(values[name], base)
        return json.dumps({k: values[k] for k in _FIELDS if values[k] not in ("", None)}, ensure_ascii=False)


def now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _space(text: str) -> str:
    return " ".join(text.split())


def find_sentence(text: str, sentence: str) -> tuple[int, int] | None:
    """Where ``sentence`` is in ``text``, ignoring differences of white space and case; None when it is not."""
    words = _space(sentence).split(" ")
    if not words or not words[0]:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


@dataclass
class Curation:
    """The decisions file, read; a line that cannot be read is named in :attr:`problems` and the rest still count."""

    path: Path = field(default_factory=curation_file)
    base: str = field(default_factory=ns.base_iri)
    decisions: list[Decision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  #: one sentence per unreadable line or unplaceable sentence
    said: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)  #: per document, decided claims it made

    @classmethod
    def load(cls, path: Path | None = None, base: str | None = None) -> Curation:
        curation = cls(Path(path or curation_file()), base or ns.base_iri())
        if not curation.path.is_file():
            return curation
        for number, text in enumerate(curation.path.read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            try:
                curation.decisions.append(curation._parse(text, number))
            except (ValueError, KeyError, TypeError, UsageError) as exc:
                curation.problems.append(f"{curation.path}, line {number}: {exc}; the line is ignored")
        return curation

    def _parse(self, text: str, number: int) -> Decision:
        values = json.loads(text)
        if not isinstance(values, dict):
            raise ValueError("the line is not a JSON object")
        decision = values["decision"]
        if decision not in VERDICTS:
            raise ValueError(f"'{decision}' is not a decision (confirm, reject or add)")
        document = values.get("document")
        return Decision(
            decision=decision,
            subject=expand(values["subject"], self.base),
            predicate=expand(values["predicate"], self.base),
            object=expand(values["object"], self.base),
            document=expand(document, self.base) if document else None,
            who=str(values.get("who") or "librarian"),
            when=str(values.get("when") or ""),
            sentence=str(values.get("sentence") or ""),
            note=str(values.get("note") or ""),
            line=number,
        )

    def append(self, decision: Decision) -> Decision:
        """Write one decision at the end of the file (made if missing); returns it with its line number."""
        if decision.decision == "add" and not decision.sentence.strip():
            raise UsageError("a claim is added with the sentence that says it: give --sentence")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = self.path.read_text(encoding="utf-8") if self.path.is_file() else ""
        with self.path.open("a", encoding="utf-8") as handle:
            if existing and not existing.endswith("\n"):
                handle.write("\n")
            handle.write(decision.as_line(self.base) + "\n")
        written = replace(
            decision, line=existing.count("\n") + 1 + (1 if existing and not existing.endswith("\n") else 0)
        )
        self.decisions.append(written)
        return written

    # ---------------------------------------------------------------- in force

    def in_force(self, document: str) -> list[Decision]:
        """The decisions that apply to ``document``: the last one taken on each claim, in file order."""
        last: dict[tuple[str, str, str], Decision] = {}
        for decision in self.decisions:
            if decision.applies_to(document):
                last.pop(decision.claim, None)
                last[decision.claim] = decision
        return list(last.values())

    def in_force_everywhere(self) -> list[Decision]:
        """The last decision on each (claim, document) pair, for listings."""
        last: dict[tuple[tuple[str, str, str], str | None], Decision] = {}
        for decision in self.decisions:
            last.pop((decision.claim, decision.document), None)
            last[(decision.claim, decision.document)] = decision
        return list(last.values())

    def digest(self, document: str) -> str:
        """Changes when the decisions in force on ``document`` change (part of its content hash)."""
        lines = [d.as_line(self.base) for d in self.in_force(document)]
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16] if lines else ""

    # ---------------------------------------------------------------- applying

    def apply(self, document: str, text: str, extraction: Extraction) -> Extraction:
        """Leave out rejected claims and put in added ones (in place; returns ``extraction``)."""
        decisions = self.in_force(document)
        rejected = {d.claim for d in decisions if d.decision == "reject"}
        said = {(document, MENTIONS, m.entity) for m in extraction.mentions}
        said |= {(r.subject, ns.ONTOLOGY + r.predicate, r.object) for r in extraction.relations}
        self.said[document] = {d.claim for d in decisions if d.claim in said}
        if rejected:
            extraction.mentions = [m for m in extraction.mentions if (document, MENTIONS, m.entity) not in rejected]
            extraction.relations = [
                r for r in extraction.relations if (r.subject, ns.ONTOLOGY + r.predicate, r.object) not in rejected
            ]
        for decision in decisions:
            if decision.decision != "add":
                continue
            where = find_sentence(text, decision.sentence)
            if where is None:
                self.problems.append(
                    f"{self.path}, line {decision.line}: the sentence is not in {document}, so the claim is not added"
                )
                continue
            start, end = where
            if decision.is_mention:
                extraction.mentions.append(Mention(decision.object, start, end, text[start:end], how="librarian"))
            elif decision.predicate.startswith(ns.ONTOLOGY):
                local = decision.predicate[len(ns.ONTOLOGY) :]
                extraction.relations.append(
                    Relation(decision.subject, local, decision.object, start, end, rule=f"added by {decision.who}")
                )
        return extraction

    def quads(self, document: str, quads: Iterable[rdf.Quad]) -> list[rdf.Quad]:
        """The review records of ``document`` and the marks on its confirmed and added claims.

        A decision taken for every document is recorded only in the documents whose extraction made
        the claim (as found by :meth:`apply`, which runs first for the same document).
        """
        said = self.said.get(document, set())
        decisions = [d for d in self.in_force(document) if d.document == document or d.claim in said]
        if not decisions:
            return []
        quads = list(quads)
        graph = rdf.NamedNode(document)
        statements: dict[tuple[str, str, str], set[str]] = {}
        parts: dict[str, dict[str, str]] = {}
        bodies: dict[str, set[str]] = {}
        for q in quads:
            p = q.predicate.value
            if p in (ns.RDF + "subject", ns.RDF + "predicate", ns.RDF + "object"):
                parts.setdefault(_value(q.subject), {})[p] = _value(q.object)
            elif p == ns.OA + "hasBody":
                bodies.setdefault(_value(q.object), set()).add(_value(q.subject))
        for statement, triple in parts.items():
            claim = (triple.get(ns.RDF + "subject", ""), triple.get(ns.RDF + "predicate", ""))
            statements.setdefault((*claim, triple.get(ns.RDF + "object", "")), set()).add(statement)
        out: list[rdf.Quad] = []

        def add(s: str, p: str, o: rdf.NamedNode | rdf.Literal | str) -> None:
            out.append(
                rdf.Quad(rdf.NamedNode(s), rdf.NamedNode(p), rdf.NamedNode(o) if isinstance(o, str) else o, graph)
            )

        for d in decisions:
            person = librarian_iri(d.who, self.base)
            review = f"{document}#review-{claim_key(d.claim, d.document)}"
            add(review, ns.RDF + "type", ns.ONTOLOGY + "Review")
            add(review, ns.ONTOLOGY + "verdict", rdf.Literal(d.verdict))
            add(review, ns.ONTOLOGY + "claimSubject", d.subject)
            add(review, ns.ONTOLOGY + "claimPredicate", d.predicate)
            add(review, ns.ONTOLOGY + "claimObject", d.object)
            add(review, ns.PROV + "wasAttributedTo", person)
            if d.when:
                add(
                    review,
                    ns.PROV + "generatedAtTime",
                    rdf.Literal(d.when, datatype=rdf.NamedNode(ns.XSD + "dateTime")),
                )
            if d.sentence:
                add(review, ns.ONTOLOGY + "evidenceText", rdf.Literal(d.sentence))
            if d.note:
                add(review, ns.RDFS + "comment", rdf.Literal(d.note))
            add(person, ns.RDF + "type", ns.PROV + "Person")
            add(person, ns.FOAF + "name", rdf.Literal(d.who))
            if d.decision == "reject":
                continue
            marked = statements.get(d.claim, set())
            if d.is_mention:  # a mention's annotations have the entity as body
                marked = {a for a in bodies.get(d.object, set()) if a.startswith(document + "#")}
            for node in sorted(marked):
                add(node, ns.ONTOLOGY + ("confirmedBy" if d.decision == "confirm" else "addedBy"), person)
                if d.decision == "add":
                    add(node, ns.PROV + "wasAttributedTo", person)
                    for annotation in sorted(bodies.get(node, set())):
                        add(annotation, ns.PROV + "wasAttributedTo", person)
        return out


def _value(term: rdf.Term | rdf.Triple) -> str:
    return str(term) if isinstance(term, rdf.Triple) else rdf.text_of(term)


def rules_fingerprint() -> str:
    """Changes when any extraction or parsing rule file (``patterns/*.toml``, ``parsing/*.toml``) changes."""
    digest = hashlib.sha256()
    folder = data_dir()
    for path in sorted([*folder.glob("patterns/*.toml"), *folder.glob("parsing/*.toml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def librarian_iri(who: str, base: str | None = None) -> str:
    return f"{base or ns.base_iri()}agent/librarian/{slug(who) or 'librarian'}"
