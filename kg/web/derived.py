"""Views derived in Python from the site's read model: vocabulary trees, timeline, connection data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.graph import namespaces as ns
from kg.graph.namespaces import local_name
from kg.graph.predicates import lineage_predicates, predicates
from kg.ingest.dates import date_sort_key, format_date, year_of
from kg.web.readmodel import Link, Quote, SiteData

KG = ns.ONTOLOGY

# ------------------------------------------------------------------ derived views


def vocabulary_trees(data: SiteData) -> list[dict]:
    """Each concept scheme as a forest of {entity, children} along skos:broader/narrower, top concepts first."""
    members: dict[str, list[str]] = defaultdict(list)
    for entity in data.entities.values():
        for scheme in entity.schemes or {""}:
            members[scheme].append(entity.iri)
    trees = []
    names = sorted(
        members,
        key=lambda s: (
            s not in data.schemes,
            s == "",
            data.schemes[s].label.lower() if s in data.schemes else local_name(s),
        ),
    )
    for scheme in names:
        inside = set(members[scheme])
        info = data.schemes.get(scheme)
        tops = [i for i in (info.top if info else ()) if i in data.entities]
        # top concepts first; then anything whose broader concepts are all outside the scheme
        roots = sorted(set(tops), key=lambda i: data.label(i).lower())
        placed = set(roots)
        orphans = sorted(
            (i for i in inside if i not in placed and not (data.entities[i].broader & inside)),
            key=lambda i: data.label(i).lower(),
        )
        roots += orphans

        def grow(iri: str, path: frozenset) -> dict:
            children = sorted(
                (c for c in data.entities[iri].narrower if c not in path), key=lambda c: data.label(c).lower()
            )
            return {"entity": data.entities[iri], "children": [grow(c, path | {c}) for c in children]}

        forest = [grow(r, frozenset({r})) for r in roots]
        reached: set[str] = set()
        stack = list(forest)
        while stack:
            node = stack.pop()
            reached.add(node["entity"].iri)
            stack.extend(node["children"])
        # concepts only reachable through a cycle of broader links: list them flat so none is lost
        forest += [
            {"entity": data.entities[i], "children": []}
            for i in sorted(inside - reached, key=lambda i: data.label(i).lower())
        ]
        if info:
            label, definition = info.label, info.definition
        elif scheme:
            label, definition = "Found in documents" if scheme.endswith("scheme-discovered") else local_name(scheme), ""
        else:
            label, definition = "Not in any scheme", ""
        trees.append({"iri": scheme, "label": label, "definition": definition, "forest": forest, "count": len(inside)})
    return trees


@dataclass
class TimelineEvent:
    date: str
    kind: str  #: lineage, document, start, end
    subject: str | None = None  #: entity or document IRI
    object: str | None = None
    text: str = ""  #: the verb phrase between subject and object, or after the subject
    comment: str = ""
    source: str | None = None
    documents: list[tuple[str, Quote]] = field(default_factory=list)
    reported: bool = False  #: dated by the document that reports it, not by the event itself
    read: bool = False  #: a change read from documents (not a kg:LineageEvent of the vocabulary)

    @property
    def year(self) -> str:
        return year_of(self.date)

    @property
    def sort_key(self) -> str:
        return date_sort_key(self.date)


_DATE_PHRASES = {
    "start": ("start", "begins"),
    "founded": ("start", "is set up"),
    "issued": ("start", "is published"),
    "end": ("end", "ends"),
    "dissolved": ("end", "is dissolved"),
}


def timeline(data: SiteData) -> list[TimelineEvent]:
    """Lineage steps, entities' start and end dates, and dated documents, oldest first."""
    events: list[TimelineEvent] = []
    for step in data.lineage:
        date, reported = step.best_date(data.documents)
        if not date:
            continue
        events.append(
            TimelineEvent(
                date=date,
                kind="lineage",
                subject=step.predecessor,
                object=step.successor,
                text=step.phrase,
                comment=step.comment or "",
                source=step.source,
                documents=step.documents,
                reported=reported,
                read=step.event is None,
            )
        )
    for entity in data.entities.values():
        for what, date in entity.dates.items():
            kind, phrase = _DATE_PHRASES[what]
            if year_of(date):
                events.append(TimelineEvent(date=date, kind=kind, subject=entity.iri, text=phrase))
    for doc in data.documents.values():
        if doc.issued and year_of(doc.issued):
            events.append(TimelineEvent(date=doc.issued, kind="document", subject=doc.iri, text="is published"))
    order = {"lineage": 0, "start": 1, "end": 2, "document": 3}
    events.sort(
        key=lambda e: (
            e.sort_key,
            order[e.kind],
            data.label(e.subject or "").lower(),
            data.label(e.object or "").lower(),
        )
    )
    return events


