"""Every cue and grammar mechanism of data/patterns/cues.toml on its own example sentences.

Each entry holds a sentence that must give a triple (through that entry) and one
that must not; the file is data a librarian edits, so this test runs whatever it holds.
"""

import pytest

from kg.ingest.parse import ParsedDocument
from kg.ingest.relations import RelationExtractor
from kg.ingest.sources import Source
from kg.ingest.vocabulary import data_dir

K = "https://w3id.org/nhs-policy-kg/id/"


def _grammar(path=None):
    from kg.ingest.clauses import CueGrammar

    return CueGrammar(path or data_dir() / "patterns" / "cues.toml")


GRAMMAR = _grammar()
FIRES = [(c.name, text, triple) for c in GRAMMAR.cues for text, triple in c.fires]
SILENT = [(c.name, text) for c in GRAMMAR.cues for text in c.silent]
MECHANISM_FIRES = [(m.name, text, triple) for m in GRAMMAR.mechanisms for text, triple in m.fires]
MECHANISM_SILENT = [(m.name, text) for m in GRAMMAR.mechanisms for text in m.silent]


def extract(pipeline, text):
    doc = ParsedDocument(title=text[:30], text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))
    return pipeline.extract(doc).relations


def short(relation):
    return (relation.subject.removeprefix(K), relation.predicate, relation.object.removeprefix(K))


def test_every_cue_has_examples_both_ways():
    assert isinstance(RelationExtractor, type)
    for cue in GRAMMAR.cues:
        assert cue.fires and cue.silent, f"cue {cue.name} needs a sentence that fires and one that must not"
    assert len({c.name for c in GRAMMAR.cues}) == len(GRAMMAR.cues), "cue names must be unique"


@pytest.mark.parametrize("name, text, triple", FIRES, ids=[f"{n}:{t[:30]}" for n, t, _ in FIRES])
def test_cue_fires(pipeline, name, text, triple):
    found = {short(r): r for r in extract(pipeline, text)}
    assert tuple(triple) in found, f"{name}: {sorted(found)}"
    assert found[tuple(triple)].rule == name, f"given by {found[tuple(triple)].rule}, not {name}"


@pytest.mark.parametrize("name, text", SILENT, ids=[f"{n}:{t[:30]}" for n, t in SILENT])
def test_cue_stays_silent(pipeline, name, text):
    wrong = [short(r) for r in extract(pipeline, text) if r.rule == name]
    assert not wrong, f"{name} fired on a sentence it must not: {wrong}"


@pytest.mark.parametrize("name, text, triple", MECHANISM_FIRES, ids=[f"{n}:{t[:30]}" for n, t, _ in MECHANISM_FIRES])
def test_mechanism_takes_part(pipeline, name, text, triple):
    found = {short(r): r for r in extract(pipeline, text)}
    assert tuple(triple) in found, sorted(found)
    relation = found[tuple(triple)]
    if name == "hedged":
        assert relation.modality == "hedged"
    else:
        assert name in relation.mechanisms, relation.mechanisms


@pytest.mark.parametrize("name, text", MECHANISM_SILENT, ids=[f"{n}:{t[:30]}" for n, t in MECHANISM_SILENT])
def test_mechanism_holds_back(pipeline, name, text):
    assert not extract(pipeline, text), f"{name}: {[short(r) for r in extract(pipeline, text)]}"


COORDINATED = [
    # "X replaced Y and took over ...": the second verb tells of X, never of Y
    (
        "Integrated care boards replaced clinical commissioning groups and took over the duties of primary care trusts.",
        ("integrated-care-board", "supersedes", "clinical-commissioning-group"),
        ("clinical-commissioning-group", "supersedes", "primary-care-trust"),
    ),
    # the same when the sentence opens with "The": its determiners are compared without case
    (
        "The UK Health Security Agency replaced Public Health England and took over the duties of the Health Protection Agency.",
        ("uk-health-security-agency", "supersedes", "health-protection-agency"),
        ("public-health-england", "supersedes", "health-protection-agency"),
    ),
    # the words' own reading where the subject's kind fits no relation: NHS England is no plan
    (
        "NHS England published the NHS Long Term Plan and introduced primary care networks.",
        ("primary-care-network", "introducedBy", "nhs-long-term-plan"),
        None,
    ),
]


@pytest.mark.parametrize("text, wanted, unwanted", COORDINATED, ids=[t[:30] for t, _, _ in COORDINATED])
def test_a_second_verb_tells_of_the_sentence_subject_not_the_first_object(pipeline, text, wanted, unwanted):
    found = {short(r) for r in extract(pipeline, text)}
    assert wanted in found, sorted(found)
    assert unwanted not in found, sorted(found)


def test_a_frame_with_spaces_inside_its_braces_is_refused(tmp_path):
    from kg.errors import VocabularyError

    cues = (data_dir() / "patterns" / "cues.toml").read_text(encoding="utf-8")
    broken = cues + '\n[[frame]]\nname = "spaced"\npredicate = "supersedes"\ntemplate = "S {take over} O"\n'
    (tmp_path / "cues.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(VocabularyError, match="spaced.*join its words with _"):
        _grammar(tmp_path / "cues.toml")
