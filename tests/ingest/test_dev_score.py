"""The extraction score on the development set (data/eval), by the shared scorer on our TriG export.

The set holds public policy texts of other kinds than the seeds, restated in
our own words and annotated by hand (data/eval/README.md). The floors are
issue 12's targets for texts nobody wrote a rule for.
"""

import re
import subprocess
import sys

import pytest

from kg import Store
from kg.graph.export import export
from kg.ingest import ingest
from tests.conftest import IN_CI, ROOT, SHARED

EVAL = ROOT / "data" / "eval"
FLOORS = {"entity_f1": 0.90, "relation_p": 0.75, "relation_f1": 0.60, "metadata": 0.80}
#: what the sixteenth round measured (entity F1 0.97, relation precision 1.00, F1 0.91), less a small margin: a
#: change to the cue grammar that loses relations on this set shows here, not in a later round's figures
MEASURED = {"entity_f1": 0.95, "relation_p": 0.95, "relation_f1": 0.87}


def score_set(folder, tmp_path, pipeline) -> dict[str, float]:
    """Ingest ``folder``/texts, export TriG and score it against ``folder``/gold.json; the summary figures."""
    scorer = SHARED / "tools" / "score_extraction.py"
    if not scorer.is_file() or not (folder / "gold.json").is_file():
        if IN_CI:
            pytest.fail(f"CI needs {scorer} and {folder / 'gold.json'}")
        pytest.skip(f"the scorer ({scorer}) or the set ({folder}) is not here")
    with Store(tmp_path / "store") as store:
        report = ingest([folder / "texts"], store, pipeline)
        assert not report.failures, report.failures
        export(store, "trig", tmp_path / "set.trig")
    done = subprocess.run(
        [sys.executable, str(scorer), "--gold", str(folder / "gold.json"), str(tmp_path / "set.trig"), "--verbose"],
        capture_output=True,
        text=True,
        check=True,
    )
    print(done.stdout)
    figures = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", done.stdout.strip().splitlines()[-1])}
    assert figures["duplicate_documents"] == 0
    assert "MISSING DOCUMENT" not in done.stdout
    return figures


def assert_floors(figures: dict[str, float], floors: dict[str, float]) -> None:
    """Each figure at or above its floor, naming the one that is not."""
    for key, floor in floors.items():
        assert figures[key] >= floor, f"{key}={figures[key]} is under {floor}: {figures}"


def test_development_set_meets_the_floors(tmp_path, pipeline):
    figures = score_set(EVAL, tmp_path, pipeline)
    assert_floors(figures, {**FLOORS, **{k: max(v, FLOORS.get(k, 0)) for k, v in MEASURED.items()}})
