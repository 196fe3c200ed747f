"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, the query page's JSON API and the static site.

Routes (the query page and the static site are built against them):

========================  ======================================================================
``/sparql``               SPARQL 1.1 Protocol: GET ``?query=``, POST form (``query=``), POST
                          ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``.
                          Without them the default graph is the union of all graphs. The standard
                          prefixes (:func:`kg.graph.namespaces.prefixes`) are declared.
                          GET without a query: the service description (Turtle by default);
                          a browser asking for HTML is sent to ``/``.
``/api/saved``            the saved queries: name, title, description, params
``/api/saved/{name}``     one saved query, parameters from the URL, answered like ``/sparql``
                          (``format=``, Accept; ``download=1`` adds Content-Disposition)
``/api/search?q=&limit=`` keyword search (``kg.graph.search``): hits and see-also, with page links
``/page?iri=``            303 to the IRI's page, or a small 404 page offering DESCRIBE
``/favicon.ico``          204: there is no icon
``/``                     the query page (``viz/query/index.html``)
``/query-assets/``,       ``viz/query/`` and ``viz/vendor/``
``/vendor/``
everything else           the site (:mod:`kg.web.site`): built by the server itself with ``build_site``
                          (at start, and again when a page is asked for after the store changed),
                          or a folder built beforehand (``site_dir``); without either, ``/assets/``
                          holds the site's style sheet, which the query page's header uses
========================  ======================================================================

Result formats, by the ``format`` (or ``output``) parameter or by Accept with q-values:
SELECT and ASK as SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT and DESCRIBE as Turtle
(default), N-Triples, JSON-LD, RDF/XML. An Accept that lists ``text/html`` is a browser's
navigation and gets the default.

Statuses:

