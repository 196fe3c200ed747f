"""``/reconcile`` on ``kg serve``: the W3C Entity Reconciliation API, as OpenRefine calls it.

==============================  ================================================================
``GET /reconcile``              the service manifest (``versions``, ``name``, ``identifierSpace``,
                                ``schemaSpace``, ``defaultTypes``, ``view``, ``preview``, ``suggest``)
``GET|POST /reconcile``         with ``queries={"q0": {"query": ..., "type": ..., "limit": ...,
  ``queries=``                  "properties": [{"pid": ..., "v": ...}]}, ...}``: for each query a
                                scored ``result`` list (``id``, ``name``, ``type``, ``score``,
                                ``match``, ``description``, ``links``)
``/reconcile/suggest/entity``   ``?prefix=``: entities whose name starts with it (or a word of it)
``/reconcile/suggest/type``     ``?prefix=``: the classes
``/reconcile/suggest/property`` ``?prefix=``: the properties a query can give
``/reconcile/preview?id=IRI``   a small HTML card: name, types, definition, links out
==============================  ================================================================

Every answer but the preview is JSON, or JSONP with ``callback=NAME`` (OpenRefine 3 asks so). The
ids are the entities' IRIs; ``view`` goes to their pages. Matching is :mod:`kg.graph.reconcile`.
Browsers on other origins may call it (the app's CORS middleware).
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kg.graph import namespaces as ns
from kg.graph.reconcile import Candidate, Query, Reconciler, discovered_query
from kg.graph.store import data_signature as store_signature
from kg.web.server.linked import public_root
from kg.web.server.negotiation import Problem
from kg.web.server.protocol import _read_body

if TYPE_CHECKING:
    from kg.web.server.app import Service

MAX_QUERIES = 1000  #: queries in one batch at most
MAX_LIMIT = 100
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
_SHOWN_LINKS = {
    ns.SKOS + "exactMatch": "same as",
    ns.OWL + "sameAs": "same as",
    ns.ONTOLOGY + "odsCode": "ODS code",
    ns.DCTERMS + "identifier": "identifier",
}


def _answer(request: Request, payload: Any, status: int = 200) -> Response:
    """JSON, or JSONP when the request names a ``callback``."""
    callback = request.query_params.get("callback", "").strip()
    if not callback:
        return JSONResponse(payload, status_code=status)
    if not _CALLBACK.match(callback) or len(callback) > 100:
        return JSONResponse({"error": "callback must be a JavaScript function name"}, status_code=400)
    body = f"/**/{callback}({json.dumps(payload)});"
    return Response(body, status_code=status, media_type="application/javascript")


def _link_label(predicate: str, value: str) -> str:
    if "wikidata.org/" in value:
        return "Wikidata " + value.rsplit("/", 1)[-1]
    if "legislation.gov.uk/" in value:
        return "legislation.gov.uk " + value.split("legislation.gov.uk/", 1)[1].removeprefix("id/")
    return f"{_SHOWN_LINKS.get(predicate, ns.local_name(predicate))} {value}"


def _links(c: Candidate) -> list[dict[str, str]]:
    return [{"property": p, "value": v, "label": _link_label(p, v)} for p, v in c.links]


def _queries(raw: str) -> dict[str, Query]:
    """The ``queries`` parameter as queries; :class:`Problem` 400 saying what is wrong."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise Problem(400, f"queries is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Problem(400, 'queries must be a JSON object such as {"q0": {"query": "NHS England"}}')
    if len(data) > MAX_QUERIES:
        raise Problem(400, f"send at most {MAX_QUERIES} queries at a time, not {len(data)}")
    out = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = {"query": value}
        if not isinstance(value, dict) or not isinstance(value.get("query", ""), str):
            raise Problem(400, f"query {key} must be an object with a 'query' string")
        limit = value.get("limit", 5)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise Problem(400, f"query {key}: limit must be a whole number from 1 to {MAX_LIMIT}")
        kind = value.get("type")
        if isinstance(kind, list):
            kind = kind[0] if kind else None
        if kind is not None and not isinstance(kind, str):
            raise Problem(400, f"query {key}: type must be a class id")
        properties = []
        for prop in value.get("properties") or []:
            if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str):
                raise Problem(400, f"query {key}: each property needs a 'pid' and a 'v'")
            values = prop.get("v")
            for v in values if isinstance(values, list) else [values]:
                if isinstance(v, dict):
                    v = v.get("id", v.get("name", ""))
                properties.append((prop["pid"], "" if v is None else str(v)))
        out[key] = Query(value.get("query", "").strip(), kind, limit, properties)
    return out


