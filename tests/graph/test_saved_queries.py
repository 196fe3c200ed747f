"""Saved queries under queries/: headers, typed binding through substitutions, results, and the CLI."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import QueryError
from kg.graph import namespaces as ns
from kg.graph.days import day_quads
from kg.graph.query import display
from kg.graph.saved import Param, SavedQuery, bind, find_saved, load_saved, parse_saved, run_saved, to_term
from kg.graph.store import Store

runner = CliRunner()
SAVED = load_saved()
INJECTION = '"} ; DROP ALL ; #'
XSD = ns.XSD
KG = ns.ONTOLOGY


def rows(result, base=None) -> list[dict[str, str]]:
    return [{v: display(t, base) for v, t in zip(result.variables, row)} for row in result.rows]


def first_day(value: str) -> str:
    return (value + "0000-01-01"[len(value) :])[:10]


# ---------------------------------------------------------------- the folder


def test_the_folder_holds_the_promised_queries():
    expected = {
        "documents-mentioning",
        "due-for-review",
        "documents-by-publisher",
        "lineage",
        "superseded-by",
        "co-mentioned",
        "catalogue-gaps",
        "relation-evidence",
        "newest-documents",
        "entities-without-definition",
        "still-current-after-superseded",
        "search-titles",
    }
    assert expected <= set(SAVED) and len(SAVED) >= 12
    for query in SAVED.values():
        assert query.title and query.description, query.name
        assert query.path.suffix == ".rq" and query.path.stem == query.name
        for param in query.params:
            assert param.type in ("entity", "iri", "string", "date", "integer")
            assert param.help, f"{query.name}: parameter {param.name} has no help text"


@pytest.mark.parametrize("name", sorted(SAVED))
def test_every_saved_query_runs_on_the_sample(sample_store, name):
    result = run_saved(sample_store, SAVED[name], {})
    assert result.kind == "select"
    assert not {p.name for p in SAVED[name].params if p.default} & set(result.variables), "bound parameters are dropped"


@pytest.mark.parametrize("name", sorted(SAVED))
def test_every_saved_query_runs_on_the_seeds(seeds_store, name):
    assert run_saved(seeds_store, SAVED[name], {}).kind == "select"


# ---------------------------------------------------------------- results


def test_documents_mentioning_an_aco(sample_store, seeds_store):
    query = SAVED["documents-mentioning"]
    sample = rows(run_saved(sample_store, query, {"entity": "kgid:accountable-care-organisation", "since": ""}))
    assert {r["title"] for r in sample} == {
        "Draft accountable care organisation contract",
        "Next Steps on the NHS Five Year Forward View",
    }
    assert [r["title"] for r in sample][0] == "Draft accountable care organisation contract", "newest first"
    seeds = rows(run_saved(seeds_store, query, {"entity": "kgid:accountable-care-organisation"}))
    assert {r["title"] for r in seeds} == {
        "NHS England publishes first national model contract for accountable care organisations",
        "Integrating care: contracting for accountable models",
        "Accountable care – the art of the possible",
        "STP, ACS or ACO?",
    }
    assert seeds[0]["issued"] == "2017-08-17" and seeds[-1]["issued"] == "", "dated newest first, undated last"
    later = rows(run_saved(seeds_store, query, {"entity": "kgid:accountable-care-organisation", "since": "2018"}))
    assert all(r["issued"] == "" for r in later), "only undated documents are kept after 2018"


def test_due_for_review_on_the_sample(sample_store):
    result = rows(run_saved(sample_store, SAVED["due-for-review"], {"before": "2019-01-01"}))
    assert {r["title"] for r in result} == {
        "Five Year Forward View",
        "Delivering the Forward View: NHS planning guidance 2016/17 – 2020/21",
        "Next Steps on the NHS Five Year Forward View",
    }
    assert all(first_day(r["reviewDue"]) < "2019-01-01" for r in result)
    assert [r["reviewDue"] for r in result] == sorted(r["reviewDue"] for r in result), "earliest first"


@pytest.fixture
def dated_store(tmp_path, pipeline):
    """A store with the vocabulary and hand-made documents whose dates have every precision."""
    with Store(tmp_path / "dated") as store:
        store.load_vocabulary(pipeline.vocabulary)

        def document(slug, kind, issued=None, review=None, mentions=()):
            doc = ox.NamedNode(f"{store.base}doc/{slug}")
            quads = [
                ox.Quad(doc, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(KG + "Document"), doc),
                ox.Quad(doc, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(KG + kind), doc),
                ox.Quad(doc, ox.NamedNode(ns.DCTERMS + "title"), ox.Literal(slug), doc),
            ]
            for predicate, value in ((ns.DCTERMS + "issued", issued), (KG + "reviewDue", review)):
                if value:
                    datatype = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(value)]
                    quads.append(
                        ox.Quad(
                            doc, ox.NamedNode(predicate), ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)), doc
                        )
                    )
            for entity in mentions:
                quads.append(
                    ox.Quad(doc, ox.NamedNode(ns.SCHEMA + "mentions"), ox.NamedNode(f"{store.base}id/{entity}"), doc)
                )
            store.replace_graph(doc.value, quads + day_quads(quads))  # the days, as ingest writes them

        document("review-2018", "PolicyBriefing", "2016", review="2018")
        document("review-2018-09", "PolicyBriefing", "2017-03", review="2018-09")
        document("review-2018-09-15", "PolicyBriefing", "2017-03-02", review="2018-09-15")
        document("review-2019", "PolicyBriefing", "2017", review="2019")
        document("news-with-review", "NewsItem", "2017", review="2000")
        document("acs-2019-without-ics", "Report", "2019-06", mentions=["accountable-care-system"])
        document(
            "acs-2019-with-ics", "Report", "2019-06", mentions=["accountable-care-system", "integrated-care-system"]
        )
        document("acs-2018-without-ics", "Report", "2018-11", mentions=["accountable-care-system"])
        yield store


@pytest.mark.parametrize(
    "before, due",
    [
        ("2018-09-15", {"review-2018", "review-2018-09"}),
        ("2018-09-16", {"review-2018", "review-2018-09", "review-2018-09-15"}),
        ("2018-09", {"review-2018"}),  # a month as the limit is its first day
        ("2018-09-02", {"review-2018", "review-2018-09"}),  # September 2018 counts from the 1st
        ("2018", set()),
        ("2020", {"review-2018", "review-2018-09", "review-2018-09-15", "review-2019"}),
    ],
)
def test_due_for_review_compares_mixed_precisions(dated_store, before, due):
    result = rows(run_saved(dated_store, SAVED["due-for-review"], {"before": before}))
    assert {r["title"] for r in result} == due, "only briefings, and only those due before the date"


def test_documents_by_publisher_within_dates(seeds_store):
    query = SAVED["documents-by-publisher"]
    every = rows(run_saved(seeds_store, query, {"publisher": "kgid:nhs-england"}))
    within = rows(run_saved(seeds_store, query, {"publisher": "kgid:nhs-england", "from": "2017-08-15", "to": "2017"}))
    assert within and len(within) < len(every)
    assert all("2017-08" <= r["issued"][:7] <= "2017-12" for r in within), "a month overlapping the span counts"
    kings_fund = [r["title"] for r in rows(run_saved(seeds_store, query, {"publisher": "kgid:the-kings-fund"}))]
    assert len(kings_fund) == 1 and kings_fund[0].startswith("Implementing the NHS five")


def test_lineage_and_supersession(seeds_store, sample_store):
    lineage = rows(
        run_saved(sample_store, SAVED["lineage"], {"entity": "kgid:accountable-care-system"}), sample_store.base
    )
    links = {(r["predecessor"], r["successor"]) for r in lineage}
    assert ("kgid:accountable-care-system", "kgid:integrated-care-system") in links
    assert (
        "kgid:sustainability-and-transformation-plan",
        "kgid:sustainability-and-transformation-partnership",
    ) in links
    assert any(r["date"] == "2018" and r["source"].startswith("vocabulary") for r in lineage)
    superseded = rows(run_saved(seeds_store, SAVED["superseded-by"], {"entity": "kgid:aco-contract"}), seeds_store.base)
    assert {r["other"] for r in superseded if r["direction"] == "superseded"} == {
        "kgid:mcp-contract",
        "kgid:pacs-framework",
    }
    assert any("supersedes" in r["evidence"] for r in superseded), "a sentence from a document"
    by = rows(run_saved(seeds_store, SAVED["superseded-by"], {"entity": "kgid:mcp-contract"}), seeds_store.base)
    assert {(r["direction"], r["other"]) for r in by} == {("superseded by", "kgid:aco-contract")}


def test_still_current_after_superseded(dated_store):
    result = rows(run_saved(dated_store, SAVED["still-current-after-superseded"], {}), dated_store.base)
    flagged = {(r["title"], r["successor"]) for r in result}
    assert ("acs-2019-without-ics", "kgid:integrated-care-system") in flagged
    assert not {t for t, _ in flagged} & {"acs-2019-with-ics", "acs-2018-without-ics"}, (
        "mentions the successor / not surely after 2018"
    )
    only = run_saved(dated_store, SAVED["still-current-after-superseded"], {"predecessor": "kgid:aco-contract"})
    assert only.rows == []


def test_relation_evidence_with_empty_parameters(seeds_store):
    query = SAVED["relation-evidence"]
    everything = run_saved(seeds_store, query, {})
    assert {"subject", "predicate", "object", "sentence", "title"} <= set(everything.variables), (
        "empty parameters stay columns"
    )
    supersedes = rows(run_saved(seeds_store, query, {"predicate": "kg:supersedes"}), seeds_store.base)
    assert supersedes and len(supersedes) < len(everything.rows)
    assert "predicate" not in supersedes[0], "a given parameter's column is dropped"
    assert all("supersedes" in r["sentence"] for r in supersedes)
    assert {r["object"] for r in supersedes} == {"kgid:mcp-contract", "kgid:pacs-framework"}


def test_co_mentioned_newest_and_search(seeds_store):
    co = rows(
        run_saved(seeds_store, SAVED["co-mentioned"], {"entity": "kgid:accountable-care-organisation", "atLeast": "2"})
    )
    counts = [int(r["sharedDocuments"]) for r in co]
    assert co and counts == sorted(counts, reverse=True) and min(counts) >= 2
    newest = rows(run_saved(seeds_store, SAVED["newest-documents"], {"count": "3"}))
    assert [r["rank"] for r in newest] == ["1", "2", "3"]
    assert [first_day(r["issued"]) for r in newest] == sorted((first_day(r["issued"]) for r in newest), reverse=True)
    found = rows(run_saved(seeds_store, SAVED["search-titles"], {"keyword": "ACCOUNTABLE"}))
    assert found and all("accountable" in r["title"].lower() for r in found)


def test_the_documents_two_entities_share_are_what_co_mentioned_counts(seeds_store):
    # co-mentioned gives a count per companion; documents-mentioning with 'with' lists those documents
    entity = "kgid:accountable-care-organisation"
    companions = rows(run_saved(seeds_store, SAVED["co-mentioned"], {"entity": entity, "atLeast": "2"}))
    assert len(companions) >= 3 and "?titles" not in SAVED["co-mentioned"].sparql
    aco = seeds_store.base + "id/accountable-care-organisation"
    both = "SELECT DISTINCT ?d WHERE { ?d a <%sDocument> ; <%smentions> <%s>, <%s> }"
    for companion in companions[:5]:
        other = companion["other"].replace("kgid:", seeds_store.base + "id/")
        shared = run_saved(
            seeds_store, SAVED["documents-mentioning"], {"entity": entity, "with": other, "since": ""}, limit=0
        )
        listed = {row[-1].value for row in shared.rows}
        assert len(listed) == len(shared.rows) == int(companion["sharedDocuments"])
        expected = {r["d"].value for r in seeds_store.oxigraph.query(both % (KG, ns.SCHEMA, aco, other))}
        assert listed == expected
    alone = run_saved(seeds_store, SAVED["documents-mentioning"], {"entity": entity, "since": ""}, limit=0)
    counts = [int(c["sharedDocuments"]) for c in companions]
    assert min(counts) < len(alone.rows) == max(counts), "an empty 'with' keeps every document of the entity"


# ---------------------------------------------------------------- binding


def test_injection_is_only_a_value(sample_store):
    before = len(sample_store)
    for keyword in (INJECTION, 'x")) } } ; INSERT DATA { <http://e/s> <http://e/p> 1 } #', "' } #"):
        assert run_saved(sample_store, SAVED["search-titles"], {"keyword": keyword}).rows == []
    assert len(sample_store) == before
    with pytest.raises(QueryError, match="no entity is called"):
        bind(SAVED["documents-mentioning"], {"entity": INJECTION})
    with pytest.raises(QueryError, match="no entity is called"):
        bind(SAVED["documents-mentioning"], {"entity": "kgid:x> } ; DROP ALL ; <y"})
    assert len(sample_store) == before


@pytest.mark.parametrize(
    "value, iri",
    [
        ("kgid:aco-contract", "https://w3id.org/nhs-policy-kg/id/aco-contract"),
        ("kg:CareModel", "https://w3id.org/nhs-policy-kg/ontology#CareModel"),
        ("dcterms:publisher", "http://purl.org/dc/terms/publisher"),
        ("https://example.org/x", "https://example.org/x"),
        ("<https://example.org/x>", "https://example.org/x"),
    ],
)
def test_iri_values(value, iri):
    assert to_term(Param("e", "iri"), value, ns.CANONICAL_BASE) == ox.NamedNode(iri)


@pytest.mark.parametrize(
    "param, value, message",
    [
        (Param("e", "iri"), "aco-contract", "is not an IRI"),
        (Param("e", "iri"), "nope:aco-contract", "is not an IRI"),
        (Param("e", "iri"), "ftp://example.org/x", "is not an IRI"),
        (Param("e", "iri"), "kgid:two words", "is not an IRI"),
        (Param("d", "date"), "2019-02-30", "is not a date"),
        (Param("d", "date"), "2019-13", "is not a date"),
        (Param("d", "date"), "20190101", "is not a date"),
        (Param("d", "date"), "last week", "is not a date"),
        (Param("n", "integer"), "ten", "is not a whole number"),
        (Param("n", "integer"), "1.5", "is not a whole number"),
    ],
)
def test_bad_values(param, value, message):
    with pytest.raises(QueryError, match=message):
        to_term(param, value)


def test_date_precisions():
    date = Param("d", "date")
    assert to_term(date, "2019-02-28").datatype == ox.NamedNode(XSD + "date")
    assert to_term(date, "2019-02").datatype == ox.NamedNode(XSD + "gYearMonth")
    assert to_term(date, "2019").datatype == ox.NamedNode(XSD + "gYear")
    assert to_term(date, "today").datatype == ox.NamedNode(XSD + "date")
    assert to_term(Param("n", "integer"), "+7") == ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))
    assert to_term(Param("s", "string"), INJECTION) == ox.Literal(INJECTION)


def test_unknown_missing_and_empty_parameters():
    query = SAVED["documents-by-publisher"]
    with pytest.raises(
        QueryError,
        match=r"no parameter 'publsher' \(did you mean 'publisher'\?\): its parameters are publisher, from, to",
    ):
        bind(query, {"publsher": "kgid:nhs-england"})
    with pytest.raises(QueryError, match="needs a value for 'publisher'"):
        bind(query, {"publisher": " "})
    assert set(bind(query, {"from": "", "to": "2018"})) == {"publisher", "to"}, (
        "an empty optional parameter stays unbound"
    )
    assert set(bind(SAVED["relation-evidence"], {})) == set()


# ---------------------------------------------------------------- headers


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_header_syntax(tmp_path):
    write(
        tmp_path,
        "mine",
        (
            "# title: Mine\n"
            "# description: One line,\n"
            "# description: and another.\n"
            "# Note: free comments are allowed, and so is https://example.org\n"
            "# param: who iri = kgid:nhs-england   -- the body -- with dashes\n"
            "# param: word string? =   -- may be empty\n"
            "# param: n integer -- no default\n"
            "SELECT ?who ?word ?n ?d WHERE { ?d dcterms:publisher ?who }\n"
        ),
    )
    query = load_saved(tmp_path)["mine"]
    assert query.title == "Mine" and query.description == "One line, and another."
    assert query.params == [
        Param("who", "iri", "kgid:nhs-england", "the body -- with dashes"),
        Param("word", "string", "", "may be empty", optional=True),
        Param("n", "integer", "", "no default"),
    ]
    with pytest.raises(QueryError, match="needs a value for 'n'"):
        bind(query, {})


@pytest.mark.parametrize(
    "header, message",
    [
        ("# description: no title\n", "no '# title:' line"),
        ("# title: A\n# title: B\n", "line 2: a second '# title:'"),
        ("# title: A\n# parm: x iri\n", "line 2: unknown header field 'parm': did you mean 'param'"),
        ("# title: A\n# param: x uri = kgid:a\n", "line 2: unknown parameter type 'uri'"),
        ("# title: A\n# param: x\n", "line 2: expected '# param: NAME TYPE = DEFAULT -- help'"),
        ("# title: A\n# param: x-y iri\n", "line 2: 'x-y' cannot be a SPARQL variable"),
        ("# title: A\n# param: x iri\n# param: x date\n", "line 3: parameter 'x' is declared twice"),
        ("# title: A\n# param: nowhere iri\n", "line 2: parameter 'nowhere' is not used"),
        ("# title: A\n# param: x date = 2019-02-30\n", "line 2: the default is not valid"),
        ("# title: A\n# param: x iri = plain\n", "line 2: the default is not valid"),
    ],
)
def test_header_errors_name_the_file_and_line(tmp_path, header, message):
    write(tmp_path, "broken", header + "SELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(QueryError, match="broken.rq") as caught:
        load_saved(tmp_path)
    assert message in str(caught.value)


def test_queries_pyoxigraph_cannot_bind_are_refused(tmp_path):
    write(tmp_path, "bound", "# title: A\n# param: x iri?\nSELECT ?x WHERE { ?s ?p ?o FILTER(!BOUND(?x)) }\n")
    with pytest.raises(QueryError, match=r"line 2: the query tests BOUND\(\?x\)"):
        load_saved(tmp_path)


def test_unprojected_parameter_is_explained(tmp_path, sample_store):
    write(tmp_path, "hidden", "# title: A\n# param: x iri = kgid:a\nSELECT ?s WHERE { ?s ?p ?x }\n")
    with pytest.raises(QueryError, match="must list every parameter in its SELECT clause"):
        run_saved(sample_store, load_saved(tmp_path)["hidden"], {})


def test_folder_from_environment_and_unknown_names(tmp_path, monkeypatch):
    write(tmp_path, "only-one", "# title: Only\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n")
    monkeypatch.setenv("KG_QUERIES_DIR", str(tmp_path))
    assert list(load_saved()) == ["only-one"]
    with pytest.raises(QueryError, match="did you mean only-one"):
        find_saved("only-on")
    monkeypatch.setenv("KG_QUERIES_DIR", str(tmp_path / "missing"))
    with pytest.raises(QueryError, match="no saved-query folder"):
        load_saved()


def test_parse_without_a_file():
    query = parse_saved("# title: T\n# param: s string = x\nSELECT ?s WHERE {}\n")
    assert isinstance(query, SavedQuery) and query.name == "query" and query.path is None


# ---------------------------------------------------------------- the command


def test_cli_list(cli_store):
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    for name in ("documents-mentioning", "due-for-review", "relation-evidence"):
        assert name in result.stdout
    as_csv = {
        r["name"]: r for r in csv.DictReader(io.StringIO(runner.invoke(app, ["query", "--list", "-f", "csv"]).stdout))
    }
    assert as_csv["newest-documents"]["parameters"] == "count integer = 10"
    assert as_csv["relation-evidence"]["parameters"] == "subject entity?; predicate iri?; object entity?"
    listing = json.loads(runner.invoke(app, ["query", "--list", "-f", "json"]).stdout)
    assert {q["name"] for q in listing} == set(SAVED)
    entity = next(q for q in listing if q["name"] == "documents-mentioning")["params"][0]
    assert entity == {
        "name": "entity",
        "type": "entity",
        "optional": False,
        "default": "ACO",
        "help": "the entity: a name, acronym, plural or former name (ACOs), or a kgid: identifier",
    }


def test_cli_runs_a_saved_query_with_params_as_csv(cli_store):
    result = runner.invoke(
        app,
        [
            "query",
            "--store",
            cli_store,
            "documents-mentioning",
            "--param",
            "entity=kgid:accountable-care-organisation",
            "--param",
            "since=2017-06",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in table] == ["Draft accountable care organisation contract"]
    assert "entity" not in table[0] and table[0]["issued"] == "2017-08"


def test_cli_saved_query_file_and_expression_still_work(cli_store, tmp_path):
    path = SAVED["search-titles"].path
    by_path = runner.invoke(app, ["query", "--store", cli_store, str(path), "-p", "keyword=plan", "-f", "json"])
    assert by_path.exit_code == 0 and all("plan" in r["title"].lower() for r in json.loads(by_path.stdout))
    table = runner.invoke(app, ["query", "--store", cli_store, "newest-documents", "-p", "count=2"])
    assert table.exit_code == 0 and "Newest documents" in table.stdout
    plain = runner.invoke(app, ["query", "--store", cli_store, "-e", "ASK { ?d schema:mentions ?e }", "-f", "json"])
    assert json.loads(plain.stdout) == {"boolean": True}


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "due-for-reveiw"], "there is no saved query 'due-for-reveiw': did you mean due-for-review?"),
        (["query", "newest-documents", "--param", "count=ten"], "is not a whole number"),
        (["query", "newest-documents", "--param", "count"], "--param needs NAME=VALUE"),
        (["query", "newest-documents", "--param", "top=3"], "has no parameter 'top'"),
        (["query", "newest-documents", "-p", "count=1", "-p", "count=2"], "given twice"),
        (["query", "lineage", "--param", "entity=accountable-care-sistem-x"], "no entity is called"),
        (["query", "due-for-review", "--param", "before=2019-02-30"], "is not a date"),
        (["query", "-e", "SELECT * WHERE { ?s ?p ?o }", "--param", "a=b"], "--param works only with a saved query"),
        (["query", "--list", "lineage"], "--list takes no query"),
        (["query"], "give a saved query name"),
    ],
)
def test_cli_mistakes_are_one_sentence_and_status_2(cli_store, args, message):
    result = runner.invoke(app, [*args, "--store", cli_store])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_query_with_from_sees_only_the_graphs_it_names(sample_store):
    """Without FROM the default graph is the union; with FROM it is just the graphs named."""
    from kg.graph.query import run_query
    from kg.graph.store import graph_iri

    everything = run_query(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value
    vocabulary = graph_iri("vocabulary", sample_store.base)
    only = run_query(sample_store, f"SELECT (COUNT(*) AS ?n) FROM <{vocabulary}> WHERE {{ ?s ?p ?o }}").rows[0][0].value
    assert 0 < int(only) < int(everything)
    documents = run_query(sample_store, f"ASK FROM <{vocabulary}> {{ ?d a kg:Document }}")
    assert documents.boolean is False


def test_lineage_follows_the_vocabulary_and_lists_what_documents_say(tmp_path, pipeline):
    """The chain follows the vocabulary only; each node's relations read from documents are listed, not followed."""
    with Store(tmp_path / "lineage") as store:
        store.load_vocabulary(pipeline.vocabulary)
        ids = store.base + "id/"

        def said(slug: str, subject: str, predicate: str, obj: str, sentence: str) -> None:
            doc = ox.NamedNode(f"{store.base}doc/{slug}")
            statement = ox.NamedNode(f"{store.base}doc/{slug}#relation-1")
            a, p, b = ox.NamedNode(ids + subject), ox.NamedNode(KG + predicate), ox.NamedNode(ids + obj)
            rdf = ns.RDF
            store.replace_graph(
                doc.value,
                [
                    ox.Quad(doc, ox.NamedNode(rdf + "type"), ox.NamedNode(KG + "Document"), doc),
                    ox.Quad(doc, ox.NamedNode(ns.DCTERMS + "title"), ox.Literal(slug), doc),
                    ox.Quad(a, p, b, doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "type"), ox.NamedNode(rdf + "Statement"), doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "subject"), a, doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "predicate"), p, doc),
                    ox.Quad(statement, ox.NamedNode(rdf + "object"), b, doc),
                    ox.Quad(statement, ox.NamedNode(ns.OA + "exact"), ox.Literal(sentence), doc),
                ]
                + [  # the bodies only documents name, as ingest writes them: types and a label
                    quad
                    for node, name in ((a, subject), (b, obj))
                    if name.startswith("local-")
                    for quad in (
                        ox.Quad(node, ox.NamedNode(rdf + "type"), ox.NamedNode(ns.SKOS + "Concept"), doc),
                        ox.Quad(node, ox.NamedNode(rdf + "type"), ox.NamedNode(KG + "Organisation"), doc),
                        ox.Quad(
                            node,
                            ox.NamedNode(ns.SKOS + "prefLabel"),
                            ox.Literal(name.replace("-", " "), language="en"),
                            doc,
                        ),
                    )
                ],
            )

        said("first", "local-board", "evolvesInto", "local-forum", "The local board became the local forum.")
        said("second", "local-forum", "evolvesInto", "local-assembly", "The forum then became an assembly.")
        said("third", "accountable-care-system", "evolvesInto", "local-board", "Some systems became boards.")

        def links(entity: str) -> set[tuple[str, str, str]]:
            found = rows(run_saved(store, SAVED["lineage"], {"entity": ids + entity}), store.base)
            return {(r["predecessor"], r["successor"], r["source"]) for r in found}

        board = links("local-board")  # an entity only documents name: its own relations, both ways
        assert ("kgid:local-board", "kgid:local-forum", "first") in board
        assert ("kgid:accountable-care-system", "kgid:local-board", "third") in board
        assert not any(source == "second" for _, _, source in board), "a document's relation is not followed"
        forum = links("local-forum")
        assert {(p, s) for p, s, source in forum if source in {"first", "second"}} == {
            ("kgid:local-board", "kgid:local-forum"),
            ("kgid:local-forum", "kgid:local-assembly"),
        }
        ics = links("integrated-care-system")  # ACS is on its chain in the vocabulary: ACS's relations are listed
        assert ("kgid:accountable-care-system", "kgid:integrated-care-system") in {(p, s) for p, s, _ in ics}
        assert ("kgid:accountable-care-system", "kgid:local-board", "third") in ics
        assert not any(source in {"first", "second"} for _, _, source in ics)
