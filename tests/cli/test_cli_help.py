"""Every command registered on the typer app has help text and answers ``--help``.

The commands are read from the app itself (through the command group typer builds from it), so a
command that another module registers with ``@app.command`` is checked without editing this file.
Groups are recognised by their ``commands`` table, not by class: typer ships its own copy of click.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def registered(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(words, command) for every visible command, sub-commands of groups (``add_typer``) included."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        found.append(((*prefix, name), command))
        if isinstance(getattr(command, "commands", None), dict):
            found.extend(registered(command, (*prefix, name)))
    return found


COMMANDS = registered(typer.main.get_command(app))


def test_the_app_has_the_commands_the_readme_names():
    names = {words[0] for words, _ in COMMANDS}
    assert {"ingest", "query", "export", "validate", "site", "map", "serve", "search"} <= names


@pytest.mark.parametrize("words, command", COMMANDS, ids=[" ".join(words) for words, _ in COMMANDS])
def test_command_has_help_text_and_answers_help(words, command):
    summary = (command.help or command.short_help or "").strip()
    assert summary, f"kg {' '.join(words)} has no help text (give its function a docstring or help=)"
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    # The help screen shows the command's own summary (rich may wrap its lines, so compare words).
    shown = result.output.split()
    assert all(word in shown for word in summary.split()[:4]), result.output


def test_python_dash_m_kg_lists_every_command():
    """``python -m kg --help`` in a fresh interpreter: the entry point loads every command module."""
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    for words, _ in COMMANDS:
        if len(words) == 1:
            assert words[0] in done.stdout, f"{words[0]} is missing from kg --help"
