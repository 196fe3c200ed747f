"""Linked data on ``kg serve``: dereferenceable IRIs, VoID, the sitemap, Graph Store reads and the dumps.

========================  ======================================================================
``/id/{name}``,           an entity's or document's IRI (``KG_BASE`` + ``id/...``, ``doc/...``):
``/doc/{name}``           by Accept, the page (``text/html``, the default) or the IRI's description
                          (:func:`kg.graph.linked.describe`) in Turtle (also for ``text/n3``),
                          N-Triples, JSON-LD or RDF/XML, answered directly with 200 (not a 303),
                          ``Vary: Accept``, ``Content-Location`` naming the file of that format
                          and ``Link`` headers naming the others; ``{name}.html``, ``.ttl``,
                          ``.nt``, ``.jsonld`` and ``.rdf`` give one format whatever Accept says
``/.well-known/void``,    the VoID description of the dataset (Turtle by default, any graph format
``/void.ttl``             by Accept or ``format=``)
``/sitemap.xml``          every page of the site, and the query page
``/dump.nq``,             the whole dataset, one named graph per document, streamed
``/dump.trig``
``/context.jsonld``      the JSON-LD context of the exports (:mod:`kg.graph.jsonld`)
``/rdf-graph-store``      SPARQL 1.1 Graph Store Protocol, read only: ``?graph=IRI`` one named graph,
                          ``?default`` the default graph (the union, each triple once), streamed in
                          the graph format asked for; ``/sparql?graph=`` and ``/sparql?default`` too
========================  ======================================================================

Public addresses (VoID's links, the sitemap's, the reconciliation manifest's) start at the server's
base URL: ``--base-url`` when the server sits behind a proxy or on a shared host, else the URL the
request came to.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from kg.errors import KGError
from kg.graph import formats, jsonld
from kg.graph import linked as ld
from kg.graph.dump import Stream
from kg.graph.service import is_iri
from kg.graph.terms import NamedNode
from kg.graph.worker import encode_term
from kg.web.linked import site_pages, sitemap_xml
from kg.web.server.negotiation import GRAPH_OFFERS, Problem, choose_formats, negotiate
from kg.web.server.protocol import _response, _text_error

if TYPE_CHECKING:
    from kg.web.server.app import Service

HTML = "HTML"
#: What a dereferenced IRI can be answered with: the page first (a browser, curl, no Accept), then RDF.
IRI_OFFERS = [("text/html", HTML), ("application/xhtml+xml", HTML), *GRAPH_OFFERS]
#: The file ending that asks for one format, whatever Accept says.
ENDINGS = {"html": HTML, **{formats.BY_KEY[f.key].extension: f.key for f in formats.GRAPH_FORMATS}}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_GRAPH_HELP = "ask for Turtle, N-Triples, JSON-LD or RDF/XML"


def public_root(service: Service, request: Request) -> str:
    """The URL the site's root is published at, ending in ``/``."""
    root = service.base_url or str(request.base_url)
    return root if root.endswith("/") else root + "/"


def _alternates(name: str) -> str:
    """``Link`` header value naming the description's files."""
    return ", ".join(
        f'<{name}.{formats.BY_KEY[key].extension}>; rel="alternate"; type="{formats.BY_KEY[key].media_types[0]}"'
        for key in ("TURTLE", "JSON_LD", "N_TRIPLES", "RDF_XML")
    )


def routes(service: Service) -> list[Route]:
    """The routes of this module, for the app's route list (before the site's catch-all)."""

    async def dereference(request: Request) -> Response:
        folder = request.url.path.strip("/").split("/")[0]
        name = request.path_params["name"]
        stem, dot, ending = name.rpartition(".")
        if dot and ending in ENDINGS:
            chosen: str | None = ENDINGS[ending]
            name = stem
        else:
            chosen = negotiate(request.headers.get("accept"), IRI_OFFERS)
        if not _NAME.match(name):
            return Response("There is no such page.\n", 404, media_type="text/plain")
        headers = {"Vary": "Accept", "Link": _alternates(name)}
        if chosen is None:
            return _text_error(
                Problem(406, f"An IRI here is answered as an HTML page or as RDF: {_GRAPH_HELP}.", headers)
            )
        iri = f"{service.base}{folder}/{name}"
        if chosen == HTML:
            return await _page(
                service,
                f"{folder}/{name}.html",
                headers | {"Content-Location": f"{name}.html"},
                request.headers.get("accept"),
            )
        this = {"this": encode_term(NamedNode(iri))}
        known = await service.run(
            {"kind": "query", "sparql": ld.exists_query(), "results_format": "JSON", "substitutions": this}
        )
        if known.status != 200:
            return _response(known)
        if b"true" not in known.body:
            return Response(f"The store says nothing about {iri}.\n", 404, media_type="text/plain", headers=headers)
        reply = await service.run(
            {"kind": "query", "sparql": ld.description_query(), "graph_format": chosen, "substitutions": this}
        )
        ext = formats.BY_KEY[chosen].extension
        return _response(reply, {**headers, "Content-Location": f"{name}.{ext}"})

    async def void(request: Request) -> Response:
        try:
            fmt = choose_formats(dict(request.query_params), request.headers.get("accept"))[1] or "TURTLE"
        except Problem as problem:
            return _text_error(problem)
        counts = await _counts(service)
        root = public_root(service, request)
        triples = ld.void_triples(counts, root, root + "sparql", service.base)
        body = ld.serialise(triples, fmt, ld.void_prefixes(service.base))
        return Response(body, media_type=formats.BY_KEY[fmt].content_type, headers={"Vary": "Accept"})

    async def sitemap(request: Request) -> Response:
        if service.site is None:
            pages: list[str] = []
        else:
            build = await service.site.acquire()
            try:
                pages = site_pages(build.folder) if build is not None else []
            finally:
                if build is not None:
                    await service.site.release(build)
        body = sitemap_xml(public_root(service, request), ["", *pages])
        return Response(body, media_type="application/xml")

    async def dump(request: Request) -> Response:
        key = "N_QUADS" if request.url.path.endswith(".nq") else "TRIG"
        return await stream(service, key, None, f"kg-dump.{formats.BY_KEY[key].extension}")

    async def graph_store(request: Request) -> Response:
        return await graph_store_read(service, request)

    async def context(request: Request) -> Response:
        text = await anyio.to_thread.run_sync(jsonld.context_text)
        return Response(text, media_type="application/ld+json")

    return [
        Route("/id/{name}", dereference, methods=["GET"]),
        Route("/doc/{name}", dereference, methods=["GET"]),
        Route("/.well-known/void", void, methods=["GET"]),
        Route("/void.ttl", void, methods=["GET"]),
        Route("/sitemap.xml", sitemap, methods=["GET"]),
        Route("/dump.nq", dump, methods=["GET"]),
        Route("/dump.trig", dump, methods=["GET"]),
        Route("/rdf-graph-store", graph_store, methods=["GET"]),
        Route("/" + jsonld.CONTEXT_NAME, context, methods=["GET"]),
    ]


