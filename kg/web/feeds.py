"""Current awareness: Atom feeds (RFC 4287) of the catalogue, written by ``kg site`` and served by ``kg serve``.

Four kinds, all under ``feeds/`` in the site:

* ``feeds/documents.xml``: every document, newest first (by date of publication, else last update);
* ``feeds/id/NAME.xml``: the documents that mention one entity (one feed per entity with documents);
* ``feeds/publisher/NAME.xml``: the documents one organisation published;
* ``feeds/due-for-review.xml``: the briefings whose review date has come, the longest overdue first.

Written with lxml, element by element, with what RFC 4287 requires (feed and entry ``id``, ``title``,
``updated``, an author) and no more. (feedgen 1.0, the Atom writer on PyPI, was tried first: it drops
the ``rel`` and ``type`` of every entry link, so a page link and a related link cannot be told apart.) An entry's id is the document's IRI, so a
feed reader sees the same entry again after a rebuild; its link is the document's page, relative to
the feed (readers resolve it against the feed's address). Dates as precise as the briefing wrote
them (a year, a month) stand for their first day.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.graph import namespaces as ns
from kg.web import readmodel as sd

FOLDER = "feeds"
ALL, DUE = f"{FOLDER}/documents.xml", f"{FOLDER}/due-for-review.xml"
MAX_ENTRIES = 200  #: a feed lists at most this many documents (readers only want the newest)


def when(value: str | None) -> _dt.datetime | None:
    """A stored date (``2019``, ``2019-01``, ``2019-01-07`` or a dateTime) as an aware datetime, or None."""
    if not value:
        return None
    text = value.strip()
    try:
        if "T" in text:
            moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=_dt.UTC)
        parts = [int(p) for p in text.split("-")[:3]]
        while len(parts) < 3:
            parts.append(1)
        return _dt.datetime(parts[0], parts[1], parts[2], tzinfo=_dt.UTC)
    except ValueError:
        return None


def entity_feed(page: str) -> str:
    """``id/nhs-england.html`` → ``feeds/id/nhs-england.xml``."""
    return f"{FOLDER}/{page.removesuffix('.html')}.xml"


def publisher_feed(page: str) -> str:
    return f"{FOLDER}/publisher/{page.rsplit('/', 1)[-1].removesuffix('.html')}.xml"


@dataclass(frozen=True)
class Feed:
    path: str  #: relative to the site root
    title: str
    subtitle: str
    documents: list[sd.DocumentInfo]
    page: str | None = None  #: the site page the feed is about


def _updated(doc: sd.DocumentInfo) -> _dt.datetime:
    return when(doc.modified) or when(doc.issued) or when(doc.generated) or _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)


def due(data: sd.SiteData, today: _dt.date) -> list[sd.DocumentInfo]:
    """Documents whose review date is today or earlier, the longest overdue first."""
    found = [(when(d.review_due), d) for d in data.documents.values() if d.review_due]
    return [
        d
        for moment, d in sorted(found, key=lambda p: (p[0] or _dt.datetime.max.replace(tzinfo=_dt.UTC), p[1].title))
        if moment and moment.date() <= today
    ]


def all_feeds(data: sd.SiteData, today: _dt.date | None = None) -> list[Feed]:
    """Every feed of the site, each with its documents in order."""
    today = today or _dt.datetime.now(_dt.UTC).date()
    newest = data.documents_newest_first()
    feeds = [
        Feed(ALL, "New documents", "Every document in the catalogue, newest first.", newest, "index.html"),
        Feed(
            DUE, "Documents due for review", f"Briefings whose review date has come (as of {today}).", due(data, today)
        ),
    ]
    mentioning: dict[str, list[str]] = defaultdict(list)
    published: dict[str, list[str]] = defaultdict(list)
    for doc in newest:
        for entity in doc.mentions:
            mentioning[entity].append(doc.iri)
        for publisher in doc.publishers:
            published[publisher].append(doc.iri)
    for iri, docs in sorted(mentioning.items()):
        info = data.entities.get(iri)
        if info is not None and info.page:
            feeds.append(
                Feed(
                    entity_feed(info.page),
                    f"Documents mentioning {info.label}",
                    "",
                    [data.documents[d] for d in docs],
                    info.page,
                )
            )
    for iri, docs in sorted(published.items()):
        info = data.entities.get(iri)
        if info is not None and info.page:
            feeds.append(
                Feed(
                    publisher_feed(info.page),
                    f"Documents published by {info.label}",
                    "",
                    [data.documents[d] for d in docs],
                    info.page,
                )
            )
    return feeds


def _relative(from_path: str, to_path: str) -> str:
    return "../" * from_path.count("/") + to_path


ATOM = "http://www.w3.org/2005/Atom"


def _stamp(moment: _dt.datetime) -> str:
    """An RFC 3339 date-time, as Atom requires."""
    return moment.astimezone(_dt.UTC).isoformat().replace("+00:00", "Z")


def atom(feed: Feed, data: sd.SiteData, site_title: str) -> bytes:
    """One feed as Atom XML (RFC 4287)."""
    from lxml import etree

    def add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: v for k, v in attributes.items() if v})
        if text is not None:
            element.text = text
        return element

    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    documents = feed.documents[:MAX_ENTRIES]
    latest = max((_updated(d) for d in documents), default=_dt.datetime(2000, 1, 1, tzinfo=_dt.UTC))
    add(root, "id", f"{ns.base_iri()}{feed.path.removesuffix('.xml')}")
    add(root, "title", feed.title)
    add(root, "subtitle", feed.subtitle or feed.title)
    add(root, "updated", _stamp(latest))
    add(add(root, "author"), "name", site_title)
    add(root, "link", href=feed.path.rsplit("/", 1)[-1], rel="self", type="application/atom+xml")
    if feed.page:
        add(root, "link", href=_relative(feed.path, feed.page), rel="alternate", type="text/html")
    add(root, "generator", "kg site")
    for doc in documents:
        entry = add(root, "entry")
        add(entry, "id", doc.iri)
        add(entry, "title", doc.title)
        add(entry, "updated", _stamp(_updated(doc)))
        issued = when(doc.issued)
        if issued:
            add(entry, "published", _stamp(issued))
        for publisher in doc.publishers:
            add(add(entry, "author"), "name", data.label(publisher))
        if doc.page:
            add(entry, "link", href=_relative(feed.path, doc.page), rel="alternate", type="text/html")
        for link in doc.links[:1]:
            add(entry, "link", href=link, rel="related")
        for entity in sorted(doc.mentions, key=data.label)[:20]:
            add(entry, "category", term=entity, label=data.label(entity))
        summary = doc.fields.get("abstract") or ""
        details = [f"Published by {', '.join(data.label(p) for p in doc.publishers)}." if doc.publishers else ""]
        if doc.review_due:
            details.append(f"Due for review {doc.review_due}.")
        add(entry, "summary", " ".join(part for part in [summary, *details] if part) or doc.title, type="text")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def feed_files(data: sd.SiteData, site_title: str, today: _dt.date | None = None) -> Iterable[tuple[str, str]]:
    """(path, Atom text) for every feed of the site."""
    for feed in all_feeds(data, today):
        yield feed.path, atom(feed, data, site_title).decode("utf-8")
