"""Entity names where an entity is asked for: one resolver (kg.graph.names) for saved-query
parameters on the command line, over HTTP and for completion, on the seeds plus the sample."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph import namespaces as ns
from kg.graph.names import NameIndex, default_names, name_keys, typo_budget
from kg.graph.saved import EntityNameError, bind, load_saved, run_saved
from kg.ingest.vocabulary import Entity, Vocabulary
from kg.resources import ontology_dir
from kg.web.server import create_app, running

K = ns.base_iri() + "id/"
ACO = K + "accountable-care-organisation"
PCN = K + "primary-care-network"
SAVED = load_saved()
runner = CliRunner()

#: A second body that shares the acronym PCN: an ambiguous name (written here, not in the vocabulary).
EXTRA_SENSE = """@prefix kgid: <https://w3id.org/nhs-policy-kg/id/> .
@prefix kg: <https://w3id.org/nhs-policy-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
kgid:patient-council-network a skos:Concept, kg:Organisation ;
    skos:prefLabel "Patient Council Network"@en ;
    skos:altLabel "PCN"@en ;
    skos:definition "A made-up network used by a test to give an acronym two senses."@en .
"""


@pytest.fixture
def two_senses(tmp_path, monkeypatch):
    """A copy of the ontology with a second entity called PCN, used through KG_ONTOLOGY_DIR."""
    folder = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), folder)
    (folder / "vocabulary" / "zz-test-extra.ttl").write_text(EXTRA_SENSE, encoding="utf-8")
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(folder))
    return folder


# ---------------------------------------------------------------- the resolver


@pytest.mark.parametrize(
    "typed, iri",
    [
        ("ACOs", ACO),
        ("aco", ACO),
        ("accountable care organizations", ACO),
        ("Accountable-Care Organisations", ACO),
        ("primary care networks", PCN),
        ("PCNs", PCN),
        ("Integrated Care Systems", K + "integrated-care-system"),
        ("ACSs", K + "accountable-care-system"),
        ("sustainability and transformation partnerships", K + "sustainability-and-transformation-partnership"),
    ],
)
def test_names_people_type_resolve_to_one_entity(typed, iri):
    resolution = default_names().resolve(typed)
    assert resolution.status == "found", resolution.sentence()
    assert resolution.iri == iri


def test_the_english_sense_is_preferred_and_the_us_one_kept():
    resolution = default_names().resolve("ACO")
    assert resolution.iri == ACO
    assert len(resolution.found) == 2 and resolution.found[1].context.startswith("used with")


def test_a_typo_gets_did_you_mean():
    resolution = default_names().resolve("primary care netwrok")
    assert resolution.status == "unknown"
    assert resolution.suggestions[0].iri == PCN
    assert "did you mean Primary care network" in resolution.sentence()
    assert default_names().resolve("zzzz qqqq").suggestions == []


def test_keys_and_budget():
    assert {"primary care networks", "primary care network"} <= name_keys("Primary Care Network")
    assert "acos" in name_keys("ACO") and "processes" in name_keys("process")
    assert [typo_budget("x" * n) for n in (3, 4, 8, 16)] == [0, 1, 2, 3]


def test_two_entities_with_one_name_are_ambiguous():
    index = NameIndex(
        [
            Entity(K + "one", "Patient Council Network", ["PCN"], types={ns.ONTOLOGY + "Organisation"}),
            Entity(K + "two", "Primary care network", ["PCN"], types={ns.ONTOLOGY + "CareModel"}),
        ]
    )
    resolution = index.resolve("pcns")
    assert resolution.status == "ambiguous" and resolution.iri is None
    assert "names 2 entities" in resolution.sentence()
    assert {c["iri"] for c in resolution.as_dict()["choices"]} == {K + "one", K + "two"}


def test_completion_starts_with_what_was_typed():
    completions = default_names().complete("primary care")
    assert PCN in [s.iri for s in completions]
    assert all((s.also or s.label).lower().startswith("primary care") for s in completions)
    assert default_names().complete("kgid:acc") == default_names().complete("kgid acc")
    assert default_names().complete("") == []


# ---------------------------------------------------------------- saved queries


def test_documents_mentioning_acos_lists_the_six_aco_documents(both_store):
    query = SAVED["documents-mentioning"]
    by_name = run_saved(both_store, query, {"entity": "ACOs", "since": ""})
    by_id = run_saved(both_store, query, {"entity": "kgid:accountable-care-organisation", "since": ""})
    by_iri = run_saved(both_store, query, {"entity": f"<{ACO}>", "since": ""})
    assert len(by_name.rows) == 6
    assert by_name.rows == by_id.rows == by_iri.rows


def test_a_valid_looking_identifier_that_names_nothing_is_refused():
    with pytest.raises(
        EntityNameError, match=r"no entity has the identifier kgid:aco: did you mean kgid:accountable-care-organisation"
    ):
        bind(SAVED["documents-mentioning"], {"entity": "kgid:aco"})
    with pytest.raises(EntityNameError, match="no entity is called 'primry care netwrk'"):
        bind(SAVED["documents-mentioning"], {"entity": "primry care netwrk"})
    # an IRI outside the entities' namespace is not the vocabulary's business
    assert bind(SAVED["documents-by-publisher"], {"publisher": "https://example.org/elsewhere"})


def test_relation_evidence_the_wrong_way_round_gives_the_other_direction(both_store):
    query = SAVED["relation-evidence"]
    right = run_saved(both_store, query, {"subject": "ACO contract", "object": "MCP contract"})
    swapped = run_saved(both_store, query, {"subject": "MCP contract", "object": "ACO contract"})
    assert right.rows and not right.note
    assert swapped.rows == right.rows
    assert "other way round" in swapped.note
    nothing = run_saved(both_store, query, {"subject": "ACO contract", "object": "Monitor"})
    assert nothing.rows == [] and nothing.note == ""


def test_cli_takes_names_and_says_what_is_wrong(both_store):
    store = str(both_store.location)
    found = runner.invoke(
        app, ["query", "documents-mentioning", "-p", "entity=ACOs", "-p", "since=", "-f", "csv", "--store", store]
    )
    assert found.exit_code == 0, found.output
    assert len(found.stdout.strip().splitlines()) == 7  # the header and six documents
    typo = runner.invoke(app, ["query", "documents-mentioning", "-p", "entity=primary care netwrok", "--store", store])
    assert typo.exit_code == 2 and "did you mean Primary care network" in typo.output
    assert "Traceback" not in typo.output and len(typo.output.strip().splitlines()) <= 3
    swapped = runner.invoke(
        app,
        [
            "query",
            "relation-evidence",
            "-p",
            "subject=MCP contract",
            "-p",
            "object=ACO contract",
            "-f",
            "csv",
            "--store",
            store,
        ],
    )
    assert swapped.exit_code == 0 and "other way round" in swapped.output


def test_cli_lists_the_senses_of_an_ambiguous_name(both_store, two_senses):
    answer = runner.invoke(
        app, ["query", "documents-mentioning", "-p", "entity=PCN", "--store", str(both_store.location)]
    )
    assert answer.exit_code == 2
    assert "'PCN' names 2 entities" in answer.output
    assert "Patient Council Network" in answer.output and "Primary care network" in answer.output


# ---------------------------------------------------------------- over HTTP


def get(url: str, path: str, **params: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url + path + "?" + urllib.parse.urlencode(params))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_api_saved_takes_names_and_answers_choices(both_store, two_senses):
    with running(create_app(str(both_store.location), workers=1)) as url:
        status, _, body = get(url, "/api/saved/documents-mentioning", entity="ACOs", since="")
        assert status == 200 and len(body["results"]["bindings"]) == 6
        status, _, body = get(url, "/api/saved/documents-mentioning", entity="PCN")
        assert status == 409 and body["status"] == "ambiguous"
        assert {c["label"] for c in body["choices"]} == {"Patient Council Network", "Primary care network"}
        status, _, body = get(url, "/api/saved/documents-mentioning", entity="primary care netwrok")
        assert status == 400 and body["status"] == "unknown" and body["choices"][0]["iri"] == PCN
        status, _, body = get(url, "/api/saved/documents-mentioning", entity="kgid:aco")
        assert status == 400 and "kgid:accountable-care-organisation" in body["error"]
        status, headers, body = get(url, "/api/saved/relation-evidence", subject="MCP contract", object="ACO contract")
        assert status == 200 and body["results"]["bindings"]
        assert "other way round" in urllib.parse.unquote(headers["kg-note"])
        status, _, body = get(url, "/api/names", q="acc")
        assert status == 200 and any(c["kgid"] == "kgid:accountable-care-organisation" for c in body["completions"])
        assert get(url, "/api/names")[0] == 400


# ---------------------------------------------------------------- one search


def test_search_ranks_the_named_entity_first_and_counts_its_documents_as_its_page_does(both_store):
    from kg.graph.search import SearchIndex, store_mentions
    from kg.web.reading import gather

    data = gather(both_store)
    vocabulary = Vocabulary()
    with SearchIndex(both_store.location) as index:
        for typed, iri in [
            ("primary care networks", PCN),
            ("ACSs", K + "accountable-care-system"),
            ("accountable care organisations", ACO),
        ]:
            result = index.search(typed, vocabulary, 20, store_mentions(both_store))
            top = result.hits[0]
            assert top.iri == iri and top.exact, typed
            assert top.documents == len(data.entities[iri].mentions), typed
            listed = {h.iri for h in result.hits if h.kind == "document"}
            assert set(data.entities[iri].mentions) <= listed, typed
        typo = index.search("primary care netwrok", vocabulary, 20, store_mentions(both_store))
        assert typo.hits == [] and typo.suggestions[0].iri == PCN


def test_kg_search_says_did_you_mean(both_store):
    store = str(both_store.location)
    found = runner.invoke(app, ["search", "primary care networks", "-f", "json", "--store", store])
    assert found.exit_code == 0
    payload = json.loads(found.stdout)
    assert payload["hits"][0]["iri"] == PCN and payload["hits"][0]["documents"] >= 1
    typo = runner.invoke(app, ["search", "primary care netwrok", "--store", store])
    assert typo.exit_code == 0 and "did you mean 'Primary care network'" in typo.output
