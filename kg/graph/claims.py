"""What the extractor claims, read from the store for a librarian's review: relations and mentions, most cited first.

A relation claim is one (subject, predicate, object) over every document
that says it; a mention claim is one document's mention of one entity.
Each has a short key (:func:`kg.ingest.curation.claim_key`) that ``kg
review confirm|reject KEY`` takes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kg.graph import namespaces as ns
from kg.graph import terms
from kg.graph.evidence import Context, parse_span
from kg.graph.store import Store

MENTIONS = ns.SCHEMA + "mentions"


def claim_key(claim: tuple[str, str, str], document: str | None = None) -> str:
    """Eight hex digits naming a claim: the same claim in the same document (or everywhere) always has the same key."""
    return hashlib.sha1(" ".join([*claim, document or "*"]).encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Claim:
    kind: str  #: "relation" or "mention"
    subject: str
    predicate: str
    object: str
    document: str | None  #: the mentioning document; None for a relation (it is claimed wherever it is said)
    count: int  #: documents saying a relation; places naming the entity for a mention
    sentence: str
    example: str | None  #: a document that says it

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.subject, self.predicate, self.object)

    @property
    def key(self) -> str:
        return claim_key(self.triple, self.document)


def claims(store: Store) -> list[Claim]:
    """Every relation and mention in the store, most cited first (relations first on a tie)."""
    found = []
    for s, p, o, docs, sentence, doc in store._select("review-relations"):
        if isinstance(s, terms.NamedNode) and isinstance(o, terms.NamedNode):
            found.append(
                Claim(
                    "relation",
                    s.value,
                    terms.text_of(p),
                    o.value,
                    None,
                    int(terms.text_of(docs)),
                    terms.value_of(sentence) or "",
                    terms.value_of(doc),
                )
            )
    with Context(store) as context:
        for d, e, n, place in store._select("review-mentions"):
            if isinstance(d, terms.NamedNode) and isinstance(e, terms.NamedNode):
                count = int(terms.text_of(n))
                sentence = _in_context(context, d.value, terms.value_of(place) or "")
                found.append(Claim("mention", d.value, MENTIONS, e.value, d.value, count, sentence, d.value))
    found.sort(key=lambda c: (-c.count, c.kind != "relation", c.subject, c.predicate, c.object))
    return found


def _in_context(context: Context, document: str, place: str) -> str:
    """``"prefix[words]suffix"`` of a place given as ``"start-end words"`` (empty: none)."""
    where, _, exact = place.partition(" ")
    found = parse_span(where)
    if found is None:
        return ""
    prefix, suffix = context.around(document, found[0], found[1], exact)
    return f"{prefix}[{exact}]{suffix}"


def labels(store: Store) -> dict[str, str]:
    """IRI → label of every entity and title of every document."""
    return {terms.text_of(x): terms.text_of(label) for x, label in store._select("review-labels")}
