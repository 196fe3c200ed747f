"""Spans of a text (mentions, phrases), asked whether any overlaps a stretch, in time that does not grow with
their number: a sentence of a table read from a PDF may hold thousands."""

from __future__ import annotations

from bisect import bisect_left


class Spans:
    """Spans, in order of their start, with the furthest end up to each."""

    def __init__(self, spans: list[tuple[int, int]]):
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach: list[int] = []  # the furthest end of the spans up to each one
        for _, e in ordered:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect_left(self.starts, end)  # the spans that start before the stretch ends
        return at > 0 and self.reach[at - 1] > start

    def add(self, start: int, end: int) -> None:
        """One more span (kept in order; cheap when spans come in order, as a text's matches do)."""
        at = bisect_left(self.starts, start)
        if at == len(self.starts):
            self.starts.append(start)
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)
            return
        self.starts.insert(at, start)
        self.reach.insert(at, end)
        for i in range(at, len(self.reach)):
            self.reach[i] = max(self.reach[i], self.reach[i - 1]) if i else self.reach[i]
