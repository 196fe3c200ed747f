"""Tables that fit the terminal: run as a user would (a subprocess, COLUMNS set), words never split, IRIs short."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from rich.cells import cell_len

from kg.terminal import Column, column_widths, fit_table

ENTITY = "ACOs"


def kg(*args: str, columns: int, lines: int = 24) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "LINES": str(lines), "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def _words(text: str) -> set[str]:
    return {w.strip("│┃|") for w in text.split()}


def _assert_fits(text: str, columns: int) -> None:
    widest = max(cell_len(line) for line in text.splitlines())
    assert widest <= columns, f"a line is {widest} wide at COLUMNS={columns}:\n{text}"


@pytest.mark.parametrize("columns", [80, 40])
def test_documents_mentioning_fits_with_whole_words(cli_store, columns):
    as_csv = kg(
        "query", "documents-mentioning", "-p", f"entity={ENTITY}", "-f", "csv", "--store", cli_store, columns=200
    )
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows, "the sample has documents about ACOs"
    shown = kg("query", "documents-mentioning", "-p", f"entity={ENTITY}", "--store", cli_store, columns=columns)
    assert shown.returncode == 0, shown.stderr
    _assert_fits(shown.stdout, columns)
    words = _words(shown.stdout)
    for row in rows:
        for word in row["title"].split():
            assert word in words, f"{word!r} of {row['title']!r} was split at COLUMNS={columns}:\n{shown.stdout}"
    assert "https://" not in shown.stdout  # IRIs are shown as prefixed names
    assert "kgdoc:" in shown.stdout


def test_a_narrow_terminal_gets_one_block_per_row(cli_store):
    shown = kg("query", "documents-mentioning", "-p", f"entity={ENTITY}", "--store", cli_store, columns=40)
    first = [line.split()[0] for line in shown.stdout.splitlines() if line.strip() and line.split()[0] == "title"]
    assert len(first) >= 2  # each document starts a block with its title
    assert "┃" not in shown.stdout  # not a table squeezed until words break


@pytest.mark.parametrize("columns", [80, 40])
def test_search_and_review_fit(cli_store, columns):
    search = kg("search", "accountable care organisations", "--store", cli_store, columns=columns)
    assert search.returncode == 0, search.stderr
    _assert_fits(search.stdout, columns)
    assert "Accountable" in _words(search.stdout)
    review = kg("review", "-n", "5", "--store", cli_store, columns=columns)
    assert review.returncode == 0, review.stderr
    _assert_fits(review.stdout, columns)


def test_a_long_result_stops_with_a_note(cli_store):
    shown = kg("query", "-e", "SELECT * WHERE { ?s ?p ?o }", "--store", cli_store, columns=80)
    assert shown.returncode == 0
    assert "showing the first 200 of" in shown.stderr and "-f csv" in shown.stderr
    assert len(shown.stdout.splitlines()) < 2000


def test_widths_keep_words_whole_or_give_up():
    rows = [["Draft accountable care organisation contract", "kgdoc:draft-accountable-care-1234", "12"]]
    kinds = ["text", "id", "number"]
    for width in range(20, 120):
        widths = column_widths(kinds, ["title", "document", "n"], rows, width)
        if widths is None:
            continue
        assert sum(widths) + 3 * len(widths) + 1 <= width
        assert widths[0] >= len("organisation") and widths[2] >= 2
    assert column_widths(kinds, ["title", "document", "n"], rows, 200) == [44, 33, 2]


def test_fit_table_renders_within_the_width():
    from rich.console import Console

    rows = [["An integrated care system brings together providers", "kgid:integrated-care-system"]] * 3
    for width in (30, 50, 80, 120):
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(fit_table(["definition", Column("entity", "id")], rows, width, title="Entities"))
        _assert_fits(console.export_text(), width)


def test_the_progress_counter_passes_on_the_count_at_most_every_interval():
    from kg.terminal import ProgressCounter

    shown: list[tuple[int, str]] = []
    every = ProgressCounter(lambda n, where: shown.append((n, where)), interval=0)
    for name in ("a/one.txt", "a/two.txt", "https://example.org/b/three.html"):
        every.advance(name)
    assert shown == [(1, "one.txt"), (2, "two.txt"), (3, "three.html")]
    shown.clear()
    never = ProgressCounter(lambda n, where: shown.append((n, where)), interval=float("inf"))
    for name in ("a/one.txt", "a/two.txt"):
        never.advance(name)
    never.flush()
    assert shown == [(2, "two.txt")]
