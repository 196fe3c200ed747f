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
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` with every terminal control character (C0 but tab and LF, DEL, C1) replaced by U+FFFD."""
    return _CONTROLS.sub("\ufffd", text)


class SafeConsole(Console):
    """A rich console that strips control characters from every string it renders."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(strip_controls(text), **kwargs)

    def print_table(self, table: RenderableType) -> None:
        """Print a :func:`fit_table`; a long one's lines go straight to the file (rich's own pass over
        thousands of lines costs ten times the writing)."""
        if isinstance(table, LinearTable):
            self.file.write(str(table))
            self.file.flush()
        else:
            self.print(table)


# ---------------------------------------------------------------- tables that fit the terminal

#: characters of one column's frame in a rich table: a rule and a space either side
_FRAME = 3
#: a word longer than this may be folded (split) rather than widen its column further
LONGEST_WORD = 20
#: an identifier column is cut to no fewer than this many characters (with "…") before rows become records
SHORTEST_ID = 12
_WORD = re.compile(r"\S+")
_NUMBER = re.compile(r"^[+-]?[\d,]*\.?\d+%?$")


@dataclass(frozen=True)
class Column:
    """A column of :func:`fit_table`: its heading and what it holds.

    ``kind`` is ``"text"`` (wrapped at words), ``"id"`` (an identifier or prefixed name: one line, cut
    with "…" when space is short) or ``"number"`` (right-aligned, never cut); ``"auto"`` decides from
    the values (see :func:`column_kind`).
    """

    name: str
    kind: str = "auto"


def column_kind(values: Sequence[str]) -> str:
    """``"number"``, ``"id"`` (every value one token holding ``:`` or ``/``) or ``"text"``.

    >>> column_kind(["12", "1,024", ""]), column_kind(["kgid:aco", "https://x.org/a"]), column_kind(["NHS England"])
    ('number', 'id', 'text')
    """
    present = [v for v in values if v]
    if present and all(_NUMBER.match(v) for v in present):
        return "number"
    if present and all(" " not in v and (":" in v or "/" in v) for v in present):
        return "id"
    return "text"


def _longest_word(text: str) -> int:
    return max((cell_len(w) for w in _WORD.findall(text)), default=0)


def _widest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def column_widths(
    kinds: Sequence[str], headers: Sequence[str], rows: Sequence[Sequence[str]], width: int
) -> list[int] | None:
    """The content width of each column so that the table fits ``width`` with no word split, or None when it cannot.

    A column gets its widest value when all fit; otherwise each starts at what it cannot do without (its
    longest word, up to :data:`LONGEST_WORD`; an identifier :data:`SHORTEST_ID`; a number its widest
    value) and the room left goes to the text columns in proportion to what they lack, then to identifiers.

    >>> column_widths(["text", "id"], ["title", "iri"], [["Draft accountable care organisation contract", "kgdoc:draft-acc-1234"]], 80)
    [44, 20]
    >>> column_widths(["text", "id"], ["title", "iri"], [["Draft accountable care organisation contract", "kgdoc:draft-acc-1234"]], 40)
    [21, 12]
    >>> column_widths(["text"] * 6, ["a"] * 6, [["organisation"] * 6], 40) is None
    True
    """
    count = len(kinds)
    room = width - (_FRAME * count + 1)
    natural, least = [], []
    for index, kind in enumerate(kinds):
        cells = [headers[index], *(row[index] for row in rows)]
        widest = max(_widest_line(c) for c in cells)
        natural.append(max(widest, 1))
        if kind == "number":
            least.append(widest)
        elif kind == "id":
            least.append(max(min(widest, SHORTEST_ID), _longest_word(headers[index])))
        else:
            least.append(max(min(max(_longest_word(c) for c in cells), LONGEST_WORD), 1))
    if sum(natural) <= room:
        return natural
    if sum(least) > room:
        return None
    widths = list(least)
    for group in ("text", "id"):
        left = room - sum(widths)
        wants = {
            i: natural[i] - widths[i]
            for i, k in enumerate(kinds)
            if (k == group or (group == "text" and k == "number"))
        }
        total = sum(wants.values())
        if total <= 0 or left <= 0:
            continue
        if total <= left:
            for i, want in wants.items():
                widths[i] += want
            continue
        shares = {i: left * want // total for i, want in wants.items()}
        for i, share in shares.items():
            widths[i] += share
        spare = left - sum(shares.values())
        for i in sorted(wants, key=lambda i: -wants[i])[:spare]:
            widths[i] += 1
    return widths


#: a table of more rows than this is laid out by :class:`LinearTable`, in time linear in its cells (rich's
#: own layout measures every cell again for each column: slow on thousands of rows)
RICH_ROWS = 50


class LinearTable:
    """A table laid out as lines of text, in time linear in its cells; a rich renderable, and its text by ``str()``.

    The columns take their widest cell when the table fits, else the widest are narrowed until it
    does (to 8 at the least: identifiers are not cut here, so they get room before words do); a cell
    longer than its column continues on the next lines of its row, text at words and other values at
    any character: nothing is cut. Numbers are right-aligned.

    >>> print(LinearTable(["kind", "title"], ["text", "text"], [["Document", "Five year forward view"]], 22), end="")
    kind     │ title
    ─────────┼────────────
    Document │ Five year
             │ forward
             │ view
    """

    def __init__(
        self,
        headers: Sequence[str],
        kinds: Sequence[str],
        rows: Sequence[Sequence[str]],
        width: int,
        title: str | None = None,
    ):
        sizes = _narrowed(headers, rows, width)
        lines = [title] if title else []

        def emit(cells: Sequence[str]) -> None:
            parts = [_fold(c, w, k) for c, w, k in zip(cells, sizes, kinds)]
            for line in range(max(len(p) for p in parts)):
                texts = [
                    _pad(p[line] if line < len(p) else "", w, k == "number") for p, w, k in zip(parts, sizes, kinds)
                ]
                lines.append(" │ ".join(texts).rstrip())

        emit(headers)
        lines.append("─┼─".join("─" * w for w in sizes))
        for row in rows:
            emit(row)
        self.text = "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for line in self.text.splitlines():
            yield Segment(line)
            yield Segment.line()


def _narrowed(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Each column's widest cell; while the table is wider than ``width``, the widest narrowed (to 8 at the least)."""
    sizes = [max(1, _widest_line(h), *(_widest_line(r[i]) for r in rows)) for i, h in enumerate(headers)]
    room = max(width - 3 * (len(sizes) - 1), len(sizes) * 8)
    while sum(sizes) > room and max(sizes) > 8:
        widest = sizes.index(max(sizes))
        sizes[widest] = max(8, sizes[widest] - max(1, (sum(sizes) - room) // 2))
    return sizes


def _pad(text: str, width: int, right: bool) -> str:
    return " " * (width - cell_len(text)) + text if right else text + " " * (width - cell_len(text))


def _fold(cell: str, width: int, kind: str) -> list[str]:
    """A cell's lines in a column ``width`` wide: text wrapped at words, other values at any character."""
    if kind == "text":
        return [
            line
            for part in cell.splitlines() or [""]
            for line in textwrap.wrap(part, width, break_on_hyphens=False, drop_whitespace=True) or [""]
        ]
    return [cell[i : i + width] for i in range(0, len(cell), width)] or [""]


def fit_table(
    columns: Sequence[Column | str],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    title: str | None = None,
    markup: bool = False,
) -> RenderableType:
    """Rows as a table ``width`` characters wide at most, words whole; as records when no table would fit.

    ``rows`` hold strings (rich markup when ``markup``, else plain text). A table too wide for the
    terminal becomes one block per row, ``heading  value`` lines wrapped at words under each other,
    as ``psql``'s expanded display does. Above :data:`RICH_ROWS` rows the table is a :class:`LinearTable`
    (plain text, markup dropped), so that its time stays linear in the rows; print it with
    :meth:`SafeConsole.print_table`.
    """
    specs = [
        Column(strip_controls(c.name), c.kind) if isinstance(c, Column) else Column(strip_controls(c)) for c in columns
    ]
    rows = [[strip_controls(cell) for cell in row] for row in rows]  # Text() bypasses SafeConsole.render_str
    title = strip_controls(title) if title is not None else None
    plain = [[Text.from_markup(cell).plain if markup else cell for cell in row] for row in rows]
    kinds = [s.kind if s.kind != "auto" else column_kind([r[i] for r in plain]) for i, s in enumerate(specs)]
    headers = [s.name for s in specs]
    if len(rows) > RICH_ROWS:
        return LinearTable(headers, kinds, plain, width, title)
    widths = column_widths(kinds, headers, plain, width)
    from rich.table import Table  # imported here: `kg --help` and friends start without it

    def cell(index: int, row: int) -> Text:
        return Text.from_markup(rows[row][index]) if markup else Text(rows[row][index])

    if widths is not None:
        table = Table(title=title)
        for spec, kind, size in zip(specs, kinds, widths):
            table.add_column(
                spec.name,
                width=size,
                justify="right" if kind == "number" else "left",
                no_wrap=kind != "text",
                overflow="ellipsis" if kind == "id" else "fold",
            )
        for r in range(len(rows)):
            table.add_row(*(cell(i, r) for i in range(len(specs))))
        return table
    label = min(max(cell_len(h) for h in headers), max(8, width // 3))
    records = Table(title=title, box=None, show_header=False, padding=(0, 1, 0, 0), width=width)
    records.add_column(width=label, style="bold", overflow="fold")
    records.add_column(width=max(width - label - 1, 1), overflow="fold")
    for r in range(len(rows)):
        if r:
            records.add_row("", "")
        for i, header in enumerate(headers):
            records.add_row(header, cell(i, r))
    return records


class ProgressCounter:
    """Inputs done, passed on to a progress bar at most every ``interval`` seconds (a rich update for each
    of 10,000 unchanged files was a tenth of a re-ingest)."""

    def __init__(self, show: Callable[[int, str], None], interval: float = 0.1):
        self.show, self.interval = show, interval
        self.done, self.location, self._shown_at = 0, "", 0.0

    def advance(self, location: str) -> None:
        self.done += 1
        self.location = location
        now = time.monotonic()
        if now - self._shown_at >= self.interval:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self._shown_at = time.monotonic() if now is None else now
        self.show(self.done, PurePath(self.location).name)
