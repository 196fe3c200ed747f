"""Linked data about the graph itself: one IRI's description, and the VoID description of the dataset.

Both are SPARQL kept in ``kg/graph/sparql/`` (``describe.rq``, ``void-*.rq``), so the server (which runs
them in its query workers) and the static site (which runs them on the store it builds from) say the
same thing. The description of an IRI is its concise bounded description (the statements with the IRI
as subject, and those of the blank nodes they reach) plus a label of each IRI it links to, so a
client that fetches one entity can show the names of its neighbours without fetching them too.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from kg.graph import namespaces as ns
from kg.graph import rq
from kg.graph.formats import BY_KEY, rdf_format
from kg.graph.store import Store
from kg.graph.worker import dataset_options

VOID = "http://rdfs.org/ns/void#"
#: What a VoID description links to: the dump files, beside the description.
DUMP_PATHS = ("dump.nq", "dump.trig")

#: Runs one SELECT and gives its rows as {variable: value} (values as plain strings).
Select = Callable[[str], list[dict[str, str]]]


def description_query() -> str:
    """The CONSTRUCT that describes the IRI bound to ``?this``."""
    return rq.text("describe")


def exists_query() -> str:
    """The ASK that tells whether the store says anything about the IRI bound to ``?this``."""
    return rq.text("exists")


def describe(store: Store, iri: str) -> list[ox.Triple]:
    """The description of ``iri`` in ``store`` (the union of its graphs), each triple once, sorted."""
    return _describe(store.oxigraph, ns.prefixes(store.base), iri)


def _describe(oxigraph: ox.Store, prefixes: dict[str, str], iri: str) -> list[ox.Triple]:
    sparql = description_query()
    answer = oxigraph.query(
        sparql,
        prefixes=prefixes,
        substitutions={ox.Variable("this"): ox.NamedNode(iri)},
        **dataset_options(sparql),
    )
    if not isinstance(answer, ox.QueryTriples):
        raise TypeError("the description query is not a CONSTRUCT")
    triples = set(answer)
    return sorted(
        triples, key=lambda t: (t.subject != ox.NamedNode(iri), str(t.subject), str(t.predicate), str(t.object))
    )


@dataclass
class SiteData:
    """What the static site publishes as RDF: each page's description (read one at a time, so a build
    holds one page's, not every page's), the VoID counts, the N-Quads dump (None: not written), streamed
    into its file rather than held."""

    describe: Callable[[str], list[ox.Triple]]
    counts: DatasetCounts
    dump: Callable[[BinaryIO], None] | None  #: writes the N-Quads dump into a file, as it reads the store


def for_site(store: Store, *, dump: bool = True) -> SiteData:
    """What :func:`kg.web.site.build_site` publishes as RDF: VoID's counts, the dump (``dump=False``: none,
    as ``kg serve`` streams its own) and each page's description, read when the page is written."""
    oxigraph, prefixes = store.oxigraph, ns.prefixes(store.base)
    counts = count_dataset(_select(oxigraph, prefixes))

    def write_dump(out: BinaryIO) -> None:
        named = (
            q for q in oxigraph.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)
        )
        ox.serialize(named, out, ox.RdfFormat.N_QUADS)

    return SiteData(lambda iri: _describe(oxigraph, prefixes, iri), counts, write_dump if dump else None)


