"""``kg serve`` keeps the store's entity names between requests and lists them again when the store changes."""

from __future__ import annotations

import json
import urllib.request

import pytest

from kg import Store
from kg.ingest import ingest
from kg.web.server import create_app, running
from tests.conftest import SAMPLE

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def _rows(url: str, path: str) -> list[dict]:
    request = urllib.request.Request(url + path, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200
        return json.loads(answer.read())["results"]["bindings"]


def test_names_are_kept_until_the_store_changes(tmp_path, pipeline):
    held_back = SAMPLE / "07-department-of-health-and-social-care.txt"
    location = str(tmp_path / "store")
    with Store(location) as store:
        assert not ingest([str(f) for f in sorted(SAMPLE.glob("*.txt")) if f != held_back], store, pipeline).failures
    app = create_app(location, workers=1, query_timeout=10)
    names = app.state.service.store_names
    with running(app) as url:
        first = _rows(url, "/api/saved/documents-mentioning?entity=ACO&since=")
        assert first and names.builds == 1
        assert _rows(url, "/api/saved/documents-mentioning?entity=ACO&since=") == first
        assert _rows(url, "/api/saved/entity-profile?entity=ICS")
        assert names.builds == 1  # the store did not change: the same names for every request
        _rows(url, "/api/saved/newest-documents")
        assert names.builds == 1  # a query without an entity parameter needs no names

        with Store(location) as writer:  # held read-write by this process while the server reads the store
            assert not ingest([str(held_back)], writer, pipeline).failures
        profile = _rows(url, "/api/saved/entity-profile?entity=DHSC")
        assert names.builds == 2  # the store changed: its names were listed again
        assert profile and profile[0]["label"]["value"] == "Department of Health and Social Care"


def test_a_saved_query_is_read_again_when_its_file_changes(tmp_path, monkeypatch):
    from kg.web.server.savedfiles import SavedFiles

    monkeypatch.setenv("KG_QUERIES_DIR", str(tmp_path))
    path = tmp_path / "titles.rq"
    path.write_text("# title: Titles\nSELECT ?t WHERE { ?d dcterms:title ?t }\n", encoding="utf-8")
    files = SavedFiles()
    assert files.kept("titles") is None  # not read yet
    first = files.read("titles")
    assert files.kept("titles") is first  # the file is unchanged: no reading, no parsing
    path.write_text("# title: Titles, again\nSELECT ?t WHERE { ?d dcterms:title ?t } LIMIT 5\n", encoding="utf-8")
    assert files.kept("titles") is None  # changed: the caller reads it again
    assert files.read("titles").title == "Titles, again"
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.setenv("KG_QUERIES_DIR", str(other))
    assert files.kept("titles") is None  # another folder is another query
