"""Property-based tests (hypothesis): dates, label normal forms, IRIs and page paths, Turtle round trips.

Example counts are kept small so the suite stays fast; each property is stated in its test's name.
"""

from __future__ import annotations

import datetime as dt
import re

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg import Store
from kg.graph.export import serialise
from kg.graph.sparqlguard import tokens
from kg.ingest.dates import MONTH_NAMES, date_sort_key, format_date, parse_date
from kg.ingest.labels import norm, normalise, slug
from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source
from kg.ingest.triples import document_iri, entity_iri
from kg.web.pages import iri_for_path, page_path

BASE = "https://w3id.org/nhs-policy-kg/"
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
#: words around a date that hold no digits (a digit could be read as part of a date)
words = st.text(alphabet=st.characters(categories=["L", "Zs"], exclude_characters="0123456789"), max_size=30)
#: text from outside: any code point a Python str can hold except lone surrogates
hostile = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)


# --------------------------------------------------------------------------- dates


@FEW
@given(dates, words, words)
def test_a_full_date_in_any_common_spelling_parses_to_that_day(day, before, after):
    month = MONTH_NAMES[day.month - 1]
    spellings = [
        day.isoformat(),
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        f"{day.day} {month} {day.year}",
        f"{day.day} {month[:3]} {day.year}",
        f"{month} {day.day}, {day.year}",
    ]
    for spelling in spellings:
        found = parse_date(f"{before} {spelling} {after}")
        assert found is not None and (found.value, found.datatype) == (day.isoformat(), "date"), spelling


@FEW
@given(dates, words)
def test_a_month_and_year_stay_a_month(day, before):
    found = parse_date(f"{before} {MONTH_NAMES[day.month - 1]} {day.year}")
    assert found is not None and (found.value, found.datatype) == (f"{day.year:04d}-{day.month:02d}", "gYearMonth")


@FEW
@given(hostile)
def test_parse_date_never_raises_and_gives_a_real_date_of_its_precision(text):
    found = parse_date(text)
    if found is None:
        return
    patterns = {"date": r"\d{4}-\d{2}-\d{2}", "gYearMonth": r"\d{4}-\d{2}", "gYear": r"\d{4}"}
    assert re.fullmatch(patterns[found.datatype], found.value)
    dt.date.fromisoformat((found.value + "-01-01")[:10])
    assert parse_date(found.value) == found  # the stored form reads back as itself


@FEW
@given(st.lists(dates, min_size=2, max_size=8))
def test_sorting_by_date_sort_key_is_chronological_and_years_come_before_their_months(days):
    values = [d.isoformat() for d in days]
    assert sorted(values, key=date_sort_key) == [d.isoformat() for d in sorted(days)]
    for d in days:
        assert date_sort_key(f"{d.year}") <= date_sort_key(f"{d.year}-{d.month:02d}") <= date_sort_key(d.isoformat())


@FEW
@given(dates)
def test_format_date_reads_back_to_the_same_value(day):
    for value in (day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]):
        assert parse_date(format_date(value)).value == value


# --------------------------------------------------------------------------- labels


@FEW
@given(hostile)
@example("İstanbul Integrated Care")  # "İ" lowers to two characters
def test_the_normal_form_is_clean_idempotent_and_maps_back_to_the_text(text):
    result = normalise(text)
    assert len(result.offsets) == len(result.text)
    assert result.text == result.text.strip() and "  " not in result.text
    assert all(ch == " " or ch == "&" or ch.isalnum() for ch in result.text)
    assert all(0 <= o < len(text) for o in result.offsets)
    assert result.offsets == sorted(result.offsets)
    assert norm(result.text) == result.text
    if result.text:
        start, end = result.span(0, len(result.text))
        assert 0 <= start < end <= len(text)


@FEW
@given(hostile, st.integers(min_value=1, max_value=80))
def test_a_slug_is_iri_safe_and_short(text, limit):
    made = slug(text, limit)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", made) and len(made) <= max(limit, len("untitled"))


# --------------------------------------------------------------------------- IRIs and page paths


def _document(title: str, issued: dt.date | None) -> ParsedDocument:
    from kg.ingest.dates import PartialDate

    source = Source(location="/tmp/x.txt", text=title, sha256="0" * 64, encoding="utf-8")
    return ParsedDocument(
        title=title, text=title, source=source, issued=PartialDate(issued.isoformat(), "date") if issued else None
    )


@FEW
@given(hostile, st.one_of(st.none(), dates))
def test_every_title_mints_a_valid_document_iri_with_a_page_that_maps_back(title, issued):
    iri = document_iri(_document(title, issued), BASE)
    ox.NamedNode(iri)  # pyoxigraph accepts it as an IRI
    assert iri.startswith(BASE + "doc/")
    path = page_path(iri, BASE)
    assert path is not None and iri_for_path(path, BASE) == iri
    assert iri == document_iri(_document(title, issued), BASE)  # stable


@FEW
@given(hostile)
def test_every_label_mints_an_entity_iri_with_a_page(label):
    iri = entity_iri(label, BASE)
    ox.NamedNode(iri)
    path = page_path(iri, BASE)
    assert path is not None and iri_for_path(path, BASE) == iri


@FEW
@given(hostile)
def test_page_paths_never_leave_their_folder(text):
    for iri in (BASE + "id/" + text, BASE + "doc/" + text, text):
        path = page_path(iri, BASE)
        if path is not None:
            folder, name = path.split("/", 1)
            assert folder in ("id", "doc") and "/" not in name and not name.startswith(".")
            assert iri_for_path(path, BASE) == iri
    mapped = iri_for_path(text, BASE)
    assert mapped is None or page_path(mapped, BASE) == text.strip("/")


# --------------------------------------------------------------------------- Turtle round trips


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("props") / "store") as store:
        yield store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.lists(hostile, min_size=1, max_size=10), language=st.sampled_from([None, "en", "en-GB"]))
def test_hostile_labels_survive_export_and_rdflib(scratch, labels, language):
    scratch.oxigraph.clear()
    graph = ox.NamedNode(BASE + "doc/props")
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    for i, text in enumerate(labels):
        value = ox.Literal(text, language=language) if language else ox.Literal(text)
        scratch.oxigraph.add(ox.Quad(ox.NamedNode(f"{BASE}id/thing-{i}"), label, value, graph))
    for fmt, rdflib_format in (("turtle", "turtle"), ("trig", "trig"), ("nt", "nt")):
        parsed = rdflib.Dataset()
        parsed.parse(data=serialise(scratch, fmt), format=rdflib_format)
        got = sorted(
            (str(o), o.language) for _, _, o, _ in parsed.quads((None, rdflib.URIRef(str(label.value)), None, None))
        )
        # language tags are case-insensitive (BCP 47); rdflib writes them in lower case
        assert got == sorted((t, language.lower() if language else None) for t in labels), fmt


@FEW
@given(hostile)
def test_the_tokenizer_reads_any_text_and_loses_no_character(text):
    assert "".join(t.text for t in tokens(text)).replace("\ufffd", "") == _unescaped(text).replace("\ufffd", "")


def _unescaped(text: str) -> str:
    from kg.graph.sparqlguard import unescape

    return unescape(text)
