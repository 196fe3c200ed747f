"""Reviewing what the extractor claims: list the unreviewed claims, and take a decision that the store then follows.

A decision is written to the decisions file (:mod:`kg.ingest.curation`) and
the documents it applies to are re-extracted at once, so a rejected claim
leaves the store, a confirmed one is marked and an added one is written with
its sentence and the librarian as its source. The same decisions are applied
at every later ``kg ingest`` and ``kg reextract``.

Claims are named by the key ``kg review`` shows, or by their parts: an
entity as ``kgid:NAME``, a label or a short form; a predicate as
``kg:evolvesInto``, ``evolvesInto`` or ``mentions``; a document as
``kgdoc:NAME`` or its title.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from kg.errors import UsageError
from kg.graph import namespaces as ns
from kg.graph import terms as rdf
from kg.graph.claims import MENTIONS, Claim, claim_key, claims, labels
from kg.graph.store import Store
from kg.ingest.curation import Curation, Decision, expand, now
from kg.ingest.flow import Pipeline
from kg.ingest.labels import norm
from kg.ingest.reextract import ReextractReport, reextract
from kg.ingest.vocabulary import Vocabulary


def librarian() -> str:
    """Who is deciding: ``KG_LIBRARIAN``, else the login name."""
    try:
        return os.environ.get("KG_LIBRARIAN") or getpass.getuser()
    except (KeyError, OSError):
        return "librarian"


@dataclass(frozen=True)
class ReviewRow:
    """One claim as ``kg review`` lists it, with names instead of IRIs."""

    claim: Claim
    subject: str
    predicate: str
    object: str
    verdict: str  #: "" while unreviewed, else confirmed / rejected / added


class Reviewer:
    """The claims in a store, the decisions taken on them, and the names a librarian uses for them."""

    def __init__(self, store: Store, curation: Curation | None = None, vocabulary: Vocabulary | None = None):
        self.store = store
        self.curation = curation or Curation.load(base=store.base)
        self.vocabulary = vocabulary or Vocabulary()
        self.claims = claims(store)
        self.names = labels(store)
        self.ontology_properties = {
            t.subject.value
            for t in self.vocabulary.ontology_triples
            if t.predicate.value == ns.RDF + "type"
            and isinstance(t.subject, rdf.NamedNode)
            and isinstance(t.object, rdf.NamedNode)
            and t.object.value == ns.OWL + "ObjectProperty"
        }

    # ------------------------------------------------------------------ listing

    def verdict_of(self, claim: Claim) -> str:
        for decision in reversed(self.curation.decisions):
            if decision.claim == claim.triple and (decision.document is None or decision.document == claim.document):
                return decision.verdict
        return ""

    def name(self, iri: str) -> str:
        if iri == MENTIONS:
            return "mentions"
        return self.names.get(iri) or ns.local_name(iri)

    def rows(self, kind: str | None = None, reviewed: bool = False) -> list[ReviewRow]:
        """Unreviewed claims (or every claim, with ``reviewed``), most cited first."""
        rows = []
        for claim in self.claims:
            if kind and claim.kind != kind:
                continue
            verdict = self.verdict_of(claim)
            if verdict and not reviewed:
                continue
            rows.append(
                ReviewRow(claim, self.name(claim.subject), self.name(claim.predicate), self.name(claim.object), verdict)
            )
        return rows

    # ------------------------------------------------------------------ names

    def entity(self, name: str) -> str:
        text = name.strip()
        if ":" in text and " " not in text:
            return expand(text, self.store.base)
        found = sorted(self.vocabulary.label_index.get(norm(text), ()))
        if not found:
            found = sorted(iri for iri, label in self.names.items() if norm(label) == norm(text) and "/id/" in iri)
        if len(found) == 1:
            return found[0]
        if not found:
            raise UsageError(f"no entity is called '{name}': give it as kgid:NAME")
        raise UsageError(f"'{name}' names several entities ({', '.join(found)}): give it as kgid:NAME")

    def document(self, name: str) -> str:
        text = name.strip()
        if text.startswith(("kgdoc:", "http://", "https://", "<")):
            iri = expand(text, self.store.base)
            if iri not in self.names:
                raise UsageError(f"there is no document {name} in the store")
            return iri
        found = sorted(iri for iri, title in self.names.items() if "/doc/" in iri and norm(title) == norm(text))
        if len(found) == 1:
            return found[0]
        if not found:
            raise UsageError(f"no document in the store has the title '{name}': give it as kgdoc:NAME")
        raise UsageError(f"several documents have the title '{name}': give one as kgdoc:NAME")

    def predicate(self, name: str) -> str:
        text = name.strip()
        if text in ("mentions", "schema:mentions", MENTIONS):
            return MENTIONS
        iri = expand(text if ":" in text else "kg:" + text, self.store.base)
        if iri not in self.ontology_properties:
            known = sorted(ns.local_name(p) for p in self.ontology_properties if p.startswith(ns.ONTOLOGY))
            raise UsageError(
                f"'{name}' is not a relation of the ontology: choose mentions or one of {', '.join(known)}"
            )
        return iri

    def find(self, key: str) -> Claim:
        for claim in self.claims:
            if claim.key == key.lower():
                return claim
        raise UsageError(f"no claim has the key {key}: 'kg review --all' lists every claim with its key")

    # ------------------------------------------------------------------ deciding

    def decide(
        self,
        decision: str,
        parts: list[str],
        document: str | None = None,
        sentence: str = "",
        who: str | None = None,
        note: str = "",
    ) -> Decision:
        """Record one decision (confirm, reject or add) on a claim named by its key or by its three parts."""
        if len(parts) == 1 and decision != "add":
            claim = self.find(parts[0])
            triple, doc = claim.triple, claim.document
            if document:
                doc = self.document(document)
        elif len(parts) == 3:
            predicate = self.predicate(parts[1])
            if predicate == MENTIONS:  # DOCUMENT mentions ENTITY
                doc = self.document(parts[0])
                triple = (doc, MENTIONS, self.entity(parts[2]))
            else:
                triple = (self.entity(parts[0]), predicate, self.entity(parts[2]))
                doc = self.document(document) if document else None
        else:
            raise UsageError("name the claim by its key (from 'kg review') or as SUBJECT PREDICATE OBJECT")
        if decision == "add":
            if doc is None:
                raise UsageError("an added claim belongs to one document: give --document")
            if not sentence.strip():
                raise UsageError("an added claim needs the sentence that says it: give --sentence")
        elif not any(
            c.triple == triple and (doc is None or c.example == doc or c.document == doc) for c in self.claims
        ):
            if not any(d.claim == triple for d in self.curation.decisions):
                raise UsageError("the store holds no such claim: 'kg review --all' lists them")
        return self.curation.append(
            Decision(decision, *triple, document=doc, who=who or librarian(), when=now(), sentence=sentence, note=note)
        )


def apply_decision(store: Store, decision: Decision, pipeline: Pipeline | None = None) -> ReextractReport:
    """Re-extract the documents a decision applies to (every document for a decision on a relation everywhere)."""
    pipeline = pipeline or Pipeline()
    documents = {decision.document} if decision.document else None
    return reextract(store, pipeline, documents)


__all__ = ["Reviewer", "ReviewRow", "apply_decision", "claim_key", "librarian"]
