"""A named graph as the bytes the store loads, made once where the graph is built (an ingest worker)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.graph.terms import from_nquads, to_nquads, union_of


@dataclass(frozen=True)
class SerializedGraph:
    """A graph as the bytes the store loads: its N-Quads and the N-Triples of its union default graph copy.

    Made where the quads are (an ingest worker, :meth:`of`), so the single writer loads a batch of new
    graphs as it is, without parsing and serialising each again."""

    nquads: bytes
    union: bytes

    @classmethod
    def of(cls, quads: Sequence[ox.Quad]) -> SerializedGraph:
        nquads = to_nquads(quads := list(quads))
        return cls(nquads, union_of(nquads, quads))

    @classmethod
    def of_lines(cls, graph: str, lines: Sequence[str]) -> SerializedGraph:
        """The graph whose N-Triples lines (``S P O``, no final `` .``; :func:`kg.graph.terms.iri_text` and
        :func:`kg.graph.terms.literal_text` write the terms) are ``lines``, all in the named graph ``graph``
        (its N-Triples text): the same bytes :meth:`of` makes from the quads."""
        if not lines:
            return cls(b"", b"")
        end = f" {graph} .\n"
        return cls((end.join(lines) + end).encode(), (" .\n".join(lines) + " .\n").encode())

    def quads(self) -> list[ox.Quad]:
        return from_nquads(self.nquads)


#: what a graph of a batch is given as: its quads, or their bytes (none: the graph is removed)
GraphData = Sequence[ox.Quad] | SerializedGraph
