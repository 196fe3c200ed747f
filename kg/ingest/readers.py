"""The readers of the read stage: file ending or media type → reader function.

A reader takes the raw bytes and the location (for error messages) and
returns ``(text, encoding_or_format, page_starts)``, or raises
:class:`~kg.errors.SourceError`. ``page_starts`` holds the offset in
``text`` where each page begins (empty for formats without pages). A
reader may take a ``charset`` keyword: the one an HTTP server declared.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.ingest.charset import codec_name, decode, encoding_label

Reader = Callable[..., tuple[str, str, tuple[int, ...]]]

BY_SUFFIX: dict[str, Reader] = {}  #: ".pdf" → reader
BY_MEDIA_TYPE: dict[str, Reader] = {}  #: "application/pdf" → reader


def register(reader: Reader, suffixes: tuple[str, ...] = (), media_types: tuple[str, ...] = ()) -> Reader:
    """Make ``reader`` the one for these file endings and media types."""
    for suffix in suffixes:
        BY_SUFFIX[suffix.lower()] = reader
    for media_type in media_types:
        BY_MEDIA_TYPE[media_type.lower()] = reader
    return reader


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


def read_html(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """HTML: the main content (see :mod:`kg.ingest.html_reader`)."""
    from kg.ingest.html_reader import read_html as read

    return read(raw, location, charset)


def read_pdf(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
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
