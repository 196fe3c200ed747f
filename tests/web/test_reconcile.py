"""``/reconcile``: the W3C Entity Reconciliation API, called over a socket the way OpenRefine calls it.

OpenRefine reads the manifest with a GET (JSONP with ``callback`` in version 3), sends each batch as a
form-encoded POST of ``queries=<JSON>``, asks ``suggest/*`` as the user types and shows ``preview``
in a frame. The names below mix acronyms, plurals, former names, a misspelling and an unknown.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse

import pytest

from kg import resources
from kg.graph import namespaces as ns
from kg.graph.reconcile import Query, Reconciler
from kg.ingest.vocabulary import Vocabulary
from kg.web.server import create_app, running
from tests.web.test_server import http

K = ns.base_iri() + "id/"
KG = ns.ONTOLOGY

#: name -> (top match, match flag); None: nothing may be offered
BATCH = {
    "NHSE": ("nhs-england", True),
    "NHS Commissioning Board": ("nhs-england", True),  # a former name
    "Integrated Care Systems": ("integrated-care-system", True),  # a plural
    "ACOs": ("accountable-care-organisation", True),  # an acronym's plural; the US sense stays out
    "accountable care organisation": ("accountable-care-organisation", True),
    "STPs": ("sustainability-and-transformation-partnership", True),
    "CCG": ("clinical-commissioning-group", True),
    "ICB": ("integrated-care-board", True),
    "Kings Fund": ("the-kings-fund", True),
    "Nufield Trust": ("nuffield-trust", False),  # misspelt: offered, not matched
    "Public Helath England": ("public-health-england", False),  # misspelt
    "Foundation Trust Network": ("nhs-providers", True),  # a former name
    "HSCIC": ("nhs-digital", True),
    "Health and Social Care Act 2012": ("health-and-social-care-act-2012", True),
    "Monitor": ("monitor", True),
    "multispecialty community providers": ("multispecialty-community-provider", True),
    "primary and acute care systems": ("primary-and-acute-care-system", True),
    "CQC": ("care-quality-commission", True),
    "Department of Health and Social Care": ("department-of-health-and-social-care", True),
    "Zorblax Borough Council": None,  # unknown
}


@pytest.fixture(scope="module")
def served(sample_store):
    app = create_app(sample_store.location, workers=1)
    with running(app) as url:
        yield url


def post_queries(url, queries: dict) -> dict:
    body = urllib.parse.urlencode({"queries": json.dumps(queries)}).encode()
    answer = http(url, "/reconcile", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 200, answer.text
    return answer.json()


def test_manifest(served):
    manifest = http(served, "/reconcile").json()
    assert {"0.1", "0.2"} <= set(manifest["versions"])
    assert manifest["identifierSpace"] == ns.base_iri() and manifest["schemaSpace"] == KG
    types = {t["id"]: t["name"] for t in manifest["defaultTypes"]}
    assert types[KG + "CareModel"] and types[KG + "Organisation"]
    assert manifest["view"]["url"] == served + "/page?iri={{id}}"
    assert manifest["preview"]["url"].startswith(served + "/reconcile/preview?id=")
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    # OpenRefine 3 reads it as JSONP
    jsonp = http(served, "/reconcile", params={"callback": "jsonp123"})
    assert jsonp.type.startswith("application/javascript")
    assert json.loads(re.fullmatch(r"/\*\*/jsonp123\((.*)\);", jsonp.text, re.S).group(1)) == manifest
    assert http(served, "/reconcile", params={"callback": "alert(1)//"}).status == 400
    # a page on another origin (OpenRefine's, a notebook's) may call it
    cors = http(served, "/reconcile", headers={"Origin": "http://localhost:3333"})
    assert cors.headers.get("access-control-allow-origin") == "*"


def test_a_batch_of_twenty_names(served):
    names = list(BATCH)
    answer = post_queries(served, {f"q{i}": {"query": name, "limit": 3} for i, name in enumerate(names)})
    assert set(answer) == {f"q{i}" for i in range(len(names))}
    for i, name in enumerate(names):
        results = answer[f"q{i}"]["result"]
        expected = BATCH[name]
        if expected is None:
            assert results == [], name
            continue
        top = results[0]
        assert top["id"] == K + expected[0], (name, top)
        assert top["match"] is expected[1], (name, top)
        assert len(results) <= 3
        assert all(0 <= r["score"] <= 100 for r in results)
        assert sum(r["match"] for r in results) <= 1
        assert top["score"] == (100 if expected[1] else top["score"]) and (expected[1] or top["score"] < 100)
        assert top["type"] and all(t["id"].startswith("http") for t in top["type"])


def test_type_filter_and_properties(served):
    answer = post_queries(
        served,
        {
            "q1": {"query": "NHS England", "type": "CareModel"},
            "q2": {"query": "ACO", "type": KG + "CareModel", "properties": [{"pid": "type", "v": "CareModel"}]},
        },
    )
    assert answer["q1"]["result"] == [] or all(r["id"] != K + "nhs-england" for r in answer["q1"]["result"])
    assert answer["q2"]["result"][0]["id"] == K + "accountable-care-organisation"
    assert answer["q2"]["result"][0]["match"] is True


def test_lineage_is_offered_below_the_name(served):
    results = post_queries(served, {"q0": {"query": "STP"}})["q0"]["result"]
    ids = [r["id"] for r in results]
    assert ids[0] == K + "sustainability-and-transformation-partnership"
    later = [r for r in results[1:] if r["id"] == K + "integrated-care-system"]
    assert later and later[0]["score"] < 100 and not later[0]["match"]
    assert "successor" in later[0]["description"].lower() or "predecessor" in later[0]["description"].lower()


def test_get_queries_and_bad_batches(served):
    answer = http(served, "/reconcile", params={"queries": json.dumps({"a": {"query": "NICE"}})}).json()
    assert answer["a"]["result"][0]["id"] == K + "national-institute-for-health-and-care-excellence"
    for bad in ("not json", "[1, 2]", json.dumps({"q": {"query": "x", "limit": 0}})):
        refused = http(served, "/reconcile", params={"queries": bad})
        assert refused.status == 400 and refused.json()["error"]


def test_suggest_and_preview(served):
    entities = http(served, "/reconcile/suggest/entity", params={"prefix": "integrated care"}).json()["result"]
    assert K + "integrated-care-system" in [e["id"] for e in entities]
    assert all(
        e["name"].lower().startswith("integrated care") or "integrated care" in e["name"].lower() for e in entities
    )
    types = http(served, "/reconcile/suggest/type", params={"prefix": "care"}).json()["result"]
    assert KG + "CareModel" in [t["id"] for t in types]
    properties = http(served, "/reconcile/suggest/property", params={"prefix": ""}).json()["result"]
    assert "type" in [p["id"] for p in properties]
    preview = http(served, "/reconcile/preview", params={"id": K + "nhs-england"})
    assert preview.status == 200 and preview.type.startswith("text/html")
    assert "NHS England" in preview.text and "NHS Commissioning Board" in preview.text
    assert http(served, "/reconcile/preview", params={"id": K + "nothing-here"}).status == 404


def test_links_out_come_with_results_and_previews(served):
    trust = Vocabulary().entities[K + "mid-cheshire-hospitals-nhs-foundation-trust"].pref_label
    answer = post_queries(served, {"q0": {"query": "Health and Social Care Act 2012"}, "q1": {"query": trust}})
    act = answer["q0"]["result"][0]
    assert any(link["value"] == "http://www.legislation.gov.uk/id/ukpga/2012/7" for link in act["links"])
    assert "legislation.gov.uk" in http(served, "/reconcile/preview", params={"id": act["id"]}).text
    top = answer["q1"]["result"][0]
    assert top["id"] == K + "mid-cheshire-hospitals-nhs-foundation-trust" and top["match"]
    assert {"property": KG + "odsCode", "value": "RBT", "label": "ODS code RBT"} in top["links"]
    assert "ODS code RBT" in http(served, "/reconcile/preview", params={"id": top["id"]}).text
    # a query can give the ODS code as a property: the right trust keeps its score, another loses
    coded = post_queries(
        served,
        {
            "q0": {"query": trust, "properties": [{"pid": "kg:odsCode", "v": "RBT"}]},
            "q1": {"query": trust, "properties": [{"pid": "kg:odsCode", "v": "XXX"}]},
        },
    )
    assert coded["q0"]["result"][0]["score"] == 100 and coded["q0"]["result"][0]["match"]
    assert coded["q1"]["result"][0]["score"] < 100 and not coded["q1"]["result"][0]["match"]


def test_a_name_two_entities_share_is_not_a_match(tmp_path):
    """A vocabulary where a second entity also answers to "CCG": both are offered at 100, neither matched."""
    folder = tmp_path / "ontology"
    shutil.copytree(resources.ontology_dir(), folder)
    (folder / "vocabulary" / "zz-test-shared.ttl").write_text(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix kg: <https://w3id.org/nhs-policy-kg/ontology#> .
<https://w3id.org/nhs-policy-kg/id/county-cricket-ground> a skos:Concept , kg:Organisation ;
    skos:prefLabel "County Cricket Ground"@en ; skos:altLabel "CCG"@en .
""",
        encoding="utf-8",
    )
    reconciler = Reconciler(Vocabulary(folder))
    results = reconciler.reconcile(Query("CCG"))
    top = [r for r in results if r.score == 100]
    assert {r.candidate.iri for r in top} == {K + "clinical-commissioning-group", K + "county-cricket-ground"}
    assert not any(r.match for r in results)
    only = reconciler.reconcile(Query("CCG", type=KG + "OrganisationType"))
    assert only[0].candidate.iri == K + "clinical-commissioning-group" and only[0].match
