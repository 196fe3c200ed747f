"""The site ``kg serve`` serves: a folder built beforehand, or its own builds kept in step with the store.

A site the server builds (:class:`SiteFolder`) follows the store as the workers do: a page request
compares the store directory's signature (:func:`kg.graph.worker.store_signature`) with the one the pages
were built from and, if it changed, builds the site again from a read-only store into a fresh folder,
then switches to it, so a page is always whole and of one build. The fresh folder starts as hard links
to the current build's files and the build is incremental (:mod:`kg.web.incremental`): only the pages
whose data changed are rendered and written, the rest stay as they were.

Builds run in a background thread, so the server answers from its first second: no request waits for
one. Until the first build has finished a page request gets a small 503 answer (:func:`building_answer`:
``Retry-After``, an HTML page that reloads itself, or JSON); after it, requests get the previous pages
while the next build runs. :meth:`SiteFolder.status` says which (``/api/status``).
"""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from kg import resources
from kg.errors import KGError, StoreError
from kg.graph.store import data_signature as store_signature
from kg.graph.store import open_store
from kg.web.server.negotiation import parse_accept, quality
from kg.web.stopping import Stopped, stop_when

log = logging.getLogger("uvicorn.error")  # the server's log: uvicorn shows it at its log level


def _link_tree(source: Path, target: Path) -> None:
    """Fill ``target`` with hard links to the files of ``source`` (copies where a link cannot be made).

    The next build then writes only what changed: :mod:`kg.web.incremental` replaces a file by renaming a
    new one into place, so the previous build's files, still being served, never change."""
    for path in source.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, copy)
        except OSError:
            shutil.copy2(path, copy)


def _route_path(scope: Scope) -> str:
    """The request's path below the mount point (``root_path``)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class _Folder(StaticFiles):
    """Static files from a folder that may not exist yet (404 until it does)."""

    def __init__(self, directory: Path, **kwargs: Any):
        super().__init__(directory=directory, check_dir=False, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.directory is None or not os.path.isdir(self.directory):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class _Build:
    """One whole copy of the site in a folder, and the requests reading from it."""

    def __init__(self, folder: Path, signature: tuple | None, owned: bool):
        self.folder = folder
        self.signature = signature  #: the store's signature taken before it was built (None: a folder given)
        self.owned = owned  #: ours to delete once replaced
        self.files = StaticFiles(directory=folder, html=True)
        self.users = 0
        self.retired = False


def _when(seconds: float | None) -> str | None:
    """A wall-clock time as ISO 8601 UTC (``2026-12-04T21:03:00Z``), None for None."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_BUILDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{seconds}">
