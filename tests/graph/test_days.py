"""Stored days (store format 5): written at ingest, given to a store of format 4 without a re-ingest.

A store of format 4 is what main's code wrote before the days: the same quads without ``kg:issuedDay``
and ``kg:reviewDay``. The ``old_store`` fixture makes one two ways: by ingesting the sample and taking the
days out again (graphs and union), with the format file saying 4 (always); and by running a kg program of
format 4 itself, named by the environment variable ``KG_FORMAT4_KG`` (e.g. main's ``.venv/bin/kg`` before
the days; skipped when it is not set).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg import Store, StoreError
from kg.graph import namespaces as ns
from kg.graph.days import DAY_OF, day_literal, day_quads
from kg.graph.saved import load_saved, run_saved
from kg.graph.store import FORMAT_FILE, FORMAT_VERSION, graph_iri
from kg.ingest import ingest
from tests.conftest import SAMPLE

DAYS = [ox.NamedNode(p) for p in DAY_OF.values()]
FORMAT_4 = 4  #: the format before the stored days
OLDER_KG = "KG_FORMAT4_KG"  #: the environment variable naming a kg program that writes stores of format 4
runner = CliRunner()


def _days(store: Store) -> set[ox.Quad]:
    return {q for p in DAYS for q in store.oxigraph.quads_for_pattern(None, p, None, None)}


def _rows(store: Store, name: str, values: dict | None = None) -> Counter:
    result = run_saved(store, load_saved()[name], values or {}, limit=0)
    return Counter(tuple(map(str, row)) for row in result.rows)


def _version(location: Path) -> int:
    return int(json.loads((location / FORMAT_FILE).read_text())["version"])


@pytest.fixture(scope="session")
def current_days(sample_store) -> set[ox.Quad]:
    """The days this kg's ingest writes for the sample (in the graphs and in the union)."""
    return _days(sample_store)


def _taken_out(location: Path, pipeline) -> None:
    with Store(location) as store:
        assert not ingest([SAMPLE], store, pipeline).failures
        for quad in _days(store):
            store.oxigraph.remove(quad)
        assert not _days(store)
    (location / FORMAT_FILE).write_text(json.dumps({"format": "kg-store", "version": FORMAT_4}))


def _by_older_kg(location: Path) -> None:
    program = os.environ.get(OLDER_KG)
    if not program:
        pytest.skip(f"set {OLDER_KG} to a kg program of store format {FORMAT_4} (main before the days)")
    done = subprocess.run(
        [program, "ingest", "--store", str(location), str(SAMPLE)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(params=["days-taken-out", "written-by-format-4-kg"])
def old_store(request, tmp_path, pipeline) -> Path:
    """The sample as a store of format 4."""
    location = tmp_path / "store"
    (_taken_out if request.param == "days-taken-out" else lambda where, _: _by_older_kg(where))(location, pipeline)
    assert _version(location) == FORMAT_4
    with pytest.raises(StoreError):  # nothing has read it yet: read-only is refused, the store untouched
        Store(location, read_only=True)
    return location


def test_ingest_writes_the_first_day_of_each_issue_and_review_date(sample_store):
    days = {(q.subject, q.predicate.value): q.object for q in _days(sample_store)}
    for written, day in DAY_OF.items():
        dated = list(sample_store.oxigraph.quads_for_pattern(None, ox.NamedNode(written), None, None))
        documents = [
            q
            for q in dated
            if ox.Quad(q.subject, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.ONTOLOGY + "Document"))
            in sample_store.oxigraph
        ]
        assert documents
        for quad in documents:
            assert days[(quad.subject, day)] == day_literal(quad.object.value)
            assert days[(quad.subject, day)].datatype.value == ns.XSD + "date"


def test_a_store_of_format_4_gets_its_days_when_opened_for_writing(old_store, current_days, sample_store):
    with Store(old_store) as store:
        assert (
            store.upgraded is not None and store.upgraded.days == len(current_days) // 2
        )  # each day is in its graph and in the union
        assert _days(store) == current_days
        for day in DAYS:  # the ontology graph defines the days' properties (main's did not)
            kind = ox.NamedNode("http://www.w3.org/2002/07/owl#DatatypeProperty")
            defined = ox.Quad(day, ox.NamedNode(ns.RDF + "type"), kind, ox.NamedNode(graph_iri("ontology", store.base)))
            assert defined in store.oxigraph
        for name in ("due-for-review", "newest-documents"):
            assert _rows(store, name) == _rows(sample_store, name) != Counter()
    assert _version(old_store) == FORMAT_VERSION
    with Store(old_store) as store:  # once only
        assert store.upgraded is None and _days(store) == current_days
    with Store(old_store, read_only=True) as store:
        assert _days(store) == current_days


def test_a_store_of_format_4_read_only_is_one_sentence_naming_kg_upgrade(old_store):
    with pytest.raises(StoreError) as refused:
        Store(old_store, read_only=True)
    message = str(refused.value)
    assert f"kg upgrade --store {old_store}" in message and "\n" not in message
    answer = runner.invoke(app(), ["query", "--store", str(old_store), "-e", "ASK {}"])
    assert answer.exit_code != 0
    assert "kg upgrade" in answer.output and "Traceback" not in answer.output
    assert _version(old_store) == FORMAT_4  # reading it changed nothing


def app():
    from kg.cli import app as kg_app

    return kg_app


def test_kg_upgrade_says_how_many_days_it_wrote(old_store, current_days):
    first = runner.invoke(app(), ["upgrade", "--store", str(old_store)])
    assert first.exit_code == 0, first.output
    assert f"{len(current_days) // 2:,} days written" in first.output
    again = runner.invoke(app(), ["upgrade", "--store", str(old_store)])
    assert again.exit_code == 0 and " 0 days written" in again.output
    with Store(old_store, read_only=True) as store:
        assert _days(store) == current_days
    assert _version(old_store) == FORMAT_VERSION


def test_kg_upgrade_of_no_store_is_one_sentence(tmp_path):
    answer = runner.invoke(app(), ["upgrade", "--store", str(tmp_path / "nothing")])
    assert answer.exit_code != 0 and "Traceback" not in answer.output
    assert not (tmp_path / "nothing" / FORMAT_FILE).exists()


def _old_dump(location: Path, dump: Path) -> None:
    """The named graphs of a store of format 4 as N-Quads, read by pyoxigraph itself (this kg would upgrade
    the store on opening it for writing and refuse it read-only): what ``kg export`` of format 4 wrote."""
    raw = ox.Store.read_only(str(location))
    named = (q for q in raw.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph))
    ox.serialize(named, str(dump), ox.RdfFormat.N_QUADS)
    del raw


