"""The examples in data/patterns/names.toml and data/parsing/metadata.toml, and the evidence a cue leaves.

Both files are data a librarian edits; these tests run whatever examples they hold.
"""

import tomllib

import pytest

from kg.graph.export import export
from kg.graph.query import run_query
from kg.ingest import ingest
from kg.ingest.dates import parse_date
from kg.ingest.metadata import html_metadata, load_header_rules, pdf_metadata, read_header
from kg.ingest.names import name_finder
from kg.ingest.parse import ParsedDocument, parse
from kg.ingest.sources import Source
from kg.ingest.vocabulary import data_dir

NAMES = tomllib.loads((data_dir() / "patterns" / "names.toml").read_text(encoding="utf-8"))
FINDS = [(section, f) for section in ("legislation", "bodies") for f in NAMES[section]["finds"]]
IGNORES = [(section, text) for section in ("legislation", "bodies") for text in NAMES[section]["ignores"]]
RULES = load_header_rules()
HEADERS = RULES.spec["title"]["examples"]
CITATIONS = RULES.spec["citation"]["examples"]


@pytest.mark.parametrize("section, example", FINDS, ids=[f["name"] for _, f in FINDS])
def test_name_is_found_with_its_kind(section, example):
    found = {(n.name, n.kind) for n in name_finder().find(example["text"]) if n.section == section}
    assert (example["name"], example["kind"]) in found, found


@pytest.mark.parametrize("section, text", IGNORES, ids=[t[:30] for _, t in IGNORES])
def test_no_name_in_ordinary_words(section, text):
    assert not [n for n in name_finder().find(text) if n.section == section]


def _doc(text):
    return ParsedDocument(title=text[:20], text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))


def test_a_found_name_is_an_entity_in_the_discovered_scheme(pipeline):
    # (a body the vocabulary does not describe: the Commission for Health Improvement, once used here, now is)
    extraction = pipeline.extract(_doc("In 2015 the Audit Commission closed."))
    (entity,) = [e for e in extraction.new_entities if e.label == "Audit Commission"]
    assert entity.type == "NationalBody"
    assert entity.iri.endswith("/id/audit-commission")  # stable: made from the name


def test_a_defined_acronym_overrides_the_vocabulary_sense(pipeline):
    text = "The American Chemical Society (ACS) met in March. ACS members voted on the plan."
    extraction = pipeline.extract(_doc(text))
    assert not [m for m in extraction.mentions if m.entity.endswith("/accountable-care-system")]
    acs = [m for m in extraction.mentions if m.exact == "ACS"]
    assert acs and all(m.entity.endswith("/american-chemical-society") for m in acs)


PLURALS = name_finder().spec["bodies"].get("plural_kinds", [])


@pytest.mark.parametrize("example", PLURALS, ids=[e["name"] for e in PLURALS])
def test_a_defined_name_in_the_plural_is_a_kind_of_body(pipeline, example):
    extraction = pipeline.extract(
        ParsedDocument(title="t", text=example["text"], source=Source("t.txt", example["text"], "0" * 64, "utf-8"))
    )
    assert (example["name"], example["kind"]) in {(e.label, e.type) for e in extraction.new_entities}


@pytest.mark.parametrize("example", HEADERS, ids=[e["title"] for e in HEADERS])
def test_header_gives_title_publisher_and_dates(example):
    header = read_header(example["text"].split("\n"))
    assert header.title == example["title"]
    publisher = header.publisher or (header.candidates[0] if header.candidates else None)
    assert publisher == example.get("publisher")
    for name in ("issued", "modified", "review_due"):
        value = getattr(header, name)
        assert (value.value if value else None) == example.get(name), name


@pytest.mark.parametrize("example", CITATIONS, ids=[e["year"] for e in CITATIONS])
def test_citation_line_gives_the_year(example):
    header = read_header(["Some title", "", example["text"], "", "The study found this."])
    assert header.issued and header.issued.value == example["year"] and header.issued.datatype == "gYear"