def is_graph_store_read(params: list[tuple[str, str]]) -> bool:
    """Whether a GET of ``/sparql`` without a query asks for a graph (``graph=`` or ``default``)."""
    return any(k in ("graph", "default") for k, _ in params)


async def graph_store_read(service: Service, request: Request) -> Response:
    """SPARQL 1.1 Graph Store Protocol GET: ``?graph=IRI`` or ``?default``, in the format asked for."""
    params = list(request.query_params.multi_items())
    graphs = [v for k, v in params if k == "graph"]
    default = any(k == "default" for k, _ in params)
    if len(graphs) + default != 1:
        return _text_error(
            Problem(400, "Name one graph: ?graph=IRI for a named graph, or ?default for the default graph.")
        )
    try:
        fmt = choose_formats({k: v for k, v in params if k in ("format", "output")}, request.headers.get("accept"))[1]
    except Problem as problem:
        return _text_error(problem)
    if fmt is None:
        return _text_error(Problem(406, f"A graph is RDF: {_GRAPH_HELP}."))
    graph = None if default else graphs[0]
    if graph is not None and not is_iri(graph):
        return _text_error(Problem(400, f"graph '{graph}' is not an absolute IRI."))
    return await stream(service, fmt, graph, None)


async def stream(service: Service, key: str, graph: str | None, filename: str | None) -> Response:
    """A streamed serialisation (:class:`kg.graph.dump.Stream`), or 404 for a graph the store does not hold."""
    try:
        source = await anyio.to_thread.run_sync(lambda: Stream(service.location, key, graph, service.prefixes))
    except LookupError:
        return Response(f"The store holds no graph named {graph}.\n", 404, media_type="text/plain")
    except OSError as exc:
        return Response(f"The store could not be read: {exc}\n", 500, media_type="text/plain")
    except KGError as exc:  # a store on a SPARQL server that did not answer
        return Response(f"{str(exc)[:1].upper()}{str(exc)[1:]}.\n", 502, media_type="text/plain")
    headers = {"Vary": "Accept"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return StreamingResponse(iter(source), media_type=formats.BY_KEY[key].content_type, headers=headers)


async def _page(service: Service, path: str, headers: dict[str, str], accept: str | None = None) -> Response:
    """One page of the site's current build (503 while the server's first build runs)."""
    if service.site is None:
        return Response("This server serves no site pages.\n", 404, media_type="text/plain", headers=headers)
    build = await service.site.acquire()
    try:
        file = build.folder / path if build is not None else None
        body = await anyio.to_thread.run_sync(file.read_bytes) if file is not None and file.is_file() else None
    finally:
        if build is not None:
            await service.site.release(build)
    if body is None:
        unbuilt = service.site.unbuilt(accept) if build is None else None  # 503 until the first build is done
        if unbuilt is not None:
            unbuilt.headers.update(headers)
            return unbuilt
        return Response("There is no such page.\n", 404, media_type="text/plain", headers=headers)
    return HTMLResponse(body, headers=headers)


async def _counts(service: Service) -> ld.DatasetCounts:
    """The VoID counts, run in the query workers."""
    results: dict[str, list[dict[str, str]]] = {}

    async def select(sparql: str) -> list[dict[str, str]]:
        reply = await service.run({"kind": "query", "sparql": sparql, "results_format": "JSON"})
        if reply.status != 200:
            raise Problem(reply.status, reply.text.strip())
        bindings = json.loads(reply.body)["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in bindings]

    for sparql in ld.void_queries():
        results[sparql] = await select(sparql)
    return ld.count_dataset(results.__getitem__)
