"""The federation guard: no query may make this program open a connection.

SPARQL's ``SERVICE`` asks the engine to send part of a query to another
endpoint, which, on a server, lets anyone who can reach the query page make
the server talk to hosts behind it. pyoxigraph runs ``SERVICE`` when it is
built with its HTTP client, so every query is checked before it runs, by two
independent readings of the text, and refused if either finds ``SERVICE``:

1. a SPARQL tokenizer (:func:`tokens`): the ``\\uXXXX`` / ``\\UXXXXXXXX``
   escapes are applied to the whole text first, as the SPARQL grammar says,
   then strings, IRIs, comments, variables, prefixed names, blank nodes and
   language tags are read as what they are, so ``SERVICE`` is found as a
   keyword however it is spaced, cased, commented or escaped, and the word
   ``service`` inside a string, an IRI, a comment, a prefix or a variable is
   not mistaken for one;
2. rdflib's SPARQL parser: the whole parse tree is walked (sub-queries,
   ``EXISTS`` / ``NOT EXISTS``, ``MINUS``, ``OPTIONAL``, ``UNION``, ``GRAPH``
   ...) for a ``ServiceGraphPattern``. A query this parser cannot read is
   refused (it fails closed), with the parser's message, even if pyoxigraph
   might have run it.

``FROM`` / ``FROM NAMED`` and the protocol's ``default-graph-uri`` only name
graphs of the local store (pyoxigraph never fetches them), and ``LOAD`` is an
update, which the endpoint does not run. On Linux the query workers also
install a seccomp filter (:func:`kg.graph.sandbox.deny_network`) that makes
every new IPv4 or IPv6 socket fail, so even a gap in both readings could not
connect.

>>> federated("SELECT * WHERE { SERVICE<http://127.0.0.1:9/> { ?s ?p ?o } }")
True
>>> federated('SELECT ?service WHERE { ?service a <http://e.org/service> } # SERVICE')
False
>>> check('SELECT * WHERE { \\\\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }')
Traceback (most recent call last):
...
kg.graph.sparqlguard.Refused: This endpoint does not run federated queries: SERVICE would make the server fetch other addresses.
"""

from __future__ import annotations

import concurrent.futures
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

FEDERATED = "This endpoint does not run federated queries: SERVICE would make the server fetch other addresses."

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

#: The SPARQL 1.1 terminals that can hold the letters S-E-R-V-I-C-E without being the keyword, longest first
#: where two could start at one place (the grammar's terminals, section 19.8 of the recommendation).
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """The tokenizer, compiled on first use (its Unicode classes take a noticeable part of a command's start)."""
    return re.compile(
        "|".join(
            [
                r"(?P<space>[ \t\r\n]+)",
                r"(?P<comment>#[^\r\n]*)",
                r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                r'|"(?:[^"\\\r\n]|\\.)*"|\'(?:[^\'\\\r\n]|\\.)*\')',
                r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
                f"(?P<variable>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
                f"(?P<blank>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
                r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
                f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
                r"(?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)",
                f"(?P<word>[{_PN_CHARS_BASE}][{_PN_CHARS_U}0-9]*)",
                r"(?P<other>.)",
            ]
        ),
        re.DOTALL,
    )


class Refused(Exception):
    """A query the guard will not let run; the message is one sentence for the user."""


@dataclass(frozen=True)
class Token:
    kind: str  #: space, comment, string, iri, variable, blank, langtag, pname, number, word or other
    text: str


