"""`kg query` in a terminal: a long table stops at a row cap and says how to get every row."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from kg.cli import TABLE_ROWS, app

runner = CliRunner()
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def test_a_long_table_is_capped_with_a_note(cli_store):
    every = runner.invoke(app, ["query", "-e", EVERYTHING, "-f", "csv", "--store", cli_store])
    total = len(list(csv.reader(io.StringIO(every.stdout)))) - 1
    assert total > TABLE_ROWS
    capped = runner.invoke(app, ["query", "-e", EVERYTHING, "--store", cli_store])
    assert capped.exit_code == 0
    assert f"showing the first {TABLE_ROWS:,} of {total:,} rows" in capped.stderr
    few = runner.invoke(app, ["query", "-e", EVERYTHING + " LIMIT 3", "--max-rows", "2", "--store", cli_store])
    assert "showing the first 2 of 3 rows" in few.stderr
    whole = runner.invoke(app, ["query", "-e", EVERYTHING + " LIMIT 3", "--max-rows", "0", "--store", cli_store])
    assert "3 row(s)" in whole.stderr


def test_a_table_of_every_row_is_plain_text_with_every_cell(cli_store):
    every = runner.invoke(app, ["query", "-e", EVERYTHING, "-f", "csv", "--store", cli_store])
    rows = list(csv.reader(io.StringIO(every.stdout)))[1:]
    whole = runner.invoke(app, ["query", "-e", EVERYTHING, "--max-rows", "0", "--store", cli_store])
    assert whole.exit_code == 0 and f"{len(rows)} row(s)" in whole.stderr
    lines = whole.stdout.splitlines()
    assert lines[0].split(" │ ")[0].strip() == "s" and set(lines[1]) <= {"─", "┼"}
    assert len(lines) >= len(rows) + 2  # a row per line at least; long cells fold onto more


def test_a_long_table_folds_long_cells_and_keeps_them_whole():
    from kg.terminal import RICH_ROWS, LinearTable, fit_table

    rows = [["x" * 50, "short"], ["y", "\x1b[2J"], *([["z", "1"]] * RICH_ROWS)]
    table = fit_table(["a", "b"], rows, 40)
    assert isinstance(table, LinearTable)  # past RICH_ROWS: laid out line by line, in time linear in the rows
    text = str(table)
    lines = text.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert len(lines) == 2 + 2 + 1 + RICH_ROWS  # heading, rule, the long cell on two lines, a line a row
    assert "".join(line.split("│")[0].strip() for line in lines[2:4]) == "x" * 50
    assert "\x1b" not in text and "\ufffd[2J" in text


def test_starting_the_command_loads_no_rdf_library_or_extractor():
    import subprocess
    import sys

    code = (
        "import sys, kg.cli; heavy = [m for m in ('pyoxigraph', 'rdflib', 'networkx', 'jinja2', 'kg.ingest.extract',"
        " 'kg.graph.store', 'rich.table', 'rich.progress') if m in sys.modules]; print(','.join(heavy))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", loaded
