"""What the workers are sent is what they used to get, only made more cheaply: the cue grammar crosses the
pickle with its patterns' compiled programs (:mod:`kg.ingest.programs`); the patterns rebuilt from them are
the ones ``re.compile`` makes, and extraction is unchanged.
"""

from __future__ import annotations

import pickle
import re

from kg.ingest import programs
from kg.ingest.flow import Pipeline
from kg.ingest.parse import parse
from kg.ingest.sources import Source, iter_sources
from tests.conftest import SAMPLE


def _documents():
    for source in iter_sources([str(SAMPLE)]):
        if not isinstance(source, Source):  # an error or a file deliberately skipped
            continue
        for document in parse(source):
            yield source, document


def test_unpickled_cue_patterns_are_those_re_compile_makes():
    pipeline = Pipeline()
    sent = pickle.loads(pickle.dumps(pipeline))
    compiled = sent.relations.cues.compiled
    assert compiled and all(c._program is not None for c in compiled)  # made by the sender
    for cue in compiled:
        assert cue.regex == re.compile(cue.pattern, re.I), cue.name
        assert cue.regex.groupindex == re.compile(cue.pattern, re.I).groupindex


def test_extraction_by_an_unpickled_pipeline_is_unchanged():
    here = Pipeline()
    sent = pickle.loads(pickle.dumps(Pipeline()))
    for _source, document in _documents():
        assert sent.extract(document) == here.extract(document), document.title


def test_a_program_for_another_interpreter_is_compiled_again():
    made = programs.program(r"(?P<a>x+)y", re.I)
    assert made is not None
    foreign = programs.Program(("another-python",), made.flags, made.code, made.groups, {}, ())
    assert programs.rebuild(r"(?P<a>x+)y", re.I, foreign) == re.compile(r"(?P<a>x+)y", re.I)
