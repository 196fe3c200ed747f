"""The benchmarks' result tables: one printer, so every bench lines its figures up the same way.

A column is a heading and a format spec for its values (``"24s"``, ``"10.1f"``, ``"9,d"``); the heading takes
the spec's width and alignment (text to the left, numbers to the right). A column of heading ``"|"`` and spec
``""`` is a gap between groups of columns.

>>> print_table([("part", "8s"), ("quads", "6.1f")], [("meta", 12.25), ("total", 3)])
part      quads
meta       12.2
total       3.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: a column between groups: ``("|", "")`` prints as two spaces in every line
GAP = ("|", "")
_WIDTH = re.compile(r"^(?P<align>[<>^]?)(?P<width>\d*)")


def _heading(name: str, spec: str) -> str:
    match = _WIDTH.match(spec)
    width = int(match["width"]) if match and match["width"] else len(name)
    align = (match["align"] if match else "") or ("<" if spec.endswith("s") else ">")
    return f"{name:{align}{width}s}"


def table_lines(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[object]]) -> list[str]:
    """The heading line and one line a row; ``rows`` hold a value for each column that is not a gap."""
    heads = ["  " if (name, spec) == GAP else _heading(name, spec) for name, spec in columns]
    lines = [" ".join(heads).rstrip()]
    for row in rows:
        values = iter(row)
        cells = ["  " if column == GAP else format(next(values), column[1]) for column in columns]
        lines.append(" ".join(cells).rstrip())
    return lines


def print_table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[object]]) -> None:
    """Print :func:`table_lines`."""
    print("\n".join(table_lines(columns, rows)))
