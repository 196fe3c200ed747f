"""The development sets in data/eval and data/eval/kinds and the held-out set in data/eval/heldout check themselves.

Each gold file is well formed and agrees with its texts. These tests look only at the sets (texts and
annotation); scoring the extractor on them is a separate test.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re

import pytest

from tests.conftest import ROOT, SHARED, need_shared

EVAL = ROOT / "data" / "eval"
# name: (folder holding texts/ and gold.json, fewest documents, fewest required relations)
SETS = {"dev": (EVAL, 28, 60), "heldout": (EVAL / "heldout", 15, 40), "kinds": (EVAL / "kinds", 8, 20)}
PREDICATES = {"evolvesInto", "isExampleOf", "supersedes", "publishedBy", "partOf", "introducedBy", "requires"}
METADATA_DATES = ("issued", "modified", "review_due")
DATE_FORMS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
REQUIRED_KEYS = {"file", "title", "metadata", "entities", "optional", "relations", "optional_relations"}
TEXT_NAME = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.(?:txt|html)$")


@pytest.fixture(scope="module", params=sorted(SETS))
def which(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def gold(which) -> dict:
    return json.loads((SETS[which][0] / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def texts(which):
    return SETS[which][0] / "texts"


def scorer_norm():
    """The shared scorer's label normaliser (the one rule for matching titles and names)."""
    need_shared()
    spec = importlib.util.spec_from_file_location("score_extraction", SHARED / "tools" / "score_extraction.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.norm


def test_gold_has_the_seed_format(gold):
    assert set(gold) == {"about", "predicates", "aliases", "documents"}
    assert set(gold["predicates"]) == PREDICATES and len(gold["predicates"]) == len(PREDICATES)
    assert all(isinstance(v, list) for v in gold["aliases"].values())
    for doc in gold["documents"]:
        assert REQUIRED_KEYS <= set(doc) <= REQUIRED_KEYS | {"same_document_as"}, doc["file"]


def test_the_set_is_big_enough(gold, which):
    _folder, documents, relations = SETS[which]
    assert len(gold["documents"]) >= documents
    assert sum(len(d["relations"]) for d in gold["documents"]) >= relations


def test_every_file_exists_and_every_text_has_an_entry(gold, texts):
    named = {doc["file"] for doc in gold["documents"]}
    on_disk = {p.name for p in texts.iterdir() if p.is_file()}
    assert named - on_disk == set(), f"gold names files that are not in {texts}"
    assert on_disk - named == set(), "texts without a gold entry"
    assert all(TEXT_NAME.match(name) for name in on_disk), sorted(n for n in on_disk if not TEXT_NAME.match(n))


def test_every_name_used_is_in_the_alias_universe(gold):
    universe = set(gold["aliases"])
    for doc in gold["documents"]:
        used = set(doc["entities"]) | set(doc["optional"])
        for s, _p, o in doc["relations"] + doc["optional_relations"]:
            used |= {s, o}
        publisher = doc["metadata"].get("publisher")
        if publisher:
            used.add(publisher)
        assert used - universe == set(), f"{doc['file']}: names outside the alias universe"


def test_relation_ends_and_publisher_are_named_by_the_document(gold):
    for doc in gold["documents"]:
        named = set(doc["entities"]) | set(doc["optional"])
        for s, p, o in doc["relations"] + doc["optional_relations"]:
            assert {s, o} <= named, f"{doc['file']}: {s} {p} {o} links a name the document is not annotated with"
        if "publisher" in doc["metadata"]:
            assert doc["metadata"]["publisher"] in doc["entities"], doc["file"]


def test_entity_lists_are_clean(gold):
    for doc in gold["documents"]:
        for key in ("entities", "optional"):
            assert len(doc[key]) == len(set(doc[key])), f"{doc['file']}: repeated name in {key}"
        assert not set(doc["entities"]) & set(doc["optional"]), f"{doc['file']}: a name both required and optional"
        required = {tuple(r) for r in doc["relations"]}
        assert len(required) == len(doc["relations"]), f"{doc['file']}: repeated relation"
        assert not required & {tuple(r) for r in doc["optional_relations"]}, doc["file"]


def test_predicates_are_the_seven(gold):
    for doc in gold["documents"]:
        for rel in doc["relations"] + doc["optional_relations"]:
            assert len(rel) == 3 and rel[1] in PREDICATES, f"{doc['file']}: {rel}"
            assert rel[0] != rel[2], f"{doc['file']}: {rel} links a name to itself"


def test_dates_have_an_allowed_form(gold):
    for doc in gold["documents"]:
        for key in METADATA_DATES:
            value = doc["metadata"].get(key)
            if value is None:
                continue
            form = DATE_FORMS.get(len(value))
            assert form, f"{doc['file']}: {key}={value!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
            datetime.datetime.strptime(value, form)  # raises on 2021-13 or 2021-02-30


def test_no_alias_names_two_entities(gold):
    norm = scorer_norm()
    owner: dict[str, str] = {}
    for canonical, aliases in gold["aliases"].items():
        for form in [canonical, *aliases]:
            key = norm(form)
            assert owner.setdefault(key, canonical) == canonical, f"{form!r} names {owner[key]!r} and {canonical!r}"


def test_titles_are_distinct_unless_marked_as_the_same_document(gold):
    norm = scorer_norm()
    seen: dict[str, str] = {}
    for doc in gold["documents"]:
        key = norm(doc["title"])
        if key in seen:
            assert doc.get("same_document_as", "").split("#")[0] == seen[key], f"{doc['file']} repeats a title"
        else:
            seen[key] = doc["file"]


def test_texts_read_as_text(texts):
    for path in texts.iterdir():
        text = path.read_text(encoding="utf-8")
        assert len(text.split()) >= 120, f"{path.name} is too short to be a real page"
