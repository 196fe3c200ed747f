"""Text that XML 1.0 can carry: the one rule for RDF/XML exports and SPARQL XML results.

XML 1.0 has no way to write most C0 control characters (U+0000 to U+001F except tab, line feed
and carriage return) or U+FFFE and U+FFFF, not even as character references, so a literal that
holds one would make the whole document unreadable to every XML parser. Such characters are
replaced by U+FFFD (the replacement character) in the XML forms only; the store, Turtle, N-Triples,
JSON and the other formats keep the text as it is.

>>> xml_text("a\\x00b\\x1bc\\ufffe\\td")
'a\\ufffdb\\ufffdc\\ufffd\\td'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

REPLACEMENT = "\ufffd"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def xml_term(term):  # noqa: ANN001, ANN201 -- any pyoxigraph term, or None for an unbound value
    """A literal whose value XML cannot hold, made XML-safe; every other term as it is."""
    if isinstance(term, ox.Literal) and _NOT_XML.search(term.value):
        value = xml_text(term.value)
        if term.language:
            return ox.Literal(value, language=term.language)
        return ox.Literal(value, datatype=term.datatype)
    if isinstance(term, ox.Triple):
        return ox.Triple(xml_term(term.subject), term.predicate, xml_term(term.object))
    return term


def xml_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples with their literals made XML-safe (:func:`xml_term`)."""
    return [xml_term(t) for t in triples]
