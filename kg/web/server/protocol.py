"""Reading SPARQL 1.1 Protocol requests (parameters from the URL and the body) and writing errors and replies."""

from __future__ import annotations

from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from kg.graph.service import is_iri
from kg.graph.worker import Reply
from kg.web.server.answers import etag, matches
from kg.web.server.headers import BODY_SECONDS
from kg.web.server.negotiation import Problem

#: Largest request body accepted (a form or a query), in bytes.
MAX_BODY = 1_000_000
READ_ONLY = "This endpoint is read-only: SPARQL updates are not accepted."


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
    try:
        with anyio.fail_after(BODY_SECONDS):  # a client that sends slowly holds a connection, never a worker
            async for chunk in request.stream():
                size += len(chunk)
                if size > 16 * MAX_BODY:
                    raise too_large
                if size <= MAX_BODY:
                    chunks.append(chunk)
    except TimeoutError:
        raise Problem(408, f"The request body did not arrive within {BODY_SECONDS:g} s.") from None
    if size > MAX_BODY:
        raise too_large
    return b"".join(chunks)


def _decode(body: bytes, content_type: str) -> str:
    """The body as text: UTF-8 only, as the SPARQL 1.1 Protocol requires (another charset is 415)."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if key.strip().lower() == "charset" and charset.replace("_", "-") not in ("utf-8", "utf8", ""):
            raise Problem(415, f"The request body must be UTF-8 text, not {value.strip()}.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "The request body is not valid UTF-8 text.") from None


async def _protocol_params(request: Request) -> list[tuple[str, str]]:
    """Every protocol parameter of a request, from the URL and (POST) the body, in order."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == "application/sparql-update":
        raise Problem(403, READ_ONLY)
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
        if not is_iri(value):
            raise Problem(400, f"{name} '{value}' is not an absolute IRI.")
    return values


def _response(reply: Reply, headers: dict[str, str] | None = None, request: Request | None = None) -> Response:
    """A worker's reply as a response; with the ``request``, a 200 carries an ``ETag`` and ``Cache-Control:
    no-cache``, and is 304 without its body when ``If-None-Match`` names it (:mod:`kg.web.server.answers`)."""
    sent = {"Vary": "Accept", **(headers or {})}
    if request is not None and reply.status == 200:
        tag = reply.extra.get("etag") or etag(reply.body)
        reply.extra["etag"] = tag  # kept with a kept answer: worked out once
        sent.update({"ETag": tag, "Cache-Control": "no-cache"})
        if matches(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=sent)
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=sent)
