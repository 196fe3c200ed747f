"""Readers for the word-processor formats librarians receive: Word (.docx), OpenDocument (.odt) and RTF.

Each turns a file into plain text laid out the way :mod:`kg.ingest.parse`
reads a briefing: one paragraph per line with a blank line between
paragraphs, list items as bullet lines, and a table row of two cells as
``heading: value`` (briefing templates are often a two-column table), other
rows as their cells joined by `` | ``. The libraries: python-docx, odfdo and
striprtf (all maintained, pure Python).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from kg.errors import SourceError

BULLET = "•"


def layout(blocks: Iterable[str]) -> str:
    """Join text blocks as paragraphs; empty blocks are dropped and spaces inside each block are tidied."""
    lines = []
    for block in blocks:
        cleaned = "\n".join(" ".join(line.split()) for line in block.splitlines() if line.strip())
        if cleaned:
            lines.append(cleaned)
    return "\n\n".join(lines) + "\n" if lines else ""


def table_row(cells: list[str]) -> str:
    """One table row as a line: ``heading: value`` for two cells, else the cells joined by `` | ``."""
    unique: list[str] = []
    for cell in (" ".join(c.split()) for c in cells):
        if cell and (not unique or unique[-1] != cell):  # merged cells repeat their text
            unique.append(cell)
    if len(unique) == 2 and not unique[0].endswith(":"):
        return f"{unique[0]}: {unique[1]}"
    return " ".join(unique) if len(unique) == 2 else " | ".join(unique)


def _nonempty(raw: bytes, location: str) -> None:
    if not raw.strip():
        raise SourceError(location, "the file is empty")


# ----------------------------------------------------------------------------- Word


def _docx_blocks(document: Any) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            numbered = item._p.pPr is not None and item._p.pPr.numPr is not None
            text = item.text
            if text.strip() and ("List" in style or numbered):
                text = f"{BULLET} {text}"
            yield text
        elif isinstance(item, Table):
            for row in item.rows:
                yield table_row([cell.text for cell in row.cells])


def read_docx(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """A Word document (.docx): paragraphs, list items and table rows in document order."""
    _nonempty(raw, location)
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SourceError(location, "the file is not a Word .docx document (an old .doc? save it as .docx)")
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise SourceError(location, f"the Word document could not be opened ({exc})") from None
    text = layout(_docx_blocks(document))
    if not text:
        raise SourceError(location, "the Word document holds no text")
    return text, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ()


# ----------------------------------------------------------------------------- OpenDocument

_ODF_TEXT = {"text:p", "text:h"}


def _odt_blocks(element: Any) -> Iterator[str]:
    for child in element.children:
        tag = child.tag
        if tag in _ODF_TEXT:
            yield child.text_recursive
        elif tag == "text:list":
            for item in child.get_elements(".//text:list-item"):
                yield f"{BULLET} {item.text_recursive}"
        elif tag == "table:table":
            for row in child.get_elements(".//table:table-row"):
                yield table_row([cell.text_recursive for cell in row.get_elements("table:table-cell")])
        elif tag in ("text:section", "text:soft-page-break", "draw:frame", "text:index-body"):
            yield from _odt_blocks(child)


def read_odt(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """An OpenDocument text (.odt, LibreOffice Writer): paragraphs, headings, lists and tables."""
    _nonempty(raw, location)
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SourceError(location, "the file is not an OpenDocument .odt text")
    from odfdo import Document

    try:
        document = Document(io.BytesIO(raw))
        body = document.body
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise SourceError(location, f"the OpenDocument text could not be opened ({exc})") from None
    text = layout(_odt_blocks(body))
    if not text:
        raise SourceError(location, "the OpenDocument text holds no text")
    return text, "application/vnd.oasis.opendocument.text", ()


# ----------------------------------------------------------------------------- RTF


def read_rtf(raw: bytes, location: str, charset: str | None = None) -> tuple[str, str, tuple[int, ...]]:
    """Rich Text Format (.rtf): the text with control words removed (striprtf)."""
    _nonempty(raw, location)
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:5]
    if head != b"{\\rtf":
        raise SourceError(location, "the file is not RTF (it does not start with {\\rtf)")
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit text; characters beyond ASCII are escapes that rtf_to_text decodes with the declared code page.
    text = rtf_to_text(raw.decode("cp1252", errors="replace"), errors="replace")
    paragraphs = layout(text.splitlines())
    if not paragraphs:
        raise SourceError(location, "the RTF document holds no text")
    return paragraphs, "application/rtf", ()
