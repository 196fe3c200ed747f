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
