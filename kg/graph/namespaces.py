"""IRIs of the vocabularies we use, and the prefixes offered to every query."""

from __future__ import annotations

import os
import re

ONTOLOGY = "https://w3id.org/nhs-policy-kg/ontology#"
#: The base that the files under ontology/ are written with.
CANONICAL_BASE = "https://w3id.org/nhs-policy-kg/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"


def local_name(iri: str) -> str:
    """The last segment of an IRI, after its last ``#`` or ``/``: a fallback name for display.

    >>> local_name("https://w3id.org/nhs-policy-kg/ontology#CareModel"), local_name("https://schema.org/mentions")
    ('CareModel', 'mentions')
    """
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def base_iri() -> str:
    """The base for instance IRIs: ``KG_BASE`` if set, else the canonical one."""
    base = os.environ.get("KG_BASE", CANONICAL_BASE)
    return base if base.endswith(("/", "#")) else base + "/"


def prefixes(base: str | None = None) -> dict[str, str]:
    """Prefixes declared for users' queries and used when writing Turtle."""
    base = base or base_iri()
    return {
        "kg": ONTOLOGY,
        "kgid": base + "id/",
        "kgdoc": base + "doc/",
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "dcterms": DCTERMS,
        "schema": SCHEMA,
        "prov": PROV,
        "org": ORG,
        "foaf": FOAF,
        "oa": OA,
        "sh": SH,
    }