def unescape(text: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters, everywhere, as SPARQL does before parsing.

    >>> unescape("\\\\u0053ERVICE")
    'SERVICE'
    """

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _ESCAPE.sub(character, text)


def tokens(sparql: str) -> Iterator[Token]:
    """The query's tokens, after its codepoint escapes are applied (spaces and comments included).

    >>> [t.text for t in tokens("SELECT ?service { ex:service a 'SERVICE' } #SERVICE") if t.kind == "word"]
    ['SELECT', 'a']
    """
    text = unescape(sparql)
    for match in _token_pattern().finditer(text):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(0))


def keywords(sparql: str) -> list[str]:
    """The bare words of a query (keywords, function names, ``a``, ``true``), upper-cased."""
    return [t.text.upper() for t in tokens(sparql) if t.kind == "word"]


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED (the keyword, not the word in a string).

    >>> has_dataset_clause("SELECT * FROM <http://e.org/g> { ?s ?p ?o }"), has_dataset_clause("SELECT ('FROM' AS ?x) {}")
    (True, False)
    """
    return "FROM" in keywords(sparql)


def _tree_has_service(node: object, depth: int = 0) -> bool:
    """Whether rdflib's parse tree holds a SERVICE pattern anywhere (every value of every node is visited)."""
    if depth > 2_000:  # deeper than any real query: refuse rather than guess
        return True
    name = getattr(node, "name", None)
    if isinstance(name, str) and name == "ServiceGraphPattern":
        return True
    children: list[object] = []
    if type(node).__name__ == "ParseResults":  # a list and a mapping at once (pyparsing registers it as one)
        results: Any = node
        children = [*results, *results.values()]
    elif isinstance(node, Mapping):
        children = list(node.values())
    elif isinstance(node, (list, tuple)):
        children = list(node)
    return any(_tree_has_service(child, depth + 1) for child in children)


def _parse_tree(sparql: str) -> object:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(sparql)
    except ParseException as exc:
        raise Refused(f"The SPARQL query is not valid: {_parser_message(exc)}") from None
    except RecursionError:
        raise Refused("The SPARQL query is nested too deeply to be checked.") from None
    except Exception as exc:  # noqa: BLE001 -- whatever the parser trips on, the query does not run
        raise Refused(f"The SPARQL query could not be checked ({type(exc).__name__}: {exc}).") from None


def _parser_message(exc: Exception) -> str:
    line, column, text = getattr(exc, "lineno", None), getattr(exc, "col", None), getattr(exc, "line", "") or ""
    if line is None or column is None:
        return str(exc)
    rest = text[max(column - 1, 0) :].strip()
    near = f", at {rest[:40]!r}" if rest else ", at the end"
    return f"error at {line}:{column}{near}"


@functools.lru_cache(maxsize=512)
def federated(sparql: str) -> bool:
    """Whether the tokenizer finds the keyword SERVICE (no parser; a text read before is not read again).

    pyoxigraph's grammar matches a keyword without looking at what follows it, so ``SERVICESILENT<...>``
    and ``SERVICE:x { ... }`` (the keyword, then ``:x`` with the empty prefix) are federated there. So:
    any bare word that starts with SERVICE counts (no other SPARQL word does), and so does a prefixed
    name that starts with it and is followed, as the keyword would be, by ``{`` or by one term and ``{``
    (``GRAPH service:g {`` names a graph and is let through).

    >>> federated("PREFIX : <http://e.org/> SELECT * { SERVICE:x { ?s ?p ?o } }")
    True
    >>> federated("PREFIX service: <http://e.org/> SELECT * { service:x ?p ?o . GRAPH service:g { ?a ?b ?c } }")
    False
    """
    significant = [t for t in tokens(sparql) if t.kind not in ("space", "comment")]
    for i, token in enumerate(significant):
        if not token.text.upper().startswith("SERVICE"):
            continue
        if token.kind == "word":
            return True
        if token.kind != "pname" or (i > 0 and significant[i - 1].text.upper() == "GRAPH"):
            continue
        after = [t.text for t in significant[i + 1 : i + 3]]
        if after[:1] == ["{"] or (after[1:2] == ["{"] and significant[i + 1].kind in _TERMS):
            return True
    return False


_TERMS = ("word", "variable", "iri", "pname")


def check_tokens(sparql: str) -> None:
    """The tokenizer's reading alone (:func:`federated`), for a text :func:`check` has passed before."""
    if federated(sparql):
        raise Refused(FEDERATED)


@functools.lru_cache(maxsize=512)
def check(sparql: str) -> None:
    """Refuse (:class:`Refused`) a query that calls another endpoint, or that the guard's parser cannot read.

    Updates are not this function's business: they are refused by the store, which is opened for queries only.
    """
    if federated(sparql):
        raise Refused(FEDERATED)
    if _PARSER.submit(_parsed_has_service, sparql).result():
        raise Refused(FEDERATED)


def _parsed_has_service(sparql: str) -> bool:
    return _tree_has_service(_parse_tree(sparql))


#: rdflib's parser (pyparsing, with its packrat cache) keeps exceptions whose frames chain back to the
#: caller's: parsing in a thread of its own keeps the caller's frame (and a query result held in it)
#: out of those reference cycles, so such results are freed at once, in the thread that made them.
_PARSER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparqlguard")