def test_html_meta_open_graph_and_json_ld():
    html = """<html><head><meta property="og:site_name" content="Care Body">
    <meta property="article:modified_time" content="2023-03-14T11:20:00+00:00">
    <script type="application/ld+json">{"@type": "WebPage", "datePublished": "2022-07-01",
    "publisher": {"@type": "Organization", "name": "Care Body"}}</script></head><body><p>x</p></body></html>"""
    found = html_metadata(html)
    assert found["issued"] == "2022-07-01" and found["modified"].startswith("2023-03-14")
    assert found["publisher"] == "Care Body"
    assert parse_date(found["modified"]).value == "2023-03-14"


@pytest.mark.parametrize(
    ("title", "publisher"),
    [
        ("New support for carers announced | Northgate Borough Council", "Northgate Borough Council"),
        ("Integrated care explained - The King's Fund", "The King's Fund"),
        ("Annual report 2023 – NHS Kent and Medway Integrated Care Board", "NHS Kent and Medway Integrated Care Board"),
        ("Care Act 2014 - legislation.gov.uk", None),  # a site's address is no body's name
        ("News | Health stories", None),
        ("Integrated care boards", None),
    ],
)
def test_html_title_names_the_site_after_a_bar_or_dash(title, publisher):
    found = html_metadata(f"<html><head><title>{title}</title></head><body><p>x</p></body></html>")
    assert found.get("publisher") == publisher
    # a publisher the page's metadata names comes first
    meta = f'<meta property="og:site_name" content="Care Body"><title>{title}</title>'
    assert html_metadata(f"<html><head>{meta}</head><body><p>x</p></body></html>")["publisher"] == "Care Body"


def test_pdf_document_information():
    found = pdf_metadata(
        {"/CreationDate": "D:20210615120000Z", "/ModDate": "D:202107", "/Author": "Care Quality Commission"}
    )
    assert found == {"issued": "2021-06-15", "modified": "2021-07", "publisher": "Care Quality Commission"}
    assert "publisher" not in pdf_metadata({"/Author": "jsmith"})  # a person's login is not a publisher


def test_relation_evidence_records_cue_mechanism_and_modality(store, tmp_path, pipeline):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "Changes to the system\n\nIntegrated care boards, which replaced clinical commissioning groups, began in 2022. "
        "Sustainability and transformation partnerships might become accountable care systems.\n",
        encoding="utf-8",
    )
    ingest([tmp_path / "in"], store, pipeline)
    rows = run_query(
        store,
        """PREFIX kg: <https://w3id.org/nhs-policy-kg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?rule ?how ?modality ?exact WHERE {
          ?a kg:extractionRule ?rule ; kg:matchedBy ?how ; oa:exact ?exact .
          OPTIONAL { ?a kg:modality ?modality } }""",
    ).rows
    seen = {(str(r[0].value), str(r[1].value), str(r[2].value) if r[2] else "") for r in rows}
    assert ("replace", "relative-clause", "") in seen
    assert ("become", "active", "hedged") in seen
    export(store, "trig", tmp_path / "out.trig")  # the annotations survive the export, re-read by rdflib
    from rdflib import Dataset, Literal, URIRef

    dataset = Dataset()
    dataset.parse(tmp_path / "out.trig", format="trig")
    modality = URIRef("https://w3id.org/nhs-policy-kg/ontology#modality")
    assert (None, modality, Literal("hedged")) in dataset.graph(None) or any(
        o == Literal("hedged") for _, p, o, _ in dataset.quads((None, modality, None, None))
    )


@pytest.mark.parametrize(
    "text, name, kind",
    [
        (
            "The Black Country Integrated Care System covers four places.",
            "Black Country Integrated Care System",
            "CareModel",
        ),
        (
            "Since 2022 North East and North Cumbria Integrated Care Board has met monthly.",
            "North East and North Cumbria Integrated Care Board",
            "OtherOrganisation",
        ),
    ],
)
def test_a_place_before_a_kind_in_capitals_is_one_body_of_that_kind(pipeline, text, name, kind):
    extraction = pipeline.extract(_doc(text))
    assert (name, kind) in {(e.label, e.type) for e in extraction.new_entities}


def test_the_kind_in_small_letters_stays_the_kind(pipeline):
    extraction = pipeline.extract(_doc("In the Black Country integrated care systems began in 2022."))
    assert not extraction.new_entities


