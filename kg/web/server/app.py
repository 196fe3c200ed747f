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
``/api/names?q=``         what a typed name stands for (:mod:`kg.graph.names`) and names that start so
``/api/status``           the site's build: ``built``, ``building`` (since when), ``failed`` (why), its last counts
``/page?iri=``            303 to the IRI's page, or a small 404 page offering DESCRIBE
``/favicon.ico``          204: there is no icon
``/id/``, ``/doc/``,      linked data (:mod:`kg.web.server.linked`): IRIs by content negotiation,
``/.well-known/void``,    VoID, the sitemap, the streamed dumps, Graph Store Protocol reads
``/sitemap.xml``, ...     (also ``/sparql?graph=IRI`` and ``/sparql?default``)
``/reconcile``            the W3C Entity Reconciliation API (:mod:`kg.web.server.reconcile`)
``/``                     the query page (``kg/web/query/index.html`` in the site's ``base.html``)
``/query-assets/``,       ``kg/web/query/`` and ``kg/web/vendor/``
``/vendor/``
everything else           the site (:mod:`kg.web.site`): built by the server itself with ``build_site``
                          in the background (at start, and again when a page is asked for after the
                          store changed; 503 with ``Retry-After`` until the first build is done),
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
* 409 a saved query's entity parameter whose name stands for several entities (JSON ``choices``);
* 404 an unknown saved query or page; 405 a wrong method; 406 a format that cannot be given;
* 413 a request body over :data:`MAX_BODY` bytes; 415 a POST that is neither a form nor a query;
* 422 a result with more than ``max_rows`` rows or triples;
* 429 a client (remote address) that already has ``client_queries`` queries running (``Retry-After``);
* 503 the query ran past ``query_timeout`` (its worker is killed and replaced), or every worker stayed busy that long;
  a site page asked for before the server's first build of the site has finished (``Retry-After``);
* 500 a worker that crashed (it is replaced).

Errors are one sentence of ``text/plain`` from ``/sparql`` and ``{"error": "..."}`` JSON from ``/api/...``.
Every query runs in a worker process (:mod:`kg.graph.worker`) that opens the store read-only.

A site the server builds (:class:`SiteFolder`) follows the store as the workers do: a page request
compares the store's signature with the one the pages were built from and, if it changed,
starts building the pages that changed in a background thread, answering from the previous build
meanwhile (:mod:`kg.web.server.livesite`).
"""

from __future__ import annotations

import contextlib
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from kg import resources
from kg.errors import KGError, QueryError, UsageError
from kg.graph import formats
from kg.graph import namespaces as ns
from kg.graph import saved as saved_queries
from kg.graph.names import names_for
from kg.graph.search_payload import search_payload
from kg.graph.service import describe_service
from kg.graph.sparqlhttp import is_remote
from kg.graph.store import existing_store, local_folder
from kg.graph.storestate import StoreState
from kg.graph.worker import Reply, encode_term
from kg.web.linked import checked_base_url
from kg.web.pages import page_path
from kg.web.server import linked, reconcile
from kg.web.server.answers import DEFAULT_MB, AnswerCache, job_key
from kg.web.server.fairness import CLIENT, CLIENT_QUERIES, ClientSlots, RememberClient
from kg.web.server.headers import ALLOW_HEADERS, ALLOW_METHODS, EXPOSE_HEADERS, MAX_AGE, SecurityHeaders
from kg.web.server.livesite import SiteFolder, _Folder, status_route
from kg.web.server.negotiation import GRAPH_OFFERS, Problem, choose_formats, is_browser, parse_accept, quality
from kg.web.server.pool import WorkerPool
from kg.web.server.protocol import READ_ONLY, _graph_iris, _json_error, _protocol_params, _response, _text_error
from kg.web.server.querypage import query_page_exists, render_query_page
from kg.web.server.savedfiles import SavedFiles
from kg.web.server.storenames import StoreNames

if TYPE_CHECKING:
    from kg.ingest.vocabulary import Vocabulary

_SAVED_RESERVED = ("format", "output", "download", *saved_queries.PAGE_OPTIONS)
_SAVED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

_PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NHS policy knowledge graph</title></head>
<body><h1>NHS policy knowledge graph</h1>
<p>The query page is not built yet. The SPARQL endpoint is at <a href="/sparql">/sparql</a>
(GET or POST <code>query=</code>); the saved queries are listed at <a href="/api/saved">/api/saved</a>.</p>
</body></html>
"""


def _page_headers(request: Request, size: int, start: int, rows: int, more: bool) -> dict[str, str]:
    """``KG-Page`` (``limit=100; offset=0; rows=100; more=true``, with ``total=N`` on the last page) and,
    when another page follows, ``Link: <...offset=N>; rel="next"``: a saved query's page (docs/saved-queries-scale.md)."""
    page = f"limit={size}; offset={start}; rows={rows}; more={'true' if more else 'false'}"
    if not more and (rows or not start):
        page += f"; total={start + rows}"
    headers = {"KG-Page": page}
    if more:
        following = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        following.append(("offset", str(start + rows)))
        headers["Link"] = f'<{request.url.path}?{urlencode(following)}>; rel="next"'
    return headers


class Service:
    """The state behind the routes: the worker pool, the site, the base IRI, the vocabulary for search."""

    def __init__(
        self,
        location: str,
        pool: WorkerPool,
        site: SiteFolder | None,
        base_url: str | None = None,
        client_queries: int = CLIENT_QUERIES,
        answer_cache_mb: float = DEFAULT_MB,
    ):
        self.location = location
        self.answers = AnswerCache(int(answer_cache_mb * 2**20))  #: answers of this state of the store (answers.py)
        self._state = None if is_remote(location) else StoreState(location)  #: the store's signature, taken cheaply
        self.slots = ClientSlots(client_queries)  #: each client's share of the workers (kg.web.server.fairness)
        self.base_url = base_url  #: where the server is published (``--base-url``), else None: the request's own
        self.pool = pool
        self.site = site
        self.base = ns.base_iri()
        self.prefixes = ns.prefixes(self.base)
        self._vocabulary: Vocabulary | None = None
        self._vocabulary_lock = anyio.Lock()
        self.store_names = StoreNames(location, self.run)  #: entity names, kept while the store is unchanged
        self.saved = SavedFiles()  #: saved queries, read again when their files change

    async def run(self, job: dict[str, Any]) -> Reply:
        """Run a job in a worker, within the requesting client's share (429 :class:`Problem` beyond it).

        A query's 200 answer is kept while the store is unchanged, and given again for the same job
        without a worker (:mod:`kg.web.server.answers`)."""
        job = {"prefixes": self.prefixes, **job}
        with self.slots.hold(CLIENT.get()):
            if job.get("kind") != "query" or not self.answers.max_bytes:
                return await self.pool.arun(job)
            key, generation = job_key(job), self.generation()
            kept = self.answers.get(key, generation)
            if kept is not None:
                return kept
            reply = await self.pool.arun(job)
            self.answers.put(key, generation, reply)
            return reply

    def generation(self) -> object:
        """The state of the store (its folder's signature), None when it cannot be known (a SPARQL server)."""
        if self._state is None:
            return None
        try:
            return self._state.signature()
        except OSError:
            return None

    async def vocabulary(self) -> Vocabulary:
        if self._vocabulary is not None:  # read once: no lock to take for every request
            return self._vocabulary
        async with self._vocabulary_lock:
            if self._vocabulary is None:
                from kg.ingest.vocabulary import Vocabulary

                self._vocabulary = await anyio.to_thread.run_sync(lambda: Vocabulary())
            return self._vocabulary


def create_app(
    store_location: str,
    *,
    site_dir: Path | None = None,
    build_site: bool = False,
    query_timeout: float = 30.0,
    max_rows: int = 10_000,
    workers: int = 2,
    review: bool = False,
    review_any_host: bool = False,
    base_url: str | None = None,
    client_queries: int = CLIENT_QUERIES,
    answer_cache_mb: float = DEFAULT_MB,
    **limits: Any,
) -> Starlette:
    """The server as an ASGI application; the workers (and the site, with ``build_site``) start with it (lifespan) and stop with it.

    ``build_site``: the server builds the site's pages itself, in the background from its start, and
    builds them again when the store changes (:class:`SiteFolder`), in ``site_dir`` if given (made if
    missing), else in a temporary folder it removes when it stops. Without it, ``site_dir`` is a site built beforehand, served as it is.

    ``client_queries``: at most this many queries of one client (remote address) at once, 429 beyond
    (0: no cap; :mod:`kg.web.server.fairness`). ``answer_cache_mb``: MiB of answers kept while the store
    is unchanged (0: none; :mod:`kg.web.server.answers`). ``limits`` are the worker pool's other limits
    (:class:`WorkerPool`: ``light_budget``, ``heavy_slots``, ``memory_mb``, ``rss_limit_mb``).

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
    if limits.get("memory_mb", 64) < 64:
        raise UsageError(f"a query needs at least 64 MiB of memory to run, not {limits['memory_mb']}")
    if not limits.get("light_budget", 1) > 0:
        raise UsageError(f"the light lane's processor budget must be more than 0 seconds, not {limits['light_budget']}")
    if limits.get("heavy_slots", 0) < 0:
        raise UsageError(f"the heavy lane's slots must be 0 or more, not {limits['heavy_slots']}")
    if client_queries < 0:
        raise UsageError(f"the cap on one client's queries must be 0 (none) or more, not {client_queries}")
    if answer_cache_mb < 0:
        raise UsageError(f"the answers kept must be 0 MiB (none) or more, not {answer_cache_mb}")
    pool = WorkerPool(location, workers=workers, timeout=query_timeout, max_rows=max_rows, **limits)
    service = Service(location, pool, site, checked_base_url(base_url), client_queries, answer_cache_mb)

    # ------------------------------------------------------------- /sparql

    async def sparql(request: Request) -> Response:
        try:
            params = await _protocol_params(request)
            names = {k for k, _ in params}
            if "update" in names:
                raise Problem(403, READ_ONLY)
            queries = [v for k, v in params if k == "query"]
            if not queries:
                if request.method == "GET" and linked.is_graph_store_read(params):
                    return await linked.graph_store_read(service, request)
                if request.method == "POST":
                    raise Problem(
                        400, "The request has no query: send query=... (a form) or a application/sparql-query body."
                    )
                return await service_description(request)
            if len(queries) > 1:
                raise Problem(400, "The request has more than one query parameter; send exactly one.")
            if not queries[0].strip():
                raise Problem(400, "The query is empty.")
            first: dict[str, str] = {}
            for key, value in params:
                first.setdefault(key, value)
            results, graph = choose_formats(first, request.headers.get("accept"))
            job: dict[str, Any] = {
                "kind": "query",
                "sparql": queries[0],
                "results_format": results,
                "graph_format": graph,
            }
            if "default-graph-uri" in names or "named-graph-uri" in names:
                job["default_graph"] = _graph_iris(
                    [v for k, v in params if k == "default-graph-uri"], "default-graph-uri"
                )
                job["named_graphs"] = _graph_iris([v for k, v in params if k == "named-graph-uri"], "named-graph-uri")
        except Problem as problem:
            return _text_error(problem)
        return _response(await service.run(job), request=request)

    async def service_description(request: Request) -> Response:
        accept = request.headers.get("accept")
        ranges = parse_accept(accept or "")
        if is_browser(accept) and quality("text/html", ranges) >= max(quality(m, ranges) for m, _ in GRAPH_OFFERS):
            return RedirectResponse("./", status_code=303)  # the query page, also under a path prefix
        params = dict(request.query_params)
        fmt = choose_formats(params, None if is_browser(accept) else accept)[1]
        if fmt is None:
            raise Problem(406, "The service description is RDF: ask for Turtle, N-Triples, JSON-LD or RDF/XML.")
        reply = await service.run({"kind": "graphs"})
        if reply.status != 200:
            return _response(reply)
        endpoint = str(request.url.replace(query="", fragment=""))
        body = describe_service(endpoint, reply.extra["graphs"], fmt)
        return Response(body, media_type=formats.BY_KEY[fmt].content_type, headers={"Vary": "Accept"})

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
            kept = service.saved.kept(name)  # one stat; a new or changed file is read off the event loop
            query = kept if kept is not None else await anyio.to_thread.run_sync(service.saved.read, name)
        except UsageError as exc:  # not a name at all (other characters, too long)
            return _json_error(400, str(exc))
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
            size, start = saved_queries.page_options(
                query, request.query_params.get("limit"), request.query_params.get("offset")
            )
        except UsageError as exc:
            return _json_error(400, str(exc))
        names = names_for(await service.vocabulary())
        if any(p.type == "entity" for p in query.params):
            names = await service.store_names.index(names)

        def job_for(given: dict[str, str]) -> dict[str, Any]:
            terms = saved_queries.bind(query, given, service.base, names)
            results, graph = choose_formats(dict(request.query_params), request.headers.get("accept"))
            return {
                "kind": "query",
                "sparql": saved_queries.paged_sparql(query, size, start, given=terms),
                "page_rows": size,
                "results_format": results,
                "graph_format": graph,
                "substitutions": {k: encode_term(v) for k, v in terms.items()},
                "drop": sorted(terms),
                "drop_if_empty": [p.name for p in query.params if p.name not in terms],
            }

        try:
            job = job_for(values)
        except saved_queries.EntityNameError as exc:
            return _name_error(exc)
        except QueryError as exc:
            return _json_error(400, str(exc))
        except Problem as problem:
            return _json_error(problem.status, problem.message)
        reply = await service.run(job)
        if reply.status != 200:
            return _json_error(reply.status, reply.text.strip())
        headers = {}
        other = saved_queries.converse_values(query, values) if reply.extra.get("rows") == 0 and not start else None
        if other is not None:
            swapped = await service.run(job_for(other[0]))
            if swapped.status == 200 and swapped.extra.get("rows"):
                reply = swapped
                headers["KG-Note"] = quote(other[1], safe=" ,;:'()")
        if size or start:
            headers.update(
                _page_headers(request, size, start, int(reply.extra.get("rows") or 0), bool(reply.extra.get("more")))
            )
        if request.query_params.get("download", "") not in ("", "0", "false", "no"):
            fmt = next(
                (f for f in formats.BY_KEY.values() if f.content_type == reply.media_type), formats.BY_KEY["JSON"]
            )
            headers["Content-Disposition"] = f'attachment; filename="{query.name}.{fmt.extension}"'
        return _response(reply, headers, request)

    async def search(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        if not text:
            return _json_error(400, "Give something to search for: /api/search?q=...")
        raw_limit = request.query_params.get("limit", "20").strip() or "20"
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 200:
            return _json_error(400, f"limit must be a whole number from 1 to 200, not '{raw_limit}'")
        vocabulary = await service.vocabulary()
        try:
            with service.slots.hold(CLIENT.get()):  # its entity lookups run in the workers
                found = await anyio.to_thread.run_sync(
                    run_search, service.location, text, vocabulary, int(raw_limit), service.base, service.pool
                )
        except KGError as exc:  # e.g. a damaged search index
            return _json_error(503, str(exc))
        return JSONResponse(found)

    async def names(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        if not text:
            return _json_error(400, "Give a name to look up: /api/names?q=...")
        index = names_for(await service.vocabulary())
        return JSONResponse(
            {
                **index.resolve(text).as_dict(),
                "completions": [{**s.as_dict(), "kgid": _kgid(s.iri, service.prefixes)} for s in index.complete(text)],
            }
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
        if exists and path:  # relative without --base-url: right behind a proxy's path prefix too
            return RedirectResponse((service.base_url or "") + path, status_code=303)
        unbuilt = service.site.unbuilt(request.headers.get("accept")) if path and service.site is not None else None
        if unbuilt is not None:  # the server's first build of the site, or the next one, has not finished
            return unbuilt
        return HTMLResponse(missing_page(iri), status_code=404)

    async def no_icon(request: Request) -> Response:
        """The site's pages name no icon, so a browser asks for this one: nothing, rather than a 404 in its console."""
        return Response(status_code=204)

    async def home(request: Request) -> Response:
        if query_page_exists():
            return HTMLResponse(await anyio.to_thread.run_sync(render_query_page, service.base_url))
        return HTMLResponse(_PLACEHOLDER)

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api/saved", saved_list, methods=["GET"]),
        Route("/api/saved/{name}", saved_run, methods=["GET"]),
        Route("/api/search", search, methods=["GET"]),
        Route("/api/names", names, methods=["GET"]),
        status_route(site),
        Route("/page", page, methods=["GET"]),
        Route("/favicon.ico", no_icon, methods=["GET"]),
        *linked.routes(service),
        *reconcile.routes(service),
        Mount("/query-assets", app=_Folder(resources.web_dir("query")), name="query-assets"),
        Mount("/vendor", app=_Folder(resources.web_dir("vendor")), name="vendor"),
    ]
    if review:  # kg serve --review: the review pages (kg/web/server/review.py); absent otherwise
        from kg.web.server.review import review_routes

        routes += review_routes(location, any_host=review_any_host)
    if site is not None:
        routes.append(Mount("/", app=site, name="site"))
    else:  # the site's style sheet, for the query page's header
        routes.append(Mount("/assets", app=_Folder(resources.web_dir("static")), name="site-assets"))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            await anyio.to_thread.run_sync(pool.start)
            if site is not None:
                site.start()  # in the background: the server answers while the site is built
            yield
        finally:
            await anyio.to_thread.run_sync(pool.close)
            if site is not None:
                await anyio.to_thread.run_sync(site.close)

    async def problem_handler(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, Problem):  # only Problem is registered
            raise exc
        if request.url.path.startswith("/api/"):
            return _json_error(exc.status, exc.message, exc.headers)
        return _text_error(exc)

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={Problem: problem_handler},
        middleware=[
            Middleware(SecurityHeaders),  # outermost: every response, and CORS preflights (kg.web.server.headers)
            Middleware(RememberClient),  # the remote address, for each client's share of the workers
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=list(ALLOW_METHODS),
                allow_headers=list(ALLOW_HEADERS),
                expose_headers=list(EXPOSE_HEADERS),
                max_age=MAX_AGE,
            ),
        ],
    )
    app.state.service = service
    app.state.pool = pool
    app.state.site = site
    return app


