"""HTML → the page's main text: title first, then one heading, paragraph or list item a line.

trafilatura finds the main content (no navigation, share bars or comments);
a plain lxml walk that skips page furniture is the fallback when it finds
nothing.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.errors import SourceError
from kg.ingest.charset import codec_name, encoding_label

if TYPE_CHECKING:  # lxml is imported where it is used, so reading plain text does not load it
    from lxml.etree import _Element

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "svg",
    "iframe",
    "select",
    "input",
    "textarea",
    "label",
    "head",
    "title",
    "meta",
    "link",
}
#: id or class words (or their starts: "sharedaddy", "comment-list", "navbar") of page furniture
_SKIP_NAMES = re.compile(
    r"(?:^|[\s_-])(?:comment|share|sharing|social|respond|reply|nav|menu|breadcrumb|cookie"
    r"|footer|sidebar|related|subscribe|skip-link)",
    re.I,
)
_BLOCK_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "dt",
    "dd",
    "pre",
    "blockquote",
    "tr",
    "caption",
    "figcaption",
    "div",
    "section",
    "article",
    "main",
    "table",
    "ul",
    "ol",
    "dl",
    "hr",
}


def decode_html(raw: bytes, charset: str | None = None) -> tuple[str, str]:
    """Text and codec: a BOM, else the server's charset, else <meta charset>, else UTF-8, else Windows-1252."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace"), codec
    meta = _META_CHARSET.search(raw[:4096])
    declared = [codec_name(charset), codec_name(meta.group(1).decode("ascii")) if meta else None]
    for codec in [c for c in declared if c and not c.startswith("utf-16")] + ["utf-8", "cp1252"]:
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return raw.decode("cp1252", errors="replace"), "cp1252"


def read_html(
    raw: bytes, location: str, charset: str | None = None
) -> tuple[str, str, tuple[int, ...], dict[str, str]]:
    """The page title and main text, and what its <meta> and JSON-LD say; SourceError if the page has no text."""
    if not raw.strip():
        raise SourceError(location, "the file is empty")
    html, codec = decode_html(raw, charset)
    html = _XML_DECLARATION.sub("", html)
    title, body = main_text(html)
    if not body:
        try:
            title, body = fallback_text(html)
        except Exception as exc:  # lxml's parser errors are not ValueErrors
            raise SourceError(location, f"the page could not be read as HTML: {exc}") from None
    if not body:
        raise SourceError(location, "the page has no readable text")
    first = body.split("\n", 1)[0]
    if title and _same(first, title):
        title = ""
    from kg.ingest.metadata import html_metadata

    text = f"{title}\n\n{body}" if title else body
    return text, f"text/html; charset={encoding_label(codec)}", (), html_metadata(html)


def _same(a: str, b: str) -> bool:
    return " ".join(a.lstrip("• ").split()).casefold() == " ".join(b.split()).casefold()


@lru_cache(maxsize=1)
def _config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")  # a short page keeps its structure, not a one-line baseline
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal alarms: ingest may run outside the main thread
    return config


def main_text(html: str) -> tuple[str, str]:
    """(title, text) from trafilatura, favouring recall; ("", "") when it finds nothing."""
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(
            html,
            output_format="xml",
            with_metadata=True,
            include_comments=False,
            favor_recall=True,
            include_tables=True,
            include_links=False,
            include_images=False,
            deduplicate=False,
            config=_config(),
        )
        doc = etree.fromstring(xml) if xml else None
    except Exception:  # a page trafilatura cannot handle goes to the fallback
        return "", ""
    main = doc.find("main") if doc is not None else None
    if doc is None or main is None:
        return "", ""
    blocks: list[str] = []
    _blocks(main, blocks)
    return " ".join((doc.get("title") or "").split()), "\n\n".join(block for block in blocks if block)


def _blocks(element: _Element, out: list[str], depth: int = 0) -> None:
    """One block (paragraph, heading, list, table) of trafilatura's XML per entry of ``out``."""
    for child in element:
        if child.tag in ("head", "p", "quote", "code"):
            out.append("\n".join(_lines(child)))
        elif child.tag == "list":
            out.append("\n".join(_items(child, depth)))
        elif child.tag == "table":
            rows = [
                " | ".join(c for cell in row.iter("cell") for c in [" ".join(_lines(cell))] if c)
                for row in child.iter("row")
            ]
            out.append("\n".join(r for r in rows if r))
        elif child.tag not in ("graphic", "lb"):
            _blocks(child, out, depth)


def _items(lst: _Element, depth: int) -> list[str]:
    lines: list[str] = []
    for item in lst.iterchildren("item"):
        text = " ".join(_lines(item, skip="list"))
        if text:
            lines.append("  " * depth + "• " + text)
        for sub in item.iterchildren("list"):
            lines.extend(_items(sub, depth + 1))
    return lines


def _lines(element: _Element, skip: str = "") -> list[str]:
    """The element's text, split at <lb/>, spaces collapsed, empty lines dropped."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != skip:
            parts.append("\n".join(_lines(child)) if child.tag in ("list", "table") else " ".join(_lines(child)))
        parts.append(child.tail or "")
    return [line for line in (" ".join(part.split()) for part in "".join(parts).split("\n")) if line]


def fallback_text(html: str) -> tuple[str, str]:
    """(title, text) by walking the page with lxml, skipping navigation, forms, comments and share bars."""
    import lxml.html

    root = lxml.html.fromstring(html)
    scope = next(iter(root.xpath("//main | //article | //*[@role='main']")), None)
    # The content's own <h1> first: a site header often has an <h1> holding the site's name.
    candidates = (scope.find(".//h1") if scope is not None else None, root.find(".//title"), root.find(".//h1"))
    title = next(
        (" ".join(e.text_content().split()) for e in candidates if e is not None and e.text_content().strip()), ""
    )
    parts: list[str] = []
    _walk(scope if scope is not None else root, parts)
    lines = [" ".join(line.split()).strip(" |") for line in "".join(parts).split("\n")]
    return title, "\n".join(line for line in lines if line)


def _walk(element: _Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    names = f"{element.get('id', '')} {element.get('class', '')} {element.get('role', '')}" if tag else ""
    hidden = tag and (element.get("hidden") is not None or element.get("aria-hidden") == "true")
    if tag and tag not in _SKIP_TAGS and not hidden and not _SKIP_NAMES.search(names):
        block = tag in _BLOCK_TAGS
        parts.append("\n• " if tag == "li" else "\n" if block or tag == "br" else "")
        parts.append(element.text or "")
        for child in element:
            _walk(child, parts)
        parts.append(" | " if tag in ("td", "th") else "\n" if block else "")
    parts.append(element.tail or "")
