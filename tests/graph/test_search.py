"""Keyword search: a real SQLite FTS5 index kept in step with the store by ingest."""

import json

from typer.testing import CliRunner

from kg import Store
from kg.cli import app
from kg.graph.search import SearchIndex
from kg.ingest import ingest
from tests.conftest import SAMPLE

K = "https://w3id.org/nhs-policy-kg/id/"


def test_search_finds_acronym_and_long_form_and_offers_successor(tmp_path, pipeline):
    with Store(tmp_path / "s") as store:
        ingest([SAMPLE], store, pipeline)
    with SearchIndex(tmp_path / "s") as index:
        by_acronym = index.search("ACS", pipeline.vocabulary)
        assert "Accountable Care System" in by_acronym.expanded
        assert by_acronym.hits[0].iri == K + "accountable-care-system"
        assert ("successor", "Integrated Care System", K + "integrated-care-system") in by_acronym.see_also
        documents = [h for h in by_acronym.hits if h.kind == "document"]
        assert documents and all("[" in h.snippet for h in documents)
        by_long_form = index.search("integrated care boards", pipeline.vocabulary)
        assert "ICB" in by_long_form.expanded
        assert any("Health and Care Act 2022" in h.title for h in by_long_form.hits)


def test_case_and_accents_do_not_matter(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Café-style drop-in clinics\n\nA RÉSUMÉ of the integrated care pilots.\n")
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
    with SearchIndex(tmp_path / "s") as index:
        assert index.search("resume", pipeline.vocabulary).hits[0].title == "Café-style drop-in clinics"
        assert index.search("CAFE", pipeline.vocabulary).hits


def test_index_follows_a_changed_document(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    doc = folder / "a.txt"
    doc.write_text("Planning note\n\nThe zebra crossing plan.\n")
    with Store(tmp_path / "s") as store:
        ingest([folder], store, pipeline)
        doc.write_text("Planning note\n\nThe giraffe crossing plan.\n")
        ingest([folder], store, pipeline)
    with SearchIndex(tmp_path / "s") as index:
        assert not index.search("zebra", pipeline.vocabulary).hits
        assert len(index.search("giraffe", pipeline.vocabulary).hits) == 1


def test_search_command(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "s")
    assert runner.invoke(app, ["ingest", "--store", store, str(SAMPLE)]).exit_code == 0
    result = runner.invoke(app, ["search", "--store", store, "alliance contract", "-f", "json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["hits"] and "Alliance agreement" in payload["expanded"]
    assert all(hit["page"] and hit["page"].endswith(".html") for hit in payload["hits"])
    table = runner.invoke(app, ["search", "--store", store, "ACS"])
    assert "successor: Integrated Care System" in table.stdout
    missing = runner.invoke(app, ["search", "--store", str(tmp_path / "none"), "x"])
    assert missing.exit_code == 2 and "no search index" in missing.stderr
