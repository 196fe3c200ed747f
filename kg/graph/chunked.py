"""A table of solutions serialised a batch of rows at a time, so a large answer never needs the whole table twice.

pyoxigraph serialises only a whole live result, which a query worker cannot cut short, so the worker
writes the rows it kept as SPARQL TSV, parses that back and serialises it in the format asked for
(:func:`kg.graph.worker._solutions`). Done for the whole table at once, a 100,000-row answer held the
rows, the TSV text, its UTF-8 copy, the parsed solutions and the body together, and ran out of the
worker's capped heap. Here each batch of :data:`BATCH_ROWS` rows is serialised on its own and the
pieces are spliced into the body the whole table would have had, byte for byte:

* every format's serialisation of a batch is ``head + rows + tail``, where ``head + tail`` is the
  serialisation of no rows (the same for every batch, as the variables are);
* the rows of two batches are joined by what the format puts between two rows (``,`` in JSON, nothing
  in XML, CSV and TSV), found by serialising the first row, the second, and both.

Nothing here knows a format: the splice is found from pyoxigraph's own output, and a format whose
output does not split so falls back to one serialisation of the whole table. The answer is a list of
parts, sent to the server one by one (:func:`kg.graph.worker.worker_main`).

>>> import pyoxigraph as ox
>>> rows = [tsv_line([ox.Literal(str(i))]) for i in range(5)]
>>> [b"".join(serialised(["n"], rows, "JSON", batch)) == b"".join(serialised(["n"], rows, "JSON", 10)) for batch in (1, 2)]
[True, True]
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kg.graph.formats import results_format

BATCH_ROWS = 5_000  #: rows serialised at a time


def tsv_line(row: Sequence[object]) -> str:
    """A row of terms (None: unbound) as a line of SPARQL TSV."""
    return "\t".join("" if term is None else str(term) for term in row)


def whole(variables: Sequence[str], rows: Sequence[str], fmt: str) -> bytes:
    """The rows (lines of SPARQL TSV, :func:`tsv_line`) serialised in the format ``fmt`` (a key of
    :mod:`kg.graph.formats`) in one go."""
    text = "\n".join(["\t".join("?" + v for v in variables), *rows]) + "\n"
    parsed = ox.parse_query_results(text.encode("utf-8"), ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=results_format(fmt)) or b""


def _splice(variables: Sequence[str], rows: Sequence[str], fmt: str) -> tuple[bytes, bytes, bytes] | None:
    """(head, tail, separator) of the format's output for these variables, or None if it does not split so."""
    empty = whole(variables, [], fmt)
    one, two, both = (whole(variables, part, fmt) for part in (rows[:1], rows[1:2], rows[:2]))
    size = 0
    while size < min(len(empty), len(one)) and empty[size] == one[size]:
        size += 1
    head, tail = empty[:size], empty[size:]
    if not all(b.startswith(head) and b.endswith(tail) and len(b) >= len(empty) for b in (one, two, both)):
        return None
    first, second, joined = (b[len(head) : len(b) - len(tail)] for b in (one, two, both))
    if not (joined.startswith(first) and joined.endswith(second) and len(joined) >= len(first) + len(second)):
        return None
    return head, tail, joined[len(first) : len(joined) - len(second)]


def serialised(variables: Sequence[str], rows: Sequence[str], fmt: str, batch: int = BATCH_ROWS) -> list[bytes]:
    """The body :func:`whole` would give, as a list of parts, each made from at most ``batch`` rows."""
    if len(rows) <= batch or len(rows) < 2:
        return [whole(variables, rows, fmt)]
    found = _splice(variables, rows, fmt)
    if found is None:
        return [whole(variables, rows, fmt)]
    head, tail, separator = found
    parts = [head]
    for start in range(0, len(rows), batch):
        body = whole(variables, rows[start : start + batch], fmt)
        parts.append((separator if start else b"") + body[len(head) : len(body) - len(tail)])
    parts.append(tail)
    return parts
