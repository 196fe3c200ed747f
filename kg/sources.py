"""Stage 1, read: find input files and decode them to text.

Every input is yielded either as a :class:`Source` or as a
:class:`~kg.errors.SourceError` saying which path failed and why, so that
one bad file never stops the others.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError

#: File endings read as plain text. Other formats join this table when they land.
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
#: Files in a folder that describe the folder rather than hold a document.
SKIPPED_NAMES = {"readme", "license", "licence", "changelog", "contributing"}
#: Inputs larger than this are refused rather than read into memory.
MAX_BYTES = int(os.environ.get("KG_MAX_INPUT_BYTES", 20 * 1024 * 1024))


@dataclass(frozen=True)
class Source:
    """One input file, decoded."""

    location: str  #: the path or address as the user can find it again
    text: str
    sha256: str  #: of the raw bytes
    encoding: str


def discover(paths: Iterable[str | os.PathLike]) -> Iterator[Path | SourceError]:
    """Expand files and folders (recursively, sorted) into the files to read."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES and p.stem.lower() not in SKIPPED_NAMES and not p.name.startswith(".")
            )
            if not found:
                yield SourceError(str(path), "the folder holds no readable documents (.txt or .md)")
            yield from found
        elif path.is_file():
            yield path
        else:
            yield SourceError(str(path), "no such file or folder")


def decode(raw: bytes, location: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252.

    Raises SourceError for empty input and for binary data.
    """
    if not raw.strip():
        raise SourceError(location, "the file is empty")
    if b"\x00" in raw[:8192]:
        raise SourceError(location, "the file is binary, not text")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SourceError(location, f"the text is neither UTF-8 nor Windows-1252 (byte {exc.start})") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > len(text[:8192]) * 0.01:
        raise SourceError(location, "the file is binary, not text")
    return text, "windows-1252"


def read(path: Path) -> Source:
    """Read and decode one file."""
    location = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(location, f"the file is {size // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(location, exc.strerror or str(exc)) from None
    text, encoding = decode(raw, location)
    return Source(location=location, text=text, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding)


def iter_sources(paths: Iterable[str | os.PathLike]) -> Iterator[Source | SourceError]:
    """Yield each input as a Source, or as the SourceError that stopped it."""
    for item in discover(paths):
        if isinstance(item, SourceError):
            yield item
            continue
        try:
            yield read(item)
        except SourceError as exc:
            yield exc
