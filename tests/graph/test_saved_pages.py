"""A saved query's answer a page at a time: ``# page:``, ``limit``/``offset``, the text that is run, the CLI."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import QueryError, UsageError
from kg.graph import namespaces as ns
from kg.graph.saved import PAGE_MARKER, SavedQuery, load_saved, page_options, paged_sparql, parse_saved, run_saved
from kg.graph.store import Store

runner = CliRunner()

DOCUMENTS = """# title: Documents
# page: 2
SELECT ?title ?document WHERE { ?document a kg:Document ; dcterms:title ?title }
ORDER BY ?title ?document
"""


def _titles(result) -> list[str]:
    return [row[0].value for row in result.rows]


def test_the_header_gives_the_default_page():
    assert parse_saved(DOCUMENTS).page == 2
    assert parse_saved(DOCUMENTS.replace("# page: 2\n", "")).page == 0, "no header: the whole answer"
    with pytest.raises(QueryError, match="line 2: expected one line '# page: N'"):
        parse_saved(DOCUMENTS.replace("# page: 2", "# page: many"))
    with pytest.raises(QueryError, match="may not be called 'limit'"):
        parse_saved("# title: T\n# param: limit integer = 3  -- n\nSELECT ?limit WHERE { BIND(1 AS ?x) }\n")


def test_page_options_check_their_values():
    query = parse_saved(DOCUMENTS)
    assert page_options(query) == (2, 0)
    assert page_options(query, "0", "") == (0, 0)
    assert page_options(query, 5, 10) == (5, 10)
    for bad in ("-1", "ten", "9" * 4300, "1.5"):
        with pytest.raises(UsageError, match="whole number from 0"):
            page_options(query, bad)


def test_the_page_is_written_into_the_text():
    query = parse_saved(DOCUMENTS)
    assert paged_sparql(query, 0, 0) == query.sparql
    assert paged_sparql(query, 2, 4).endswith("ORDER BY ?title ?document\nLIMIT 3 OFFSET 4\n"), "one row more, to probe"
    assert paged_sparql(query, 2, 4, probe=False).endswith("LIMIT 2 OFFSET 4\n")
    marked = SavedQuery(
        "q", "Q", "", sparql=f"SELECT * {{\n  {{ SELECT ?s {{ ?s ?p ?o }} ORDER BY ?s\n  {PAGE_MARKER}\n  }}\n}}"
    )
    assert "ORDER BY ?s\nLIMIT 11 OFFSET 0\n" in paged_sparql(marked, 10, 0)
    own = SavedQuery("q", "Q", "", sparql="SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 5")
    assert paged_sparql(own, 2, 0).startswith("SELECT * WHERE {\n{\nSELECT ?s"), "its own LIMIT: wrapped"


def test_pages_follow_each_other(seeds_store):
    query = parse_saved(DOCUMENTS)
    whole = run_saved(seeds_store, query, limit=0)
    assert len(whole.rows) > 4 and not whole.more and whole.total == len(whole.rows)
    first = run_saved(seeds_store, query)
    assert _titles(first) == _titles(whole)[:2] and first.more and first.total is None
    second = run_saved(seeds_store, query, offset=2)
    assert _titles(second) == _titles(whole)[2:4] and (second.limit, second.offset) == (2, 2)
    last = run_saved(seeds_store, query, limit=3, offset=len(whole.rows) - 2)
    assert _titles(last) == _titles(whole)[-2:] and not last.more and last.total == len(whole.rows)
    beyond = run_saved(seeds_store, query, offset=len(whole.rows) + 5)
    assert beyond.rows == [] and beyond.total is None


@pytest.mark.parametrize("name", sorted(load_saved()))
def test_a_page_of_every_saved_query_is_the_start_of_its_whole_answer(seeds_store, name):
    query = load_saved()[name]
    whole = run_saved(seeds_store, query, limit=0)
    page = run_saved(seeds_store, query, limit=2)
    assert len(page.rows) == min(2, len(whole.rows)) and page.more == (len(whole.rows) > 2)
    assert page.variables == whole.variables or not page.rows


def test_the_cli_pages(cli_store):
    first = runner.invoke(app, ["query", "--store", cli_store, "newest-documents", "--limit", "2", "-f", "csv"])
    assert first.exit_code == 0, first.output
    assert len(first.stdout.strip().splitlines()) == 3, "a header and two rows"
    assert "rows 1-2" in first.stderr and "--offset 2" in first.stderr
    rest = runner.invoke(app, ["query", "--store", cli_store, "newest-documents", "--limit", "0", "-f", "csv"])
    assert len(rest.stdout.strip().splitlines()) > 3
    bad = runner.invoke(app, ["query", "--store", cli_store, "newest-documents", "--limit", "ten"])
    assert bad.exit_code == 2 and "whole number" in bad.stderr
    own = runner.invoke(app, ["query", "--store", cli_store, "-e", "ASK {}", "--limit", "2"])
    assert own.exit_code == 2 and "write LIMIT and OFFSET" in own.stderr


REFERENCE = Path(__file__).parent / "reference_queries"


def _every_page(store, query, size: int, values=None) -> list[tuple[str, ...]]:
    rows, offset = [], 0
    while True:
        page = run_saved(store, query, values or {}, limit=size, offset=offset)
        assert len(page.rows) <= size
        rows += [tuple(str(term) for term in row) for row in page.rows]
        if not page.more:
            return rows
        offset += size


@pytest.fixture
def tied_relations_store(tmp_path):
    """Statements whose subjects share a label, lack one, or have two; two statements in one document."""
    with Store(tmp_path / "tied") as store:
        kg, rdf = ns.ONTOLOGY, ns.RDF

        def node(name: str) -> ox.NamedNode:
            return ox.NamedNode(f"{store.base}id/{name}")

        vocabulary = ox.NamedNode(f"{store.base}graph/test-labels")
        labels = {"a": ["Same"], "b": ["Same"], "c": [], "d": ["Two", "Also two"], "e": ["Same and more"]}
        store.replace_graph(
            vocabulary.value,
            [
                ox.Quad(node(n), ox.NamedNode(ns.SKOS + "prefLabel"), ox.Literal(label, language="en"), vocabulary)
                for n, names in labels.items()
                for label in names
            ]
            + [
                ox.Quad(node(n), ox.NamedNode(rdf + "type"), ox.NamedNode(ns.SKOS + "Concept"), vocabulary)
                for n in labels
            ],
        )
        relations = [
            ("a", "supersedes", "e"),
            ("b", "supersedes", "e"),
            ("a", "evolvesInto", "d"),
            ("c", "supersedes", "a"),
        ]
        relations += [("d", "supersedes", "b"), ("e", "evolvesInto", "c"), ("b", "evolvesInto", "a")]
        for number in range(4):
            doc = ox.NamedNode(f"{store.base}doc/tied-{number}")
            quads = [
                ox.Quad(doc, ox.NamedNode(rdf + "type"), ox.NamedNode(kg + "Document"), doc),
                ox.Quad(doc, ox.NamedNode(ns.DCTERMS + "title"), ox.Literal(f"Doc {number % 2}"), doc),
            ]
            for index, (s, p, o) in enumerate(relations[number:] + relations[:1]):
                statement = ox.NamedNode(f"{doc.value}#s{index}")
                quads += [
                    ox.Quad(statement, ox.NamedNode(rdf + "type"), ox.NamedNode(rdf + "Statement"), doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "subject"), node(s), doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "predicate"), ox.NamedNode(kg + p), doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "object"), node(o), doc),
                    ox.Quad(statement, ox.NamedNode(ns.OA + "exact"), ox.Literal(f"{s} {p} {o} ({index})"), doc),
                ]
            store.replace_graph(doc.value, quads)
        yield store


@pytest.mark.parametrize("values", [{}, {"predicate": "kg:supersedes"}, {"object": "kgid:e"}, {"subject": "kgid:a"}])
def test_relation_evidence_page_by_page_is_its_whole_answer(tied_relations_store, values):
    store = tied_relations_store
    query = load_saved()["relation-evidence"]
    whole = [tuple(str(term) for term in row) for row in run_saved(store, query, values, limit=0).rows]
    reference = parse_saved((REFERENCE / "relation-evidence.rq").read_text(encoding="utf-8"))
    old = [tuple(str(term) for term in row) for row in run_saved(store, reference, values, limit=0).rows]
    assert whole and sorted(whole) == sorted(old)
    for size in (1, 2, 3, 7, 100):
        assert _every_page(store, query, size, values) == whole, size


@pytest.mark.parametrize("corpus", ["sample_store", "seeds_store"])
@pytest.mark.parametrize("name", ["relation-evidence", "catalogue-gaps", "entities-without-definition"])
def test_pages_chosen_before_decoration_join_into_the_whole_answer(request, corpus, name):
    # the page is picked inside the query (#THROUGH) and cut at the end: pages of any size are the whole, in order
    store = request.getfixturevalue(corpus)
    query = load_saved()[name]
    whole = [tuple(str(term) for term in row) for row in run_saved(store, query, limit=0).rows]
    assert whole
    for size in (1, 2, 5):
        assert _every_page(store, query, size) == whole, size