def test_we_on_an_organisations_own_page_is_that_organisation(pipeline):
    text = "Who we are\n\nWe were established on 1 July 2022 under the Health and Care Act 2022."
    doc = _doc(text)
    doc.publisher_name = "NHS Black Country Integrated Care Board"
    found = {
        (r.subject.rsplit("/", 1)[-1], r.predicate, r.object.rsplit("/", 1)[-1])
        for r in pipeline.extract(doc).relations
    }
    assert ("nhs-black-country-integrated-care-board", "introducedBy", "health-and-care-act-2022") in found
    doc.publisher_name = None  # with no organisation speaking, "we" is nobody in particular
    assert not pipeline.extract(doc).relations


def test_list_items_naming_several_bodies_finish_the_lead_in(pipeline):
    text = (
        "Our system\n\nThe integrated care system is made up of:\n\n"
        "  - two councils: Manchester City Council and Dudley Metropolitan Borough Council;\n  - the integrated care board.\n"
    )
    found = {
        (r.subject.rsplit("/", 1)[-1], r.predicate, r.object.rsplit("/", 1)[-1])
        for r in pipeline.extract(_doc(text)).relations
    }
    assert ("manchester-city-council", "partOf", "integrated-care-system") in found
    assert ("dudley-metropolitan-borough-council", "partOf", "integrated-care-system") in found
    assert ("integrated-care-board", "partOf", "integrated-care-system") in found


@pytest.mark.parametrize(
    "byline, publisher",
    [
        (
            "Published by NHS Kent and Medway Integrated Care Board, 4 May 2023",
            "nhs-kent-and-medway-integrated-care-board",
        ),
        (
            "Published by Leeds and York Partnership NHS Foundation Trust",
            "leeds-and-york-partnership-nhs-foundation-trust",
        ),
        ("From: NHS England and NHS Improvement", "nhs-england"),
    ],
)
def test_a_publisher_whose_name_holds_and_is_one_body(pipeline, byline, publisher):
    """A name an organisation pattern matches whole is one body; "X and Y" of two known bodies is the first."""
    text = f"Board paper\n\n{byline}\n\nIntegrated care boards replaced clinical commissioning groups.\n"
    (document,) = parse(Source("t.txt", text, "0" * 64, "utf-8"))
    extraction = pipeline.extract(document)
    assert extraction.publisher == f"https://w3id.org/nhs-policy-kg/id/{publisher}"
    assert all(" and " in e.label or e.iri.endswith(publisher) for e in extraction.new_entities)
    iris = [e.iri for e in extraction.new_entities]
    assert len(iris) == len(set(iris)), "the publisher found by its name's shape is one entity of one kind"


def test_a_publisher_only_the_header_names_is_found_wherever_the_text_writes_it(pipeline):
    text = (
        "About us\n\nPublished by NHS Northgate Integrated Care\n\n"
        "From 1 July 2022 the Northgate Health and Care Partnership was replaced by NHS Northgate\n"
        "Integrated Care, the board for the area.\n\nThe partnership comprises:\n\n"
        "  * NHS Northgate Integrated Care;\n  * Northgate Borough Council.\n"
    )
    [document] = parse(Source("about.txt", text, "0" * 64, "utf-8"))
    extraction = pipeline.extract(document)
    board = "https://w3id.org/nhs-policy-kg/id/nhs-northgate-integrated-care"
    assert extraction.publisher == board
    places = [m for m in extraction.mentions if m.entity == board]
    body = document.text.index("replaced by")
    assert len([m for m in places if m.start > body]) == 2  # across the line break, and in the list
    assert all(" ".join(m.exact.split()) == "NHS Northgate Integrated Care" for m in places)
    # "Integrated Care" inside the name is not also the concept of integrated care
    assert "https://w3id.org/nhs-policy-kg/id/integrated-care" not in {m.entity for m in extraction.mentions}
    found = {(r.subject.rsplit("/", 1)[-1], r.predicate, r.object.rsplit("/", 1)[-1]) for r in extraction.relations}
    assert ("nhs-northgate-integrated-care", "supersedes", "northgate-health-and-care-partnership") in found