def serialise(triples: Iterable[ox.Triple], key: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in the graph format ``key`` (a :mod:`kg.graph.formats` key: ``TURTLE``, ``JSON_LD`` ...)."""
    out = io.BytesIO()
    ox.serialize(list(triples), out, rdf_format(key), prefixes=prefixes if key in ("TURTLE", "RDF_XML") else None)
    return out.getvalue()


def json_ld(triples: Iterable[ox.Triple]) -> object:
    """The triples as JSON-LD data (pyoxigraph's expanded form), for embedding in a page."""
    return json.loads(serialise(triples, "JSON_LD") or b"[]")


def select_rows(store: Store) -> Select:
    """A :data:`Select` over a store (a way to run the VoID queries in process)."""
    return _select(store.oxigraph, ns.prefixes(store.base))


def _select(oxigraph: ox.Store, prefixes: dict[str, str]) -> Select:
    def run(sparql: str) -> list[dict[str, str]]:
        answer = oxigraph.query(sparql, prefixes=prefixes, **dataset_options(sparql))
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError("expected a SELECT")
        names = [v.value for v in answer.variables]
        return [{n: _plain(s[n]) for n in names if s[n] is not None} for s in answer]

    return run


def _plain(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)


@dataclass(frozen=True)
class DatasetCounts:
    """The sizes VoID states, read by the queries of ``kg/graph/sparql/``."""

    triples: int
    entities: int
    documents: int
    subjects: int
    objects: int
    properties: int
    classes: int
    vocabularies: tuple[str, ...]


def vocabulary_of(term: str) -> str:
    """The namespace a property or class belongs to: everything up to its last ``#`` or ``/``.

    >>> vocabulary_of("http://purl.org/dc/terms/title"), vocabulary_of("https://w3id.org/nhs-policy-kg/ontology#CareModel")
    ('http://purl.org/dc/terms/', 'https://w3id.org/nhs-policy-kg/ontology#')
    """
    cut = max(term.rfind("#"), term.rfind("/"))
    return term[: cut + 1]


_VOID_QUERIES = ("void-counts", "void-terms", "stats-entities", "stats-documents")


def void_queries() -> list[str]:
    """The SELECTs :func:`count_dataset` runs (for a caller that runs them ahead, elsewhere)."""
    return [rq.text(name) for name in _VOID_QUERIES]


def count_dataset(select: Select) -> DatasetCounts:
    """Run the VoID queries through ``select``."""
    sizes = select(rq.text("void-counts"))[0]
    vocabularies = sorted({vocabulary_of(row["term"]) for row in select(rq.text("void-terms")) if "term" in row})

    def one(name: str) -> int:
        rows = select(rq.text(name))
        return int(rows[0].get("n", 0)) if rows else 0

    return DatasetCounts(
        triples=int(sizes.get("triples", 0)),
        entities=one("stats-entities"),
        documents=one("stats-documents"),
        subjects=int(sizes.get("subjects", 0)),
        objects=int(sizes.get("objects", 0)),
        properties=int(sizes.get("properties", 0)),
        classes=int(sizes.get("classes", 0)),
        vocabularies=tuple(v for v in vocabularies if v),
    )


def void_triples(counts: DatasetCounts, site: str, sparql: str | None, base: str) -> list[ox.Triple]:
    """The VoID description of the dataset published at ``site`` (a URL ending in ``/``).

    ``sparql`` is the endpoint's URL (None for a static site, which has none); the data dumps are
    ``site`` + :data:`DUMP_PATHS` on the server, ``site`` + ``dump.nq`` in a static site.
    """
    a = ox.NamedNode(ns.RDF + "type")
    v = lambda name: ox.NamedNode(VOID + name)  # noqa: E731
    dataset = ox.NamedNode(base + "dataset")
    integer = ox.NamedNode(ns.XSD + "integer")
    number = lambda n: ox.Literal(str(n), datatype=integer)  # noqa: E731
    triples = [
        ox.Triple(dataset, a, v("Dataset")),
        ox.Triple(dataset, ox.NamedNode(ns.DCTERMS + "title"), ox.Literal("NHS policy knowledge graph", language="en")),
        ox.Triple(
            dataset,
            ox.NamedNode(ns.DCTERMS + "description"),
            ox.Literal(
                "English health-policy documents, organisations, care models and concepts, "
                "each statement linked to the sentence it was read from.",
                language="en",
            ),
        ),
        ox.Triple(dataset, ox.NamedNode(ns.FOAF + "homepage"), ox.NamedNode(site)),
        ox.Triple(dataset, v("uriSpace"), ox.Literal(base)),
        ox.Triple(dataset, v("exampleResource"), ox.NamedNode(base + "id/integrated-care-system")),
        ox.Triple(dataset, v("triples"), number(counts.triples)),
        ox.Triple(dataset, v("entities"), number(counts.entities + counts.documents)),
        ox.Triple(dataset, v("distinctSubjects"), number(counts.subjects)),
        ox.Triple(dataset, v("distinctObjects"), number(counts.objects)),
        ox.Triple(dataset, v("properties"), number(counts.properties)),
        ox.Triple(dataset, v("classes"), number(counts.classes)),
        ox.Triple(dataset, v("rootResource"), ox.NamedNode(base + "id/integrated-care-system")),
    ]
    for name, cls, n in (
        ("entities", ns.SKOS + "Concept", counts.entities),
        ("documents", ns.ONTOLOGY + "Document", counts.documents),
    ):
        part = ox.NamedNode(f"{base}dataset/{name}")
        triples += [
            ox.Triple(dataset, v("classPartition"), part),
            ox.Triple(part, v("class"), ox.NamedNode(cls)),
            ox.Triple(part, v("entities"), number(n)),
        ]
    for vocabulary in counts.vocabularies:
        triples.append(ox.Triple(dataset, v("vocabulary"), ox.NamedNode(vocabulary)))
    if sparql is not None:
        triples.append(ox.Triple(dataset, v("sparqlEndpoint"), ox.NamedNode(sparql)))
        dumps = [site + path for path in DUMP_PATHS]
    else:
        dumps = [site + DUMP_PATHS[0]]
    for dump in dumps:
        triples.append(ox.Triple(dataset, v("dataDump"), ox.NamedNode(dump)))
    triples.append(ox.Triple(dataset, v("feature"), ox.NamedNode(BY_KEY["TURTLE"].iri)))
    return triples


def void_prefixes(base: str) -> dict[str, str]:
    return {"void": VOID, "dcterms": ns.DCTERMS, "foaf": ns.FOAF, "xsd": ns.XSD, "kgdata": base}
