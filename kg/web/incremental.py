"""Incremental site builds: a page is written again only when what it shows has changed.

``kg site`` keeps a manifest (``.kg-site.json``) of every file it wrote with a key for it:

* an entity's or a document's page (with its ``.ttl`` and ``.jsonld`` beside it) is keyed by the
  *fingerprint of its inputs* (:class:`Fingerprints`): the read-model values the page is made from,
  the name, page and date of everything it links to, and the build's settings (templates, saved
  queries, tool version, whether it is built for the server). When the key is the one the manifest
  holds and the file is there, the page is neither rendered, nor described, nor written;
* every other file (the home page, the map's data, the feeds ...) is keyed by a hash of its content,
  so it is rendered but written only when its bytes differ.

Files are written to a temporary name and renamed into place, so a reader never sees half a page and
a folder whose files are hard links of another build's (:mod:`kg.web.server.livesite`) never changes
that build's files.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, cast

from kg.web import stopping
from kg.web.pages import PAGE_FOLDERS
from kg.web.readmodel import DocumentInfo, EntityInfo, Quote, SiteData

GENERATOR = "kg site"
MANIFEST = ".kg-site.json"  #: the files of the last build and their keys


def content_key(data: bytes) -> str:
    return "c:" + hashlib.blake2b(data, digest_size=16).hexdigest()


def files_key(paths: Iterable[Path]) -> str:
    """One key for the contents of several files (the templates of a build, say)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Fingerprints:
    """Keys of pages' inputs for one build of ``data``; ``salt`` stands for the build's settings."""

    def __init__(self, data: SiteData, salt: str):
        self.data = data
        self.salt = salt

    def of(self, *parts: Any) -> str:
        """The key of a page made from ``parts``: entities and documents given at the top are read whole,
        those inside them (and IRIs named anywhere) by their name, page and date."""
        digest = hashlib.blake2b(self.salt.encode(), digest_size=16)
        refs: set[str] = set()
        feed = digest.update
        for part in parts:
            self._walk(part, feed, refs, top=True)
        for iri in sorted(refs):
            feed(b"\x00r")
            self._ref(iri, feed)
        return "i:" + digest.hexdigest()

    def _ref(self, iri: str, feed: Callable[[bytes], Any]) -> None:
        data = self.data
        entity = data.entities.get(iri)
        if entity is not None:
            values: list = [iri, entity.label, entity.page, entity.homepages, data.primary_type(entity)]
        else:
            doc = data.documents[iri]
            values = [iri, doc.title, doc.page, doc.issued]
        feed(json.dumps(values, default=str).encode())

    def _walk(self, value: Any, feed: Callable[[bytes], Any], refs: set[str], top: bool = False) -> None:
        if value is None or isinstance(value, (bool, int, float)):
            feed(b"\x01" + repr(value).encode())
        elif isinstance(value, str):
            feed(b"\x02" + value.encode("utf-8", "surrogatepass"))
            if value in self.data.entities or value in self.data.documents:
                refs.add(value)
        elif isinstance(value, (EntityInfo, DocumentInfo)) and not top:
            feed(b"\x03" + value.iri.encode())
            refs.add(value.iri)
        elif isinstance(value, Quote):  # the most numerous value: its fields are plain, fed in one piece
            feed(b"\x0a" + repr(_quote_fields(value)).encode("utf-8", "surrogatepass"))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            feed(b"\x04" + type(value).__name__.encode())
            for name in _field_names(type(value)):
                self._walk(getattr(value, name), feed, refs)
        elif isinstance(value, dict):
            feed(b"\x05%d" % len(value))
            for key in sorted(value, key=str):
                self._walk(key, feed, refs)
                self._walk(value[key], feed, refs)
        elif isinstance(value, (set, frozenset)):
            feed(b"\x06%d" % len(value))
            for item in sorted(value, key=str):
                self._walk(item, feed, refs)
        elif isinstance(value, (list, tuple)):
            feed(b"\x07%d" % len(value))
            for item in value:
                self._walk(item, feed, refs, top=top)
        elif callable(value):
            feed(b"\x08")  # a helper the template calls: what it reads is in the salt
        else:
            feed(b"\x09" + repr(value).encode())


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _quote_fields(q: Quote) -> tuple:
    return (q.exact, q.prefix, q.suffix, q.start, q.end, q.page, tuple(q.marks), q.sentence)


