"""Headers on every response of ``kg serve``, the CORS policy, and the connection limits.

* Every response: ``X-Content-Type-Options: nosniff`` (a browser takes the media type as sent) and
  ``Referrer-Policy: no-referrer`` (the address of a page with a query in it is not passed on).
* Every HTML response: the Content-Security-Policy of :mod:`kg.web.csp` (only our own scripts and
  styles, nothing inline, no framing).
* CORS: any origin may read answers (a public, read-only SPARQL endpoint; no cookies or
  credentials are used). A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is
  answered here, 204 with the methods and request headers allowed, before any route is looked up;
  an ``OPTIONS`` without it gets 204 and ``Allow``.
* Connections (:func:`uvicorn_limits`): an idle kept-alive connection is closed after 5 s, at most
  256 are served at once (more get 503), a request's line and headers must arrive within
  :data:`kg.web.server.fairness.HEAD_SECONDS` and a request body within :data:`BODY_SECONDS`
  (:mod:`kg.web.server.protocol`), so slow or idle clients hold no worker and, not for long, a
  connection: a query reaches a worker only once its request is whole, and its answer is sent from
  the server's memory after the worker is free again.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.web.csp import header_policy
from kg.web.server.fairness import HEAD_BYTES, HEAD_SECONDS, head_deadline

ALLOW_METHODS = ("GET", "POST", "OPTIONS")
ALLOW_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type", "If-None-Match")
EXPOSE_HEADERS = ("Content-Disposition", "ETag", "KG-Page", "Link")
MAX_AGE = 600  #: seconds a browser may keep a preflight's answer

#: every response
COMMON = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
BODY_SECONDS = 20.0  #: time a client has to send a request body


def uvicorn_limits(head_seconds: float = HEAD_SECONDS, http: str | None = None) -> dict[str, Any]:
    """uvicorn.Config keywords for every server (``kg serve`` and :func:`kg.web.server.running`).

    ``http``: the HTTP/1.1 protocol, "h11" or "httptools" (the default when it is installed,
    :data:`kg.web.server.fairness.DEFAULT_PROTOCOL`); either way with the request-head deadline. The
    event loop is uvloop's when it is installed, else asyncio's own (uvicorn's ``loop="auto"``).
    """
    return {
        "timeout_keep_alive": 5,
        "limit_concurrency": 256,
        "h11_max_incomplete_event_size": HEAD_BYTES,
        "http": head_deadline(head_seconds, http),
        "loop": "auto",
    }


UVICORN_LIMITS: dict[str, Any] = uvicorn_limits()  #: with the default deadlines


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class SecurityHeaders:
    """ASGI middleware: the common headers, CSP on HTML, and CORS preflights answered at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._options(scope, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                added = {k: v for k, v in COMMON.items() if k.encode() not in present}
                content_type = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in present:
                    added["content-security-policy"] = header_policy(scope.get("path", ""))
                message = {**message, "headers": [*message.get("headers", []), *_raw(added)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _options(self, scope: Scope, send: Send) -> None:
        requested = {k.lower(): v for k, v in scope.get("headers", [])}
        headers = {**COMMON, "allow": ", ".join(ALLOW_METHODS), "content-length": "0"}
        if b"access-control-request-method" in requested:
            headers.update(
                {
                    "access-control-allow-origin": "*",
                    "access-control-allow-methods": ", ".join(ALLOW_METHODS),
                    "access-control-allow-headers": ", ".join(ALLOW_HEADERS),
                    "access-control-max-age": str(MAX_AGE),
                }
            )
        await send({"type": "http.response.start", "status": 204, "headers": _raw(headers)})
        await send({"type": "http.response.body", "body": b""})