* 200; 303 for ``/page`` and for a browser's bare GET ``/sparql``;
* 400 a malformed query (with the parser's message), no query, a query given twice, a bad graph IRI,
  a bad saved-query parameter, a federated query (SERVICE);
* 403 an update (``update=``, ``application/sparql-update``, or INSERT/DELETE/... as a query): the endpoint is read-only;
* 404 an unknown saved query or page; 405 a wrong method; 406 a format that cannot be given;
* 413 a request body over :data:`MAX_BODY` bytes; 415 a POST that is neither a form nor a query;
* 422 a result with more than ``max_rows`` rows or triples;
* 503 the query ran past ``query_timeout`` (its worker is killed and replaced), or every worker stayed busy that long;
* 500 a worker that crashed (it is replaced).

Errors are one sentence of ``text/plain`` from ``/sparql`` and ``{"error": "..."}`` JSON from ``/api/...``.
Every query runs in a worker process (:mod:`kg.graph.worker`) that opens the store read-only.

A site the server builds (:class:`SiteFolder`) follows the store as the workers do: a page request
compares the store directory's signature (:func:`kg.graph.worker.store_signature`) with the one the pages
were built from and, if it changed, builds the whole site again from a read-only store into a fresh
folder, then switches to it, so a page is always whole and of one build. The request that started a
build waits for it; requests meanwhile get the previous pages.
"""

from __future__ import annotations

import contextlib
import errno
import html
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote

import anyio
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg import resources
from kg.errors import KGError, QueryError, StoreError, UsageError
from kg.graph import namespaces as ns
from kg.graph import saved as saved_queries
from kg.graph.store import existing_store
from kg.graph.worker import (
    GRAPH_FORMATS,
    MEDIA_TYPES,
    RESULT_FORMATS,
    WorkerPool,
    WorkerStartError,
    encode_term,
    store_signature,
)
from kg.web.pages import page_path

log = logging.getLogger("uvicorn.error")  # the server's log: uvicorn shows it at its log level

#: Largest request body accepted (a form or a query), in bytes.
MAX_BODY = 1_000_000
SD = "http://www.w3.org/ns/sparql-service-description#"

#: ``format=`` values (short names and media types) -> pyoxigraph format names.
RESULT_NAMES = {
    "json": "JSON",
    "srj": "JSON",
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "xml": "XML",
    "srx": "XML",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "csv": "CSV",
    "text/csv": "CSV",
    "tsv": "TSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_NAMES = {
    "turtle": "TURTLE",
    "ttl": "TURTLE",
    "n3": "TURTLE",
    "text/turtle": "TURTLE",
    "application/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "text/n3": "TURTLE",
    "text/rdf+n3": "TURTLE",
    "ntriples": "N_TRIPLES",
    "n-triples": "N_TRIPLES",
    "nt": "N_TRIPLES",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "jsonld": "JSON_LD",
    "json-ld": "JSON_LD",
    "json": "JSON_LD",
    "application/ld+json": "JSON_LD",
    "application/json": "JSON_LD",
    "xml": "RDF_XML",
    "rdfxml": "RDF_XML",
    "rdf+xml": "RDF_XML",
    "rdf": "RDF_XML",
    "application/rdf+xml": "RDF_XML",
    "application/xml": "RDF_XML",
    "text/xml": "RDF_XML",
}
#: What Accept can choose, in the server's order of preference (the first is the default).
RESULT_OFFERS = [
    ("application/sparql-results+json", "JSON"),
    ("application/json", "JSON"),
    ("application/sparql-results+xml", "XML"),
    ("application/xml", "XML"),
    ("text/xml", "XML"),
    ("text/csv", "CSV"),
    ("text/tab-separated-values", "TSV"),
]
GRAPH_OFFERS = [
    ("text/turtle", "TURTLE"),
    ("application/turtle", "TURTLE"),
    ("application/x-turtle", "TURTLE"),
    ("application/n-triples", "N_TRIPLES"),
    ("text/plain", "N_TRIPLES"),
    ("application/ld+json", "JSON_LD"),
    ("application/json", "JSON_LD"),
    ("application/rdf+xml", "RDF_XML"),
    ("application/xml", "RDF_XML"),
    ("text/xml", "RDF_XML"),
]
EXTENSIONS = {
    "JSON": "json",
    "XML": "xml",
    "CSV": "csv",
    "TSV": "tsv",
    "TURTLE": "ttl",
    "N_TRIPLES": "nt",
    "JSON_LD": "jsonld",
    "RDF_XML": "rdf",
}
_FORMAT_HELP = "use json, xml, csv or tsv (SELECT, ASK) or turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE)"
_SAVED_RESERVED = ("format", "output", "download")
_SAVED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Problem(Exception):
    """An HTTP error with one sentence for the user."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --------------------------------------------------------------------------- content negotiation


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs.

    >>> parse_accept("text/turtle;q=0.5, application/ld+json")
    [('text/turtle', 0.5), ('application/ld+json', 1.0)]
    """
    ranges = []
    for part in header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of ``offer`` under the most specific range that matches it (0 when none does)."""
    kind = offer.split("/")[0]
    best, q = -1, 0.0
    for media, value in ranges:
        if media == offer:
            rank = 3
        elif media == f"{kind}/*":
            rank = 2
        elif media in ("*/*", "*"):
            rank = 1
        else:
            continue
        if rank > best:
            best, q = rank, value
    return q


def negotiate(header: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The best offer for an Accept header (ties go to the server's order); None if none is acceptable.

    >>> negotiate("text/csv, application/sparql-results+json;q=0.9", RESULT_OFFERS)
    'CSV'
    >>> negotiate("", RESULT_OFFERS), negotiate("image/png", RESULT_OFFERS)
    ('JSON', None)
    """
    ranges = parse_accept(header or "")
    if not ranges:
        return offers[0][1]
    best, chosen = 0.0, None
    for media, name in offers:
        q = quality(media, ranges)
        if q > best:
            best, chosen = q, name
    return chosen


def is_browser(header: str | None) -> bool:
    """Whether an Accept header is a browser's page navigation (it lists text/html)."""
    return any(media == "text/html" and q > 0 for media, q in parse_accept(header or ""))


def choose_formats(params: dict[str, str], accept: str | None) -> tuple[str | None, str | None]:
    """(results format, graph format) from ``format``/``output`` or Accept; 406 when neither can be given."""
    name = (params.get("format") or params.get("output") or "").strip().lower()
    if name:
        key = name.split(";")[0].strip()
        results, graph = RESULT_NAMES.get(key), GRAPH_NAMES.get(key)
        if results is None and graph is None:
            raise Problem(406, f"Unknown format '{name}': {_FORMAT_HELP}.")
        return results, graph
    if is_browser(accept):
        return RESULT_OFFERS[0][1], GRAPH_OFFERS[0][1]
    results, graph = negotiate(accept, RESULT_OFFERS), negotiate(accept, GRAPH_OFFERS)
    if results is None and graph is None:
        raise Problem(406, f"None of the media types in the Accept header ({accept}) can be given: {_FORMAT_HELP}.")
    return results, graph


# --------------------------------------------------------------------------- the application


class _Folder(StaticFiles):
    """Static files from a folder that may not exist yet (404 until it does)."""

    def __init__(self, directory: Path, **kwargs):
        super().__init__(directory=directory, check_dir=False, **kwargs)

    async def __call__(self, scope, receive, send) -> None:
        if not os.path.isdir(self.directory):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


_PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NHS policy knowledge graph</title></head>
<body><h1>NHS policy knowledge graph</h1>
<p>The query page is not built yet. The SPARQL endpoint is at <a href="/sparql">/sparql</a>
(GET or POST <code>query=</code>); the saved queries are listed at <a href="/api/saved">/api/saved</a>.</p>
</body></html>
"""


class _Build:
    """One whole copy of the site in a folder, and the requests reading from it."""

    def __init__(self, folder: Path, signature: tuple | None, owned: bool):
        self.folder = folder
        self.signature = signature  #: the store's signature taken before it was built (None: a folder given)
        self.owned = owned  #: ours to delete once replaced
        self.files = StaticFiles(directory=folder, html=True)
        self.users = 0
        self.retired = False


class SiteFolder:
    """The site's pages: a folder built beforehand, or the server's own builds, kept in step with the store.

    With ``live`` the site is built (:func:`kg.web.site.build_site` with ``server=True``, from the store
    opened read-only) into a new folder under ``root`` (a temporary folder of its own when None) at
    :meth:`start`; :meth:`acquire` builds it again when the store's signature differs from the one the
    current pages were built from. Only then does the site switch to the new folder, so a page is never
    half written; the previous folder is deleted once no request reads from it. One build runs at a
    time: the request that needs it waits, requests arriving during it get the previous pages.
    """

    #: Attempts at a build: opening a store read-only, or reading it, fails now and then while
    #: another process compacts it (a file listed in its manifest is gone); the next attempt works.
    ATTEMPTS = 3

    def __init__(self, location: str, folder: Path | None = None, *, live: bool = False):
        self.location = location
        self.live = live
        self.builds = 0  #: site builds done
        self.root = (
            Path(folder) if folder is not None else None
        )  #: where the builds go (made at the first build when None)
        self._own_root = live and folder is None
        self._build_lock = threading.Lock()  # one build at a time
        self._state = threading.Lock()  # the current build and its readers
        self._building = False
        self._failed: tuple | None = None  # the signature whose build failed: not tried again until it changes
        self._closed = False
        self.current: _Build | None = None if live else _Build(Path(folder), None, owned=False)

    # ------------------------------------------------------------- building (in a thread)

    def start(self) -> None:
        """Build the site if it is not built yet or the store changed; :class:`KGError` if it cannot be."""
        if self.live:
            self.refresh(raise_errors=True)

    def refresh(self, raise_errors: bool = False) -> None:
        """Build the site again if the store changed since the current build (waits for a build under way)."""
        with self._build_lock:
            if self._closed:
                return
            signature = store_signature(self.location)
            if self.current is not None and signature in (self.current.signature, self._failed):
                return
            self._building = True
            try:
                self._build()
            except Exception as exc:
                if raise_errors or self.current is None:
                    raise
                self._failed = signature
                log.error(
                    "The site could not be rebuilt; the previous pages are served until the store changes again: %s",
                    exc,
                    exc_info=not isinstance(exc, KGError),
                )
            finally:
                self._building = False

    def _build(self) -> None:
        from kg.graph.store import Store
        from kg.web.site import build_site

        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="kg-site-"))
        self.root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        for attempt in range(1, self.ATTEMPTS + 1):
            signature = store_signature(self.location)  # before reading: a change while building shows next time
            folder = Path(tempfile.mkdtemp(prefix="build-", dir=self.root))
            try:
                with Store(self.location, read_only=True) as store:
                    report = build_site(store, folder, server=True)
                break
            except (KGError, OSError, RuntimeError) as exc:
                shutil.rmtree(folder, ignore_errors=True)
                if attempt == self.ATTEMPTS:
                    raise StoreError(f"the site could not be built from the store at {self.location}: {exc}") from None
                time.sleep(0.2 * attempt)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        fresh = _Build(folder, signature, owned=True)
        with self._state:
            old, self.current = self.current, fresh
            self.builds += 1
            self._failed = None
            if old is not None:
                old.retired = True
        if old is not None:
            self._remove(old)  # now, or by the last request still reading from it
        log.info("Built the site: %d pages in %.1f s.", report.pages, time.perf_counter() - started)

    def _remove(self, build: _Build) -> None:
        with self._state:
            if build.users or not build.owned:
                return
            build.owned = False  # removed once
        shutil.rmtree(build.folder, ignore_errors=True)

    def close(self) -> None:
        """Remove the builds (and the temporary folder the server made); waits for a build under way."""
        if not self.live:
            return
        with self._build_lock:
            self._closed = True
            current, self.current = self.current, None
            if current is not None:
                current.retired = True
                self._remove(current)
            if self._own_root and self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------- serving

    def _stale(self) -> bool:
        """Whether a page request should wait for a build (not when one is already under way)."""
        if not self.live or self._closed:
            return False
        current = self.current
        if current is None:
            return True
        if self._building:
            return False  # the previous pages, while the next are built
        try:
            signature = store_signature(self.location)
        except OSError:
            return False
        return signature not in (current.signature, self._failed)

    async def acquire(self) -> _Build | None:
        """The current build, fresh, held until :meth:`release` (so its folder stays)."""
        if self._stale():
            await anyio.to_thread.run_sync(self.refresh)
        with self._state:
            build = self.current
            if build is not None:
                build.users += 1
        return build

    async def release(self, build: _Build) -> None:
        with self._state:
            build.users -= 1
            remove = build.retired and build.users == 0 and build.owned
        if remove:
            await anyio.to_thread.run_sync(self._remove, build)

    async def __call__(self, scope, receive, send) -> None:
        """The site's files, as an ASGI app."""
        build = await self.acquire()
        if build is None:
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        try:
            await build.files(scope, receive, send)
        finally:
            await self.release(build)


class Service:
    """The state behind the routes: the worker pool, the site, the base IRI, the vocabulary for search."""

    def __init__(self, location: str, pool: WorkerPool, site: SiteFolder | None):
        self.location = location
        self.pool = pool
        self.site = site
        self.base = ns.base_iri()
        self.prefixes = ns.prefixes(self.base)
        self._vocabulary = None
        self._vocabulary_lock = anyio.Lock()

    async def run(self, job: dict):
        return await anyio.to_thread.run_sync(self.pool.run, {"prefixes": self.prefixes, **job})

    async def vocabulary(self):
        async with self._vocabulary_lock:
            if self._vocabulary is None:
                from kg.ingest.vocabulary import Vocabulary

                self._vocabulary = await anyio.to_thread.run_sync(Vocabulary)
            return self._vocabulary


def _text_error(problem: Problem) -> Response:
    return PlainTextResponse(problem.message + "\n", status_code=problem.status, headers=problem.headers)


def _json_error(status: int, message: str, headers: dict | None = None) -> Response:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


async def _read_body(request: Request) -> bytes:
    """The body, up to :data:`MAX_BODY` bytes; 413 beyond.

    A body a little over the limit is read to its end and dropped, so that the client,
    still sending, gets the 413 rather than a connection reset; a far larger one is not.
    """
    too_large = Problem(413, f"The request body is larger than the server's limit of {MAX_BODY:,} bytes.")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > 16 * MAX_BODY:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > 16 * MAX_BODY:
            raise too_large
        if size <= MAX_BODY:
            chunks.append(chunk)
    if size > MAX_BODY:
        raise too_large
    return b"".join(chunks)


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or "utf-8"
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        raise Problem(400, f"The request body is not valid {charset} text.") from None


_READ_ONLY = "This endpoint is read-only: SPARQL updates are not accepted."


async def _protocol_params(request: Request) -> list[tuple[str, str]]:
    """Every protocol parameter of a request, from the URL and (POST) the body, in order."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == "application/sparql-update":
        raise Problem(403, _READ_ONLY)
    if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
        raise Problem(
            415, "POST a query as application/x-www-form-urlencoded (query=...) or as application/sparql-query."
        )
    text = _decode(await _read_body(request), content_type)
    if media == "application/sparql-query":
        if any(k == "query" for k, _ in params):
            raise Problem(
                400, "Give the query once: in the body of an application/sparql-query POST, not also in the URL."
            )
        return [*params, ("query", text)]
    return [*params, *parse_qsl(text, keep_blank_values=True)]


def _graph_iris(values: list[str], name: str) -> list[str]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise Problem(400, f"{name} '{value}' is not an absolute IRI.") from None
    return values


def _response(reply, headers: dict | None = None) -> Response:
    return Response(
        reply.body, status_code=reply.status, media_type=reply.media_type, headers={"Vary": "Accept", **(headers or {})}
    )


def create_app(
    store_location: str,
    *,
    site_dir: Path | None = None,
    build_site: bool = False,
    query_timeout: float = 30.0,
    max_rows: int = 10_000,
    workers: int = 2,
) -> Starlette:
    """The server as an ASGI application; the workers (and the site, with ``build_site``) start with it (lifespan) and stop with it.

    ``build_site``: the server builds the site's pages itself and builds them again when the store
    changes (:class:`SiteFolder`), in ``site_dir`` if given (made if missing), else in a temporary
    folder it removes when it stops. Without it, ``site_dir`` is a site built beforehand, served as it is.

    Raises :class:`StoreError` when there is no store at ``store_location`` and
    :class:`UsageError` for a limit or folder that cannot be used.
    """
    location = existing_store(store_location)
    if workers < 1:
        raise UsageError(f"the server needs at least one query worker, not {workers}")
    if not query_timeout > 0:
        raise UsageError(f"the query time limit must be more than 0 seconds, not {query_timeout}")
    if max_rows < 1:
        raise UsageError(f"the row limit must be at least 1, not {max_rows}")
    site = None
    if build_site:
        if site_dir is not None and Path(site_dir).exists() and not Path(site_dir).is_dir():
            raise UsageError(f"{site_dir} is a file, not a folder to build the site in")
        site = SiteFolder(location, site_dir, live=True)
    elif site_dir is not None:
        site_dir = Path(site_dir)
        if not site_dir.is_dir():
            raise UsageError(f"there is no site folder at {site_dir}: build it with 'kg site' or leave the option out")
        site = SiteFolder(location, site_dir)
    pool = WorkerPool(location, workers=workers, timeout=query_timeout, max_rows=max_rows)
    service = Service(location, pool, site)

    # ------------------------------------------------------------- /sparql

    async def sparql(request: Request) -> Response:
        try:
            params = await _protocol_params(request)
            names = {k for k, _ in params}
            if "update" in names:
                raise Problem(403, _READ_ONLY)
            queries = [v for k, v in params if k == "query"]
            if not queries:
                if request.method == "POST":
                    raise Problem(
                        400, "The request has no query: send query=... (a form) or a application/sparql-query body."
                    )
                return await service_description(request)
            if len(queries) > 1:
                raise Problem(400, "The request has more than one query parameter; send exactly one.")
            if not queries[0].strip():
                raise Problem(400, "The query is empty.")
            first = {}
            for key, value in params:
                first.setdefault(key, value)
            results, graph = choose_formats(first, request.headers.get("accept"))
            job = {"kind": "query", "sparql": queries[0], "results_format": results, "graph_format": graph}
            if "default-graph-uri" in names or "named-graph-uri" in names:
                job["default_graph"] = _graph_iris(
                    [v for k, v in params if k == "default-graph-uri"], "default-graph-uri"
                )
                job["named_graphs"] = _graph_iris([v for k, v in params if k == "named-graph-uri"], "named-graph-uri")
        except Problem as problem:
            return _text_error(problem)
        return _response(await service.run(job))

    async def service_description(request: Request) -> Response:
        accept = request.headers.get("accept")
        if is_browser(accept) and quality("text/html", parse_accept(accept)) >= max(
            quality(m, parse_accept(accept)) for m, _ in GRAPH_OFFERS
        ):
            return RedirectResponse("/", status_code=303)
        params = dict(request.query_params)
        fmt = choose_formats(params, None if is_browser(accept) else accept)[1]
        if fmt is None:
            raise Problem(406, "The service description is RDF: ask for Turtle, N-Triples, JSON-LD or RDF/XML.")
        reply = await service.run({"kind": "graphs"})
        if reply.status != 200:
            return _response(reply)
        endpoint = str(request.url.replace(query="", fragment=""))
        body = ox.serialize(
            describe_service(endpoint, reply.extra["graphs"]),
            format=getattr(ox.RdfFormat, fmt),
            prefixes={"sd": SD, "dcterms": ns.DCTERMS, "formats": "http://www.w3.org/ns/formats/"},
        )
        return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Vary": "Accept"})

    # ------------------------------------------------------------- /api

    async def saved_list(request: Request) -> Response:
        try:
            saved = await anyio.to_thread.run_sync(saved_queries.load_saved)
        except KGError as exc:
            return _json_error(500, str(exc))
        return JSONResponse(
            [
                {
                    "name": q.name,
                    "title": q.title,
                    "description": q.description,
                    "sparql": q.sparql,
                    "params": [
                        {"name": p.name, "type": p.type, "default": p.default, "optional": p.optional, "help": p.help}
                        for p in q.params
                    ],
                }
                for q in saved.values()
            ]
        )

    async def saved_run(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            query = await anyio.to_thread.run_sync(saved_queries.find_saved, name)  # one small file, off the event loop
        except KGError as exc:  # an unknown name (with suggestions), or a saved query that cannot be read
            exists = bool(_SAVED_NAME.match(name)) and (saved_queries.queries_dir() / f"{name}.rq").is_file()
            return _json_error(500 if exists else 404, str(exc))
        values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in _SAVED_RESERVED:
                continue
            if key in values:
                return _json_error(400, f"parameter '{key}' is given twice")
            values[key] = value
        try:
            terms = saved_queries.bind(query, values, service.base)
            results, graph = choose_formats(dict(request.query_params), request.headers.get("accept"))
        except QueryError as exc:
            return _json_error(400, str(exc))
        except Problem as problem:
            return _json_error(problem.status, problem.message)
        job = {
            "kind": "query",
            "sparql": query.sparql,
            "results_format": results,
            "graph_format": graph,
            "substitutions": {k: encode_term(v) for k, v in terms.items()},
            "drop": sorted(terms),
            "drop_if_empty": [p.name for p in query.params if p.name not in terms],
        }
        reply = await service.run(job)
        if reply.status != 200:
            return _json_error(reply.status, reply.text.strip())
        headers = {}
        if request.query_params.get("download", "") not in ("", "0", "false", "no"):
            fmt = next((f for f, t in MEDIA_TYPES.items() if t == reply.media_type), "JSON")
            headers["Content-Disposition"] = f'attachment; filename="{query.name}.{EXTENSIONS[fmt]}"'
        return _response(reply, headers)

    async def search(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        if not text:
            return _json_error(400, "Give something to search for: /api/search?q=...")
        raw_limit = request.query_params.get("limit", "20").strip() or "20"
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 200:
            return _json_error(400, f"limit must be a whole number from 1 to 200, not '{raw_limit}'")
        vocabulary = await service.vocabulary()
        return JSONResponse(
            await anyio.to_thread.run_sync(run_search, service.location, text, vocabulary, int(raw_limit), service.base)
        )

    # ------------------------------------------------------------- pages

    async def page(request: Request) -> Response:
        iri = request.query_params.get("iri", "").strip()
        path = page_path(iri, service.base) if iri else None
        if path and service.site is not None:
            build = await service.site.acquire()  # a page of a document ingested a moment ago is found
            try:
                exists = build is not None and (build.folder / path).is_file()
            finally:
                if build is not None:
                    await service.site.release(build)
        else:
            exists = bool(path)
        if exists:
            return RedirectResponse("/" + path, status_code=303)
        return HTMLResponse(missing_page(iri), status_code=404)

    async def no_icon(request: Request) -> Response:
        """The site's pages name no icon, so a browser asks for this one: nothing, rather than a 404 in its console."""
        return Response(status_code=204)

    async def home(request: Request) -> Response:
        index = resources.web_dir("query", "index.html")
        if index.is_file():
            return FileResponse(index)
        return HTMLResponse(_PLACEHOLDER)

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api/saved", saved_list, methods=["GET"]),
        Route("/api/saved/{name}", saved_run, methods=["GET"]),
        Route("/api/search", search, methods=["GET"]),
        Route("/page", page, methods=["GET"]),
        Route("/favicon.ico", no_icon, methods=["GET"]),
        Mount("/query-assets", app=_Folder(resources.web_dir("query")), name="query-assets"),
        Mount("/vendor", app=_Folder(resources.web_dir("vendor")), name="vendor"),
    ]
    if site is not None:
        routes.append(Mount("/", app=site, name="site"))
    else:  # the site's style sheet, for the query page's header
        routes.append(Mount("/assets", app=_Folder(resources.web_dir("static")), name="site-assets"))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            await anyio.to_thread.run_sync(pool.start)
            if site is not None:
                await anyio.to_thread.run_sync(site.start)
            yield
        finally:
            await anyio.to_thread.run_sync(pool.close)
            if site is not None:
                await anyio.to_thread.run_sync(site.close)

    async def problem_handler(request: Request, exc: Problem) -> Response:
        if request.url.path.startswith("/api/"):
            return _json_error(exc.status, exc.message, exc.headers)
        return _text_error(exc)

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={Problem: problem_handler},
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["Content-Disposition"],
                max_age=600,
            )
        ],
    )
    app.state.service = service
    app.state.pool = pool
    app.state.site = site
    return app