def test_kg_load_of_a_format_4_dump_gives_it_its_days(old_store, current_days, tmp_path, sample_store):
    dump, restored = tmp_path / "old.nq", tmp_path / "restored"
    _old_dump(old_store, dump)
    assert not [q for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS) if q.predicate in DAYS]
    loaded = runner.invoke(app(), ["load", str(dump), "--store", str(restored)])
    assert loaded.exit_code == 0, loaded.output
    assert _version(restored) == FORMAT_VERSION
    with Store(restored, read_only=True) as store:
        assert _days(store) == current_days
        for name in ("due-for-review", "newest-documents"):
            assert _rows(store, name) == _rows(sample_store, name)


#: review and issue dates as the library writes them (ingest reads them from the text) → the stored day
ODD_DATES = {
    "2019": "2019-01-01",  # a year only: xsd:gYear
    "March 2019": "2019-03-01",  # a month in words: xsd:gYearMonth
    "2019-02": "2019-02-01",
    "1st November 2019": "2019-11-01",  # a day in words
    "6.4.18": "2018-04-06",  # day first, a two-digit year
    "Autumn 2017": "2017-01-01",  # a season is no month: the year is what is kept
    "29 February 2020": "2020-02-29",
}


def test_the_days_of_dates_written_as_a_year_a_month_or_in_words(tmp_path, pipeline):
    folder = tmp_path / "texts"
    folder.mkdir()
    issued = list(ODD_DATES)[::-1]  # each form as an issue date too, paired with another review date
    for number, (due, when) in enumerate(zip(ODD_DATES, issued, strict=True)):
        (folder / f"odd-{number}.txt").write_text(
            f"Odd dates briefing {number} by NHS England\n\n"
            "A policy briefing prepared by the Knowledge and Library Service.\n\n"
            f"Source: NHS England\n\nDate of publication: {when}\n\n"
            f"Summary of driver: Integrated care systems bring NHS organisations together ({number}).\n\n"
            f"Due for review: {due}\n",
            encoding="utf-8",
        )
    with Store(tmp_path / "store") as store:
        assert not ingest([folder], store, pipeline).failures
        answer = store.oxigraph.query(
            "SELECT ?title ?reviewDay ?issuedDay WHERE { GRAPH ?g { ?d a kg:Document ; dcterms:title ?title ; "
            "kg:reviewDay ?reviewDay ; kg:issuedDay ?issuedDay } }",
            prefixes=ns.prefixes(store.base),
        )
        days = {row["title"].value: (row["reviewDay"], row["issuedDay"]) for row in answer}
        for number, (due, when) in enumerate(zip(ODD_DATES, issued, strict=True)):
            review_day, issue_day = days[f"Odd dates briefing {number}"]
            assert (review_day.value, issue_day.value) == (ODD_DATES[due], ODD_DATES[when]), (due, when)
            assert review_day.datatype.value == issue_day.datatype.value == ns.XSD + "date"
        # the saved query compares the days: a review on 1 March 2019 is not before "2019-03", one in 2019 is
        assert len(days) == len(ODD_DATES)
        due = run_saved(store, load_saved()["due-for-review"], {"before": "2019-03"}, limit=0)
        titles = [f"Odd dates briefing {n}" for n, d in enumerate(ODD_DATES) if ODD_DATES[d] < "2019-03-01"]
        title = [str(v).lstrip("?") for v in due.variables].index("title")
        assert sorted(row[title].value for row in due.rows) == sorted(titles) and len(titles) == 4


