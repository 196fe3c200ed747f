"""The site ``kg serve`` serves: a folder built beforehand, or its own builds kept in step with the store.

A site the server builds (:class:`SiteFolder`) follows the store as the workers do: a page request
compares the store directory's signature (:func:`kg.graph.worker.store_signature`) with the one the pages
were built from and, if it changed, builds the site again from a read-only store into a fresh folder,
then switches to it, so a page is always whole and of one build. The fresh folder starts as hard links
to the current build's files and the build is incremental (:mod:`kg.web.incremental`): only the pages
whose data changed are rendered and written, the rest stay as they were. The request that started a
build waits for it; requests meanwhile get the previous pages.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import anyio
from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from kg.errors import KGError, StoreError
from kg.graph.store import data_signature as store_signature
from kg.graph.store import open_store

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
        self.last_report: Any = None  #: the :class:`kg.web.site.SiteReport` of the last build
        self.root = (
            Path(folder) if folder is not None else None
        )  #: where the builds go (made at the first build when None)
        self._own_root = live and folder is None
        self._build_lock = threading.Lock()  # one build at a time
        self._state = threading.Lock()  # the current build and its readers
        self._building = False
        self._failed: tuple | None = None  # the signature whose build failed: not tried again until it changes
        self._closed = False
        self.current: _Build | None = None if live or folder is None else _Build(Path(folder), None, owned=False)

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
        from kg.web.site import build_site

        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="kg-site-"))
        self.root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        for attempt in range(1, self.ATTEMPTS + 1):
            signature = store_signature(self.location)  # before reading: a change while building shows next time
            folder = Path(tempfile.mkdtemp(prefix="build-", dir=self.root))
            try:
                if self.current is not None and self.current.owned:
                    _link_tree(self.current.folder, folder)  # unchanged pages stay; changed ones are replaced
                with open_store(self.location, read_only=True) as store:
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
        self.last_report = report
        log.info(
            "Built the site: %d pages (%d files written, %d unchanged, %d removed) in %.1f s.",
            report.pages,
            report.rewritten,
            report.kept,
            report.removed,
            time.perf_counter() - started,
        )

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The site's files, as an ASGI app."""
        build = await self.acquire()
        if build is None:
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        try:
            await build.files(scope, receive, send)
        finally:
            await self.release(build)
