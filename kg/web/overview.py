"""The contexts of the site's overview pages, the home page and the timeline, sized for a library of any size.

A small library's home page lists every document and suggests every name as you type; a big one's points to
the documents table (:mod:`kg.web.catalogue`) and suggests the most mentioned names. Each type of entity has a
page listing all its entities (:func:`type_listings`); the home page lists a type's most mentioned ones and
points to that page when there are more. A timeline year with many
documents counts them and links to the table filtered to that year; one with many changes read from documents
shows the most reported and counts the others (docs/map-model.md, "Pages of a big library").
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from kg.graph.namespaces import local_name
from kg.web import derived
from kg.web.readmodel import DocumentInfo, EntityInfo, SiteData

TIMELINE_SINCE = "2014"
TIMELINE_DOCUMENTS = 40  #: a year of the timeline lists its documents up to this many; more are counted, in the table
TIMELINE_CHANGES = 150  #: a year shows this many changes read from documents (the most reported); more are counted
NEWEST_DOCUMENTS = 10
HOME_LISTS_ALL = 300  #: the home page lists every document up to this many; a bigger library's are in the table
FIND_SUGGESTED = 2000  #: names the home page's Find box suggests as you type (the most mentioned entities first)
TYPE_ON_HOME = 40  #: the home page lists this many entities of a type, the most mentioned; its page lists them all
TYPES_FOLDER = "types/"
KIND_NAMES = {"lineage": "Change", "start": "Start", "end": "End", "document": "Document"}


def lists_every_document(data: SiteData) -> bool:
    """Whether the home page lists every document (a small library) or points to the documents table."""
    return len(data.documents) <= HOME_LISTS_ALL


@dataclass(frozen=True)
class TypeListing:
    """The entities filed under one type (:meth:`SiteData.primary_type`), by label, and the page listing them."""

    cls: str
    label: str
    page: str
    entities: list[EntityInfo]

    def on_home(self) -> list[EntityInfo]:
        """What the home page lists: every entity, or the :data:`TYPE_ON_HOME` most mentioned, by label."""
        if len(self.entities) <= TYPE_ON_HOME:
            return self.entities
        top = sorted(self.entities, key=lambda e: -len(e.mentions))[:TYPE_ON_HOME]  # stable: label order in ties
        return sorted(top, key=lambda e: e.label.lower())


def type_page(cls: str, taken: set[str]) -> str:
    """The page of a type's entities, from its name: ``kg:NHSTrust`` is ``types/nhs-trust.html``.

    >>> type_page("https://w3id.org/nhs-policy-kg/ontology#NHSTrust", set())
    'types/nhs-trust.html'
    >>> type_page("https://example.org/other#NHSTrust", {"types/nhs-trust.html"})
    'types/nhs-trust-2.html'
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", local_name(cls)) if not unicodedata.combining(c))
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", plain)
    name = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-") or "type"
    page, n = f"{TYPES_FOLDER}{name}.html", 1
    while page in taken:
        n += 1
        page = f"{TYPES_FOLDER}{name}-{n}.html"
    return page


def type_listings(data: SiteData) -> list[TypeListing]:
    """Every type that files an entity with a page, by its label; its entities by label."""
    by_type: dict[str, list[EntityInfo]] = defaultdict(list)
    for e in data.entities.values():
        if e.page:
            by_type[data.primary_type(e)].append(e)
    listings: list[TypeListing] = []
    taken: set[str] = set()
    for cls in sorted(by_type, key=lambda c: (data.type_label(c).lower(), c)):
        page = type_page(cls, taken)
        taken.add(page)
        entities = sorted(by_type[cls], key=lambda e: (e.label.lower(), e.iri))
        listings.append(TypeListing(cls, data.type_label(cls), page, entities))
    return listings


def type_context(data: SiteData, listing: TypeListing) -> dict:
    """A type's page: its entities in groups by first letter, each with the documents that mention it."""
    groups: dict[str, list[EntityInfo]] = defaultdict(list)
    for e in listing.entities:
        first = e.label[:1].upper()
        groups[first if first.isalpha() else "#"].append(e)
    return {
        "listing": listing,
        "groups": sorted(groups.items(), key=lambda kv: (kv[0] == "#", kv[0])),
        "mentioned": sum(1 for e in listing.entities if e.mentions),
    }


