"""kg/ingest/spans.py answers as a scan of every span would, on random spans added in any order."""

import random

from kg.ingest.spans import Spans


def test_overlaps_agrees_with_a_scan_of_every_span():
    rng = random.Random(7)
    for _ in range(200):
        spans = [(a, a + rng.randint(1, 30)) for a in (rng.randint(0, 300) for _ in range(rng.randint(0, 12)))]
        index = Spans(spans[: len(spans) // 2])
        for start, end in spans[len(spans) // 2 :]:
            index.add(start, end)
        for _ in range(20):
            start = rng.randint(0, 330)
            end = start + rng.randint(1, 25)
            assert index.overlaps(start, end) == any(s < end and start < e for s, e in spans)
