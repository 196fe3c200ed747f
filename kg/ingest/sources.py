"""Stage 1, read: find input files, folders and web addresses, and turn each into text.

Every input is yielded either as a :class:`Source` or as a
:class:`~kg.errors.SourceError` saying which path or address failed and
why, so that one bad input never stops the others. Which reader turns the
bytes into text is decided by :mod:`kg.ingest.readers` (file ending, or the media
type an address is served with).
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import http.client
import os
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from kg.errors import SourceError
from kg.ingest import readers
from kg.ingest.charset import decode  # noqa: F401  (kept here: callers import it from kg.ingest.sources)

#: File endings read as plain text (the other formats are in :data:`kg.ingest.readers.BY_SUFFIX`).
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
#: Files in a folder that describe the folder rather than hold a document.
SKIPPED_NAMES = {"readme", "license", "licence", "changelog", "contributing"}
#: Inputs larger than this are refused rather than read into memory.
MAX_BYTES = int(os.environ.get("KG_MAX_INPUT_BYTES", 20 * 1024 * 1024))
#: Seconds to wait for a web server before giving up.
TIMEOUT = 10
_URL = re.compile(r"^https?:/+", re.I)


class Skipped(SourceError):
    """A file in a folder that is deliberately not read (its type, or a README), named with the reason."""


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not read, or None when it is read (hidden files are passed over unnamed)."""
    suffix = path.suffix.lower()
    if suffix not in readers.BY_SUFFIX:
        what = readers.UNREAD_KINDS.get(suffix, f"'{suffix}' files" if suffix else "files without an ending")
        return f"{what} are not read (kg reads {', '.join(sorted(readers.BY_SUFFIX))})"
    if path.stem.lower() in SKIPPED_NAMES:
        return f"a {path.stem.upper()} file describes its folder and is not read as a document"
    return None


@dataclass(frozen=True)
class Source:
    """One input file or address, decoded."""

    location: str  #: the path or address as the user can find it again
    text: str
    sha256: str  #: of the raw bytes
    encoding: str  #: the text encoding, or the format read ("application/pdf")
    page_starts: tuple[int, ...] = ()  #: offset in ``text`` where each page begins (page 1 at 0)
    #: what the file says about itself (HTML <meta>, PDF document information): (field, value) pairs
    metadata: tuple[tuple[str, str], ...] = ()
    #: what the published data calls the file: its path below the folder given (that folder's name first),
    #: the file name when a file was given, the address for the web; empty means ``location``
    name: str = ""


def page_at(page_starts: tuple[int, ...], offset: int) -> int | None:
    """The page number (from 1) that holds ``offset``, or None without pages."""
    if not page_starts:
        return None
    return max(1, bisect.bisect_right(page_starts, offset))


def _as_url(given: str | os.PathLike) -> str | None:
    """The web address given, repairing the "https:/" a Path makes of "https://"."""
    text = os.fspath(given)
    match = _URL.match(text)
    return match.group(0).rstrip("/") + "//" + text[match.end() :] if match else None


def _readable(path: Path) -> bool:
    return (
        path.is_file()
        and path.suffix.lower() in readers.BY_SUFFIX
        and path.stem.lower() not in SKIPPED_NAMES
        and not path.name.startswith(".")
    )


def _hidden(path: Path, folder: Path) -> bool:
    """A dot-file, or a file inside a dot-folder (.git, .venv) under ``folder`` (``path`` is one of its
    ``rglob`` results, so its parts start with the folder's: no ``relative_to``, 0.1 ms a file)."""
    return any(part.startswith(".") for part in path.parts[len(folder.parts) :])


