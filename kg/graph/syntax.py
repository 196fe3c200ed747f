"""SPARQL syntax errors in words, at the place a person would look.

The parser's own message names what it expected at a position, often as Unicode
character ranges. :func:`explain` reads the query with a small lexer (strings,
IRIs and comments skipped) and, when it finds a common cause, says it instead:

* a prefixed name whose prefix is neither declared nor one of the standard ones;
* a bracket, brace or parenthesis that is never closed (named with the line it was
  opened on) or that closes nothing.

Messages keep the parser's ``error at LINE:COLUMN:`` form, so the query page marks the line.

>>> explain("SELECT * WHERE { ?s ex:p ?o }", "error at 1:26: expected OPTIONAL", {"kg": "x"})
'error at 1:21: unknown prefix ex: — declare it (PREFIX ex: <http://…>) or use one of kg:'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PREFIXED = re.compile(r"(?<![\w:?$])([A-Za-z][\w.-]*)?:(?=[\w%-]|\s|$)")
_OPEN, _CLOSE = "({[", ")}]"
_RANGES = re.compile(r"\[\\u\{|\\u\{[0-9a-fA-F]+\}")
_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Token:
    text: str
    offset: int


def _code(sparql: str) -> Iterator[Token]:
    """The query's text outside strings, IRIs in angle brackets and comments, in runs."""
    i, start, n = 0, 0, len(sparql)
    while i < n:
        ch = sparql[i]
        if ch == "#":
            yield Token(sparql[start:i], start)
            end = sparql.find("\n", i)
            i = start = n if end < 0 else end
            continue
        if ch in "\"'":
            yield Token(sparql[start:i], start)
            quote = sparql[i : i + 3] if sparql[i : i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < n and sparql[j : j + len(quote)] != quote:
                j += 2 if sparql[j] == "\\" else 1
            i = start = min(n, j + len(quote))
            continue
        if ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", sparql[i:]):
            yield Token(sparql[start:i], start)
            i = start = i + re.match(r"<[^\s<>\"{}|^`\\]*>", sparql[i:]).end()  # type: ignore[union-attr]
            continue
        i += 1
    yield Token(sparql[start:n], start)


def _where(sparql: str, offset: int) -> tuple[int, int]:
    line = sparql.count("\n", 0, offset) + 1
    return line, offset - (sparql.rfind("\n", 0, offset) + 1) + 1


def unknown_prefix(sparql: str, known: Mapping[str, str]) -> tuple[str, int] | None:
    """The first prefix used but neither declared nor known, and where."""
    runs = list(_code(sparql))
    declared = {m.group(1) or "" for run in runs for m in _DECLARED.finditer(run.text)}
    for run in runs:
        for match in _PREFIXED.finditer(run.text):
            name = match.group(1) or ""
            before = run.text[: match.start()].rstrip()
            if before.upper().endswith("PREFIX"):
                continue
            if name not in declared and name not in known:
                return name, run.offset + match.start()
    return None


def unbalanced(sparql: str) -> tuple[str, int, bool] | None:
    """The first bracket that is not closed (``closed=False``) or closes nothing or the wrong one (``True``)."""
    stack: list[tuple[str, int]] = []
    for run in _code(sparql):
        for k, ch in enumerate(run.text):
            if ch in _OPEN:
                stack.append((ch, run.offset + k))
            elif ch in _CLOSE:
                want = _OPEN[_CLOSE.index(ch)]
                if not stack or stack[-1][0] != want:
                    return (stack[-1][0], stack[-1][1], False) if stack else (ch, run.offset + k, True)
                stack.pop()
    return (stack[-1][0], stack[-1][1], False) if stack else None


def explain(sparql: str, message: str, known: Mapping[str, str]) -> str:
    """The parser's ``message`` about ``sparql``, said in words where a common cause is found."""
    prefix = unknown_prefix(sparql, known)
    if prefix is not None:
        name, offset = prefix
        line, column = _where(sparql, offset)
        choices = ", ".join(f"{p}:" for p in sorted(known))
        return (
            f"error at {line}:{column}: unknown prefix {name}: — declare it (PREFIX {name}: <http://…>)"
            f" or use one of {choices}"
        )
    bracket = unbalanced(sparql)
    if bracket is not None:
        ch, offset, closes_nothing = bracket
        line, column = _where(sparql, offset)
        if closes_nothing:
            return f"error at {line}:{column}: this '{ch}' closes nothing that was opened"
        pair = _CLOSE[_OPEN.index(ch)]
        return f"error at {line}:{column}: the '{ch}' opened on line {line} is never closed: add a '{pair}'"
    if _RANGES.search(message):
        position = _POSITION.search(message)
        if position:
            line, column = int(position.group(1)), int(position.group(2))
            return f"error at {line}:{column}: the query does not read as SPARQL here (line {line}, column {column})"
    return message