def routes(service: Service) -> list[Route]:
    """The reconciliation routes, for the app's route list."""
    state: dict[str, Any] = {"signature": None, "reconciler": None}
    lock = anyio.Lock()

    async def reconciler() -> Reconciler:
        """The candidates, read again when the store changed (entities found in newly ingested documents)."""
        async with lock:
            signature = await anyio.to_thread.run_sync(store_signature, service.location)
            if state["reconciler"] is None or signature != state["signature"]:
                reply = await service.run({"kind": "query", "sparql": discovered_query(), "results_format": "JSON"})
                if reply.status != 200:
                    raise Problem(reply.status, reply.text.strip())
                rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(reply.body)["results"]["bindings"]]
                vocabulary = await service.vocabulary()
                state["reconciler"] = await anyio.to_thread.run_sync(lambda: Reconciler(vocabulary, rows))
                state["signature"] = signature
            return state["reconciler"]

    def typed(r: Reconciler, c: Candidate) -> list[dict[str, str]]:
        return [{"id": t, "name": r.class_label(t)} for t in c.types]

    def manifest(request: Request, r: Reconciler) -> dict[str, Any]:
        root = public_root(service, request)
        service_url = root + "reconcile"
        return {
            "versions": ["0.1", "0.2"],
            "name": "NHS policy knowledge graph",
            "identifierSpace": service.base,
            "schemaSpace": ns.ONTOLOGY,
            "defaultTypes": [{"id": cls, "name": name} for cls, name in r.types()],
            "view": {"url": root + "page?iri={{id}}"},
            "preview": {"url": service_url + "/preview?id={{id}}", "width": 420, "height": 160},
            "suggest": {
                kind: {"service_url": service_url, "service_path": f"/suggest/{kind}"}
                for kind in ("entity", "type", "property")
            },
        }

    async def reconcile(request: Request) -> Response:
        try:
            params = list(request.query_params.multi_items())
            if request.method == "POST":
                media = request.headers.get("content-type", "").split(";")[0].strip().lower()
                body = (await _read_body(request)).decode("utf-8", "replace")
                if media == "application/json":
                    params.append(("queries", json.dumps(json.loads(body).get("queries", {}))))
                else:
                    params += parse_qsl(body, keep_blank_values=True)
            r = await reconciler()
            raw = next((v for k, v in params if k == "queries"), None)
            if raw is None:
                return _answer(request, manifest(request, r))
            batch = _queries(raw)
        except Problem as problem:
            return _answer(request, {"error": problem.message}, problem.status)
        except ValueError:
            return _answer(request, {"error": "the body is not JSON"}, 400)

        def run() -> dict[str, Any]:
            out = {}
            for key, q in batch.items():
                results = r.reconcile(q) if q.query else []
                out[key] = {
                    "result": [
                        {
                            "id": res.candidate.iri,
                            "name": res.candidate.name,
                            "type": typed(r, res.candidate),
                            "score": res.score,
                            "match": res.match,
                            "description": " ".join(
                                filter(
                                    None,
                                    [res.note and res.note[0].upper() + res.note[1:] + ".", res.candidate.description],
                                )
                            )[:300],
                            "links": _links(res.candidate),
                        }
                        for res in results
                    ]
                }
            return out

        return _answer(request, await anyio.to_thread.run_sync(run))

    async def suggest(request: Request) -> Response:
        kind = request.path_params["kind"]
        prefix = request.query_params.get("prefix", "").strip()
        try:
            r = await reconciler()
        except Problem as problem:
            return _answer(request, {"error": problem.message}, problem.status)
        if kind == "entity":
            found = [
                {"id": c.iri, "name": c.name, "description": (c.description or "")[:120], "type": typed(r, c)}
                for c in r.suggest(prefix)
            ]
        elif kind == "type":
            found = [{"id": cls, "name": name} for cls, name in r.types() if _starts(name, cls, prefix)]
        elif kind == "property":
            found = [{"id": pid, "name": name} for pid, name in r.properties() if _starts(name, pid, prefix)]
        else:
            return _answer(request, {"error": "suggest is for entity, type or property"}, 404)
        return _answer(request, {"result": found})

    async def preview(request: Request) -> Response:
        iri = request.query_params.get("id", "").strip()
        r = await reconciler()
        c = r.candidates.get(iri)
        if c is None:
            return HTMLResponse(f"<p>Nothing is known as {html.escape(iri)}.</p>", status_code=404)
        root = public_root(service, request)
        types = ", ".join(r.class_label(t) for t in c.types)
        links = "".join(
            f'<li><a href="{html.escape(v)}">{html.escape(_link_label(p, v))}</a></li>'
            if v.startswith(("http://", "https://"))
            else f"<li>{html.escape(_link_label(p, v))}</li>"
            for p, v in c.links
        )
        others = [label for label in c.labels if label != c.name]
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(c.name)}</title>
<style>body{{font:14px/1.4 system-ui,sans-serif;margin:6px}}h1{{font-size:16px;margin:0}}p{{margin:4px 0}}ul{{margin:4px 0;padding-left:18px}}</style></head>
<body><h1><a href="{html.escape(root)}page?iri={html.escape(c.iri)}" target="_blank">{html.escape(c.name)}</a></h1>
<p>{html.escape(types)}{(" · also " + html.escape(", ".join(others))) if others else ""}</p>
<p>{html.escape(c.description)}</p>{f"<ul>{links}</ul>" if links else ""}</body></html>"""
        return HTMLResponse(body)

    return [
        Route("/reconcile", reconcile, methods=["GET", "POST"]),
        Route("/reconcile/suggest/{kind}", suggest, methods=["GET"]),
        Route("/reconcile/preview", preview, methods=["GET"]),
    ]


def _starts(name: str, iri: str, prefix: str) -> bool:
    key = prefix.lower()
    return not key or name.lower().startswith(key) or ns.local_name(iri).lower().startswith(key) or key in name.lower()
