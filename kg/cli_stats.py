"""``kg stats``: the store's holdings in a librarian's terms, and its RDF sizes behind ``--rdf``."""

from __future__ import annotations

import json

import typer

from kg.cli import StoreOption, app, err, fail, open_store, out, write_out
from kg.errors import KGError, UsageError
from kg.terminal import Column, fit_table


def _when(stamp: str | None) -> str:
    """An xsd:dateTime as a person reads it: '2 December 2026, 08:01 UTC'."""
    if not stamp:
        return "never"
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    zone = " UTC" if moment.utcoffset() == dt.timedelta(0) else moment.strftime(" %z")
    return f"{moment.day} {moment:%B %Y, %H:%M}{zone}"


@app.command("stats")
def stats_command(
    rdf: bool = typer.Option(False, "--rdf", help="Also the RDF counts: quads, graphs, triples by graph and by type."),
    fmt: str = typer.Option("table", "--format", "-f", help="Output: table or json."),
    store: str | None = StoreOption,
) -> None:
    """Count documents (by type, publisher, undated), entities by kind, relations, review dates and the last ingest."""
    from kg.graph.stats import library_stats

    try:
        if fmt not in ("table", "json"):
            raise UsageError(f"unknown output format '{fmt}': choose table or json")
        with open_store(store, read_only=True) as kg_store:
            counts = library_stats(kg_store)
            raw = kg_store.stats() if rdf else None
            base = kg_store.base
    except KGError as exc:
        fail(str(exc))
    if fmt == "json":
        payload = counts.as_dict()
        if raw is not None:
            payload["rdf"] = raw
        write_out(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    width = out.width
    out.print(
        f"[bold]{counts.documents:,}[/] documents ({counts.undated:,} undated), "
        f"[bold]{sum(c.count for c in counts.entities):,}[/] entities, "
        f"[bold]{sum(c.count for c in counts.relations):,}[/] relations; last ingest {_when(counts.last_ingest)}",
        highlight=False,
    )
    number = Column("documents", "number")
    out.print(
        fit_table(
            ["type", number], [[c.label, f"{c.count:,}"] for c in counts.by_type], width, title="Documents by type"
        )
    )
    out.print(
        fit_table(
            ["publisher", number],
            [[c.label, f"{c.count:,}"] for c in counts.by_publisher],
            width,
            title="Documents by publisher",
        )
    )
    review = [
        ["with a review date", f"{counts.with_review_date:,}"],
        ["overdue (due before today)", f"{counts.overdue:,}"],
        ["due this month (today to month end)", f"{counts.due_this_month:,}"],
    ]
    out.print(fit_table(["review", number], review, width, title=f"Review dates on {counts.today}"))
    out.print(
        fit_table(
            ["kind", Column("named", "number"), Column("mentioned in documents", "number")],
            [[c.label, f"{c.count:,}", f"{c.mentioned or 0:,}"] for c in counts.entities],
            width,
            title="Entities by kind",
        )
    )
    out.print(
        fit_table(
            ["relation", Column("found", "number")],
            [[c.label, f"{c.count:,}"] for c in counts.relations],
            width,
            title="Relations found in documents",
        )
    )
    if counts.overdue or counts.due_this_month:
        err.print("the documents due for review: kg query due-for-review (--param before=YYYY-MM-DD)", highlight=False)
    if raw is None:
        return
    from kg.graph.query import display
    from kg.graph.terms import NamedNode

    sizes = [
        ["quads (a triple once per graph holding it)", f"{raw['triples']:,}"],
        ["distinct triples (the union default graph)", f"{raw['distinct_triples']:,}"],
        ["named graphs", f"{len(raw['by_graph']):,}"],
    ]
    out.print(fit_table(["RDF", Column("count", "number")], sizes, width, title="RDF"))
    out.print(
        fit_table(
            ["type", Column("subjects", "number")],
            [[display(NamedNode(iri), base), f"{n:,}"] for iri, n in raw["by_type"].items()],
            width,
            title="Things by type",
        )
    )
    out.print(
        fit_table(
            [Column("graph", "id"), Column("quads", "number")],
            [[display(NamedNode(g), base), f"{n:,}"] for g, n in raw["by_graph"].items()],
            width,
            title="Quads by graph",
        )
    )
