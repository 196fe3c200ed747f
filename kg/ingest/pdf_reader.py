"""PDF → the text layer, page by page (pypdf), without running headers, footers and page numbers.

Pages are joined with a blank line; ``page_starts`` gives the offset where
each page begins. Encrypted, damaged and image-only PDFs become a
:class:`~kg.errors.SourceError` saying which.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections import Counter
from contextlib import contextmanager

from kg.errors import SourceError

EDGE_LINES = 3  #: lines at the top and at the bottom of a page where headers and footers are looked for
PAGE_JOIN = "\n\n"
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)


@contextmanager
def _quiet():
    """pypdf logs every repair it makes; the reason we report is enough."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def page_texts(raw: bytes, location: str) -> list[str]:
    """The text layer of each page, as pypdf extracts it."""
    return _open(raw, location)[0]


def _open(raw: bytes, location: str) -> tuple[list[str], dict[str, str]]:
    """The text layer of each page and the document information (/Title, /Author, /CreationDate ...)."""
    import pypdf
    from pypdf.errors import DependencyError

    if not raw.strip():
        raise SourceError(location, "the file is empty")
    if b"%PDF-" not in raw[:1024]:
        raise SourceError(location, "the file is not a PDF (no %PDF- header)")
    if b"%%EOF" not in raw[-4096:]:
        raise SourceError(location, "the PDF is damaged or truncated: no end-of-file marker")
    with _quiet():
        try:
            reader = pypdf.PdfReader(io.BytesIO(raw))
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")
                except (DependencyError, NotImplementedError) as exc:
                    raise SourceError(location, f"the PDF is encrypted ({exc})") from None
                if not opened:
                    raise SourceError(location, "the PDF is encrypted")
            texts = [page.extract_text() or "" for page in reader.pages]
            try:
                info = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
            except Exception:  # damaged document information costs the metadata, not the text
                info = {}
        except SourceError:
            raise
        except Exception as exc:  # pypdf raises many kinds for broken files
            raise SourceError(location, f"the PDF is damaged or truncated: {exc or type(exc).__name__}") from None
    if not texts:
        raise SourceError(location, "the PDF has no pages")
    return texts, info


def _keys(lines: list[str]) -> dict[int, str]:
    """Index → comparison key of the lines where headers and footers sit.

    A key is the line with spaces collapsed and case folded; for the first and
    last line of the page numbers are made alike too ("Report 2024, page 3").
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    keys = {i: " ".join(lines[i].split()).casefold() for i in filled[:EDGE_LINES] + filled[-EDGE_LINES:]}
    for i in filled[:1] + filled[-1:]:
        keys[i] = re.sub(r"\d+", "#", keys[i])
    return keys


def strip_furniture(pages: list[str]) -> list[str]:
    """Drop page numbers and lines that repeat at the top or bottom of most pages."""
    split = [[line.rstrip() for line in text.splitlines()] for text in pages]
    keys = [_keys(lines) for lines in split]
    seen = Counter(key for page in keys for key in set(page.values()))
    running = {key for key, count in seen.items() if count >= 2 and count * 2 > len(pages)}
    cleaned = []
    for lines, page in zip(split, keys):
        kept = [
            line
            for i, line in enumerate(lines)
            if i not in page or not (_PAGE_NUMBER.match(line.strip()) or page[i] in running)
        ]
        cleaned.append("\n".join(kept).strip("\n"))
    return cleaned


def read_pdf(raw: bytes, location: str) -> tuple[str, str, tuple[int, ...], dict[str, str]]:
    """Text of every page, joined by a blank line, where each page starts, and the document information."""
    from kg.ingest.metadata import pdf_metadata

    texts, info = _open(raw, location)
    pages = strip_furniture(texts)
    if not any(page.strip() for page in pages):
        raise SourceError(location, "the PDF has no text layer (scanned?)")
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_JOIN)
    return PAGE_JOIN.join(pages), "application/pdf", tuple(starts), pdf_metadata(info)
