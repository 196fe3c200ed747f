"""The readers of the read stage: file ending or media type → reader function.

A reader takes the raw bytes and the location (for error messages) and
returns ``(text, encoding_or_format, page_starts)`` (optionally a fourth item:
a dict of what the file says about itself, see :mod:`kg.ingest.metadata`), or raises
:class:`~kg.errors.SourceError`. ``page_starts`` holds the offset in
``text`` where each page begins (empty for formats without pages). A
reader may take a ``charset`` keyword: the one an HTTP server declared.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.ingest.charset import codec_name, decode, encoding_label

Reader = Callable[..., tuple]

BY_SUFFIX: dict[str, Reader] = {}  #: ".pdf" → reader
BY_MEDIA_TYPE: dict[str, Reader] = {}  #: "application/pdf" → reader
#: How a skipped file is named, by ending, for the kinds of file often found beside documents.
UNREAD_KINDS = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".svg", ".heic"), "images"),
    ".doc": "old Word .doc files (save them as .docx)",
    **dict.fromkeys((".xls", ".xlsx", ".ods", ".csv"), "spreadsheets"),
    **dict.fromkeys((".ppt", ".pptx", ".odp"), "slide decks"),
    **dict.fromkeys((".zip", ".7z", ".gz", ".tar"), "archives"),
    **dict.fromkeys((".eml", ".msg"), "e-mail messages"),
}


def register(reader: Reader, suffixes: tuple[str, ...] = (), media_types: tuple[str, ...] = ()) -> Reader:
    """Make ``reader`` the one for these file endings and media types."""
    for suffix in suffixes:
        BY_SUFFIX[suffix.lower()] = reader
    for media_type in media_types:
        BY_MEDIA_TYPE[media_type.lower()] = reader
    return reader


def read_text(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """Plain text; a declared charset other than UTF-8 or Windows-1252 is tried first."""
    codec = codec_name(charset)
    if codec and codec not in ("utf-8", "cp1252") and raw.strip():
        try:
            return raw.decode(codec), encoding_label(codec), ()
        except UnicodeDecodeError:
            pass
    text, encoding = decode(raw, location)
    return text, encoding, ()


def read_markdown(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """Markdown: decoded as plain text is, then read without its markup (see :mod:`kg.ingest.markdown_reader`)."""
    from kg.ingest.markdown_reader import markdown_text

    text, encoding, _ = read_text(raw, location, charset)
    return markdown_text(text), f"text/markdown; charset={encoding}", ()


def read_html(raw: bytes, location: str, charset: str | None = None) -> tuple:
    """HTML: the main content (see :mod:`kg.ingest.html_reader`)."""
    from kg.ingest.html_reader import read_html as read

    return read(raw, location, charset)


def read_pdf(raw: bytes, location: str, charset: str | None = None) -> tuple:
    """PDF: the text layer, page by page (see :mod:`kg.ingest.pdf_reader`)."""
    from kg.ingest.pdf_reader import read_pdf as read

    return read(raw, location)


def read_office(name: str) -> Reader:
    """The reader ``name`` of :mod:`kg.ingest.office_readers` (Word, OpenDocument, RTF), imported on first use."""

    def reader(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
        from kg.ingest import office_readers

        return getattr(office_readers, name)(raw, location, charset)

    reader.__name__ = name
    return reader


register(read_text, (".txt", ".text"), ("text/plain",))
register(read_markdown, (".md", ".markdown"), ("text/markdown", "text/x-markdown"))
register(read_html, (".html", ".htm", ".xhtml"), ("text/html", "application/xhtml+xml"))
register(read_pdf, (".pdf",), ("application/pdf", "application/x-pdf"))
register(
    read_office("read_docx"), (".docx",), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
)
register(read_office("read_odt"), (".odt",), ("application/vnd.oasis.opendocument.text",))
register(read_office("read_rtf"), (".rtf",), ("application/rtf", "text/rtf"))


def sniff(raw: bytes) -> Reader | None:
    """Guess the reader from the first bytes, for addresses that name no type."""
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf-"):
        return read_pdf
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return read_html
    return None
