"""The extraction score on the development set of other kinds (data/eval/kinds), by the shared scorer.

Board papers, award notices, council reports, written answers, minutes: kinds of document a library files that
the other sets lack (data/eval/kinds/README.md). The floors are the eighteenth round's measured figures (entity
F1 0.96, relation precision 1.00, relation F1 0.85, metadata 1.00) less a small margin.
"""

from tests.ingest.test_dev_score import EVAL, assert_floors, score_set

KINDS = EVAL / "kinds"
FLOORS = {"entity_f1": 0.92, "relation_p": 0.92, "relation_f1": 0.80, "metadata": 0.90}


def test_kinds_set_keeps_its_floors(tmp_path, pipeline):
    assert_floors(score_set(KINDS, tmp_path, pipeline), FLOORS)
