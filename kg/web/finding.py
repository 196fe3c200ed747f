"""The offline pages' search: the name index of :mod:`kg.graph.names`, written at site build.

The home page's Find box and the map's search read ``names-data.js``
(``window.KG_NAMES``) through ``assets/find.js``. Python produces every key, the
normal form's rules (:func:`kg.ingest.labels.rules`) and the typo budget; the
script only normalises what was typed with those rules, looks up the keys and
measures a small edit distance for "did you mean". Each entity carries the
number of documents its page lists, so a search and the page agree.

The documents' titles are a file of their own, ``names-documents.js``
(``window.KG_NAME_DOCUMENTS``, named by ``KG_NAMES.documentsFile``): they grow
with the library (about 2 MB at 10,000 documents), the map never searches
them, and the Find box reads them only once someone starts typing.
"""

from __future__ import annotations

from typing import Any

from kg.graph.names import NameIndex, default_names
from kg.ingest.labels import norm, rules
from kg.ingest.vocabulary import Entity
from kg.web.readmodel import SiteData


def site_names(data: SiteData) -> NameIndex:
    """The vocabulary's names and those of every other entity the site has a page for."""
    return default_names(data.base).extended(
        [Entity(e.iri, e.label, list(e.alt_labels), types=set(e.types)) for e in data.entities.values()]
    )


DOCUMENTS_FILE = "names-documents.js"


def names_data(data: SiteData, names: NameIndex | None = None) -> dict[str, Any]:
    """``KG_NAMES``: rules, typo steps, entities (with page and document count), keys, the documents' file."""
    names = names if names is not None else site_names(data)
    pages = {iri: e.page for iri, e in data.entities.items() if e.page}
    payload = names.to_json(pages)
    for entry in payload["entities"]:
        entity = data.entities[entry["iri"]]
        entry["documents"] = len(entity.mentions)
    payload["rules"] = rules()
    payload["documentsFile"] = DOCUMENTS_FILE
    return payload


def names_documents(data: SiteData) -> list[dict[str, str]]:
    """``KG_NAME_DOCUMENTS``: each document with a page, newest first: title, page, search key, issue date."""
    return [
        {"title": d.title, "page": d.page, "key": norm(d.title), "issued": d.issued or ""}
        for d in data.documents_newest_first()
        if d.page
    ]
