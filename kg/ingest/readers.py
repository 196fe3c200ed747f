"""The readers of the read stage: file ending or media type → reader function.

A reader takes the raw bytes and the location (for error messages) and
returns ``(text, encoding_or_format, page_starts)`` (optionally a fourth item:
a dict of what the file says about itself, see :mod:`kg.ingest.metadata`), or raises
:class:`~kg.errors.SourceError`. ``page_starts`` holds the offset in
``text`` where each page begins (empty for formats without pages). A
reader may take a ``charset`` keyword: the one an HTTP server declared.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

from kg.errors import SourceError

Reader = Callable[..., tuple]

BY_SUFFIX: dict[str, Reader] = {}  #: ".pdf" → reader
BY_MEDIA_TYPE: dict[str, Reader] = {}  #: "application/pdf" → reader


def register(reader: Reader, suffixes: tuple[str, ...] = (), media_types: tuple[str, ...] = ()) -> Reader:
    """Make ``reader`` the one for these file endings and media types."""
    for suffix in suffixes:
        BY_SUFFIX[suffix.lower()] = reader
    for media_type in media_types:
        BY_MEDIA_TYPE[media_type.lower()] = reader
    return reader


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


def codec_name(label: str | None) -> str | None:
    """Python's name for a declared charset; Latin-1 and ASCII mean Windows-1252, as browsers read them."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def encoding_label(codec: str) -> str:
    """The name to record: "utf-8", "windows-1252", else Python's name."""
    return {"cp1252": "windows-1252", "utf-8-sig": "utf-8"}.get(codec, codec)


def read_text(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """Plain text and Markdown; a declared charset other than UTF-8 or Windows-1252 is tried first."""
    codec = codec_name(charset)
    if codec and codec not in ("utf-8", "cp1252") and raw.strip():
        try:
            return raw.decode(codec), encoding_label(codec), ()
        except UnicodeDecodeError:
            pass
    text, encoding = decode(raw, location)
    return text, encoding, ()


def read_html(raw: bytes, location: str, charset: str | None = None) -> tuple:
    """HTML: the main content (see :mod:`kg.ingest.html_reader`)."""
    from kg.ingest.html_reader import read_html as read

    return read(raw, location, charset)


def read_pdf(raw: bytes, location: str, charset: str | None = None) -> tuple:
    """PDF: the text layer, page by page (see :mod:`kg.ingest.pdf_reader`)."""
    from kg.ingest.pdf_reader import read_pdf as read

    return read(raw, location)


register(read_text, (".txt", ".text", ".md", ".markdown"), ("text/plain", "text/markdown", "text/x-markdown"))
register(read_html, (".html", ".htm", ".xhtml"), ("text/html", "application/xhtml+xml"))
register(read_pdf, (".pdf",), ("application/pdf", "application/x-pdf"))


def sniff(raw: bytes) -> Reader | None:
    """Guess the reader from the first bytes, for addresses that name no type."""
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf-"):
        return read_pdf
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return read_html
    return None
