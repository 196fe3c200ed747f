"""The extraction score on the seeds, measured by the shared scorer on our TriG export."""

import re
import subprocess
import sys

from kg.graph.export import export
from tests.conftest import GOLD, SHARED, need_shared

# The extraction issue's bars.
BARS = {"entity_f1": 0.95, "relation_f1": 0.85, "metadata": 0.95}


def score(store, tmp_path) -> dict[str, float]:
    path = tmp_path / "seeds.trig"
    export(store, "trig", path)
    done = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score_extraction.py"), "--gold", str(GOLD), str(path), "--verbose"],
        capture_output=True,
        text=True,
        check=True,
    )
    line = done.stdout.strip().splitlines()[-1]
    print(done.stdout)
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def test_seed_extraction_meets_the_bars(seeds_store, tmp_path):
    need_shared()
    figures = score(seeds_store, tmp_path)
    assert figures["duplicate_documents"] == 0
    for key, bar in BARS.items():
        assert figures[key] >= bar, f"{key}={figures[key]} is under {bar}: {figures}"
