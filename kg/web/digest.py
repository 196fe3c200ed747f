"""``kg digest --since DATE``: a bulletin of new and changed documents, by care model and by organisation.

A document is *new* when it was published on or after the date (``dcterms:issued``) and *changed*
when it was published before but its briefing was updated on or after it (``dcterms:modified``).
Both dates come from the briefing itself, so re-extraction does not make old documents look new.
Dates as precise as written (a year, a month) stand for their first day. Every selected document
is listed under its publisher ("Organisation"), and under each care model it mentions.

The digest comes as HTML with inline styles (it survives being pasted into an e-mail) and as plain
text, both from the templates ``digest.html`` and ``digest.txt``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from kg.graph import namespaces as ns
from kg.web import readmodel as sd
from kg.web.feeds import when

CARE_MODEL = ns.ONTOLOGY + "CareModel"
NO_PUBLISHER = "Publisher not recorded"


@dataclass(frozen=True)
class DigestItem:
    title: str
    status: str  #: "new" or "updated"
    date: str  #: the issue date (new) or the update date (changed), as stored
    publishers: list[str]
    summary: str
    link: str  #: the original document's address, else its page in the catalogue, else its IRI
    page: str  #: its page in the catalogue (with --link-base), else ""
    iri: str


@dataclass
class Digest:
    since: _dt.date
    made: _dt.date
    items: list[DigestItem] = field(default_factory=list)
    by_care_model: list[tuple[str, list[DigestItem]]] = field(default_factory=list)
    by_organisation: list[tuple[str, list[DigestItem]]] = field(default_factory=list)


def _first_sentences(text: str, limit: int = 320) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max((m.end() for m in re.finditer(r"[.!?](?=\s)", cut)), default=0)
    return cut[:end] if end > limit // 3 else cut.rsplit(" ", 1)[0] + " …"


def digest(data: sd.SiteData, since: _dt.date, link_base: str = "", today: _dt.date | None = None) -> Digest:
    """The documents new or updated since ``since``, grouped."""
    result = Digest(since, today or _dt.datetime.now(_dt.UTC).date())
    chosen: dict[str, DigestItem] = {}
    for doc in data.documents_newest_first():
        issued, modified = when(doc.issued), when(doc.modified)
        if issued and issued.date() >= since:
            status, date = "new", doc.issued or ""
        elif modified and modified.date() >= since:
            status, date = "updated", doc.modified or ""
        else:
            continue
        page = link_base.rstrip("/") + "/" + doc.page if link_base and doc.page else ""
        chosen[doc.iri] = DigestItem(
            title=doc.title,
            status=status,
            date=date,
            publishers=[data.label(p) for p in doc.publishers],
            summary=_first_sentences(doc.fields.get("abstract", "")),
            link=(doc.links[0] if doc.links else "") or page or doc.iri,
            page=page,
            iri=doc.iri,
        )
    result.items = list(chosen.values())
    models: dict[str, list[DigestItem]] = defaultdict(list)
    organisations: dict[str, list[DigestItem]] = defaultdict(list)
    for iri, item in chosen.items():
        doc = data.documents[iri]
        for entity in doc.mentions:
            if entity in data.entities and CARE_MODEL in data.entities[entity].types:
                models[data.label(entity)].append(item)
        for name in item.publishers or [NO_PUBLISHER]:
            organisations[name].append(item)
    result.by_care_model = sorted(models.items(), key=lambda kv: (-len(kv[1]), kv[0].lower()))
    result.by_organisation = sorted(organisations.items(), key=lambda kv: (kv[0] == NO_PUBLISHER, kv[0].lower()))
    return result


def render(result: Digest, site_title: str) -> tuple[str, str]:
    """The digest as (HTML, plain text)."""
    from kg.web.site import environment

    env = environment()
    context = {"d": result, "site_title": site_title}
    html = env.get_template("digest.html").render(**context)
    text = env.overlay(autoescape=False).get_template("digest.txt").render(**context)  # plain text: no HTML escapes
    return html, re.sub(r"\n{3,}", "\n\n", text)