<title>The site is being built</title></head>
<body><h1>The site is being built</h1>
<p>{sentence}</p>
<p>This page reloads itself every {seconds} seconds. Meanwhile the <a href="/">query page</a>,
the <a href="/sparql">SPARQL endpoint</a> and the <a href="/api/saved">saved queries</a> answer;
<a href="/api/status">/api/status</a> says how the build is going.</p>
</body></html>
"""


def building_answer(status: dict[str, Any], accept: str | None, retry_after: int) -> Response:
    """503 for a page asked for before the site's first build has finished: an HTML page that reloads
    itself, or ``{"error": ..., "site": status}`` for a client that prefers ``application/json``."""
    if status.get("state") == "failed":
        sentence = "The site could not be built; it is built again when the store changes. The reason: " + str(
            status.get("error")
        )
    else:
        since = status.get("building_since")
        sentence = "The site's pages are being built from the store" + (f" (since {since})." if since else ".")
    headers = {"Retry-After": str(retry_after), "Cache-Control": "no-store"}
    ranges = parse_accept(accept or "")
    if quality("application/json", ranges) > quality("text/html", ranges):
        body = json.dumps({"error": sentence, "site": status}).encode("utf-8")
        return Response(body, status_code=503, media_type="application/json", headers=headers)
    page = _BUILDING_PAGE.format(seconds=retry_after, sentence=html.escape(sentence))
    return Response(page, status_code=503, media_type="text/html", headers=headers)


class SiteFolder:
    """The site's pages: a folder built beforehand, or the server's own builds, kept in step with the store.

    With ``live`` the site is built (:func:`kg.web.site.build_site` with ``server=True``, from the store
    opened read-only) into a new folder under ``root`` (a temporary folder of its own when None), in a
    background thread started by :meth:`start`; a page request that finds the store's signature changed
    since the current pages were built starts another (:meth:`poke`). Only when a build has finished does
    the site switch to its folder, so a page is never half written; the previous folder is deleted once no
    request reads from it. One build runs at a time and no request waits for it: before the first has
    finished, pages are answered by :func:`building_answer` (503); after it, by the previous build.
    A build that fails is logged and not tried again until the store changes again.
    """

    #: Attempts at a build: opening a store read-only, or reading it, fails now and then while
    #: another process compacts it (a file listed in its manifest is gone); the next attempt works.
    ATTEMPTS = 3
    #: Seconds a client is asked to wait (``Retry-After``) for a page before the first build has finished.
    RETRY_AFTER = 5
    #: Seconds :meth:`close` waits for a build being stopped before it removes the folders anyway.
    STOP_SECONDS = 10.0

    def __init__(self, location: str, folder: Path | None = None, *, live: bool = False):
        self.location = location
        self.live = live
        self.builds = 0  #: site builds done
        self.last_report: Any = None  #: the :class:`kg.web.site.SiteReport` of the last build
        self.last_seconds: float | None = None  #: how long the last build took
        self.last_finished: float | None = None  #: when it finished (time.time())
        self.building_since: float | None = None  #: when the build under way started (time.time())
        self.error: str | None = None  #: why the last build failed (None: it did not)
        self.failed_at: float | None = None
        self.root = (
            Path(folder) if folder is not None else None
        )  #: where the builds go (made at the first build when None)
        self._own_root = live and folder is None
        self._build_lock = threading.Lock()  # one build at a time
        self._state = threading.Condition()  # the current build, its readers, the build under way
        self._building = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # set by close(): the build under way stops (kg.web.stopping)
        self._folder: Path | None = None  # the folder of the build under way
        self._failed: tuple | None = None  # the signature whose build failed: not tried again until it changes
        self._closed = False
        self.current: _Build | None = None if live or folder is None else _Build(Path(folder), None, owned=False)
        self._static = _Folder(resources.web_dir("static"))  # /assets/ before the first build

    # ------------------------------------------------------------- building (in a background thread)

    def start(self) -> None:
        """Start building the site in the background if it is not built yet or the store changed."""
        if self.live:
            self.poke()

    def poke(self) -> bool:
        """Start a build in a background thread unless one is under way (or the server is closing);
        the build finds out whether the store changed. True if one was started."""
        with self._state:
            if self._closed or self._building:
                return False
            self._building = True
            self.building_since = time.time()
            self._thread = threading.Thread(target=self._run, name="kg-site-build", daemon=True)
            self._thread.start()
            return True

    def _run(self) -> None:
        try:
            self._refresh()
        except Exception as exc:  # e.g. the store's folder could not be listed
            self._record_failure(None, exc)
        finally:
            with self._state:
                self._building = False
                self.building_since = None
                self._state.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no build is under way (at most ``timeout`` seconds); True if the site is built."""
        with self._state:
            self._state.wait_for(lambda: not self._building or self._closed, timeout)
            return self.current is not None and not self._building

    def _refresh(self) -> None:
        """Build the site again if the store changed since the current build; a build that fails is logged."""
        with self._build_lock:
            if self._closed:
                return
            signature = store_signature(self.location)
            if signature in (self.current.signature if self.current is not None else None, self._failed):
                return
            try:
                self._build()
            except Stopped:
                log.info("The site's build was stopped: the server is shutting down.")
            except Exception as exc:
                self._record_failure(signature, exc)

    def _record_failure(self, signature: tuple | None, exc: Exception) -> None:
        with self._state:
            self._failed = signature
            self.error = str(exc) or type(exc).__name__
            self.failed_at = time.time()
        log.error(
            "The site could not be built; %s until the store changes again: %s",
            "the previous pages are served" if self.current is not None else "pages answer 503",
            exc,
            exc_info=not isinstance(exc, KGError),
        )

    def _build(self) -> None:
        from kg.web import site

        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="kg-site-"))
        self.root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        for attempt in range(1, self.ATTEMPTS + 1):
            signature = store_signature(self.location)  # before reading: a change while building shows next time
            folder = self._folder = Path(tempfile.mkdtemp(prefix="build-", dir=self.root))
            try:
                if self.current is not None and self.current.owned:
                    _link_tree(self.current.folder, folder)  # unchanged pages stay; changed ones are replaced
                with stop_when(self._stop.is_set), open_store(self.location, read_only=True) as store:
                    report = site.build_site(store, folder, server=True)
                break
            except (KGError, OSError, RuntimeError) as exc:
                self._discard(folder)
                if self._stop.is_set():
                    raise Stopped("the site build was stopped") from None
                if attempt == self.ATTEMPTS:
                    raise StoreError(f"the site could not be built from the store at {self.location}: {exc}") from None
                time.sleep(0.2 * attempt)
            except BaseException:
                self._discard(folder)
                raise
        fresh = _Build(folder, signature, owned=True)
        with self._state:
            self._folder = None
            if self._closed:  # the server stopped while this build ran: nothing is to serve it
                closed = True
            else:
                closed = False
                old, self.current = self.current, fresh
                self.builds += 1
                self._failed = None
                self.error = self.failed_at = None
                if old is not None:
                    old.retired = True
        if closed:
            self._discard(folder)
            return
        if old is not None:
            self._remove(old)  # now, or by the last request still reading from it
        self.last_report = report
        self.last_seconds = time.perf_counter() - started
        self.last_finished = time.time()
        log.info(
            "Built the site: %d pages (%d files written, %d unchanged, %d removed) in %.1f s.",
            report.pages,
            report.rewritten,
            report.kept,
            report.removed,
            self.last_seconds,
        )

    def _discard(self, folder: Path) -> None:
        """Remove a build that will not be served (and, once the server has stopped, the folder it made)."""
        shutil.rmtree(folder, ignore_errors=True)
        with self._state:
            self._folder = None
            closed = self._closed
        if closed and self._own_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def _remove(self, build: _Build) -> None:
        with self._state:
            if build.users or not build.owned:
                return
            build.owned = False  # removed once
        shutil.rmtree(build.folder, ignore_errors=True)

    def close(self) -> None:
        """Stop a build under way (waiting at most :data:`STOP_SECONDS` for it) and remove the builds
        (and the temporary folder the server made)."""
        if not self.live:
            return
        self._stop.set()
        with self._state:
            again, self._closed = self._closed, True
            thread = self._thread
            self._state.notify_all()
        if thread is not None and thread is not threading.current_thread() and not again:
            thread.join(self.STOP_SECONDS)
            if thread.is_alive():
                log.warning("The site's build did not stop in %.0f s; its folder is removed.", self.STOP_SECONDS)
        with self._state:
            current, self.current = self.current, None
            building = self._folder
        if current is not None:
            current.retired = True
            self._remove(current)
        if building is not None:
            shutil.rmtree(building, ignore_errors=True)
        if self._own_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------- what it is doing

    def status(self) -> dict[str, Any]:
        """What the site is doing, for ``/api/status``: ``state`` is ``folder`` (built beforehand),
        ``building`` (no pages yet), ``built``, ``rebuilding`` (the previous pages meanwhile), ``failed``
        (no pages: ``error`` says why) or ``stopped``; and the last build's counts and time."""
        with self._state:
            building, current, error = self._building, self.current, self.error
            since, report = self.building_since, self.last_report
        if not self.live:
            state = "folder" if current is not None else "none"
        elif self._closed:
            state = "stopped"
        elif building:
            state = "rebuilding" if current is not None else "building"
        elif current is not None:
            state = "built"
        else:
            state = "failed" if error else "building"
        status: dict[str, Any] = {"state": state, "builds": self.builds}
        if self.live:
            status["building_since"] = _when(since) if building else None
            status["error"] = error
            status["failed_at"] = _when(self.failed_at)
        if report is not None:
            status["last_build"] = {
                "finished": _when(self.last_finished),
                "seconds": round(self.last_seconds or 0.0, 3),
                **{k: getattr(report, k) for k in ("pages", "entities", "documents", "rewritten", "kept", "removed")},
            }
        return status

    # ------------------------------------------------------------- serving

    def _stale(self) -> bool:
        """Whether a page request should start a build (not when one is under way)."""
        if not self.live or self._closed or self._building:
            return False
        current = self.current
        try:
            signature = store_signature(self.location)
        except OSError:
            return False
        return signature not in (current.signature if current is not None else None, self._failed)

    async def acquire(self) -> _Build | None:
        """The current build, held until :meth:`release` (so its folder stays); a store changed since it
        was built starts the next build in the background (this request is answered from the current one)."""
        if self._stale():
            self.poke()
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

    def unbuilt(self, accept: str | None) -> Response | None:
        """The 503 answer (:func:`building_answer`) for a page the current pages lack while the site has
        no pages yet or a build is under way (the page may be in it: a document ingested a moment ago), else None."""
        if not self.live or self._closed or (self.current is not None and not self._building):
            return None
        return building_answer(self.status(), accept, self.RETRY_AFTER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The site's files, as an ASGI app."""
        build = await self.acquire()
        if build is None and self.live and _route_path(scope).startswith("/assets/"):
            # the site's style sheet and scripts, for the query page's header (and the 503 page) meanwhile
            inner = dict(scope, root_path=scope.get("root_path", "") + "/assets")
            await self._static(inner, receive, send)
            return
        if build is None:
            accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
            answer = self.unbuilt(accept) or PlainTextResponse("Not Found", status_code=404)
            await answer(scope, receive, send)
            return
        try:
            await build.files(scope, receive, send)
        finally:
            await self.release(build)


def status_route(site: SiteFolder | None) -> Route:
    """``/api/status``: what the server's site is doing (:meth:`SiteFolder.status`; null without a site)."""

    async def status(request: Request) -> Response:
        body = {"site": site.status() if site is not None else None}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return Route("/api/status", status, methods=["GET"])