def home_context(data: SiteData, listings: list[TypeListing]) -> dict:
    """The home page's context; ``listings``: :func:`type_listings`, which the type pages share."""
    docs = data.documents_newest_first()
    return {
        "lists_all": lists_every_document(data),
        "counts": {
            "documents": len(data.documents),
            "entities": len(data.entities),
            "mentioned": sum(1 for e in data.entities.values() if e.mentions),
            "relations": sum(len(d.relations) for d in data.documents.values()),
            "mentions": sum(len(q) for d in data.documents.values() for q in d.mentions.values()),
            "lineage": len(data.lineage),
        },
        "newest": docs[:NEWEST_DOCUMENTS],
        "all_documents": docs,
        "findable": _findable(data, docs),
        "by_type": listings,
    }


def _findable(data: SiteData, docs: list[DocumentInfo]) -> list[tuple[str, str, str | None]]:
    """The names the home page's Find box suggests as you type, each with its page, alphabetically: every name of
    every entity and document, or in a big library the :data:`FIND_SUGGESTED` of the most mentioned entities and
    then the newest documents (the box's search, ``names-data.js``, still finds every one)."""
    ranked = sorted((e for e in data.entities.values() if e.page), key=lambda e: (-len(e.mentions), e.label.lower()))
    names = [(name, e.label, e.page) for e in ranked for name in [e.label, *e.alt_labels]]
    names += [(d.title, d.title, d.page) for d in docs if d.page]
    return sorted(names[:FIND_SUGGESTED], key=lambda item: item[0].lower())


def timeline_context(data: SiteData) -> dict:
    events = derived.timeline(data)
    recent: dict[str, list] = defaultdict(list)
    earlier: dict[str, list] = defaultdict(list)
    published: dict[str, int] = defaultdict(int)
    for ev in events:
        if ev.kind == "document":
            published[ev.year] += 1
    for ev in events:
        if ev.kind != "document" or published[ev.year] <= TIMELINE_DOCUMENTS:
            (recent if ev.year >= TIMELINE_SINCE else earlier)[ev.year].append(ev)
    counted = {year: n for year, n in published.items() if n > TIMELINE_DOCUMENTS}  # shown as one line each
    for year in counted:
        (recent if year >= TIMELINE_SINCE else earlier).setdefault(year, [])
    more: dict[str, int] = {}
    for groups in (recent, earlier):
        for year, shown in groups.items():
            left = _fewer_changes(shown)
            if left:
                more[year] = left
    undated = [s for s in data.lineage if not s.best_date(data.documents)[0]]
    undated.sort(key=lambda s: (data.label(s.predecessor).lower(), data.label(s.successor).lower()))
    return {
        "since": TIMELINE_SINCE,
        "recent": sorted(recent.items()),
        "earlier": sorted(earlier.items()),
        "earlier_count": sum(len(v) for v in earlier.values())
        + sum(n for y, n in counted.items() if y < TIMELINE_SINCE)
        + sum(n for y, n in more.items() if y < TIMELINE_SINCE),
        "counted": counted,
        "more_changes": more,
        "undated": undated,
        "kind_names": KIND_NAMES,
    }


def _fewer_changes(events: list[derived.TimelineEvent]) -> int:
    """Keep the vocabulary's changes of a year and at most :data:`TIMELINE_CHANGES` of those read from documents
    (the most reported, then the earliest), in their order; returns how many of those are left out.
    A big library's documents report thousands a year: its timeline had 14 MB of them and took 13 s to open."""
    reported = [ev for ev in events if ev.kind == "lineage" and ev.read]
    if len(reported) <= TIMELINE_CHANGES:
        return 0
    kept = {id(ev) for ev in sorted(reported, key=lambda ev: (-len(ev.documents), ev.sort_key))[:TIMELINE_CHANGES]}
    events[:] = [ev for ev in events if not (ev.kind == "lineage" and ev.read) or id(ev) in kept]
    return len(reported) - TIMELINE_CHANGES
