"""The librarian's commands: the ingest's document list, ``kg reextract``, ``kg term``, ``kg review``, ``kg digest``.

Like :mod:`kg.cli`, each command is a thin layer: it opens the store, calls
one library function and prints the result; library errors become one
sentence and an exit status.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from kg.cli import EXIT_PROBLEMS, StoreOption, app, err, fail, open_store, out, store_location
from kg.errors import KGError

if TYPE_CHECKING:
    from kg.ingest.flow import IngestReport


def print_documents(report: IngestReport, max_lines: int = 0) -> None:
    """The documents an ingest read, with their titles, files and what happened to each: the first
    ``max_lines`` of them (0: every one), then how many more there were."""
    from kg.ingest.summary import document_lines, untold

    lines = document_lines(report)
    shown = lines[:max_lines] if max_lines else lines
    for line in shown:
        note = f"; {line.note}" if line.note else ""
        out.print(
            f"{line.status:<9}  {escape(line.title)}  [dim]({escape(line.location)}{escape(note)})[/]",
            highlight=False,
            soft_wrap=True,
        )
    if len(shown) < len(lines):
        out.print(f"[dim]… {untold(lines[len(shown) :])} (--max-lines 0 lists every one)[/]", highlight=False)
    for gone in report.removed:
        status, why = ("removed", "no longer in") if gone.removed else ("updated", "one of its sources is no longer in")
        out.print(
            f"{status:<9}  {escape(gone.title)}  [dim]({why} {escape(gone.where)})[/]", highlight=False, soft_wrap=True
        )
    if report.pruned:
        for _, title, files in report.orphaned:
            out.print(
                f"{'pruned':<9}  {escape(title)}  [dim](every source is gone: {escape(', '.join(files))})[/]",
                highlight=False,
                soft_wrap=True,
            )


def print_counts(title: str, report: IngestReport, total: int) -> None:
    from rich.table import Table

    from kg.ingest.summary import distinct_written

    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("source files read", report.sources_read),
        ("files unchanged, not read", report.not_read),
        ("documents written", distinct_written(report)),
        ("documents unchanged", len(report.unchanged)),
        (
            "documents removed",
            sum(1 for g in report.removed if g.removed) + (len(report.orphaned) if report.pruned else 0),
        ),
        ("mentions", report.mentions),
        ("relations", report.relations),
        ("failures", len(report.failures)),
        ("documents in store", total),
    ):
        table.add_row(label, str(value))
    out.print(table)


def print_problems(report: IngestReport, notes: list[str] | None = None) -> None:
    for skipped in report.skipped:
        err.print(
            f"[cyan]not read[/] {escape(skipped.location)}: {escape(skipped.reason)}", highlight=False, soft_wrap=True
        )
    for failure in report.failures:
        err.print(
            f"[yellow]skipped[/] {escape(failure.location)}: {escape(failure.reason)}", highlight=False, soft_wrap=True
        )
    for note in notes or []:
        err.print(f"[yellow]note[/] {escape(note)}", highlight=False, soft_wrap=True)
    if report.orphaned and not report.pruned:
        for _, title, files in report.orphaned:
            err.print(
                f"[yellow]orphaned[/] {escape(title)}: every source is gone ({escape(', '.join(files))}); "
                "'kg ingest --prune' removes it",
                highlight=False,
                soft_wrap=True,
            )
    if report.search_index_repaired:
        err.print(
            f"[yellow]note[/] an ingest was stopped before it finished: {len(report.search_index_repaired)} search "
            "entries that did not match the store were dropped (ingesting their files again indexes them)",
            highlight=False,
            soft_wrap=True,
        )


@app.command("reextract")
def reextract_command(store: str | None = StoreOption) -> None:
    """Read again every source the store records and extract anew (after a vocabulary, pattern or review change)."""
    from kg.ingest.flow import Pipeline
    from kg.ingest.reextract import reextract

    try:
        with open_store(store, create=False) as kg_store:
            pipeline = Pipeline()
            result = reextract(kg_store, pipeline)
            total = kg_store.document_count()
    except KGError as exc:
        fail(str(exc))
    print_documents(result.ingest)
    print_counts(
        f"Re-extracted {len(result.sources)} recorded sources in {store_location(store)}", result.ingest, total
    )
    print_problems(result.ingest, [*pipeline.vocabulary.problems, *pipeline.curation.problems])
    for source in result.moved:
        titles = "; ".join(source.documents.values())
        err.print(
            f"[yellow]moved[/] {escape(source.location)} is no longer there (it held: {escape(titles)}); "
            "ingest it from where it is now",
            highlight=False,
            soft_wrap=True,
        )
    if result.ingest.failures or result.moved:
        raise typer.Exit(EXIT_PROBLEMS)


term_app = typer.Typer(no_args_is_help=True, help="Add vocabulary terms without writing Turtle.")
app.add_typer(term_app, name="term")


def _add_and_reextract(specs: list, store: str | None, reextract_after: bool) -> None:
    from pathlib import Path

    from kg.graph.recorded import documents_mentioning
    from kg.ingest.flow import Pipeline
    from kg.ingest.new_terms import add_terms
    from kg.ingest.reextract import reextract

    try:
        added = add_terms(specs)
    except KGError as exc:
        fail(str(exc))
    for term in added.terms:
        short = ", ".join(term.spec.acronyms)
        out.print(
            f"added {term.name} “{escape(term.spec.label)}”{f' ({escape(short)})' if short else ''} "
            f"as kg:{term.spec.type} to {added.path}",
            highlight=False,
            soft_wrap=True,
        )
    location = store_location(store)
    if not reextract_after or not (Path(location) / "CURRENT").is_file():
        out.print("run 'kg reextract' to link the new terms in the documents already in a store", highlight=False)
        return
    try:
        with open_store(location, create=False) as kg_store:
            pipeline = Pipeline()
            result = reextract(kg_store, pipeline)
            linked = {t.name: documents_mentioning(kg_store, kg_store.base + "id/" + t.name[5:]) for t in added.terms}
    except KGError as exc:
        fail(str(exc))
    print_problems(result.ingest, [*pipeline.vocabulary.problems, *pipeline.curation.problems])
    out.print(f"re-extracted {len(result.sources)} recorded sources in {location}", highlight=False)
    for name, titles in linked.items():
        found = "; ".join(titles) if titles else "no document yet"
        out.print(
            f"{name} is now mentioned in {len(titles)} document(s): {escape(found)}", highlight=False, soft_wrap=True
        )
    for source in result.moved:
        err.print(f"[yellow]moved[/] {escape(source.location)} is no longer there", highlight=False, soft_wrap=True)


@term_app.command("add")
def term_add_command(
    label: str = typer.Argument(..., help='The preferred label, e.g. "Additional Roles Reimbursement Scheme".'),
    acronym: list[str] = typer.Option([], "--acronym", "-a", help="A short form (repeatable).", show_default=False),
    alt: list[str] = typer.Option([], "--alt", help="Another name (repeatable).", show_default=False),
    type_: str = typer.Option("Concept", "--type", "-t", help="Its kg: class: Concept, CareModel, NationalBody ..."),
    definition: str = typer.Option("", "--definition", "-d", help="One or two sentences saying what it is."),
    broader: list[str] = typer.Option([], "--broader", help="A broader term: kgid:NAME, label or short form."),
    related: list[str] = typer.Option([], "--related", help="A related term: kgid:NAME, label or short form."),
    no_reextract: bool = typer.Option(False, "--no-reextract", help="Only write the term; do not re-extract."),
    store: str | None = StoreOption,
) -> None:
    """Add a term to vocabulary/local-terms.ttl (checked for clashes), then re-extract the store to link it."""
    from kg.ingest.new_terms import TermSpec

    spec = TermSpec(label, type_, tuple(acronym), tuple(alt), definition, tuple(broader), tuple(related))
    _add_and_reextract([spec], store, not no_reextract)


@term_app.command("import")
def term_import_command(
    csv_file: str = typer.Argument(
        ..., help="CSV with a header: label, acronym, type, definition, broader, related, alt_labels."
    ),
    no_reextract: bool = typer.Option(False, "--no-reextract", help="Only write the terms; do not re-extract."),
    store: str | None = StoreOption,
) -> None:
    """Add every term of a CSV file (all or none), then re-extract the store to link them."""
    from pathlib import Path

    from kg.ingest.new_terms import read_terms_csv

    try:
        specs = read_terms_csv(Path(csv_file))
    except KGError as exc:
        fail(str(exc))
    _add_and_reextract(specs, store, not no_reextract)


def store_sources(store: str | None) -> list[str]:
    """The files and addresses the store records, for commands that look through them when given no paths."""
    from kg.errors import UsageError
    from kg.graph.recorded import recorded_sources

    with open_store(store, read_only=True) as kg_store:
        sources = [s.location for s in recorded_sources(kg_store) if s.is_address or Path(s.location).is_file()]
    if not sources:
        raise UsageError(f"the store at {store_location(store)} records no sources that are still there: give paths")
    return sources


def promote_candidate(candidates: list, name: str, type_: str | None, store: str | None) -> None:
    """Add the candidate called ``name`` as a vocabulary term (a defined acronym with its long form), then re-extract."""
    from kg.errors import UsageError
    from kg.ingest.labels import norm
    from kg.ingest.new_terms import TermSpec

    wanted = norm(name)
    found = [c for c in candidates if wanted in (norm(c.term), norm(c.long_form or ""))]
    if not found:
        fail(str(UsageError(f"'{name}' is not among the candidates: run 'kg candidates' to see them")))
    candidate = found[0]
    if candidate.kind == "acronym" and candidate.long_form:
        spec = TermSpec(candidate.long_form, type_ or "Concept", acronyms=(candidate.term,))
    else:
        spec = TermSpec(
            candidate.term, type_ or ("OtherOrganisation" if candidate.kind == "organisation" else "Concept")
        )
    _add_and_reextract([spec], store, True)


review_app = typer.Typer(help="Review what the extractor claims: list, confirm, reject, add.")
app.add_typer(review_app, name="review", invoke_without_command=True)

WhoOption = typer.Option(None, "--who", help="Who decides (default: $KG_LIBRARIAN, else your login name).")
NoteOption = typer.Option("", "--note", help="Why, in a few words (kept in the decisions file).")
DocumentOption = typer.Option(None, "--document", "-D", help="The document (kgdoc:NAME or its title).")


@review_app.callback()
def review_list_command(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", "-k", help="Only 'relation' or 'mention' claims."),
    every: bool = typer.Option(False, "--all", help="Also the claims already reviewed, with their verdict."),
    limit: int = typer.Option(20, "--limit", "-n", help="How many claims to show."),
    fmt: str = typer.Option("table", "--format", "-f", help="Output: table, csv or json."),
    store: str | None = StoreOption,
) -> None:
    """List the claims no librarian has reviewed yet, with their sentences, most cited first."""
    if ctx.invoked_subcommand is not None:
        return
    from kg.errors import UsageError
    from kg.ingest.review import Reviewer

    try:
        if kind not in (None, "relation", "mention"):
            raise UsageError(f"unknown kind '{kind}': choose relation or mention")
        if fmt not in ("table", "csv", "json"):
            raise UsageError(f"unknown output format '{fmt}': choose table, csv or json")
        with open_store(store, read_only=True) as kg_store:
            rows = Reviewer(kg_store).rows(kind, reviewed=every)
    except KGError as exc:
        fail(str(exc))
    if fmt != "table":
        _write_rows(rows[:limit], fmt)
        return
    from kg.terminal import Column, fit_table

    headings: list[Column | str] = [Column("key", "id"), "claim", Column("cited", "number"), "sentence"]
    headings += ["verdict"] if every else []
    cells = []
    for row in rows[:limit]:
        claim = f"{row.subject} [b]{escape(row.predicate)}[/b] {escape(row.object)}"
        cells_of_row = [
            row.claim.key,
            claim if row.claim.kind == "relation" else f"[i]{escape(row.subject)}[/i] mentions {escape(row.object)}",
        ]
        cells_of_row += [str(row.claim.count), escape(" ".join(row.claim.sentence.split()))]
        cells.append([*cells_of_row, *([row.verdict or "—"] if every else [])])
    title = f"Claims to review ({len(rows)}{' in all' if every else ' unreviewed'})"
    out.print(fit_table(headings, cells, out.width, title=title, markup=True))
    err.print(
        "decide with: kg review confirm KEY | kg review reject KEY | kg review add SUBJECT PREDICATE OBJECT -D DOC --sentence '…'"
    )


def _write_rows(rows: list, fmt: str) -> None:
    import csv
    import json
    import sys

    records = [
        {
            "key": r.claim.key,
            "kind": r.claim.kind,
            "subject": r.subject,
            "predicate": r.predicate,
            "object": r.object,
            "cited": r.claim.count,
            "sentence": " ".join(r.claim.sentence.split()),
            "verdict": r.verdict,
            "subject_iri": r.claim.subject,
            "predicate_iri": r.claim.predicate,
            "object_iri": r.claim.object,
            "document": r.claim.document or r.claim.example or "",
        }
        for r in rows
    ]
    if fmt == "json":
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["key"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)


def _decide(
    decision: str, parts: list[str], document: str | None, sentence: str, who: str | None, note: str, store: str | None
) -> None:
    from kg.ingest.flow import Pipeline
    from kg.ingest.review import Reviewer, apply_decision

    try:
        with open_store(store, create=False) as kg_store:
            taken = Reviewer(kg_store).decide(decision, parts, document, sentence, who, note)
            pipeline = Pipeline()
            result = apply_decision(kg_store, taken, pipeline)
    except KGError as exc:
        fail(str(exc))
    where = f" in {taken.document}" if taken.document else " in every document"
    out.print(
        f"{taken.verdict} by {escape(taken.who)}{where}: line {taken.line} of {pipeline.curation.path}",
        highlight=False,
        soft_wrap=True,
    )
    written = len({iri for iri, _ in result.ingest.written})
    out.print(f"re-extracted: {written} document(s) rewritten", highlight=False)
    print_problems(result.ingest, [*pipeline.vocabulary.problems, *pipeline.curation.problems])


ClaimArgument = typer.Argument(..., help="The claim's key (from 'kg review'), or SUBJECT PREDICATE OBJECT.")


@review_app.command("confirm")
def review_confirm_command(
    claim: list[str] = ClaimArgument,
    document: str | None = DocumentOption,
    who: str | None = WhoOption,
    note: str = NoteOption,
    store: str | None = StoreOption,
) -> None:
    """Confirm a claim: it stays and is marked "confirmed by a librarian"."""
    _decide("confirm", claim, document, "", who, note, store)


@review_app.command("reject")
def review_reject_command(
    claim: list[str] = ClaimArgument,
    document: str | None = DocumentOption,
    who: str | None = WhoOption,
    note: str = NoteOption,
    store: str | None = StoreOption,
) -> None:
    """Reject a claim: it leaves the store now and stays out at every later ingest and re-extraction."""
    _decide("reject", claim, document, "", who, note, store)


@review_app.command("add")
def review_add_command(
    claim: list[str] = typer.Argument(..., help="SUBJECT PREDICATE OBJECT, e.g. kgid:a evolvesInto kgid:b."),
    document: str = typer.Option(..., "--document", "-D", help="The document that says it (kgdoc:NAME or title)."),
    sentence: str = typer.Option(..., "--sentence", help="The sentence of the document that says it."),
    who: str | None = WhoOption,
    note: str = NoteOption,
    store: str | None = StoreOption,
) -> None:
    """Add a claim the extractor missed, with its sentence; the librarian is recorded as its source."""
    _decide("add", claim, document, sentence, who, note, store)


def check_review_host(host: str, any_host: bool) -> None:
    """``kg serve --review`` listens on loopback only, unless told otherwise with --review-any-host."""
    import ipaddress

    from kg.errors import UsageError

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not any_host:
        raise UsageError(
            f"--review lets whoever reaches the server change the catalogue, so it listens on loopback only: "
            f"drop --host {host}, or add --review-any-host"
        )


@app.command("digest")
def digest_command(
    since: str = typer.Option(..., "--since", help="First day to include: YYYY-MM-DD (or YYYY-MM, YYYY)."),
    output: Path = typer.Option(
        Path("digest.html"), "-o", "--output", help="HTML file to write; the text goes beside it (.txt)."
    ),
    link_base: str = typer.Option(
        "", "--link-base", help="Address of the published site, to link each catalogue entry."
    ),
    store: str | None = StoreOption,
) -> None:
    """Write a bulletin (HTML and plain text) of documents published or updated since a date, by care model and organisation."""
    from kg.errors import UsageError
    from kg.web.digest import digest, render
    from kg.web.feeds import when
    from kg.web.mapview import TITLE
    from kg.web.reading import gather

    first = None
    try:
        start = when(since) if since.strip() else None
        if start is None or "T" in since:
            raise UsageError(f"--since needs a date as YYYY-MM-DD, YYYY-MM or YYYY, not '{since}'")
        first = start.date()
        with open_store(store, read_only=True) as kg_store:
            result = digest(gather(kg_store), first, link_base)
        html, text = render(result, TITLE)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(html, encoding="utf-8")
            output.with_suffix(".txt").write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    except KGError as exc:
        fail(str(exc))
    out.print(
        f"wrote {output} and {output.with_suffix('.txt')}: {len(result.items)} document(s) since {first}",
        highlight=False,
        soft_wrap=True,
    )