def read_manifest(outdir: Path, manifest: str) -> tuple[bool, list[str], dict[str, str]]:
    """Whether ``outdir`` holds a site of ours, the files its manifest lists, and their keys."""
    path = outdir / manifest
    if not path.is_file():
        return False, [], {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        files = [f for f in saved.get("files", []) if isinstance(f, str)]
        keys = saved.get("keys", {})
        return True, files, {k: v for k, v in keys.items() if isinstance(k, str) and isinstance(v, str)}
    except (ValueError, AttributeError, OSError):
        return True, [], {}


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` into ``path`` through a temporary file renamed into place (a new file, never an edit)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class _Hashing:
    """A binary file that hashes what is written to it (for :meth:`SiteWriter.stream`)."""

    def __init__(self, raw: BinaryIO, digest: Any):
        self.raw, self.digest = raw, digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


class SiteWriter:
    """Writes the site's files and remembers them, to remove what a previous build left behind.

    Each file is recorded with a key (:mod:`kg.web.incremental`): a page whose key is the one the
    previous build recorded, and whose file is there, is kept as it is.
    """

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.written: set[str] = set()
        self.keys: dict[str, str] = {}
        self.ours, self.previous_files, self.previous_keys = read_manifest(outdir, MANIFEST)
        self.rewritten = 0  #: files written by this build
        self.kept = 0  #: files left as the previous build wrote them
        self.removed = 0  #: files of the previous build removed

    def unchanged(self, relatives: list[str], key: str) -> bool:
        """Keep ``relatives`` if the previous build wrote them all with ``key`` (and they are there)."""
        if not all(self.previous_keys.get(r) == key and (self.outdir / r).is_file() for r in relatives):
            return False
        for relative in relatives:
            self.written.add(relative)
            self.keys[relative] = key
        self.kept += len(relatives)
        return True

    def data(self, relative: str, content: bytes, key: str | None = None) -> None:
        stopping.check()  # a build being stopped stops before its next file
        key = key or content_key(content)
        if self.unchanged([relative], key):
            return
        write_atomically(self.outdir / relative, content)
        self.written.add(relative)
        self.keys[relative] = key
        self.rewritten += 1

    def stream(self, relative: str, write: Callable[[BinaryIO], Any]) -> None:
        """A file too big to hold (the dump): ``write`` fills a temporary file, hashed as it is written,
        renamed into place unless its content is the previous build's."""
        stopping.check()
        path = self.outdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        digest = hashlib.blake2b(digest_size=16)
        try:
            with temporary.open("wb") as raw:
                write(cast(BinaryIO, _Hashing(raw, digest)))  # what the writer calls: write, flush
            key = "c:" + digest.hexdigest()
            if self.unchanged([relative], key):
                temporary.unlink()
                return
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        self.written.add(relative)
        self.keys[relative] = key
        self.rewritten += 1

    def text(self, relative: str, content: str, key: str | None = None) -> None:
        self.data(relative, content.encode("utf-8"), key)

    def copy(self, source: Path, relative: str) -> None:
        self.data(relative, source.read_bytes())

    def finish(self) -> None:
        """Remove files of the previous build that this one did not write, and empty folders they leave."""
        previous: set[str] = set()
        if self.ours:  # the folder holds a site we built: replace it
            previous = set(self.previous_files)
            # pages and assets of a build whose manifest is out of date go too
            for folder, pattern in (*((f, "*.html") for f in PAGE_FOLDERS), ("assets", "*")):
                root = self.outdir / folder
                if root.is_dir():
                    for path in root.rglob(pattern):
                        if path.is_file() or path.is_symlink():
                            previous.add(path.relative_to(self.outdir).as_posix())
        # (a folder without our manifest is written into, and nothing in it is removed)
        for relative in sorted(previous - self.written):
            path = self.outdir / relative
            if ".." in Path(relative).parts or Path(relative).is_absolute():
                continue
            if path.is_file() or path.is_symlink():
                path.unlink()
                self.removed += 1
        for folder in (*PAGE_FOLDERS, "assets"):
            root = self.outdir / folder
            if root.is_dir():
                for path in sorted(root.rglob("*"), key=lambda p: -len(p.parts)):
                    if path.is_dir() and not any(path.iterdir()):
                        path.rmdir()
        manifest = {"generator": GENERATOR, "files": sorted(self.written), "keys": self.keys}
        write_atomically(self.outdir / MANIFEST, json.dumps(manifest, indent=0).encode("utf-8"))