def describe_service(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint."""
    a = ox.NamedNode(ns.RDF + "type")
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(ns.DCTERMS + "title"), ox.Literal("NHS policy knowledge graph (read-only)")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(default, ox.NamedNode(ns.DCTERMS + "description"), ox.Literal("the union of all the named graphs")),
    ]
    for fmt in RESULT_FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(getattr(ox.QueryResultsFormat, fmt).iri)))
    for fmt in GRAPH_FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(getattr(ox.RdfFormat, fmt).iri)))
    for i, graph in enumerate(graphs):
        node = ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, a, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples


def run_search(location: str, text: str, vocabulary, limit: int, base: str | None = None) -> dict:
    """``/api/search`` as a dict (a connection of its own: SQLite connections stay in their thread)."""
    from kg.graph.search import INDEX_NAME, SearchIndex

    def page(iri: str) -> str | None:
        path = page_path(iri, base)
        return "/" + path if path else None

    if not (Path(location) / INDEX_NAME).is_file():
        return {
            "query": text,
            "expanded": [text],
            "hits": [],
            "see_also": [],
            "message": "this store has no search index yet: run 'kg ingest' to build it",
        }
    with SearchIndex(location) as index:
        result = index.search(text, vocabulary, limit)
    return {
        "query": result.query,
        "expanded": result.expanded,
        "hits": [
            {
                "iri": h.iri,
                "kind": h.kind,
                "title": h.title,
                "snippet": h.snippet,
                "score": h.score,
                "page": page(h.iri),
            }
            for h in result.hits
        ],
        "see_also": [
            {"relation": r, "label": label, "iri": iri, "page": page(iri)} for r, label, iri in result.see_also
        ],
    }


def missing_page(iri: str) -> str:
    """A small 404 page for an IRI without a page of its own, offering to DESCRIBE it."""
    shown = html.escape(iri) if iri else "(no IRI given)"
    link = "/?query=" + quote(f"DESCRIBE <{iri}>", safe="")
    offer = f'<p><a href="{html.escape(link)}">Describe it with a SPARQL query</a></p>' if iri else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>No page for this IRI</title></head>
<body><h1>No page for this IRI</h1>
<p>There is no page for <code>{shown}</code> on this site.</p>
{offer}<p><a href="/">Query page</a></p>
</body></html>
"""


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, or :class:`UsageError` saying why not (port in use, unknown host ...)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on host '{host}': {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use: stop the other server or choose another port with --port"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(False)
    return sock


@contextlib.contextmanager
def running(app, host: str = "127.0.0.1", port: int = 0, start_timeout: float = 60.0):
    """Serve ``app`` from a background thread (a free port by default); yields the base URL, stops on exit.

    For embedding the server in another program, and for tests and benchmarks that talk to it over a socket.
    """
    import threading
    import time

    import uvicorn

    sock = _listen(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise StoreError("the server did not start")
            time.sleep(0.02)
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def serve(
    store_location: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    query_timeout: float = 30.0,
    max_rows: int = 10_000,
    workers: int = 2,
    site_dir: Path | None = None,
    build_site: bool = False,
) -> None:
    """Run the server until Ctrl-C; prints its address. Problems the user can fix raise :class:`KGError`.

    ``site_dir`` and ``build_site`` are those of :func:`create_app`: with ``build_site`` the site is
    built before the address is printed and kept in step with the store while the server runs.
    """
    import uvicorn

    app = create_app(
        store_location,
        site_dir=site_dir,
        build_site=build_site,
        query_timeout=query_timeout,
        max_rows=max_rows,
        workers=workers,
    )
    sock = _listen(host, port)
    pool, site = app.state.pool, app.state.site
    try:
        try:
            pool.start()
        except WorkerStartError as exc:
            raise StoreError(str(exc)) from None
        if site is not None:
            site.start()
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{bound}/"
        print(
            f"Serving the store at {store_location} on {url} (SPARQL endpoint {url}sparql); press Ctrl-C to stop.",
            flush=True,
        )
        # Ctrl-C waits at most 3 s for queries still running; their workers are then killed
        config = uvicorn.Config(app, log_level="info", server_header=False, timeout_graceful_shutdown=3)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        pool.close()
        if site is not None:
            site.close()
        sock.close()