def connect_data(data: SiteData, max_documents_per_pair: int = 5, quotes_per_mention: int = 3) -> dict:
    """Nodes and edges for the "why are these connected?" page.

    An edge joins two entities; it carries the statements that join them
    (``rel``: from the vocabulary, or from a document with its sentence) and
    the documents that mention both (``co``: document indexes, newest first,
    at most ``max_documents_per_pair`` of ``n``). Each node keeps a few quotes
    per document that one of its edges lists (``m``: document index -> [[start, quote],
    ...]) so the page can show the words on each side without repeating them
    on every edge.
    """
    nodes = sorted(data.entities.values(), key=lambda e: (e.label.lower(), e.iri))
    index = {e.iri: i for i, e in enumerate(nodes)}
    docs = data.documents_newest_first()
    doc_index = {d.iri: i for i, d in enumerate(docs)}
    edges: dict[tuple[int, int], dict] = {}

    def edge(a: int, b: int) -> dict:
        key = (a, b) if a < b else (b, a)
        if key not in edges:
            edges[key] = {"a": key[0], "b": key[1], "rel": [], "co": [], "n": 0}
        return edges[key]

    lineage_table = lineage_predicates()
    event_pairs = {(s.predecessor, s.successor) for s in data.lineage if s.event}
    seen = set()
    for entity in nodes:
        for link in entity.links:
            if id(link) in seen or link.subject not in index or link.object not in index or link.subject == link.object:
                continue
            seen.add(id(link))
            if link.document is None and link.predicate in lineage_table and _lineage_pair(link) in event_pairs:
                continue  # the dated event below says the same, with its note
            item = {"s": index[link.subject], "p": link.name, "i": link.name_from(link.object), "o": index[link.object]}
            if link.document is not None and link.document in doc_index:
                item["d"] = doc_index[link.document]
                if link.quote is not None:
                    item["q"] = link.quote.as_list()
            edge(index[link.subject], index[link.object])["rel"].append(item)
    for step in data.lineage:  # the vocabulary's note on a dated change is evidence too
        if step.event and step.predecessor in index and step.successor in index:
            item = {
                "s": index[step.predecessor],
                "p": step.phrase,
                "i": step.inverse_phrase,
                "o": index[step.successor],
                "note": step.comment or "",
            }
            if step.date:
                item["date"] = format_date(step.date)
            edge(index[step.predecessor], index[step.successor])["rel"].append(item)
    for doc in docs:
        present = sorted(index[e] for e in doc.mentions if e in index)
        d = doc_index[doc.iri]
        for x, a in enumerate(present):
            for b in present[x + 1 :]:
                pair = edge(a, b)
                pair["n"] += 1
                if len(pair["co"]) < max_documents_per_pair:
                    pair["co"].append(d)
    # a node quotes only the documents its edges list (the page shows the words of both sides there): every
    # document naming an entity was 36 of 56 MB of the data at 10,000 documents
    listed: dict[int, set[int]] = defaultdict(set)
    for pair in edges.values():
        listed[pair["a"]].update(pair["co"])
        listed[pair["b"]].update(pair["co"])
    out_nodes = []
    for n, e in enumerate(nodes):
        mentions = {}
        shown = listed.get(n, set())
        for doc_iri, quotes in e.mentions.items():
            if doc_iri in doc_index and doc_index[doc_iri] in shown and quotes:
                mentions[str(doc_index[doc_iri])] = [
                    [q.start if q.start is not None else -1, q.as_list()]
                    for q in [q for q in quotes if q.exact][:quotes_per_mention]
                ]
        out_nodes.append(
            {
                "id": e.iri,
                "label": e.label,
                "alt": e.alt_labels,
                "type": data.type_label(data.primary_type(e)),
                "page": e.page or "",
                "m": mentions,
            }
        )
    return {
        "nodes": out_nodes,
        "docs": [{"id": d.iri, "title": d.title, "date": format_date(d.issued), "page": d.page or ""} for d in docs],
        "edges": [edges[k] for k in sorted(edges)],
    }


def _lineage_pair(link: Link) -> tuple[str, str]:
    """(predecessor, successor) of an evolvesInto, evolvedFrom or supersedes link."""
    return predicates()[link.predicate].lineage_pair(link.subject, link.object)
