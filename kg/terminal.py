"""Text for a terminal: what the CLI prints from the store can move the cursor, retitle or clear nothing.

Document text is data from outside: a title or a snippet can hold ESC (``\\x1b``) or C1 controls
(``\\x9b`` is CSI by itself) that a terminal would obey. Every string the CLI renders through
:class:`SafeConsole` (tables, messages) and machine formats written to a terminal have C0 controls
other than tab and line feed, DEL, and C1 controls replaced by U+FFFD. Rich's own styling is
unaffected: it is written from styles, not from the text.

>>> strip_controls("ok\\x1b[2Jbad\\x9b31m\\tline\\n")
'ok\\ufffd[2Jbad\\ufffd31m\\tline\\n'
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` with every terminal control character (C0 but tab and LF, DEL, C1) replaced by U+FFFD."""
    return _CONTROLS.sub("\ufffd", text)


class SafeConsole(Console):
    """A rich console that strips control characters from every string it renders."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(strip_controls(text), **kwargs)


def plain_table(headers: list[str], rows: list[list[str]], width: int) -> str:
    """A table as fixed-width text, in time linear in its cells (rich's layout is not, for thousands of rows).

    Columns take their longest cell, the widest ones narrowed until the table fits ``width``; a longer
    cell continues on the next lines of its row (folded, nothing cut).
    """
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    sizes = [max(1, n) for n in natural]
    room = max(width - 3 * (len(sizes) - 1), len(sizes) * 8)
    while sum(sizes) > room and max(sizes) > 8:
        widest = sizes.index(max(sizes))
        sizes[widest] = max(8, sizes[widest] - max(1, (sum(sizes) - room) // 2))
    lines = []

    def emit(cells: list[str]) -> None:
        parts = [[c[i : i + w] for i in range(0, len(c), w)] or [""] for c, w in zip(cells, sizes)]
        for k in range(max(len(p) for p in parts)):
            lines.append(" │ ".join((p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, sizes)).rstrip())

    emit(headers)
    lines.append("─┼─".join("─" * w for w in sizes))
    for row in rows:
        emit(row)
    return strip_controls("\n".join(lines)) + "\n"
