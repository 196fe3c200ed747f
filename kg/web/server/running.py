"""Serving an app: :func:`running` (from a thread, for embedding and tests) and :func:`serve` (``kg serve``)."""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

from kg.errors import StoreError, UsageError
from kg.web.server.app import create_app
from kg.web.server.fairness import CLIENT_QUERIES, HEAD_SECONDS
from kg.web.server.headers import uvicorn_limits
from kg.web.server.pool import WorkerStartError


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
def running(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    start_timeout: float = 60.0,
    head_seconds: float = HEAD_SECONDS,
    http: str | None = None,
    wait_for_site: float | None = 600.0,
) -> Iterator[str]:
    """Serve ``app`` from a background thread (a free port by default); yields the base URL, stops on exit.

    ``head_seconds``: the time a connection has to send a request's line and headers (:mod:`kg.web.server.fairness`);
    ``http``: the protocol, "h11" or "httptools" (the default when installed). ``wait_for_site``: for an app
    that builds its site (``create_app(build_site=True)``), wait at most this many seconds for the first
    build before yielding, so its pages are there (None: yield at once, as ``kg serve`` prints its address).

    For embedding the server in another program, and for tests and benchmarks that talk to it over a socket.
    """
    import threading
    import time

    import uvicorn

    sock = _listen(host, port)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", **uvicorn_limits(head_seconds, http))
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise StoreError("the server did not start")
            time.sleep(0.02)
        site = getattr(getattr(app, "state", None), "site", None)
        if wait_for_site is not None and site is not None:
            site.wait(wait_for_site)
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
    review: bool = False,
    review_any_host: bool = False,
    base_url: str | None = None,
    client_queries: int = CLIENT_QUERIES,
    head_seconds: float = HEAD_SECONDS,
    access_log: bool = False,
    **limits: Any,
) -> None:
    """Run the server until Ctrl-C; prints its address. Problems the user can fix raise :class:`KGError`.

    ``site_dir``, ``build_site``, ``client_queries`` and the worker pool's ``limits`` are those of
    :func:`create_app`: with ``build_site`` the address is printed at once, the site is built in the
    background (its pages answer 503 until then; ``/api/status`` says how it goes) and kept in step
    with the store while the server runs. ``head_seconds`` is that of :func:`running`.
    ``access_log``: a line on the standard error for every request (off: it cost a light query's
    request a twentieth of its time).
    """
    if not head_seconds > 0:
        raise UsageError(f"the time to send a request's headers must be more than 0 seconds, not {head_seconds}")
    import uvicorn

    app = create_app(
        store_location,
        site_dir=site_dir,
        build_site=build_site,
        query_timeout=query_timeout,
        max_rows=max_rows,
        workers=workers,
        review=review,
        review_any_host=review_any_host,
        base_url=base_url,
        client_queries=client_queries,
        **limits,
    )
    sock = _listen(host, port)
    pool, site = app.state.pool, app.state.site
    try:
        try:
            pool.start()
        except WorkerStartError as exc:
            raise StoreError(str(exc)) from None
        if site is not None:
            site.start()  # a background thread: the address is printed now, not after the build
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{bound}/"
        print(
            f"Serving the store at {store_location} on {url} (SPARQL endpoint {url}sparql)"
            + (f", published at {app.state.service.base_url}" if app.state.service.base_url else "")
            + ("; the site's pages are being built (progress at /api/status)" if site is not None and site.live else "")
            + "; press Ctrl-C to stop.",
            flush=True,
        )
        # Ctrl-C waits at most 3 s for queries still running; their workers are then killed
        config = uvicorn.Config(
            app,
            log_level="info",
            access_log=access_log,
            server_header=False,
            timeout_graceful_shutdown=3,
            **uvicorn_limits(head_seconds),
        )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        pool.close()
        if site is not None:
            site.close()
        sock.close()
