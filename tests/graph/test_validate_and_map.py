import json
import re

from kg import validate, write_map
from kg.graph.namespaces import DCTERMS


def test_seeds_conform_to_the_shapes(seeds_store):
    report = validate(seeds_store)
    assert report.conforms, report.text


def test_a_document_without_title_violates(sample_store, tmp_path):
    from kg import Store

    with Store(tmp_path / "copy") as store:
        store.oxigraph.extend(list(sample_store.oxigraph))
        doc = store.document_graphs()[0]
        store.oxigraph.update(f"DELETE WHERE {{ GRAPH <{doc}> {{ <{doc}> <{DCTERMS}title> ?t }} }}")
        report = validate(store)
        assert not report.conforms and report.violations == 1
        assert "exactly one non-empty title" in report.text


def test_map_is_self_contained(sample_store, tmp_path):
    out = tmp_path / "map.html"
    graph = write_map(sample_store, out)
    page = out.read_text(encoding="utf-8")
    assert graph.number_of_nodes() > 50
    external = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert external == [], external
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    assert "vis-network" in page or "vis.Network" in page
    start = page.index("window.KG_MAP = ") + len("window.KG_MAP = ")
    data = json.loads(page[start : page.index(";\n", start)])
    assert data["total"] == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
