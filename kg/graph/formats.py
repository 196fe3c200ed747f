"""The RDF and SPARQL results formats the tool reads and writes, in one table built on pyoxigraph's enums.

pyoxigraph's :class:`~pyoxigraph.RdfFormat` and :class:`~pyoxigraph.QueryResultsFormat` carry each
format's media type, file extension and IRI; this table adds only what they do not: the short names a
person types (``format=ttl``, ``kg export --format nt``), the other media types a format answers to
(``application/json`` for SPARQL JSON ...), and the server's order of preference. A format is named
between processes (server and query worker) by its pyoxigraph member name (``"TURTLE"``, ``"JSON"``).

This module imports only pyoxigraph and the standard library: the query worker imports it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One format: its pyoxigraph enum member, the names and media types it answers to."""

    key: str  #: the pyoxigraph member name, e.g. "TURTLE"
    names: tuple[str, ...]  #: short names for ``format=`` (the first is the one shown)
    also: tuple[str, ...] = ()  #: media types besides pyoxigraph's own that ask for it
    export_name: str | None = None  #: the name ``kg export --format`` knows it by (None: not exported)
    download_extension: str | None = None  #: the file ending for a download, when not pyoxigraph's

    @property
    def ox(self) -> ox.RdfFormat | ox.QueryResultsFormat:
        if hasattr(ox.RdfFormat, self.key):
            return getattr(ox.RdfFormat, self.key)
        return getattr(ox.QueryResultsFormat, self.key)

    @property
    def media_types(self) -> tuple[str, ...]:
        """Every media type that asks for this format, pyoxigraph's first."""
        return (self.ox.media_type.split(";")[0].strip(), *self.also)

    @property
    def content_type(self) -> str:
        """The Content-Type of an answer in this format (text is UTF-8, and says so)."""
        media = self.ox.media_type
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        return media

    @property
    def extension(self) -> str:
        return self.download_extension or self.ox.file_extension

    @property
    def iri(self) -> str:
        return self.ox.iri


#: SELECT and ASK answers, in the server's order of preference (the first is the default).
RESULT_FORMATS: tuple[Format, ...] = (
    Format("JSON", ("json", "srj"), ("application/json",), download_extension="json"),
    Format("XML", ("xml", "srx"), ("application/xml", "text/xml"), download_extension="xml"),
    Format("CSV", ("csv",)),
    Format("TSV", ("tsv",)),
)
#: CONSTRUCT and DESCRIBE answers and exports, in the server's order of preference (the first is the default).
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "TURTLE",
        ("turtle", "ttl", "n3"),
        ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
        export_name="turtle",
    ),
    Format("N_TRIPLES", ("ntriples", "n-triples", "nt"), ("text/plain",), export_name="nt"),
    Format("JSON_LD", ("jsonld", "json-ld", "json"), ("application/json",), export_name="jsonld"),
    Format("RDF_XML", ("xml", "rdfxml", "rdf+xml", "rdf"), ("application/xml", "text/xml"), export_name="xml"),
)
#: Dataset formats: exports only (one named graph per document).
DATASET_FORMATS: tuple[Format, ...] = (
    Format("TRIG", ("trig",), export_name="trig"),
    Format("N_QUADS", ("nquads", "nq"), export_name="nq"),
)
#: File endings that name an export format besides the formats' own extensions.
EXPORT_ENDINGS = {"n3": "turtle", "json": "jsonld", "owl": "xml"}

BY_KEY: dict[str, Format] = {f.key: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS)}


def by_name(name: str, formats: tuple[Format, ...]) -> Format | None:
    """The format a ``format=`` value names: a short name or a media type (parameters ignored)."""
    key = name.split(";")[0].strip().lower()
    for fmt in formats:
        if key in fmt.names or key in fmt.media_types:
            return fmt
    return None


def offers(formats: tuple[Format, ...]) -> list[tuple[str, str]]:
    """(media type, format key) pairs for content negotiation, in the order of preference."""
    return [(media, fmt.key) for fmt in formats for media in fmt.media_types]


#: ``kg export --format`` names, in the order they are listed.
EXPORT_ORDER = ("turtle", "trig", "nt", "nq", "jsonld", "xml")


def export_formats() -> dict[str, Format]:
    """``kg export --format`` names -> formats, in :data:`EXPORT_ORDER`."""
    named = {f.export_name: f for f in (*GRAPH_FORMATS, *DATASET_FORMATS) if f.export_name}
    return {name: named[name] for name in EXPORT_ORDER}


def rdf_format(key: str) -> ox.RdfFormat:
    return getattr(ox.RdfFormat, key)


def results_format(key: str) -> ox.QueryResultsFormat:
    return getattr(ox.QueryResultsFormat, key)
