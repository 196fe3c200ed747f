"""The kg command, through typer's test runner: exit statuses and one-sentence errors."""

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def test_store_from_environment(cli_store, monkeypatch):
    monkeypatch.setenv("KG_STORE", cli_store)
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0 and "documents" in result.output


def test_query_formats(cli_store):
    query = "SELECT ?title WHERE { ?d a kg:PolicyBriefing ; dcterms:title ?title } ORDER BY ?title"
    as_json = runner.invoke(app, ["query", "--store", cli_store, "-e", query, "--format", "json"])
    assert as_json.exit_code == 0
    titles = [row["title"] for row in json.loads(as_json.stdout)]
    assert "Five Year Forward View" in titles
    as_csv = runner.invoke(app, ["query", "--store", cli_store, "-e", query, "--format", "csv"])
    assert as_csv.stdout.splitlines()[0] == "title" and len(as_csv.stdout.splitlines()) == len(titles) + 1
    as_tsv = runner.invoke(app, ["query", "--store", cli_store, "-e", query, "-f", "tsv"])
    assert as_tsv.stdout.splitlines()[1:] == titles


def test_query_from_file(cli_store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?d schema:mentions ?e }")
    result = runner.invoke(app, ["query", "--store", cli_store, str(path), "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"boolean": True}


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "-e", "SELECT ?x WHERE { ?x ?y }"], "not valid"),
        (["query", "-e", "SELECT * WHERE {}", "-f", "xlsx"], "unknown output format"),
        (["export", "-f", "docx"], "unknown export format"),
        (["query", "nofile.rq"], "no query file"),
    ],
)
def test_user_mistakes_get_one_sentence_and_status_2(cli_store, args, message):
    result = runner.invoke(app, [*args, "--store", cli_store])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_store_is_one_sentence(tmp_path):
    result = runner.invoke(app, ["stats", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no store" in result.stderr


def test_export_validate_and_map(cli_store, tmp_path):
    out = tmp_path / "g.ttl"
    assert runner.invoke(app, ["export", "--store", cli_store, "-o", str(out)]).exit_code == 0
    assert out.read_text().startswith("@prefix")
    assert runner.invoke(app, ["validate", "--store", cli_store]).exit_code == 0
    page = tmp_path / "map.html"
    result = runner.invoke(app, ["map", "--store", cli_store, "-o", str(page)])
    assert result.exit_code == 0 and page.exists() and "nodes" in result.output


def test_failed_inputs_make_exit_status_1(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = runner.invoke(app, ["ingest", "--store", str(tmp_path / "s"), str(tmp_path / "empty.txt")])
    assert result.exit_code == 1 and "empty.txt" in result.stderr and "the file is empty" in result.stderr


def test_importing_the_command_and_the_server_stays_light():
    """``import kg.cli`` and ``import kg.web.server`` leave rdflib, pyshacl, networkx and jinja2 for the commands that use them."""
    import subprocess
    import sys

    heavy = ("rdflib", "pyshacl", "networkx", "jinja2", "pyvis")
    for module in ("kg.cli", "kg.web.server"):
        code = f"import sys, {module}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
        loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        assert loaded == [], (module, loaded)


def test_ingest_lists_at_most_max_lines_documents_and_counts_the_rest(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(5):
        (folder / f"note-{i}.txt").write_text(f"Briefing {i}\n\nThe integrated care board met NHS England in 2022.\n")
    listed = runner.invoke(app, ["ingest", "-j", "1", "--store", str(tmp_path / "a"), "--max-lines", "0", str(folder)])
    assert listed.exit_code == 0
    assert sum(line.startswith("written") for line in listed.stdout.splitlines()) == 5
    assert "more document" not in listed.stdout
    cut = runner.invoke(app, ["ingest", "-j", "1", "--store", str(tmp_path / "b"), "--max-lines", "2", str(folder)])
    assert cut.exit_code == 0
    assert sum(line.startswith("written") for line in cut.stdout.splitlines()) == 2
    assert "and 3 more documents: 3 written (--max-lines 0 lists every one)" in " ".join(cut.stdout.split())
    assert "documents written │ 5" in " ".join(cut.stdout.split())  # the counts cover every document
    again = runner.invoke(app, ["ingest", "-j", "1", "--store", str(tmp_path / "b"), "--max-lines", "-1", str(folder)])
    assert again.exit_code != 0 and "--max-lines must be 0 or more" in " ".join(again.output.split())
