"""Markdown: the text a reader sees, without the markup (``**``, ``[text](address)``, ``#``).

markdown-it-py (CommonMark, with tables) parses the file; the blocks are written back as plain text the
way :mod:`kg.ingest.parse` reads any text file: a block per paragraph or heading, a blank line between
blocks, "• " before each list item and " | " between a table's cells. The text of links and emphasis
stays, their markup goes, so "the **Health and Care Act 2022** set up [integrated care boards](…)"
is read as one sentence naming two entities.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _inline(token: Token) -> str:
    """The words of one inline token: text and code kept, markup and link addresses left out."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)  # its alternative text
    return "".join(out)


def markdown_text(source: str) -> str:
    """Plain text of a Markdown document, a blank line between blocks."""
    blocks: list[str] = []
    row: list[str] | None = None
    bullet = False
    for token in _parser().parse(source):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append(" | ".join(row))
            row = None
        elif token.type == "list_item_open":
            bullet = True
        elif token.type == "inline":
            text = _inline(token).strip()
            if row is not None:
                row.append(" ".join(text.split()))
            elif text:
                blocks.append(f"• {text}" if bullet else text)
            bullet = False
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(blocks)
