"""Review of what the extractor claims: decisions that survive ingest and re-extraction, marks on the site."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

from ..conftest import SAMPLE

runner = CliRunner()
DH, DHSC = "kgid:department-of-health", "kgid:department-of-health-and-social-care"
ADDED_SENTENCE = (
    "Each PCN's clinical director provides clinical leadership and represents the network to the local "
    "sustainability and transformation partnership or integrated care system."
)


def ask(store: Path, pattern: str) -> bool:
    result = runner.invoke(app, ["query", "--store", str(store), "-e", f"ASK {{ {pattern} }}", "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["boolean"]


@pytest.fixture
def reviewed(tmp_path, editable, monkeypatch) -> tuple[Path, Path]:
    """(store, input folder) of two sample briefings, with KG_LIBRARIAN set."""
    monkeypatch.setenv("KG_LIBRARIAN", "Jo Smith")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("07-department-of-health-and-social-care.txt", "08-primary-care-networks.txt"):
        shutil.copy(SAMPLE / name, folder)
    store = tmp_path / "store"
    assert runner.invoke(app, ["ingest", "--store", str(store), str(folder)]).exit_code == 0
    return store, folder


def listed(store: Path, *options: str) -> list[dict]:
    listing = runner.invoke(app, ["review", "--store", str(store), "-n", "1000", "-f", "json", *options])
    assert listing.exit_code == 0, listing.output
    return json.loads(listing.stdout)


def key_of(store: Path, subject: str, predicate: str, obj: str) -> str:
    (row,) = [r for r in listed(store) if (r["subject"], r["predicate"], r["object"]) == (subject, predicate, obj)]
    return row["key"]


def test_a_rejected_relation_stays_out_after_ingest_and_reextract(reviewed, editable):
    store, folder = reviewed
    triple = f"GRAPH ?d {{ ?d a kg:Document . {DH} kg:evolvesInto {DHSC} }}"  # the vocabulary says it too
    assert ask(store, triple)
    key = key_of(store, "Department of Health", "evolvesInto", "Department of Health and Social Care")
    result = runner.invoke(app, ["review", "reject", key, "--note", "a rename, not a new body", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "rejected by Jo Smith in every document" in result.output
    assert not ask(store, triple)

    decisions = (editable[1] / "curation" / "decisions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(decisions) == 1
    line = json.loads(decisions[0])
    assert (line["decision"], line["subject"], line["predicate"], line["object"]) == (
        "reject",
        DH,
        "kg:evolvesInto",
        DHSC,
    )
    assert line["who"] == "Jo Smith" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["when"])

    assert runner.invoke(app, ["ingest", "--store", str(store), str(folder)]).exit_code == 0
    assert not ask(store, triple)
    assert runner.invoke(app, ["reextract", "--store", str(store)]).exit_code == 0
    assert not ask(store, triple)
    # the statement and its evidence are gone too, and the review is recorded
    assert not ask(store, f"?st rdf:subject {DH} ; rdf:predicate kg:evolvesInto ; rdf:object {DHSC}")
    saved = runner.invoke(app, ["query", "reviewed-claims", "--store", str(store), "-f", "json"])
    rows = json.loads(saved.stdout)
    assert [(r["verdict"], r["who"], r["note"]) for r in rows] == [("rejected", "Jo Smith", "a rename, not a new body")]
    assert key not in {r["key"] for r in listed(store)}


def test_a_rejected_mention_stays_out(reviewed):
    store, _ = reviewed
    doc = "The NHS Long Term Plan"
    assert ask(store, '?d dcterms:title "The NHS Long Term Plan" ; schema:mentions kgid:nhs-england')
    result = runner.invoke(app, ["review", "reject", doc, "mentions", "NHS England", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert not ask(store, '?d dcterms:title "The NHS Long Term Plan" ; schema:mentions kgid:nhs-england')
    assert not ask(store, "GRAPH ?d { ?a oa:hasBody kgid:nhs-england } "
                          '?d dcterms:title "The NHS Long Term Plan"')  # fmt: skip


def test_an_added_relation_shows_on_the_entity_page_with_the_librarian_as_source(reviewed, tmp_path):
    store, _ = reviewed
    result = runner.invoke(
        app,
        ["review", "add", "kgid:primary-care-network", "partOf", "kgid:integrated-care-system",
         "--document", "The NHS Long Term Plan", "--sentence", ADDED_SENTENCE, "--store", str(store)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "added by Jo Smith in" in result.output
    assert ask(store, "kgid:primary-care-network kg:partOf kgid:integrated-care-system")
    # PROV: the statement, which carries its evidence, is attributed to the librarian, a prov:Person
    assert ask(
        store,
        "?st rdf:subject kgid:primary-care-network ; rdf:predicate kg:partOf ; prov:wasAttributedTo ?who . "
        '?who a prov:Person ; foaf:name "Jo Smith" . '
        '?st oa:exact ?exact . FILTER(CONTAINS(?exact, "clinical leadership"))',
    )
    site = tmp_path / "site"
    assert runner.invoke(app, ["site", "--store", str(store), str(site)]).exit_code == 0
    page = (site / "id" / "primary-care-network.html").read_text(encoding="utf-8")
    section = page[page.index('id="relations-h"') :]
    assert "added by a librarian (Jo Smith)" in section and "clinical leadership" in section

    confirm = runner.invoke(
        app,
        ["review", "confirm", "kgid:department-of-health", "evolvesInto", DHSC, "--store", str(store)],
    )
    assert confirm.exit_code == 0, confirm.output
    assert runner.invoke(app, ["site", "--store", str(store), str(site)]).exit_code == 0
    (document_page,) = (site / "doc").glob("department-of-health-becomes-the-department-of-*.html")
    page = document_page.read_text(encoding="utf-8")
    found = page[page.index('id="relations-h"') :]
    assert re.search(r"evolves into.*department-of-health-and-social-care.html.*confirmed by a librarian", found)
    verdicts = json.loads(runner.invoke(app, ["query", "reviewed-claims", "--store", str(store), "-f", "json"]).stdout)
    assert sorted(r["verdict"] for r in verdicts) == ["added", "confirmed"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["reject", "0000ffff"], "no claim has the key 0000ffff"),
        (["reject", "kgid:nhs-england", "flies", "kgid:nhs-improvement"], "'flies' is not a relation of the ontology"),
        (["reject", "kgid:nhs-england", "partOf", "kgid:nhs-improvement"], "the store holds no such claim"),
        (["add", "kgid:nhs-england", "partOf", "kgid:nhs-improvement", "-D", "No such title", "--sentence", "x"],
         "no document in the store has the title 'No such title'"),
    ],
)  # fmt: skip
def test_review_mistakes_are_one_sentence(reviewed, args, message):
    store, _ = reviewed
    result = runner.invoke(app, ["review", *args, "--store", str(store)])
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
