"""The ``kg`` command: a thin layer over the library.

Each command opens the store, calls one library function and formats the
result. Library errors (:class:`kg.errors.KGError`) become one sentence on
stderr and a non-zero exit status; nothing a user can get wrong ends in a
traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kg import __version__
from kg.errors import KGError, UsageError
from kg.graph import OUTPUT_FORMATS
from kg.graph.sandbox import WORKER_MEMORY_MB
from kg.terminal import SafeConsole, fit_table, strip_controls

if TYPE_CHECKING:
    from kg.graph.store import Store

# Start-up stays short (``kg query --help``, ``kg search``, ``kg stats``): pyoxigraph, rdflib, the extractor
# and rich's tables and progress bars are imported inside the commands that use them.

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="A knowledge graph of English health-policy documents, organisations, care models and concepts.",
)
out = SafeConsole()  #: strips control characters from what it prints (kg.terminal)
err = SafeConsole(stderr=True)

#: exit statuses: 1 = the data has problems (some inputs failed, shapes violated); 2 = could not run
EXIT_PROBLEMS, EXIT_ERROR = 1, 2

StoreOption = typer.Option(
    None, "--store", "-s", help="Store directory (default: $KG_STORE, else ./kg-store).", show_default=False
)


def write_out(text: str) -> None:
    """Machine output (CSV, TSV, JSON, N-Triples) on stdout, without control characters when that is a terminal."""
    sys.stdout.write(strip_controls(text) if sys.stdout.isatty() else text)


def open_store(location: str | None, **options: Any) -> Store:
    """The store at ``location`` (a folder or a ``sparql+http://`` server), imported when a command first opens one."""
    from kg.graph import store

    return store.open_store(location, **options)


def store_location(location: str | None) -> str:
    from kg.graph.store import resolve_location

    return resolve_location(location)


#: Rows a table shows before it stops with a note (``kg query --max-rows``).
TABLE_ROWS = 200
DOCUMENT_LINES = 200  #: documents listed after an ingest (the counts cover every one)


def fail(message: str, status: int = EXIT_ERROR) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(status)


def _version(value: bool) -> None:
    if value:
        out.print(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """A knowledge graph of English health-policy documents, organisations, care models and concepts."""


@app.command("ingest")
def ingest_command(
    paths: list[str] = typer.Argument(..., help="Files, folders (read recursively) and http(s):// addresses."),
    store: str | None = StoreOption,
    jobs: int = typer.Option(
        0,
        "--jobs",
        "-j",
        help="Worker processes reading and extracting (0: one per CPU; 1: in process, for debugging).",
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds one input may take before it is stopped."),
    memory_limit: int = typer.Option(
        1024, "--memory-limit", help="MiB of memory one input may use before it is stopped."
    ),
    prune: bool = typer.Option(False, "--prune", help="Also remove documents whose every source file is gone."),
    rehash: bool = typer.Option(
        False, "--rehash", help="Read every file again, even those whose size and time are as when last read."
    ),
    max_lines: int = typer.Option(
        DOCUMENT_LINES,
        "--max-lines",
        help="At most this many lines listing the documents read (0: every one); the counts cover them all.",
    ),
) -> None:
    """Read documents, find entities and relations, and store them with their evidence."""
    from rich.progress import Progress, TextColumn

    from kg.ingest.flow import Pipeline, ingest
    from kg.terminal import ProgressCounter

    if jobs < 0 or max_lines < 0 or time_limit <= 0 or memory_limit <= 0:
        fail("--jobs and --max-lines must be 0 or more, and --time-limit and --memory-limit more than 0")
    try:
        with open_store(store) as kg_store:
            pipeline = Pipeline()
            with Progress(
                *Progress.get_default_columns(), TextColumn("{task.fields[location]}"), console=err, transient=True
            ) as progress:
                task = progress.add_task("ingesting", total=None, location="")
                bar = ProgressCounter(lambda done, location: progress.update(task, completed=done, location=location))
                report = ingest(
                    paths,
                    kg_store,
                    pipeline,
                    on_source=bar.advance,
                    on_found=lambda inputs: progress.update(task, total=inputs),
                    jobs=jobs or os.cpu_count() or 1,
                    time_limit=time_limit,
                    memory_limit=memory_limit * 1024 * 1024,
                    prune=prune,
                    rehash=rehash,
                )
                bar.flush()
            total = kg_store.document_count()
    except KGError as exc:
        fail(str(exc))
    from kg.cli_librarian import print_counts, print_documents, print_problems

    print_documents(report, max_lines)
    print_counts(f"Ingest into {store_location(store)}", report, total)
    print_problems(report, [*pipeline.vocabulary.problems, *pipeline.curation.problems])
    if report.search_index_rebuilt:
        err.print(
            "[yellow]note:[/] the search index was damaged: it was set aside as search.sqlite.damaged and rebuilt "
            "from the documents read now (ingest the other folders again to index them too)",
            highlight=False,
            soft_wrap=True,
        )
    if report.failures:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command("query")
def query_command(
    query: str | None = typer.Argument(
        None, help="A saved query's name (see --list) or a file holding a SPARQL query.", show_default=False
    ),
    expression: str | None = typer.Option(None, "-e", "--expression", help="The SPARQL query text itself."),
    params: list[str] = typer.Option(
        [], "--param", "-p", help="NAME=VALUE for a saved query's parameter (repeatable).", show_default=False
    ),
    list_saved: bool = typer.Option(False, "--list", "-l", help="List the saved queries and their parameters."),
    fmt: str = typer.Option("table", "--format", "-f", help=f"Output: {', '.join(OUTPUT_FORMATS)}."),
    max_rows: int = typer.Option(
        TABLE_ROWS, "--max-rows", help="At most this many rows in a table (0: all); csv, tsv and json give every row."
    ),
    limit: str | None = typer.Option(
        None,
        "--limit",
        help="A saved query's page: at most this many rows (default: its '# page:' size; 0: the whole answer).",
        show_default=False,
    ),
    offset: str | None = typer.Option(
        None, "--offset", help="A saved query's page: skip this many rows first (default 0).", show_default=False
    ),
    store: str | None = StoreOption,
) -> None:
    """Run a saved query, a SPARQL file or -e 'SPARQL' (standard prefixes are declared; all graphs are the default graph)."""
    from rich.markup import escape
    from rich.table import Table

    from kg.graph.query import display, run_query, to_text
    from kg.graph.saved import (
        find_saved,
        load_saved,
        looks_like_path,
        parse_assignments,
        queries_dir,
        read_query_file,
        run_saved,
    )
    from kg.graph.saved_list import listing, listing_json

    saved = None
    try:
        if fmt not in OUTPUT_FORMATS:
            raise UsageError(f"unknown output format '{fmt}': choose one of {', '.join(OUTPUT_FORMATS)}")
        if list_saved:
            if query is not None or expression is not None or params:
                raise UsageError("--list takes no query, -e or --param")
            folder = queries_dir()
            every = load_saved(folder)
        else:
            if (query is None) == (expression is None):
                raise UsageError(
                    "give a saved query name, a query file or -e 'SPARQL' (one of them; 'kg query --list' shows the saved queries)"
                )
            values = parse_assignments(params)
            if expression is not None:
                sparql = expression
            elif query is not None and looks_like_path(query):
                sparql, saved = read_query_file(query)
            elif query is not None:
                saved = find_saved(query)
            if values and saved is None:
                raise UsageError(
                    "--param works only with a saved query (a name from 'kg query --list' or a .rq file with a '# param:' header)"
                )
            if (limit is not None or offset is not None) and saved is None:
                raise UsageError(
                    "--limit and --offset page a saved query's answer; in your own SPARQL write LIMIT and OFFSET"
                )
            with open_store(store, read_only=True) as kg_store:
                result = (
                    run_saved(kg_store, saved, values, limit, offset)
                    if saved is not None
                    else run_query(kg_store, sparql)
                )
                base = kg_store.base
    except KGError as exc:
        fail(str(exc))
    if list_saved:
        if fmt != "table":
            write_out(listing_json(every) if fmt == "json" else to_text(listing(every), fmt))
            return
        table = Table(title=f"Saved queries in {folder}")
        table.add_column("name", no_wrap=True)
        table.add_column("title", overflow="fold")
        table.add_column("parameters (type = default; ? may be empty)", overflow="fold")
        for name, title, parameters, _ in listing(every).rows:
            table.add_row(display(name), display(title), display(parameters).replace("; ", "\n"))
        out.print(table)
        err.print(f"{len(every)} saved queries: run one with 'kg query NAME --param NAME=VALUE'")
        return
    if result.note:
        err.print(escape(result.note))
    page = _page_sentence(result, saved.name if saved is not None else "")
    if fmt != "table" or result.kind != "select":
        write_out(to_text(result, "csv" if fmt == "table" else fmt, base))
        if page:
            err.print(page)
        return
    shown = result.rows if max_rows <= 0 else result.rows[:max_rows]
    cells = [[display(term, base) for term in row] for row in shown]
    out.print_table(fit_table(result.variables, cells, out.width, title=saved.title if saved is not None else None))
    if len(shown) < len(result.rows):
        err.print(
            f"showing the first {len(shown):,} of {len(result.rows):,} rows: --max-rows 0 shows them all,"
            " -f csv writes them all to a file"
        )
    else:
        err.print(page or f"{len(result.rows)} row(s)")


def _page_sentence(result: Any, name: str) -> str:
    """Which page of a saved query's answer this is, and how to ask for the next: empty for a whole answer."""
    if not result.limit and not result.offset:
        return ""
    first, last = result.offset + 1, result.offset + len(result.rows)
    shown = f"rows {first:,}-{last:,}" if result.rows else f"no rows after row {result.offset:,}"
    if result.more:
        return (
            f"{shown} (a page of {result.limit:,}; more follow): the next page is "
            f"'kg query {name} --offset {last}' (add your --param and --limit), --limit 0 gives every row"
        )
    return f"{shown} of {result.total:,}" if result.total is not None and result.rows else shown


@app.command("export")
def export_command(
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="One of: turtle, trig, nt, nq, jsonld, xml (RDF); graphml, gexf, csv (networks for graph tools). "
        "Default: from the file name's ending, else turtle.",
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
    store: str | None = StoreOption,
) -> None:
    """Export the store as RDF (TriG/N-Quads/JSON-LD keep one graph per document) or as a network for graph tools."""
    from kg.graph.export import FORMATS, write_stream
    from kg.web import exports

    try:
        fmt = exports.choose(fmt, output)
        with open_store(store, read_only=True) as kg_store:
            if output is None:
                if fmt not in FORMATS:
                    raise UsageError(f"the {fmt} export is written to files: give -o FILE")
                write_stream(kg_store, fmt, sys.stdout.buffer)
            else:
                try:
                    written = exports.write(kg_store, fmt, output)
                except OSError as exc:
                    raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
                err.print(f"wrote {', '.join(str(p) for p in written)} ({fmt})")
    except KGError as exc:
        fail(str(exc))


@app.command("validate")
def validate_command(store: str | None = StoreOption) -> None:
    """Check every document against the SHACL shapes; exit 1 on any violation."""
    from kg.graph.validate import validate

    try:
        with open_store(store, read_only=True) as kg_store:
            report = validate(kg_store)
    except KGError as exc:
        fail(str(exc))
    if report.conforms:
        out.print("[green]conforms[/]: every document satisfies ontology/shapes.ttl")
        return
    out.print(report.text, highlight=False, markup=False)
    err.print(f"{report.violations} violation(s)")
    raise typer.Exit(EXIT_PROBLEMS)


@app.command("map")
def map_command(
    output: Path = typer.Option(Path("map.html"), "-o", "--output", help="HTML file to write."),
    store: str | None = StoreOption,
) -> None:
    """Write an interactive relationship map as one self-contained HTML file."""
    from kg.web.mapview import write_map

    try:
        with open_store(store, read_only=True) as kg_store:
            graph = write_map(kg_store, output)
    except KGError as exc:
        fail(str(exc))
    out.print(f"wrote {output}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} links")
    files = output.parent / (output.stem + "-files")
    if files.is_dir() and any(files.glob("*.js")):  # a big map opens on an overview and reads the rest from here
        out.print(f"and the files it loads on demand in {files}/ (keep them beside it)")


BaseUrlOption = typer.Option(
    None,
    "--base-url",
    help="The address the site is published at (behind a proxy or on a shared host), e.g. https://example.org/kg/: "
    "the sitemap, VoID and reconciliation links start there.",
)


@app.command("site")
def site_command(
    outdir: Path = typer.Argument(..., help="Folder to write the site into (our pages in it are replaced)."),
    store: str | None = StoreOption,
    base_url: str | None = BaseUrlOption,
) -> None:
    """Write the offline site: the map, a page per entity and document, vocabulary, timeline, connections."""
    from kg.web.linked import checked_base_url
    from kg.web.site import build_site

    try:
        with open_store(store, read_only=True) as kg_store:
            report = build_site(kg_store, outdir, base_url=checked_base_url(base_url))
    except KGError as exc:
        fail(str(exc))
    out.print(
        f"wrote {outdir}: {report.pages} pages ({report.entities} entities, {report.documents} documents); "
        f"map of {report.nodes} nodes and {report.edges} links; {report.rewritten} files written, "
        f"{report.kept} unchanged, {report.removed} removed. Open {(outdir / 'index.html').resolve().as_uri()}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("serve")
def serve_command(
    store: str | None = StoreOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", "-p", help="Port to listen on."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run before it is stopped."),
    max_rows: int = typer.Option(10_000, "--max-rows", help="Largest result a query may return (rows or triples)."),
    workers: int = typer.Option(2, "--workers", help="Query worker processes (the light lane)."),
    memory_mb: int = typer.Option(
        WORKER_MEMORY_MB, "--memory-mb", help="MiB one query may use (default: 1/8 of memory, 512-2048); past it: 503."
    ),
    light_budget: float = typer.Option(
        0.5, "--light-budget", help="Processor seconds a query may use before it goes on in the heavy lane."
    ),
    heavy_slots: int = typer.Option(
        1, "--heavy-slots", help="Long queries that may run at once in the heavy lane; one more is stopped (503)."
    ),
    client_queries: int = typer.Option(
        4, "--client-queries", help="Queries one client address may have running at once; more get 429 (0: no cap)."
    ),
    answer_cache_mb: float = typer.Option(64, "--answer-cache-mb", help="MiB of answers kept till a write (0: none)."),
    head_seconds: float = typer.Option(
        10.0, "--header-timeout", help="Seconds a connection has to send a request's headers before it is closed."
    ),
    access_log: bool = typer.Option(False, "--access-log", help="Print a line for every request on stderr."),
    review: bool = typer.Option(False, "--review", help="Offer the review of claims at /review (loopback hosts only)."),
    review_any_host: bool = typer.Option(
        False,
        "--review-any-host",
        help="Allow --review on a host other than loopback (anyone who can reach it can decide).",
    ),
    base_url: str | None = BaseUrlOption,
) -> None:
    """Serve the query page, the SPARQL 1.1 endpoint (/sparql, read-only) and the site's pages (rebuilt when the store changes)."""
    from kg.web.server import serve

    try:
        if review:
            from kg.cli_librarian import check_review_host

            check_review_host(host, review_any_host)
        serve(
            store_location(store),
            host,
            port,
            query_timeout=timeout,
            max_rows=max_rows,
            workers=workers,
            build_site=True,
            review=review,
            review_any_host=review_any_host,
            base_url=base_url,
            client_queries=client_queries,
            head_seconds=head_seconds,
            memory_mb=memory_mb,
            light_budget=light_budget,
            heavy_slots=heavy_slots,
            answer_cache_mb=answer_cache_mb,
            access_log=access_log,
        )
    except KGError as exc:
        fail(str(exc))


@app.command("search")
def search_command(
    text: str = typer.Argument(..., help='Words to look for, e.g. "alliance contract" or ACS.'),
    limit: int = typer.Option(20, "--limit", "-n", help="How many results."),
    fmt: str = typer.Option("table", "--format", "-f", help="Output: table, csv or json."),
    store: str | None = StoreOption,
) -> None:
    """Find documents and entities by words in titles, labels, definitions and text, ranked, with a snippet."""

    from kg.graph.search import INDEX_NAME, SearchIndex, store_mentions
    from kg.graph.store import existing_store
    from kg.ingest.vocabulary import Vocabulary

    try:
        if fmt not in ("table", "csv", "json"):
            raise UsageError(f"unknown output format '{fmt}': choose table, csv or json")
        from kg.graph.store import is_remote, local_folder

        location = local_folder(store_location(store))
        if location.exists() and not is_remote(store_location(store)):
            existing_store(location)  # a file, a foreign folder, another format version: one sentence
        if not (location / INDEX_NAME).is_file():
            raise UsageError(f"there is no search index in {location}: run 'kg ingest' first or pass --store")
        with SearchIndex(location) as index, open_store(store_location(store), read_only=True) as kg_store:
            result = index.search(text, Vocabulary(), limit, store_mentions(kg_store))
    except KGError as exc:
        fail(str(exc))
    rows = [
        (
            h.kind,
            h.title,
            h.snippet if h.documents is None else f"{_documents(h.documents)} · {h.snippet}",
            h.iri,
            f"{h.score:.2f}",
        )
        for h in result.hits
    ]
    if fmt == "json":
        from kg.graph import namespaces as ns
        from kg.graph.search_payload import search_payload
        from kg.web.pages import page_path

        base = ns.base_iri()
        payload = search_payload(result, lambda iri: page_path(iri, base))  # pages as files of 'kg site'
        write_out(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("kind", "title", "snippet", "iri", "score"))
        writer.writerows(rows)
        return
    heading = f"Search: {text}" + (f" (also: {', '.join(result.expanded[1:])})" if len(result.expanded) > 1 else "")
    shown = [[kind, title, snippet] for kind, title, snippet, _, _ in rows]
    out.print(fit_table(["kind", "title", "snippet"], shown, out.width, title=heading))
    for relation, label, _ in result.see_also:
        out.print(f"see also its {relation}: {label}")
    if not rows:
        hint = " or ".join(f"'{s.label}'" for s in result.suggestions)
        err.print(f"no matches: did you mean {hint}?" if hint else "no matches")


def _documents(count: int) -> str:
    return f"mentioned in {count} document{'s' if count != 1 else ''}"


@app.command("candidates")
def candidates_command(
    paths: list[str] = typer.Argument(
        None, help="Files, folders and http(s):// addresses to look through (default: the store's sources)."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="Output: table or csv."),
    limit: int = typer.Option(30, "--limit", "-n", help="How many candidates to show."),
    promote: str | None = typer.Option(
        None, "--promote", help="Add this candidate (its term or long form) to the vocabulary and re-extract."
    ),
    type_: str | None = typer.Option(
        None, "--type", "-t", help="With --promote: its kg: class (default from its kind)."
    ),
    store: str | None = StoreOption,
) -> None:
    """List terms the vocabulary lacks (defined acronyms, organisation names, recurring phrases), best first."""
    from rich.table import Table

    from kg.cli_librarian import promote_candidate, store_sources
    from kg.ingest.candidates import find_candidates

    try:
        if fmt not in ("table", "csv"):
            raise UsageError(f"unknown output format '{fmt}': choose table or csv")
        candidates, failures = find_candidates(paths or store_sources(store))
    except KGError as exc:
        fail(str(exc))
    if promote is not None:
        promote_candidate(candidates, promote, type_, store)
        return
    rows = [
        (
            c.term,
            c.kind,
            c.long_form,
            str(c.count),
            str(len(c.documents)),
            "; ".join(sorted(c.documents))[:200],
            c.context,
        )
        for c in candidates[:limit]
    ]
    header = ("term", "kind", "long form", "count", "documents", "titles", "context")
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:
        table = Table(title=f"Candidate terms ({len(candidates)} found)")
        for name in header:
            if name != "titles":
                table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*(v for i, v in enumerate(row) if header[i] != "titles"))
        out.print(table)
    for failure in failures:
        err.print(f"[yellow]skipped[/] {failure.location}: {failure.reason}", highlight=False, soft_wrap=True)


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


def _register_topic_commands() -> None:
    """Load the kg/cli_<topic>.py modules: each adds its commands to ``app``, which it imports from here."""
    from kg import cli_data, cli_evidence, cli_librarian, cli_stats  # noqa: F401


_register_topic_commands()

if __name__ == "__main__":
    run()
