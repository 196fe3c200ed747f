"""The RDF side: the store, SPARQL (query, saved queries), search, export, validation; the ontology, vocabulary and queries as files.

Only this package talks to pyoxigraph or holds SPARQL.
"""

#: What ``kg query`` writes results as (kept here, light, so the command's help needs no RDF library).
OUTPUT_FORMATS = ("table", "csv", "tsv", "json")
