"""The one relations table (kg.graph.predicates), the SPARQL files (kg.graph.rq) and the pyoxigraph boundary."""

from __future__ import annotations

import ast
import json
import shutil
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import resources
from kg.graph import namespaces as ns
from kg.graph import predicates as pt
from kg.graph import rq
from tests.conftest import ROOT

KG = ns.ONTOLOGY
PACKAGE = ROOT / "kg"


def test_table_states_labels_inverses_and_lineage_direction():
    table = pt.predicates()
    assert table[KG + "introducedBy"].reads_as == "was introduced by"
    assert table[KG + "introducedBy"].inverse == "introduced"
    assert table[ns.SKOS + "broader"].inverse == "has narrower concept"
    # which end came first
    assert table[KG + "evolvesInto"].lineage_pair("a", "b") == ("a", "b")
    assert table[KG + "supersedes"].lineage_pair("a", "b") == ("b", "a")
    assert table[KG + "evolvedFrom"].lineage_pair("a", "b") == ("b", "a")
    assert {p.lineage_kind for p in pt.lineage_predicates().values()} == {"evolvesInto", "supersedes"}
    # a predicate the table lacks still gets a readable name both ways
    assert pt.name_of(KG + "unknownThing") == "unknownThing"
    assert pt.name_from_object(KG + "unknownThing") == "(inverse) unknownThing"
    assert pt.map_label("noSuchEdge") == pt.DEFAULT_EDGE_LABEL


def test_an_edited_ontology_changes_the_table(tmp_path, monkeypatch):
    folder = tmp_path / "ontology"
    shutil.copytree(resources.package_dir("kg.graph", "ontology"), folder)
    kg_ttl = folder / "kg.ttl"
    text = kg_ttl.read_text(encoding="utf-8")
    assert 'kg:inverseLabel "has part"@en' in text
    kg_ttl.write_text(text.replace('kg:inverseLabel "has part"@en', 'kg:inverseLabel "contains"@en'), encoding="utf-8")
    assert pt.predicates(folder)[KG + "partOf"].inverse == "contains"
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(folder))
    assert pt.name_from_object(KG + "partOf") == "contains"


def test_extraction_and_map_styles_use_only_predicates_the_table_knows():
    spec = tomllib.loads((resources.data_dir() / "patterns" / "relations.toml").read_text(encoding="utf-8"))
    names = {p.name for p in pt.link_predicates().values()}
    assert set(spec["predicates"]) <= names
    assert {rule["predicate"] for rule in spec["rule"]} <= names
    styles = json.loads(resources.web_dir("styles.json").read_text(encoding="utf-8"))["edges"]
    assert all("label" not in look for look in styles.values()), "edge names come from kg.ttl, not styles.json"
    drawn = {p.name for p in pt.predicates().values() if p.on_map}
    assert drawn | {pt.DEFAULT_EDGE} == set(styles), "every edge the map draws has a colour, and only those"


def test_every_internal_query_is_valid_sparql():
    files = sorted(resources.sparql_dir().glob("*.rq"))
    assert len(files) >= 14
    store = ox.Store()
    for path in files:
        listed = {"p": [ns.SKOS + "prefLabel"]} if "VALUES ?p { }" in path.read_text(encoding="utf-8") else {}
        query = rq.text(path.stem, **listed)
        store.query(query, prefixes=ns.prefixes(), use_default_graph_as_union=True)  # raises SyntaxError if not


def test_values_are_checked_before_they_reach_a_query():
    with pytest.raises(ValueError, match="not an IRI"):
        rq.text("network-statements", p=["https://example.org/x> } ?s ?p ?o {"])
    with pytest.raises(ValueError, match="no empty VALUES"):
        rq.text("site-schemes", p=[KG + "partOf"])


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_kg_graph_imports_pyoxigraph():
    graph = PACKAGE / "graph"
    offenders = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if graph not in path.parents and "pyoxigraph" in _imports(path)
    )
    assert offenders == [], f"only kg.graph may import pyoxigraph: {offenders}"
    assert "pyoxigraph" in _imports(PACKAGE / "graph" / "store.py")  # the check does see imports