def test_a_date_that_is_no_day_gets_none():
    assert day_literal("2019-02-30") is None and day_literal("") is None and day_literal("spring") is None
    assert day_literal("2019-02").value == "2019-02-01" and day_literal("2020").value == "2020-01-01"


def tie_documents(base: str) -> list[tuple[str, list[ox.Quad]]]:
    """Graphs of documents that tie, for paging (with their days, as ingest writes them): briefings due on
    1 January 2020 written as a year, a month and a day, with four titles among them and some with two
    responsible members (two rows); non-briefings due earlier; issue days shared by many documents."""
    forms = [("2020", "gYear"), ("2020-01", "gYearMonth"), ("2020-01-01", "date")]
    graphs = []

    def document(name: str, due: tuple[str, str], issued: tuple[str, str], kind: str, title: str, members: int) -> None:
        node, graph = ox.NamedNode(f"{base}{name}"), ox.NamedNode(f"{base}{name}")
        facts = [
            (ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.ONTOLOGY + "Document")),
            (ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.ONTOLOGY + kind)),
            (ox.NamedNode(ns.DCTERMS + "title"), ox.Literal(title)),
            (ox.NamedNode(ns.ONTOLOGY + "reviewDue"), ox.Literal(due[0], datatype=ox.NamedNode(ns.XSD + due[1]))),
            (ox.NamedNode(ns.DCTERMS + "issued"), ox.Literal(issued[0], datatype=ox.NamedNode(ns.XSD + issued[1]))),
        ]
        facts += [(ox.NamedNode(ns.ONTOLOGY + "responsibleMember"), ox.Literal(f"M{n}")) for n in range(members)]
        quads = [ox.Quad(node, p, o, graph) for p, o in facts]
        graphs.append((graph.value, quads + day_quads(quads)))

    for number in range(12):
        document(
            f"report-{number:02}",
            (f"2015-01-{1 + number:02}", "date"),
            forms[number % 3],
            "Report",
            f"Report {number}",
            1,
        )
    for number in range(15):
        name, title = f"tie-{(7 * number) % 15:02}", f"Tie {number % 4}"
        document(name, forms[number % 3], ("2030-06", "gYearMonth"), "PolicyBriefing", title, 1 + number % 2)
    for number in range(6):
        document(
            f"early-{number}", (f"2019-12-{10 + number}", "date"), ("2030-06-01", "date"), "PolicyBriefing", "Early", 1
        )
    return graphs


def test_days_are_written_for_documents_only():
    graph = ox.NamedNode(graph_iri("d", "https://example.org/"))
    doc, other = ox.NamedNode("https://example.org/doc/d"), ox.NamedNode("https://example.org/event/e")
    review = ox.NamedNode(ns.ONTOLOGY + "reviewDue")
    quads = [
        ox.Quad(doc, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.ONTOLOGY + "Document"), graph),
        ox.Quad(doc, review, ox.Literal("2019", datatype=ox.NamedNode(ns.XSD + "gYear")), graph),
        ox.Quad(other, review, ox.Literal("2018", datatype=ox.NamedNode(ns.XSD + "gYear")), graph),
    ]
    assert [(q.subject, q.object.value) for q in day_quads(quads)] == [(doc, "2019-01-01")]
