"""Regular expressions that cross a pickle compiled: a pattern's ``sre`` program, made once, rebuilt without parsing.

Python pickles an ``re.Pattern`` as its source and flags, so every process that unpickles one compiles it
again; for the cue grammar's large word alternations (:mod:`kg.ingest.clauses`) that is seconds of CPU in
each ingest worker. Compiling is two steps: parsing the source and generating the program (a list of
integers the ``_sre`` engine runs); :func:`program` keeps the result of both, and :func:`rebuild` hands it
straight to ``_sre.compile``, the call ``re.compile`` itself ends with, so the pattern made is the one
``re.compile`` makes (same program, same groups; patterns compare equal).

These are CPython's internals: a program is tagged with the interpreter and ``_sre``'s version, and
anything unexpected (another interpreter, a program made by another Python, a changed signature) falls
back to ``re.compile``.

>>> source = r"(?P<verb>replace[sd]?)\\s+(?P<B>\\w+)"
>>> rebuild(source, re.I, program(source, re.I)) == re.compile(source, re.I)
True
>>> rebuild(source, re.I, None).groupindex["B"]
2
"""

from __future__ import annotations

import re
import sys
from array import array
from dataclasses import dataclass
from typing import Any

try:  # CPython's regular-expression compiler
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]

    _TAG: tuple[Any, ...] | None = (sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE)
except (ImportError, AttributeError):  # pragma: no cover - not CPython
    _TAG = None


@dataclass(frozen=True)
class Program:
    """What ``re.compile`` hands ``_sre.compile`` for one pattern and flags."""

    tag: tuple[Any, ...]  #: the interpreter and engine it was made for
    flags: int  #: the flags given, with those the pattern sets inline
    code: array  #: the program (compact to pickle; a list again when rebuilt)
    groups: int
    groupindex: dict[str, int]
    indexgroup: tuple[str | None, ...]


def program(pattern: str, flags: int = 0) -> Program | None:
    """Parse and compile ``pattern`` as ``re.compile`` does, keeping the program; None where that cannot be done."""
    if _TAG is None:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        return Program(
            _TAG,
            flags | state.flags,
            array("I" if _sre.CODESIZE == 4 else "H", code),
            state.groups - 1,
            dict(state.groupdict),
            tuple(indexgroup),
        )
    except (AttributeError, TypeError, OverflowError):  # pragma: no cover - another Python's internals
        return None


def rebuild(pattern: str, flags: int, made: Program | None) -> re.Pattern:
    """The compiled pattern: from ``made`` when it was made for this interpreter, else by ``re.compile``."""
    if made is not None and made.tag == _TAG:
        try:
            return _sre.compile(pattern, made.flags, made.code.tolist(), made.groups, made.groupindex, made.indexgroup)
        except (TypeError, ValueError, RuntimeError):  # pragma: no cover - another Python's internals
            pass
    return re.compile(pattern, flags)
