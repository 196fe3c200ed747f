"""Re-extraction from the store: every recorded source read again after a vocabulary or pattern change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kg.cli import app

from ..conftest import SAMPLE

runner = CliRunner()

#: A term the packaged vocabulary lacks but the sample's primary care networks briefing names.
TERM = """
kgid:social-prescribing-link-worker a skos:Concept, kg:Concept ;
    skos:prefLabel "social prescribing link worker"@en ;
    skos:definition "A role that connects patients with community groups and services."@en ;
    skos:inScheme kgid:scheme-concepts .
"""


def mentioned_by(store: Path, entity: str) -> set[str]:
    query = f"SELECT ?title WHERE {{ ?d schema:mentions kgid:{entity} ; dcterms:title ?title }}"
    result = runner.invoke(app, ["query", "--store", str(store), "-e", query, "-f", "json"])
    assert result.exit_code == 0, result.output
    return {row["title"] for row in json.loads(result.stdout)}


def test_reextract_links_a_new_term_without_the_folders_and_names_moved_files(tmp_path, editable):
    ontology, _ = editable
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("08-primary-care-networks.txt", "01-five-year-forward-view.txt", "09-better-care-fund.txt"):
        shutil.copy(SAMPLE / name, folder)
    store = tmp_path / "store"
    assert runner.invoke(app, ["ingest", "--store", str(store), str(folder)]).exit_code == 0
    assert mentioned_by(store, "social-prescribing-link-worker") == set()

    vocabulary = ontology / "vocabulary" / "concepts.ttl"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + TERM, encoding="utf-8")
    (folder / "09-better-care-fund.txt").rename(tmp_path / "elsewhere.txt")

    result = runner.invoke(app, ["reextract", "--store", str(store)], terminal_width=200)
    assert result.exit_code == 1, result.output  # one source has moved
    assert mentioned_by(store, "social-prescribing-link-worker") == {"The NHS Long Term Plan"}
    output = " ".join(result.output.split())
    assert f"moved {folder / '09-better-care-fund.txt'} is no longer there" in output
    assert "The Better Care Fund and section 75 pooled budgets" in output  # names what the moved file held
    assert "written The NHS Long Term Plan" in output
    # the moved file's document is still there as it was
    assert "The Better Care Fund and section 75 pooled budgets: a summary for staff" in mentioned_by(
        store, "better-care-fund"
    )

    again = runner.invoke(app, ["reextract", "--store", str(store)])
    assert "unchanged The NHS Long Term Plan" in " ".join(again.output.split())  # nothing changed since


def test_reextract_after_a_pattern_change_rewrites(tmp_path, editable):
    _, data = editable
    store = tmp_path / "store"
    assert runner.invoke(app, ["ingest", "--store", str(store), str(SAMPLE / "04-aco-contract.txt")]).exit_code == 0
    patterns = data / "patterns" / "relations.toml"
    patterns.write_text(patterns.read_text(encoding="utf-8") + "\n# a librarian's comment\n", encoding="utf-8")
    result = runner.invoke(app, ["reextract", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "written Draft accountable care organisation contract" in " ".join(result.output.split())


def test_reextract_without_a_store_is_one_sentence(tmp_path):
    result = runner.invoke(app, ["reextract", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "there is no store" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "none").exists()
