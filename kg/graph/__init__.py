"""The RDF side: the store, SPARQL (query, saved queries), search, export, validation; the ontology, vocabulary and queries as files.

Only this package talks to pyoxigraph or holds SPARQL.
"""
