"""The documents table (``documents.html``): one row per document, as the page's script reads it.

The page holds the rows as JSON in a ``<script type="application/json">`` block (no inline
script runs); ``assets/documents.js`` draws the facets, the sorted and filtered table, the
pages, the state in the address's ``#`` and the CSV download (a Blob: it works from file://).
"""

from __future__ import annotations

from typing import Any

from kg.ingest.dates import date_sort_key, format_date
from kg.web.readmodel import SiteData

#: Rows per page of the table, and the choices the page offers.
PAGE_SIZES = (25, 50, 100)
#: A review date this many days ahead or less counts as "due soon".
DUE_SOON_DAYS = 90


def document_rows(data: SiteData) -> list[dict[str, Any]]:
    """Every document with its type, publishers, dates (as written and readable), entity count and entities."""
    rows = []
    for d in sorted(data.documents.values(), key=lambda d: (date_sort_key(d.issued), d.title.lower())):
        types = sorted({data.type_label(t) for t in d.types if not t.endswith("#Document")}) or ["Document"]
        entities = sorted(e for e in d.mentions if e in data.entities)
        rows.append(
            {
                "iri": d.iri,
                "title": d.title,
                "page": d.page,
                "type": types,
                "publisher": sorted({data.label(p) for p in d.publishers}),
                "issued": d.issued or "",
                "issuedText": format_date(d.issued) if d.issued else "",
                "modified": d.modified or "",
                "modifiedText": format_date(d.modified) if d.modified else "",
                "reviewDue": d.review_due or "",
                "reviewDueText": format_date(d.review_due) if d.review_due else "",
                "entities": len(entities),
                "entityIris": entities,
            }
        )
    return rows


def catalogue_data(data: SiteData) -> dict[str, Any]:
    """The page's JSON: rows, the entities for the entity facet ([IRI, label], by label), page sizes and the
    "due soon" span. A row names its entities by their positions in that list (``mentions``), not by IRI:
    the IRIs, repeated on every row, were four fifths of the page at 10,000 documents."""
    rows = document_rows(data)
    mentioned = sorted({e for r in rows for e in r["entityIris"]}, key=lambda e: (data.label(e).lower(), e))
    position = {e: i for i, e in enumerate(mentioned)}
    for row in rows:
        row["mentions"] = [position[e] for e in row.pop("entityIris")]
    return {
        "rows": rows,
        "entities": [[e, data.label(e)] for e in mentioned],
        "pageSizes": list(PAGE_SIZES),
        "dueSoonDays": DUE_SOON_DAYS,
    }
