"""Adding documents: Word, OpenDocument and RTF briefings, files a folder holds but kg does not read, titles in the summary."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.ingest.parse import load_rules, parse
from kg.ingest.sources import read

from ..conftest import ROOT, SAMPLE

runner = CliRunner()
TEMPLATES = ROOT / "data" / "templates"

#: A briefing of our own, as heading/value pairs (the order of the library template).
FIELDS = [
    ("Source", "NHS England"),
    ("Link to main document", "https://www.england.nhs.uk/publications/"),
    ("Publication format", "PDF"),
    ("Date of publication", "3 February 2025"),
    (
        "Summary of driver",
        "Guidance on how integrated care boards (ICBs) should plan community services with primary care networks.",
    ),
    ("Primary audience", "Commissioners"),
    ("Date last updated", "10/03/2025"),
    ("Due for review", "10/03/2026"),
    ("Group member responsible", "JT"),
]
TITLE = "Planning neighbourhood health services together"


def metadata(store: Path) -> dict[str, dict]:
    query = """SELECT ?title ?publisher ?issued ?modified ?review WHERE {
      ?d a kg:Document ; dcterms:title ?title .
      OPTIONAL { ?d dcterms:publisher ?publisher } OPTIONAL { ?d dcterms:issued ?issued }
      OPTIONAL { ?d dcterms:modified ?modified } OPTIONAL { ?d kg:reviewDue ?review } }"""
    result = runner.invoke(app, ["query", "--store", str(store), "-e", query, "-f", "json"])
    assert result.exit_code == 0, result.output
    return {row["title"]: row for row in json.loads(result.stdout)}


def word_briefing(path: Path, as_table: bool) -> Path:
    from docx import Document

    document = Document()
    document.add_heading(TITLE, level=1)
    document.add_paragraph("A briefing prepared by the library service at Example Hospital.")
    if as_table:
        table = document.add_table(rows=0, cols=2)
        for heading, value in FIELDS:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = heading, value
    else:
        for heading, value in FIELDS:
            paragraph = document.add_paragraph()
            paragraph.add_run(heading + ":").bold = True
            paragraph.add_run(" " + value)
        document.add_paragraph("Local teams agree one plan.", style="List Bullet")
    document.save(str(path))
    return path


def opendocument_briefing(path: Path) -> Path:
    from odfdo import Document, Header, List, Paragraph

    document = Document("text")
    document.body.append(Header(1, TITLE))
    for heading, value in FIELDS:
        document.body.append(Paragraph(f"{heading}: {value}"))
    document.body.append(List(["Local teams agree one plan."]))
    document.save(str(path))
    return path


def rtf_briefing(path: Path) -> Path:
    body = "\\par\n\\par\n".join(f"{{\\b {h}:}} {v}" for h, v in FIELDS)
    path.write_text("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Calibri;}}\n" + TITLE + "\\par\n\\par\n" + body + "\\par\n}")
    return path


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda p: word_briefing(p, as_table=True), "table.docx"),
        (lambda p: word_briefing(p, as_table=False), "paragraphs.docx"),
        (opendocument_briefing, "briefing.odt"),
        (rtf_briefing, "briefing.rtf"),
    ],
)
def test_word_processor_briefing_ingested_with_its_fields(tmp_path, make, name):
    path = make(tmp_path / name)
    store = tmp_path / "store"
    result = runner.invoke(app, ["ingest", "--store", str(store), str(path)])
    assert result.exit_code == 0, result.output
    assert TITLE in result.output  # the summary names the document by its title
    row = metadata(store)[TITLE]
    assert row["publisher"].endswith("/id/nhs-england")
    assert (row["issued"], row["modified"], row["review"]) == ("2025-02-03", "2025-03-10", "2026-03-10")


def test_word_reader_keeps_bullets_and_table_rows(tmp_path):
    text = read(word_briefing(tmp_path / "b.docx", as_table=False)).text
    assert "\n• Local teams agree one plan.\n" in text
    text = read(word_briefing(tmp_path / "t.docx", as_table=True)).text
    assert "\nDue for review: 10/03/2026\n" in text


@pytest.mark.parametrize("name", ["broken.docx", "broken.odt", "broken.rtf"])
def test_broken_office_file_is_one_sentence_and_the_rest_goes_in(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(b"PK\x03\x04 this is not really a document" if name != "broken.rtf" else b"plain words")
    shutil.copy(SAMPLE / "01-five-year-forward-view.txt", folder)
    result = runner.invoke(app, ["ingest", "--store", str(tmp_path / "store"), str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if name in line]
    assert len(lines) == 1 and lines[0].startswith("skipped") and "Traceback" not in result.output
    assert "Five Year Forward View" in metadata(tmp_path / "store")


def test_folder_with_an_image_names_it_as_not_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "01-five-year-forward-view.txt", folder)
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04")
    (folder / ".hidden.png").write_bytes(b"x")
    result = runner.invoke(app, ["ingest", "--store", str(tmp_path / "store"), str(folder)])
    assert result.exit_code == 0, result.output  # a file kg does not read is named, not a failure
    output = " ".join(result.output.split())
    assert f"not read {folder / 'chart.png'}: images are not read (kg reads .docx," in output
    assert f"not read {folder / 'notes.xlsx'}: spreadsheets are not read" in output
    assert ".hidden.png" not in output


def test_summary_lists_titles_and_two_files_holding_one_briefing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "08-primary-care-networks.txt", folder / "a.txt")
    shutil.copy(SAMPLE / "08-primary-care-networks.txt", folder / "b.txt")
    shutil.copy(SAMPLE / "09-better-care-fund.txt", folder / "c.txt")
    result = runner.invoke(app, ["ingest", "--store", str(tmp_path / "store"), str(folder)], terminal_width=200)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "The NHS Long Term Plan" in output and "The Better Care Fund and section 75 pooled budgets" in output
    assert f"same document as {folder / 'a.txt'}" in output
    # two documents, though three files were written
    assert re.search(r"documents written\s*│\s*2\s*│", result.output), result.output


@pytest.mark.parametrize("name", ["briefing-template.txt", "briefing-template.docx"])
def test_templates_hold_every_field_the_parser_reads(name):
    (document,) = parse(read(TEMPLATES / name))
    assert set(document.fields) == {field for _, field in load_rules().headings}
    assert document.title == "Title of the document you are briefing on"
    assert document.issued is not None and document.issued.value == "2024-03-14"


def test_docx_template_is_built_from_the_text_template(tmp_path):
    spec = importlib.util.spec_from_file_location("build_docx_template", TEMPLATES / "build_docx_template.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(TEMPLATES / "briefing-template.txt", tmp_path / "fresh.docx")
    assert read(tmp_path / "fresh.docx").text == read(TEMPLATES / "briefing-template.docx").text
