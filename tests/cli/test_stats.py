"""`kg stats` counts what a librarian counts; each figure checked against a query of our own over the same store."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from typer.testing import CliRunner

from kg.cli import app
from kg.graph.stats import first_day, library_stats
from kg.graph.store import Store

runner = CliRunner()


def _select(store: str, sparql: str) -> list[dict[str, str]]:
    result = runner.invoke(app, ["query", "-e", sparql, "-f", "json", "--store", store])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_stats_in_librarians_terms(cli_store):
    result = runner.invoke(app, ["stats", "-f", "json", "--store", cli_store])
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    docs = _select(
        cli_store,
        "SELECT ?d ?issued ?publisher WHERE { GRAPH ?d { ?d a kg:Document "
        "OPTIONAL { ?d dcterms:issued ?issued } OPTIONAL { ?d dcterms:publisher ?publisher } } }",
    )
    assert stats["documents"] == len({r["d"] for r in docs}) > 5
    assert stats["undated"] == len({r["d"] for r in docs} - {r["d"] for r in docs if "issued" in r})
    publishers = Counter()
    for _doc, p in {(r["d"], r.get("publisher")) for r in docs}:
        publishers[p] += 1
    shown = {c["iri"]: c["count"] for c in stats["by_publisher"]}
    assert shown == {p: n for p, n in publishers.items()}
    briefings = {r["d"] for r in _select(cli_store, "SELECT ?d WHERE { GRAPH ?d { ?d a kg:PolicyBriefing } }")}
    by_type = {c["label"]: c["count"] for c in stats["by_type"]}
    assert by_type["Policy briefing"] == len(briefings)
    care_models = _select(cli_store, "SELECT DISTINCT ?e WHERE { ?e a kg:CareModel ; skos:prefLabel ?l }")
    kinds = {c["label"]: c for c in stats["entities"]}
    assert kinds["Care model"]["count"] == len(care_models)
    assert 0 < kinds["Care model"]["mentioned"] <= kinds["Care model"]["count"]
    evolves = _select(cli_store, "SELECT DISTINCT ?s ?o WHERE { GRAPH ?d { ?d a kg:Document . ?s kg:evolvesInto ?o } }")
    relations = {c["label"]: c["count"] for c in stats["relations"]}
    assert relations["evolves into"] == len(evolves) > 0
    assert stats["last_ingest"][:4] == str(dt.date.today().year)
    assert "rdf" not in stats


def test_review_dates_against_a_chosen_day(cli_store):
    due = [
        first_day(r["due"])
        for r in _select(cli_store, "SELECT ?d (MIN(STR(?r)) AS ?due) WHERE { ?d kg:reviewDue ?r } GROUP BY ?d")
    ]
    assert len(due) >= 3
    day = sorted(due)[len(due) // 2]  # a day some reviews fall before and some after
    with Store(cli_store, read_only=True) as store:
        stats = library_stats(store, dt.date.fromisoformat(day))
    assert stats.with_review_date == len(due)
    assert stats.overdue == sum(1 for d in due if d < day) > 0
    assert stats.due_this_month == sum(1 for d in due if day <= d and d[:7] == day[:7]) >= 1


def test_table_output_and_rdf_counts_behind_a_flag(cli_store):
    plain = runner.invoke(app, ["stats", "--store", cli_store])
    assert plain.exit_code == 0
    for heading in ("Documents by type", "Documents by publisher", "Entities by kind", "Relations found in documents"):
        assert heading in plain.stdout
    assert "quads" not in plain.stdout and "oa:" not in plain.stdout
    rdf = runner.invoke(app, ["stats", "--rdf", "--store", cli_store])
    assert rdf.exit_code == 0
    assert "quads" in rdf.stdout and "named graphs" in rdf.stdout
    raw = json.loads(runner.invoke(app, ["stats", "--rdf", "-f", "json", "--store", cli_store]).stdout)["rdf"]
    distinct = _select(cli_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert raw["distinct_triples"] == int(distinct)
    bad = runner.invoke(app, ["stats", "-f", "xml", "--store", cli_store])
    assert bad.exit_code == 2 and "unknown output format" in bad.stderr
