"""Adding terms without Turtle: kg term add / import, kg candidates --promote, and a broken vocabulary file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app

from ..conftest import SAMPLE

runner = CliRunner()
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
KGID = rdflib.Namespace("https://w3id.org/nhs-policy-kg/id/")


def mentioning(store: Path, name: str) -> set[str]:
    query = f"SELECT ?title WHERE {{ ?d schema:mentions kgid:{name} ; dcterms:title ?title }}"
    result = runner.invoke(app, ["query", "--store", str(store), "-e", query, "-f", "json"])
    assert result.exit_code == 0, result.output
    return {row["title"] for row in json.loads(result.stdout)}


@pytest.fixture
def sample_copy(tmp_path, editable) -> Path:
    """A store of three sample briefings (ingested with the editable vocabulary)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (
        "08-primary-care-networks.txt",
        "07-department-of-health-and-social-care.txt",
        "09-better-care-fund.txt",
    ):
        shutil.copy(SAMPLE / name, folder)
    store = tmp_path / "store"
    assert runner.invoke(app, ["ingest", "--store", str(store), str(folder)]).exit_code == 0
    return store


def test_term_add_links_the_term_in_documents_already_in_the_store(sample_copy, editable):
    ontology, _ = editable
    assert mentioning(sample_copy, "additional-roles-reimbursement-scheme") == set()
    result = runner.invoke(
        app,
        [
            "term", "add", "Additional Roles Reimbursement Scheme", "--acronym", "ARRS", "--type", "Concept",
            "--definition", "Funding that lets primary care networks employ staff in new roles.",
            "--broader", "primary care network", "--store", str(sample_copy),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "is now mentioned in 1 document(s): The NHS Long Term Plan" in result.output
    assert mentioning(sample_copy, "additional-roles-reimbursement-scheme") == {"The NHS Long Term Plan"}
    # valid SKOS, read back by an independent parser
    graph = rdflib.Graph().parse(ontology / "vocabulary" / "local-terms.ttl", format="turtle")
    term = KGID["additional-roles-reimbursement-scheme"]
    assert (term, rdflib.RDF.type, SKOS.Concept) in graph
    assert graph.value(term, SKOS.prefLabel) == rdflib.Literal("Additional Roles Reimbursement Scheme", lang="en")
    assert graph.value(term, SKOS.altLabel) == rdflib.Literal("ARRS", lang="en")
    assert graph.value(term, SKOS.broader) == KGID["primary-care-network"]
    assert "new roles" in str(graph.value(term, SKOS.definition))

    again = runner.invoke(app, ["term", "add", "Another scheme", "--acronym", "arrs", "--store", str(sample_copy)])
    assert again.exit_code == 2
    assert "'arrs' is already a label of kgid:additional-roles-reimbursement-scheme" in again.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["Integrated care board"], "'Integrated care board' is already a label of kgid:integrated-care-board"),
        (["A new thing", "--type", "Gadget"], "'Gadget' is not a type of term: choose one of"),
        (["A new thing", "--broader", "kgid:no-such-term"], "the broader term 'kgid:no-such-term' is not in"),
        (["A new thing", "--broader", "nothing called this"], "no term in the vocabulary is called"),
    ],
)
def test_term_add_refusals_are_one_sentence_and_write_nothing(editable, tmp_path, args, message):
    ontology, _ = editable
    result = runner.invoke(app, ["term", "add", *args, "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    assert not (ontology / "vocabulary" / "local-terms.ttl").exists()


def test_term_import_from_csv(sample_copy, editable, tmp_path):
    terms = tmp_path / "terms.csv"
    terms.write_text(
        "label,acronym,type,definition,broader\n"
        "Ministry of Housing Communities and Local Government,MHCLG,NationalBody,A government department.,\n"
        'Social prescribing link worker,,Concept,"Connects people with community support.",\n'
        "Clinical pharmacist role,,Concept,,Social prescribing link worker\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["term", "import", str(terms), "--store", str(sample_copy)])
    assert result.exit_code == 0, result.output
    assert mentioning(sample_copy, "ministry-of-housing-communities-and-local-government") == {
        "Department of Health becomes the Department of Health and Social Care"
    }
    assert mentioning(sample_copy, "social-prescribing-link-worker") == {"The NHS Long Term Plan"}
    ontology, _ = editable
    graph = rdflib.Graph().parse(ontology / "vocabulary" / "local-terms.ttl", format="turtle")
    assert graph.value(KGID["clinical-pharmacist-role"], SKOS.broader) == KGID["social-prescribing-link-worker"]


def test_term_import_names_the_bad_row(editable, tmp_path):
    terms = tmp_path / "terms.csv"
    terms.write_text("label,colour\nSomething,blue\n", encoding="utf-8")
    result = runner.invoke(app, ["term", "import", str(terms)])
    assert result.exit_code == 2 and "terms.csv, line 2: unknown column 'colour'" in " ".join(result.output.split())


def test_candidates_promote_adds_a_defined_acronym_with_its_long_form(sample_copy, editable):
    result = runner.invoke(
        app, ["candidates", "--store", str(sample_copy), "--promote", "DCLG", "--type", "NationalBody"]
    )
    assert result.exit_code == 0, result.output
    assert "“Department for Communities and Local Government” (DCLG) as kg:NationalBody" in result.output
    assert "Department of Health becomes the Department of Health and Social Care" in mentioning(
        sample_copy, "department-for-communities-and-local-government"
    )
    missing = runner.invoke(app, ["candidates", "--store", str(sample_copy), "--promote", "no such candidate"])
    assert missing.exit_code == 2 and "is not among the candidates" in missing.output


def test_missing_final_dot_is_one_sentence_naming_file_and_line_and_ingest_goes_on(editable, tmp_path):
    ontology, _ = editable
    broken = ontology / "vocabulary" / "concepts.ttl"
    text = broken.read_text(encoding="utf-8").rstrip()
    broken.write_text(text.removesuffix(".") + "\n", encoding="utf-8")
    last_line = len(text.splitlines())
    result = runner.invoke(
        app, ["ingest", "--store", str(tmp_path / "store"), str(SAMPLE / "08-primary-care-networks.txt")]
    )
    assert result.exit_code == 0, result.output  # the other vocabulary files still link
    notes = [line for line in result.output.splitlines() if "concepts.ttl" in line]
    assert len(notes) == 1 and "Traceback" not in result.output
    assert f'concepts.ttl, line {last_line}: the file ends inside a statement (is the final "." missing?)' in notes[0]
    assert mentioning(tmp_path / "store", "nhs-england") == {"The NHS Long Term Plan"}  # organisations.ttl still read


def test_a_typo_inside_a_vocabulary_file_names_the_line(editable, tmp_path):
    ontology, _ = editable
    local = ontology / "vocabulary" / "local-terms.ttl"
    local.write_text('@prefix kgid: <https://w3id.org/nhs-policy-kg/id/> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                     'kgid:x a skos:Concept ;\n    skos:prefLabel "X"@en\n    skos:definition "y"@en .\n', encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["term", "add", "Something new", "--no-reextract"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert (
        "local-terms.ttl, line 5, column 5: a dot is expected" in message and "mend it before adding terms" in message
    )