def not_a_file(path: Path) -> SourceError | None:
    """Why a path that exists (or is a link) is neither a file nor a folder: a link that loops or points
    nowhere, a named pipe (reading it would wait for a writer forever), a socket or a device."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            what = "loops" if exc.errno == 40 else "points to nothing"  # ELOOP
            return SourceError(str(path), f"a symbolic link that {what}")
        return None
    for test, what in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):  # fmt: skip
        if test(mode):
            return Skipped(str(path), f"{what}, not a file")
    return None


def discover(paths: Iterable[str | os.PathLike]) -> Iterator[Path | str | SourceError]:
    """Expand files and folders (recursively, sorted) into the files to read; addresses pass through."""
    for given in paths:
        url = _as_url(given)
        if url:
            yield url
            continue
        path = Path(given)
        if path.is_dir():
            entries = sorted(p for p in path.rglob("*") if not _hidden(p, path))
            files = [p for p in entries if p.is_file()]
            is_file = set(files)  # membership by hash: a list's `in` made a folder of n files cost n² comparisons
            for odd in entries:
                problem = None if odd in is_file or odd.is_dir() else not_a_file(odd)
                if problem:
                    yield problem
            found = [p for p in files if _readable(p)]
            readable = set(found)
            for skipped in files:
                reason = None if skipped in readable else skip_reason(skipped)
                if reason:
                    yield Skipped(str(skipped), reason)
            if not found:
                endings = ", ".join(sorted(readers.BY_SUFFIX))
                yield SourceError(str(path), f"the folder holds no readable documents ({endings})")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield not_a_file(path) or SourceError(str(path), "no such file or folder")


def read(path: Path | str) -> Source:
    """Read one file or web address and turn it into text."""
    url = _as_url(path) if isinstance(path, str) else None
    if url:
        return fetch(url)
    location = str(path)
    reader = readers.BY_SUFFIX.get(Path(path).suffix.lower(), readers.read_text)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise SourceError(
                location, f"the file is {size // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit"
            )
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(location, exc.strerror or str(exc)) from None
    return _source(location, raw, reader)


def _source(location: str, raw: bytes, reader: readers.Reader, charset: str | None = None) -> Source:
    try:
        text, encoding, page_starts, *rest = reader(raw, location, charset=charset)
    except SourceError:
        raise
    except Exception as exc:  # a reader's library failing on odd input must not stop the other inputs
        raise SourceError(location, f"could not be read: {type(exc).__name__}: {exc}") from None
    metadata = tuple(sorted(rest[0].items())) if rest and rest[0] else ()
    if not any(c.isalnum() for c in text.replace("\ufffd", "")):
        nuls = raw.count(b"\0")
        why = f"{nuls} of its {len(raw)} bytes are NUL" if nuls else "no letters or digits"
        raise SourceError(location, f"the file holds no readable text ({why})")
    return Source(location, text, hashlib.sha256(raw).hexdigest(), encoding, page_starts, metadata)


def _download(url: str) -> tuple[bytes, str | None, str | None]:
    """The body, media type and charset at ``url``; SourceError for every way that fails."""
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "nhs-policy-kg (knowledge-graph ingest)",
            "Accept": "text/html, application/pdf;q=0.9, text/plain;q=0.8, */*;q=0.1",
        },
    )
    limit = f"over the {MAX_BYTES // (1024 * 1024)} MB limit"
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > MAX_BYTES:
                raise SourceError(url, f"the response is {int(length) // (1024 * 1024)} MB, {limit}")
            raw = response.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise SourceError(url, f"the response is {limit}")
            media = response.headers.get_content_type() if response.headers.get("Content-Type") else None
            return raw, media, response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise SourceError(url, f"HTTP {exc.code} {exc.reason}".rstrip()) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise SourceError(url, f"timed out after {TIMEOUT} s") from None
        raise SourceError(url, f"could not connect: {exc.reason}") from None
    except TimeoutError:
        raise SourceError(url, f"timed out after {TIMEOUT} s") from None
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise SourceError(url, f"could not read the response: {exc or type(exc).__name__}") from None


def fetch(url: str) -> Source:
    """Download a web address; its media type (else its path's ending, else its first bytes) picks the reader."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise SourceError(url, f"not a valid web address ({exc})") from None
    if not parts.hostname:
        raise SourceError(url, "not a valid web address (no host name)")
    raw, media, charset = _download(url)
    reader = readers.BY_MEDIA_TYPE.get(media or "")
    if reader is None and media in (None, "application/octet-stream", "binary/octet-stream"):
        reader = readers.BY_SUFFIX.get(PurePosixPath(urlsplit(url).path).suffix.lower()) or readers.sniff(raw)
    if reader is None:
        raise SourceError(url, f"the address serves {media or 'an unknown type'}, which kg cannot read")
    return _source(url, raw, reader, charset)


def source_name(given: str | os.PathLike, item: Path | str) -> str:
    """The name a file found under ``given`` is published with: never an absolute local path."""
    return SourceNames(given)(item)


class SourceNames:
    """:func:`source_name` for the many files found under one given path: the given folder is looked at
    and resolved once, and each folder of its files once (``Path.resolve`` is a ``lstat`` for every part
    of a path: it was most of a re-ingest's time at 10,000 files), with the same answer for each file."""

    def __init__(self, given: str | os.PathLike):
        root = Path(given)
        self.folder = root.resolve() if root.is_dir() else None
        self._folders: dict[Path, str] = {}  #: a folder of files found → its published name

    def __call__(self, item: Path | str) -> str:
        if isinstance(item, str):
            return item  # a web address
        if self.folder is None:
            return item.name
        if not self.folder.name or item.is_symlink() or item.name in ("", ".", ".."):
            return self._name(item.resolve())
        # a file that is not a link resolves to its folder resolved, and its name
        parent = item.parent
        prefix = self._folders.get(parent)
        if prefix is None:
            prefix = self._folders[parent] = self._name(parent.resolve())
        return f"{prefix}/{item.name}"

    def _name(self, resolved: Path) -> str:
        assert self.folder is not None
        return (PurePosixPath(self.folder.name) / resolved.relative_to(self.folder).as_posix()).as_posix()


def iter_sources(paths: Iterable[str | os.PathLike]) -> Iterator[Source | SourceError]:
    """Yield each input as a Source, or as the SourceError that stopped it."""
    for given in paths:
        names = SourceNames(given)
        for item in discover([given]):
            if isinstance(item, SourceError):
                yield item
                continue
            try:
                yield dataclasses.replace(read(item), name=names(item))
            except SourceError as exc:
                yield exc
