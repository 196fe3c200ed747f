"""Damaged, foreign and future stores, a corrupt search index, hostile values: one sentence from every command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import Store, StoreError
from kg.graph.store import FORMAT_FILE, FORMAT_VERSION, store_version
from tests.conftest import SAMPLE

runner = CliRunner()


def _garbage_database(path: Path) -> None:
    for name in os.listdir(path):
        if name.endswith(".sst") or name.startswith(("MANIFEST-", "OPTIONS-")):
            (path / name).write_bytes(os.urandom(3000))


def _foreign(path: Path) -> None:
    shutil.rmtree(path)
    path.mkdir()
    (path / "CURRENT").write_text("not a manifest name\n")
    (path / "notes.txt").write_text("a folder that some other program owns\n")


def _others(path: Path) -> None:
    shutil.rmtree(path)
    path.mkdir()
    (path / "report.csv").write_text("a,b\n1,2\n")


def _file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("a file, not a folder\n")


def _newer(path: Path) -> None:
    (path / FORMAT_FILE).write_text(json.dumps({"format": "kg-store", "version": FORMAT_VERSION + 1}))


def _damaged_format_file(path: Path) -> None:
    (path / FORMAT_FILE).write_bytes(b"\x00{not json")


DAMAGE = {
    "garbage in the database files": (_garbage_database, "damaged or is not a kg store"),
    "a foreign database folder": (_foreign, "damaged or is not a kg store"),
    "a folder of other files": (_others, "not a kg store"),
    "a file instead of a folder": (_file, "is a file, not a store directory"),
    "a newer format version": (_newer, "format version"),
    "a damaged format file": (_damaged_format_file, "format file"),
}

COMMANDS = {
    "stats": ["stats"],
    "query": ["query", "-e", "ASK {}"],
    "saved query": ["query", "newest-documents"],
    "export": ["export", "--format", "nt"],
    "validate": ["validate"],
    "site": ["site", "{tmp}/site"],
    "map": ["map", "-o", "{tmp}/map.html"],
    "search": ["search", "integrated care"],
    "ingest": ["ingest", str(SAMPLE)],
}


@pytest.fixture
def damaged(cli_store, tmp_path, request):
    make, _ = DAMAGE[request.param]
    path = tmp_path / "store"
    shutil.copytree(cli_store, path)
    make(path)
    return path


def _one_sentence(result, expected: str) -> None:
    text = result.stderr.strip()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert len(text.splitlines()) == 1, text
    assert expected in text, text


#: where a command says something more precise than the damage's own sentence
SAYS = {
    ("ingest", "a folder of other files"): "folder of other files",
    ("search", "a foreign database folder"): "no search index",  # it stops before opening the database
}


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_says_one_sentence(damaged, command, tmp_path, request):
    kind = request.node.callspec.params["damaged"]
    if command == "search" and kind == "garbage in the database files":
        pytest.skip("search reads only its own index, which this damage leaves whole")
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    result = runner.invoke(app(), [*args, "--store", str(damaged)])
    _one_sentence(result, SAYS.get((command, kind), DAMAGE[kind][1]))


@pytest.mark.parametrize("damaged", ["garbage in the database files", "a newer format version"], indirect=True)
def test_serve_says_one_sentence(damaged):
    result = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(damaged), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "damaged or is not a kg store" in lines[0] or "format version" in lines[0]


def app():
    from kg.cli import app as typer_app

    return typer_app


def test_a_new_store_records_its_format_and_an_older_one_is_refused_saying_what_to_run(tmp_path):
    with Store(tmp_path / "new"):
        pass
    assert json.loads((tmp_path / "new" / FORMAT_FILE).read_text()) == {"format": "kg-store", "version": FORMAT_VERSION}
    assert store_version(tmp_path / "new") == FORMAT_VERSION
    (tmp_path / "new" / FORMAT_FILE).write_text(json.dumps({"format": "kg-store", "version": 1}))
    for read_only in (True, False):
        with pytest.raises(StoreError, match=r"format version 1, from an older kg .*'kg ingest --store NEW-STORE"):
            Store(tmp_path / "new", read_only=read_only)
    (tmp_path / "new" / FORMAT_FILE).unlink()  # a database made before versions were recorded is version 1
    with pytest.raises(StoreError, match="format version 1"):
        Store(tmp_path / "new")
    assert not (tmp_path / "new" / FORMAT_FILE).exists()  # nothing written to a refused store


def test_a_store_stopped_while_being_made_opens_as_a_new_store(tmp_path, pipeline):
    """The format file is written before the database, so a store killed in between still says what it is."""
    from kg.ingest.flow import ingest

    for left in ({FORMAT_FILE: None}, {FORMAT_FILE: None, "LOCK": b"", "LOG": b"x"}, {FORMAT_FILE + ".part": b"{"}):
        folder = tmp_path / f"stopped-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name, data in left.items():
            if data is None:
                (folder / name).write_text(json.dumps({"format": "kg-store", "version": FORMAT_VERSION}))
            else:
                (folder / name).write_bytes(data)
        with Store(folder) as store:
            assert not ingest([SAMPLE], store, pipeline).failures
            assert store.document_count() > 0
        assert store_version(folder) == FORMAT_VERSION


def test_a_corrupt_search_index_is_rebuilt_by_ingest_and_named_by_readers(cli_store, tmp_path):
    path = tmp_path / "store"
    shutil.copytree(cli_store, path)
    (path / "search.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    refused = runner.invoke(app(), ["search", "integrated care", "--store", str(path)])
    _one_sentence(refused, "search index")
    again = runner.invoke(app(), ["ingest", str(SAMPLE), "--store", str(path)])
    assert again.exit_code == 0, again.output
    assert "search index was damaged" in again.stderr and (path / "search.sqlite.damaged").is_file()
    found = runner.invoke(app(), ["search", "integrated care", "--store", str(path), "--format", "json"])
    assert found.exit_code == 0 and json.loads(found.stdout)["hits"]


def test_long_names_and_huge_numbers_are_one_sentence(cli_store):
    long_name = runner.invoke(app(), ["query", "a" * 300, "--store", cli_store])
    _one_sentence(long_name, "cannot be a saved query's name")
    assert "300 characters" in long_name.stderr
    huge = runner.invoke(app(), ["query", "newest-documents", "--param", "count=" + "9" * 4300, "--store", cli_store])
    _one_sentence(huge, "more digits than the 30")


def test_text_from_the_store_cannot_send_escape_codes_to_the_terminal(cli_store):
    query = "SELECT ?x WHERE { BIND('title\\u001B]0;owned\\u0007 \\u001B[2J \\u009B31m end' AS ?x) }"
    result = runner.invoke(app(), ["query", "-e", query, "--store", cli_store])
    assert result.exit_code == 0, result.output
    assert "title" in result.stdout and "end" in result.stdout
    assert not any(ch in result.stdout for ch in "\x1b\x07\x9b")
