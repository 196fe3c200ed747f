"""A saved query's answer a page at a time: ``# page:``, ``limit``/``offset``, the text that is run, the CLI."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import QueryError, UsageError
from kg.graph import namespaces as ns
from kg.graph.paging import given_sparql
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


MARKED = """# title: Relations
# param: predicate iri? =   -- the relation (empty: any)
# param: kind iri = rdf:Statement   -- a type
SELECT ?statement ?predicate WHERE {
  ?statement a ?kind ; rdf:predicate ?predicate .
  { SELECT ?statement WHERE { ?statement rdf:predicate ?predicate } }  #IF ?predicate
}
"""


def test_a_line_marked_if_is_left_out_for_an_empty_parameter():
    query = parse_saved(MARKED)
    assert "#IF" not in given_sparql(query, set()) and "rdf:predicate ?predicate }" not in given_sparql(query, set())
    assert given_sparql(query, {"predicate"}) == query.sparql
    assert paged_sparql(query, 0, 0, given=set()) == given_sparql(query, set())
    assert paged_sparql(query, 0, 0) == query.sparql, "no names given: every line"
    with pytest.raises(QueryError, match="line 6: '#IF [?]kind' names no optional parameter"):
        parse_saved(MARKED.replace("#IF ?predicate", "#IF ?kind"))
    with pytest.raises(QueryError, match="line 6: '#IF [?]other' names no optional parameter"):
        parse_saved(MARKED.replace("#IF ?predicate", "#IF ?other"))
    with pytest.raises(QueryError, match="line 6: the line marked '#IF [?]predicate' does not use [?]predicate"):
        parse_saved(MARKED.replace("rdf:predicate ?predicate } }  #IF", "rdf:predicate ?p } }  #IF"))


@pytest.mark.parametrize(
    "values", [{}, {"predicate": "kg:supersedes"}, {"subject": "ACO contract"}, {"object": "kgid:mcp-contract"}]
)
def test_relation_evidence_means_the_same_with_its_marked_lines(seeds_store, values):
    # the lines marked #IF only narrow what an empty parameter does not narrow: kept, the rows are the same
    query = load_saved()["relation-evidence"]
    assert "#IF ?predicate" in query.sparql
    kept = SavedQuery(query.name, query.title, "", query.params, query.sparql.replace("#IF", "# kept:"))
    assert run_saved(seeds_store, query, values, limit=0).rows, "the seeds hold such relations"
    for size, offset in ((0, 0), (1, 1), (3, 2), (100, 0)):
        given = run_saved(seeds_store, query, values, limit=size, offset=offset)
        every_line = run_saved(seeds_store, kept, values, limit=size, offset=offset)
        assert given.rows == every_line.rows and given.more == every_line.more


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


def _whole_and_reference(store, name: str, values: dict[str, str]):
    """(the saved query, its whole answer, the whole answer of its plain text in tests/graph/reference_queries)."""
    query = load_saved()[name]
    whole = [tuple(str(term) for term in row) for row in run_saved(store, query, values, limit=0).rows]
    reference = parse_saved((REFERENCE / f"{name}.rq").read_text(encoding="utf-8"))
    old = [tuple(str(term) for term in row) for row in run_saved(store, reference, values, limit=0).rows]
    return query, whole, old


@pytest.mark.parametrize("values", [{}, {"predicate": "kg:supersedes"}, {"object": "kgid:e"}, {"subject": "kgid:a"}])
def test_relation_evidence_page_by_page_is_its_whole_answer(tied_relations_store, values):
    store = tied_relations_store
    query, whole, old = _whole_and_reference(store, "relation-evidence", values)
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


def lineage_dates_graphs(base: str) -> list[tuple[str, list[ox.Quad]]]:
    """Lineage events dated to a year, a month (February, December) and a day, a chain of three steps (a successor
    of a successor of a successor), an unlabelled predecessor, and documents of every date precision, undated,
    on the same day with equal titles, mentioning the predecessor with or without a later name: the graphs, with
    the stored days ingest writes."""
    from kg.graph.days import day_quads

    kg, rdf, dcterms = ns.ONTOLOGY, ns.RDF, ns.DCTERMS

    def node(name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{base}id/{name}")

    def date(value: str) -> ox.Literal:
        kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(value)]
        return ox.Literal(value, datatype=ox.NamedNode(ns.XSD + kind))

    graph = ox.NamedNode(f"{base}graph/test-lineage")
    labels = {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta", "x": "Alpha", "z": "Zeta"}  # y: no label
    quads = [
        ox.Quad(node(n), ox.NamedNode(ns.SKOS + "prefLabel"), ox.Literal(label, language="en"), graph)
        for n, label in labels.items()
    ] + [ox.Quad(node(n), ox.NamedNode(rdf + "type"), ox.NamedNode(ns.SKOS + "Concept"), graph) for n in [*labels, "y"]]
    events = [
        ("a", "b", "2018", "supersedes"),
        ("b", "c", "2019-12", "evolvesInto"),
        ("c", "d", "2020-03-15", "supersedes"),
        ("x", "a", "2017-02", "evolvesInto"),
        ("y", "z", "2018-11", "supersedes"),
        ("a", "z", "2016-06-30", "evolvesInto"),
    ]
    for number, (old, new, when, relation) in enumerate(events):
        event = node(f"event-{number}")
        quads += [
            ox.Quad(event, ox.NamedNode(rdf + "type"), ox.NamedNode(kg + "LineageEvent"), graph),
            ox.Quad(event, ox.NamedNode(kg + "predecessor"), node(old), graph),
            ox.Quad(event, ox.NamedNode(kg + "successor"), node(new), graph),
            ox.Quad(event, ox.NamedNode(kg + "lineageRelation"), ox.NamedNode(kg + relation), graph),
            ox.Quad(event, ox.NamedNode(dcterms + "date"), date(when), graph),
        ]
    graphs = [(graph.value, quads)]
    issued = [
        "2016-06-30", "2016-07", "2017", "2017-02-28", "2017-03", "2018", "2018-11-30", "2018-12",
        "2019", "2019-06-01", "2019-12", "2019-12-31", "2020", "2020-03-15", "2020-03-16", "2021", None,
    ]  # fmt: skip
    mentions = [["a"], ["a", "c"], ["a", "d"], ["b"], ["b", "d"], ["c"], ["x"], ["x", "b"], ["y"], ["a", "y", "z"]]
    number = 0
    for when in issued:
        for names in mentions:
            number += 1
            if (number * 7) % 3 == 0:
                continue  # not every pair: some days have one document, some several
            doc = ox.NamedNode(f"{base}doc/lineage-{number}")
            quads = [
                ox.Quad(doc, ox.NamedNode(rdf + "type"), ox.NamedNode(kg + "Document"), doc),
                ox.Quad(doc, ox.NamedNode(dcterms + "title"), ox.Literal(f"Paper {number % 4}"), doc),
            ]
            if when:
                quads.append(ox.Quad(doc, ox.NamedNode(dcterms + "issued"), date(when), doc))
            quads += [ox.Quad(doc, ox.NamedNode(ns.SCHEMA + "mentions"), node(n), doc) for n in names]
            graphs.append((doc.value, quads + day_quads(quads)))
    return graphs


@pytest.fixture
def lineage_dates_store(tmp_path):
    """The graphs of :func:`lineage_dates_graphs` in a store of their own."""
    with Store(tmp_path / "lineage-dates") as store:
        for name, quads in lineage_dates_graphs(store.base):
            store.replace_graph(name, quads)
        yield store


@pytest.mark.parametrize(
    "values", [{}, {"predecessor": "kgid:a"}, {"predecessor": "kgid:x"}, {"predecessor": "kgid:d"}]
)
def test_still_current_page_by_page_is_its_whole_answer(lineage_dates_store, values):
    # the candidates are chosen on the stored days before the titles are read: pages of any size are the whole, in
    # order, and the whole is what the plain text (tests/graph/reference_queries) gives
    store = lineage_dates_store
    query, whole, old = _whole_and_reference(store, "still-current-after-superseded", values)
    assert sorted(whole) == sorted(old)
    assert bool(whole) == (values.get("predecessor") != "kgid:d"), "d is no event's predecessor"
    for size in (1, 2, 3, 7, 100):
        assert _every_page(store, query, size, values) == whole, size


def test_still_current_reads_every_precision_and_the_whole_chain(lineage_dates_store):
    store = lineage_dates_store
    found = run_saved(store, load_saved()["still-current-after-superseded"], {}, limit=0)
    column = {name: index for index, name in enumerate(found.variables)}
    seen = {
        (
            row[column["predecessor"]].value.rsplit("/", 1)[-1]
            + ">"
            + row[column["successor"]].value.rsplit("/", 1)[-1],
            row[column["issued"]].value,
            row[column["document"]].value,
        )
        for row in found.rows
    }

    def after(event: str) -> set[str]:
        return {issued for step, issued, _ in seen if step == event}

    assert "2018" not in after("a>b") and "2019-06-01" in after("a>b"), (
        "a 2018 event: a 2018 paper is not surely after it"
    )
    assert "2018" in after("a>z") and "2016-06-30" not in after("a>z"), "the same predecessor, an earlier event"
    assert not after("b>c") & {"2019-12", "2019-12-31", "2019"} and "2020" in after("b>c"), "December: the next year"
    assert "2017-02-28" not in after("x>a") and "2017-03" in after("x>a"), "February: from March"
    assert "2020-03-15" not in after("c>d") and "2020-03-16" in after("c>d"), "a day: from the next day"
    later = {  # documents that name b's successor or its successor's successor
        str(row[0].value)
        for row in store.oxigraph.query(
            f"SELECT ?d WHERE {{ ?d <{ns.SCHEMA}mentions> ?e VALUES ?e {{ <{store.base}id/c> <{store.base}id/d> }} }}"
        )
    }
    a_to_b = {document for step, _, document in seen if step == "a>b"}
    assert later and a_to_b and not a_to_b & later, "a mention of a later name is enough"
