from kg.ingest.candidates import find_candidates
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source

ORGS = """Black Country mergers

Last year NHS Dudley CCG and Walsall CCG agreed a joint plan with Sandwell and West Birmingham Hospitals NHS Trust.
Walsall CCG later joined NHS Black Country Integrated Care Board, and Dudley Metropolitan Borough Council signed up.
The regional health outcomes compact (RHOC) sets shared goals. Each RHOC partner reports yearly.
"""


def test_organisations_are_found_by_the_shape_of_their_names(pipeline):
    doc = ParsedDocument(title="Black Country mergers", text=ORGS, source=Source("t.txt", ORGS, "0" * 64, "utf-8"))
    extraction = pipeline.extract(doc)
    new = {(e.label, e.type) for e in extraction.new_entities}
    assert ("Walsall CCG", "Commissioner") in new
    assert ("Sandwell and West Birmingham Hospitals NHS Trust", "Trust") in new
    assert not any("Last year" in label or "\n" in label for label, _ in new)


def test_candidates_rank_unknown_acronyms_and_organisations(tmp_path, pipeline):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(ORGS.replace("Black Country mergers", f"Black Country mergers {name}"))
    candidates, failures = find_candidates([tmp_path], pipeline)
    assert not failures
    by_term = {c.term: c for c in candidates}
    assert by_term["RHOC"].kind == "acronym" and by_term["RHOC"].long_form == "regional health outcomes compact"
    assert by_term["Walsall CCG"].kind == "organisation" and len(by_term["Walsall CCG"].documents) == 2
    assert "RHOC" in by_term["RHOC"].context


def test_adding_a_candidate_to_the_vocabulary_is_picked_up(tmp_path, monkeypatch):
    """A librarian adds the term to a vocabulary file; the next ingest finds it and re-extracts."""
    import shutil

    from kg import Pipeline, Store, run_query
    from kg.ingest import ingest
    from kg.ingest.vocabulary import ontology_dir

    onto = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), onto)
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(onto))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(ORGS)
    query = "SELECT ?e WHERE { ?d schema:mentions ?e . ?e skos:prefLabel 'Regional health outcomes compact'@en }"
    with Store(tmp_path / "s") as store:
        ingest([docs], store, Pipeline())
        assert not run_query(store, query).rows
        (onto / "vocabulary" / "local.ttl").write_text(
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix kg: <https://w3id.org/nhs-policy-kg/ontology#> .\n"
            "<https://w3id.org/nhs-policy-kg/id/regional-health-outcomes-compact> a skos:Concept, kg:Concept ;\n"
            "  skos:prefLabel 'Regional health outcomes compact'@en ; skos:altLabel 'RHOC'@en ;\n"
            "  skos:definition 'A made-up compact used in this test.'@en .\n"
        )
        report = ingest([docs], store, Pipeline())
        assert len(report.written) == 1
        assert len(run_query(store, query).rows) == 1