def _kgid(iri: str, prefixes: dict[str, str]) -> str:
    space = prefixes.get("kgid", "")
    return "kgid:" + iri[len(space) :] if space and iri.startswith(space) else iri


def _name_error(exc: Any) -> Response:
    """An entity parameter's name: 409 with the senses to choose from, or 400 with suggestions."""
    resolution = exc.resolution
    ambiguous = resolution.status == "ambiguous"
    status = 409 if ambiguous else 400
    body = {"error": str(exc), "status": status, "param": exc.param, **resolution.as_dict()}
    body["message"] = str(exc)
    return JSONResponse(body, status_code=status)


def run_search(
    location: str, text: str, vocabulary: Any, limit: int, base: str | None = None, pool: WorkerPool | None = None
) -> dict[str, Any]:
    """``/api/search`` as a dict (a connection of its own: SQLite connections stay in their thread).

    With ``pool``, the documents that mention a named entity are asked of the store (as its page lists them)."""
    import json

    from kg.graph.search import INDEX_NAME, SearchIndex, SearchResult, mentioning_query

    def mentions(iris: list[str]) -> dict[str, list[str]]:
        assert pool is not None
        job = {
            "kind": "query",
            "sparql": mentioning_query(iris),
            "results_format": "JSON",
            "prefixes": ns.prefixes(base),
        }
        reply = pool.run(job)
        if reply.status != 200:
            return {}
        found: dict[str, list[str]] = {}
        for row in json.loads(reply.body)["results"]["bindings"]:
            found.setdefault(row["entity"]["value"], []).append(row["document"]["value"])
        return found

    def page(iri: str) -> str | None:
        path = page_path(iri, base)
        return "/" + path if path else None

    if not (local_folder(location) / INDEX_NAME).is_file():
        empty = SearchResult(text, [text], [], [])
        return search_payload(empty, page, "this store has no search index yet: run 'kg ingest' to build it")
    with SearchIndex(location) as index:
        result = index.search(text, vocabulary, limit, mentions if pool is not None else None)
    return search_payload(result, page)


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
