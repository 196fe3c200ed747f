"""Saved queries: parameterised SPARQL files under ``queries/`` that a librarian can add to.

A saved query is a ``.rq`` file; its name is the file stem (letters, digits,
``-`` and ``_``). It starts with a header of comment lines::

    # title: Documents that mention an entity
    # description: Documents mentioning a care model, organisation or concept, newest first.
    # param: entity iri = kgid:accountable-care-organisation   -- the entity (a kgid: name or full IRI)
    # param: since date? = 2000-01-01   -- only documents issued on or after this date (empty: any date)

``# param: NAME TYPE = DEFAULT -- help`` declares the SPARQL variable ``?NAME``.

* TYPE is ``entity``, ``iri``, ``string``, ``date`` or ``integer``. A trailing ``?`` (``iri?``) means the
  parameter may be empty: an empty value leaves the variable unbound, so in a triple pattern it
  matches anything ("all subjects").
* ``= DEFAULT`` may be left out (or left empty); a parameter that is not optional and has no default
  must then be given. The default is everything after ``=`` up to `` -- ``, trimmed.
* ``# converse: A B`` names two parameters that may be given either way round (the subject and
  object of a relation): when the query finds nothing, it is run again with their values
  swapped and the answer says that it holds the other direction (:func:`converse_values`).
* ``# page: N`` is the default page size: the answer comes N rows at a time (``kg query NAME --limit N
  --offset M``, ``/api/saved/NAME?limit=&offset=``; a limit of 0 means the whole answer). Without it the
  whole answer is the default. Paging is :func:`paged_sparql`: ``LIMIT`` and ``OFFSET`` are written into
  the SPARQL text itself (so a remote store, a worker and raw pyoxigraph run the same text), at the end,
  or in place of each line ``#PAGE`` in the body: a query whose costly part is per row puts the marker in a
  subquery that picks the page (after its own ``ORDER BY``), and repeats that order outside it.
  A parameter may not be called ``limit`` or ``offset`` (those are the page's).
* A body line that ends with ``#IF ?name`` (an optional parameter's name, used on that line) is left out
  when the parameter is empty. The line may only narrow what an empty parameter narrows anyway (a
  subquery ``{ SELECT ?s WHERE { ?s rdf:predicate ?predicate } }``: every statement has a relation), so
  the query means the same with or without it: the mark spares a read of a whole index to match
  "anything" (:func:`kg.graph.paging.given_sparql`).
* ``title`` is required; ``description`` may be repeated, the lines are joined. Other comment lines
  are free text, except that a near miss of a field name (``# parm:``) is an error.

Values are turned into typed RDF terms by :func:`bind` and written into the query as terms by
:func:`kg.graph.binding.bind_values` (quoted and escaped by pyoxigraph, so Oxigraph plans them as
constants): the user's text is never pasted into the query, so a value such as
``"} ; DROP ALL ; #`` is only a string that matches nothing.

* ``entity``: a name as people write it (``ACOs``, ``primary care network``, ``STP``), resolved by
  :mod:`kg.graph.names` with the rules search uses, or an identifier as for ``iri``. An ambiguous
  name raises :class:`kg.graph.names.NameError` listing the senses; an unknown name or an identifier
  of the vocabulary's namespace that names no entity raises it with suggestions.
* ``iri``: ``kgid:name``, ``kg:name``, any prefix of :func:`kg.graph.namespaces.prefixes`, or a full
  ``http(s)://`` IRI (angle brackets allowed).
* ``date``: ``YYYY-MM-DD`` (``xsd:date``), ``YYYY-MM`` (``xsd:gYearMonth``), ``YYYY``
  (``xsd:gYear``) or ``today``. The store holds dates as precise as they were written, so the
  saved queries compare them as text after padding each to a day (``STR`` and ``CONCAT``): a month
  or year given as "from", "since" or "before" stands for its first day, given as "to" for its
  last day (``to=2018`` means up to 31 December 2018). Each query's description says how it reads
  the stored dates (e.g. a review date of ``2018-09`` is due from 1 September 2018).
* ``integer``: a whole number (``xsd:integer``). ``string``: a plain literal.

Two rules for whoever writes a query (so that it means the same whether its values are written in as
constants, as here and for a remote store, or bound by pyoxigraph's ``substitutions``):

* every parameter must be listed in the outer ``SELECT`` clause (not ``SELECT *``); the columns of
  parameters that were given a value are dropped from the result by :func:`run_saved`;
* do not test ``BOUND(?param)`` or copy it with ``BIND(?param AS ?x)``; use ``COALESCE`` or put the
  variable in a triple pattern. :func:`load_saved` refuses both.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import resources
from kg.errors import QueryError, UsageError
from kg.graph import namespaces as ns
from kg.graph.names import NameIndex, Resolution, default_names, store_names
from kg.graph.paging import IF_MARKER, MAX_PAGE, PAGE_MARKER, page_options, paged_sparql  # noqa: F401  (kg.graph.paging)
from kg.graph.query import QueryResult, run_query
from kg.graph.worker import kept_columns

if TYPE_CHECKING:
    from kg.graph.store import Store

PARAM_TYPES = ("entity", "iri", "string", "date", "integer")
HEADER_FIELDS = ("title", "description", "param", "converse", "page")
PAGE_OPTIONS = ("limit", "offset")  #: the page's options, which no parameter may be called
ENV_DIR = "KG_QUERIES_DIR"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")  #: a saved query's name: at most 100 characters
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z_-]*)\s*:(?:\s+(.*)|\s*)$")
_PARAM = re.compile(r"^(?P<name>\S+)\s+(?P<type>[A-Za-z]+)(?P<optional>\?)?\s*(?:=(?P<default>.*))?$")
_HELP = re.compile(r"(?:^|\s)--(?:\s|$)")
_FULL_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9_.-]*):(?P<local>[^\s<>\"{}|\\^`]*)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_INTEGER = re.compile(r"^[+-]?\d{1,30}$")  #: a whole-number parameter: at most 30 digits


@dataclass(frozen=True)
class Param:
    """One ``# param:`` line."""

    name: str  #: the SPARQL variable, without ``?``
    type: str  #: one of :data:`PARAM_TYPES`
    default: str = ""  #: as written in the header; empty for none
    help: str = ""
    optional: bool = False  #: ``TYPE?``: an empty value leaves the variable unbound

    def describe(self) -> str:
        """``name type? = default``, as ``kg query --list`` shows it."""
        text = f"{self.name} {self.type}{'?' if self.optional else ''}"
        return f"{text} = {self.default}" if self.default else text


@dataclass
class SavedQuery:
    """A parsed ``.rq`` file."""

    name: str
    title: str
    description: str
    params: list[Param] = field(default_factory=list)
    sparql: str = ""
    path: Path | None = None
    converse: tuple[str, str] | None = None  #: two parameters that may be swapped (``# converse:``)
    page: int = 0  #: the default page size (``# page:``); 0: the whole answer

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def queries_dir() -> Path:
    """``$KG_QUERIES_DIR`` if set, else the saved queries shipped in the package."""
    return resources.queries_dir()


def _folder(directory: str | os.PathLike | None) -> Path:
    folder = Path(directory) if directory is not None else queries_dir()
    if not folder.is_dir():
        raise QueryError(f"there is no saved-query folder at {folder} (set {ENV_DIR} or create it)")
    return folder


def saved_names(directory: str | os.PathLike | None = None) -> list[str]:
    """The names of the saved queries in a folder, without reading them."""
    return sorted(path.stem for path in _folder(directory).glob("*.rq") if path.is_file())


def load_saved(directory: str | os.PathLike | None = None) -> dict[str, SavedQuery]:
    """Every ``*.rq`` file of the folder, by name; a malformed header raises :class:`QueryError`."""
    folder = _folder(directory)
    saved = {}
    for path in sorted(folder.glob("*.rq")):
        if path.is_file():
            if not _NAME.match(path.stem):
                raise QueryError(
                    f"{path}: a saved query's file name may use only letters, digits, '-' and '_' before .rq"
                )
            saved[path.stem] = read_saved(path)
    return saved


def find_saved(name: str, directory: str | os.PathLike | None = None) -> SavedQuery:
    """One saved query by name; an unknown name raises :class:`QueryError` suggesting close ones.

    A text that cannot be a name (other characters, over 100 of them) raises :class:`UsageError`.
    """
    folder = _folder(directory)
    if not _NAME.match(name):
        raise UsageError(
            f"'{_shown(name)}' cannot be a saved query's name: up to 100 letters, digits, '-' and '_'"
            " ('kg query --list' shows them all)"
        )
    if (folder / f"{name}.rq").is_file():
        return read_saved(folder / f"{name}.rq")
    close = difflib.get_close_matches(name[:200], saved_names(folder), n=3, cutoff=0.5)
    hint = f": did you mean {' or '.join(close)}?" if close else ""
    raise QueryError(f"there is no saved query '{_shown(name)}'{hint} ('kg query --list' shows them all)")


def _shown(value: str, limit: int = 60) -> str:
    """A value as a message quotes it: the start of a long one, and how long it is.

    >>> _shown("x" * 300)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (300 characters)'
    """
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value):,} characters)"


def read_saved(path: str | os.PathLike, name: str | None = None) -> SavedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read the saved query {path}: {exc}") from None
    return parse_saved(text, path, name)


def looks_like_path(text: str) -> bool:
    """Whether ``kg query TEXT`` names a file: saved query names have no dot or slash."""
    if "/" in text or "\\" in text or "." in text:
        return True
    try:
        return Path(text).is_file()
    except OSError:  # e.g. a name longer than the file system allows: not a file
        return False


def read_query_file(location: str | os.PathLike) -> tuple[str, SavedQuery | None]:
    """A query file's text, and the saved query it is when it starts with a header (else None)."""
    path = Path(location)
    if not path.is_file():
        saved = queries_dir() / f"{path.stem}.rq"
        hint = (
            f" (the saved query is run as 'kg query {path.stem}')"
            if path.suffix == ".rq" and saved.is_file() and path.resolve() != saved.resolve()
            else ""
        )
        raise UsageError(f"there is no query file at {path}{hint}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the query file {path}: {exc}") from None
    if not has_header(text):
        return text, None
    return text, parse_saved(text, path, re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "query")


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings (``--param`` options) as a dict; a malformed or repeated one raises :class:`UsageError`.

    >>> parse_assignments(["entity=kgid:aco-contract", "since="])
    {'entity': 'kgid:aco-contract', 'since': ''}
    """
    values: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise UsageError(f"--param needs NAME=VALUE, not '{item}'")
        if name in values:
            raise UsageError(f"parameter '{name}' is given twice")
        values[name] = value
    return values


def has_header(text: str) -> bool:
    """Whether a query text starts with a saved-query header (a ``title:`` or ``param:`` line)."""
    for line in text.splitlines():
        if not line.startswith("#"):
            return False
        match = _FIELD.match(line[1:].strip())
        if match and match.group(1).lower() in ("title", "param"):
            return True
    return False


def parse_saved(text: str, path: str | os.PathLike | None = None, name: str | None = None) -> SavedQuery:
    """Read the header of a saved query; errors name the file and the line."""
    where = str(path) if path is not None else "<query>"
    name = name or (Path(path).stem if path is not None else "query")

    def error(number: int, message: str) -> QueryError:
        return QueryError(f"{where}, line {number}: {message}")

    title: str | None = None
    description: list[str] = []
    params: list[Param] = []
    param_lines: dict[str, int] = {}
    converse: tuple[str, str] | None = None
    converse_line = 0
    page = 0
    page_line = 0
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.startswith("#"):
            break
        match = _FIELD.match(line[1:].strip())
        if not match:
            continue
        key, value = match.group(1).lower(), (match.group(2) or "").strip()
        if key not in HEADER_FIELDS:
            near = difflib.get_close_matches(key, HEADER_FIELDS, n=1, cutoff=0.75)
            if near:
                raise error(number, f"unknown header field '{key}': did you mean '{near[0]}'?")
            continue  # a free comment such as "# Note: ..."
        if key == "title":
            if title is not None:
                raise error(number, "a second '# title:' line")
            if not value:
                raise error(number, "the title is empty")
            title = value
        elif key == "description":
            description.append(value)
        elif key == "page":
            if page_line or not re.fullmatch(r"\d{1,6}", value):
                raise error(number, "expected one line '# page: N' (the default page size, a whole number; 0: all)")
            page, page_line = int(value), number
        elif key == "converse":
            pair = value.split()
            if len(pair) != 2 or converse is not None:
                raise error(number, "expected one line '# converse: PARAM PARAM' (two parameters that may be swapped)")
            converse, converse_line = (pair[0], pair[1]), number
        else:
            param = _parse_param(value, error, number)
            if param.name in param_lines:
                raise error(
                    number, f"parameter '{param.name}' is declared twice (first on line {param_lines[param.name]})"
                )
            if param.name in PAGE_OPTIONS:
                raise error(number, f"a parameter may not be called '{param.name}': limit and offset are the page's")
            param_lines[param.name] = number
            params.append(param)
    if title is None:
        raise QueryError(f"{where}: the header has no '# title:' line (a saved query starts with '# title: ...')")
    for param in params:
        number = param_lines[param.name]
        if not re.search(rf"[?$]{param.name}\b", _strip_comments(text)):
            raise error(number, f"parameter '{param.name}' is not used in the query (there is no ?{param.name})")
        if re.search(rf"\bBOUND\s*\(\s*[?$]{param.name}\s*\)", text, re.IGNORECASE):
            raise error(
                number,
                f"the query tests BOUND(?{param.name}), which does not see a bound parameter: use COALESCE or a triple pattern",
            )
        if re.search(rf"\bBIND\s*\(\s*[?$]{param.name}\s+AS\b", text, re.IGNORECASE):
            raise error(
                number,
                f"the query copies ?{param.name} with BIND(?{param.name} AS ...), which does not see a bound parameter: use ?{param.name} itself",
            )
        if param.default:
            try:
                to_term(param, param.default)
            except QueryError as exc:
                raise error(number, f"the default is not valid: {exc}") from None
    declared = {param.name: param for param in params}
    for number, line in enumerate(lines, 1):
        marked = IF_MARKER.search(line)
        if marked is None:
            continue
        named = declared.get(marked.group(1))
        if named is None or not named.optional:
            raise error(number, f"'#IF ?{marked.group(1)}' names no optional parameter (declare it as TYPE?)")
        if not re.search(rf"[?$]{named.name}\b", line[: marked.start()]):
            raise error(number, f"the line marked '#IF ?{named.name}' does not use ?{named.name}")
    if converse is not None:
        for side in converse:
            if side not in param_lines:
                raise error(converse_line, f"'# converse:' names '{side}', which is not a parameter")
    return SavedQuery(
        name,
        title,
        " ".join(d for d in description if d),
        params,
        text,
        Path(path) if path is not None else None,
        converse,
        page,
    )


def _strip_comments(text: str) -> str:
    """The query without whole-line comments (good enough to look for variables)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _parse_param(value: str, error: Callable[[int, str], QueryError], number: int) -> Param:
    helper = _HELP.search(value)
    spec, help_text = (value[: helper.start()], value[helper.end() :]) if helper else (value, "")
    match = _PARAM.match(spec.strip())
    if not match:
        raise error(number, "expected '# param: NAME TYPE = DEFAULT -- help'")
    name, kind = match.group("name"), match.group("type").lower()
    if not _VARIABLE.match(name):
        raise error(number, f"'{name}' cannot be a SPARQL variable name (letters, digits and _)")
    if kind not in PARAM_TYPES:
        raise error(number, f"unknown parameter type '{kind}': choose one of {', '.join(PARAM_TYPES)}")
    return Param(name, kind, (match.group("default") or "").strip(), help_text.strip(), bool(match.group("optional")))


class EntityNameError(QueryError):
    """An entity parameter's name is ambiguous or unknown; ``resolution`` holds the senses or suggestions."""

    def __init__(self, message: str, param: str, resolution: Resolution):
        super().__init__(message)
        self.param = param
        self.resolution = resolution


def to_term(
    param: Param, value: str, base: str | None = None, names: NameIndex | None = None
) -> ox.NamedNode | ox.Literal:
    """A user's text as the typed term the parameter needs; a bad value raises :class:`QueryError`.

    >>> to_term(Param("since", "date"), "2018-09")
    <Literal value=2018-09 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYearMonth>>
    >>> to_term(Param("entity", "iri"), "kgid:aco-contract", "https://example.org/").value
    'https://example.org/id/aco-contract'
    """
    value = value.strip()
    label = f"parameter '{param.name}'"
    if param.type == "entity":
        return _entity(param, value, label, base, names)
    if param.type == "iri":
        return _iri(value, label, base)
    if param.type == "date":
        return _date(value, label)
    if param.type == "integer":
        if not _INTEGER.match(value):
            digits = value.lstrip("+-")
            if digits.isdigit() and digits.isascii():
                raise QueryError(f"{label}: '{_shown(value)}' has more digits than the 30 a whole number may have")
            raise QueryError(f"{label}: '{_shown(value)}' is not a whole number")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(ns.XSD + "integer"))
    return ox.Literal(value)


def _iri(value: str, label: str, base: str | None) -> ox.NamedNode:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    iri = None
    if _FULL_IRI.match(value):
        iri = value
    else:
        match = _PREFIXED.match(value)
        known = ns.prefixes(base)
        if match and match.group("prefix") in known:
            iri = known[match.group("prefix")] + match.group("local")
    if iri is not None:
        try:
            return ox.NamedNode(iri)
        except ValueError:
            pass
    hint = f" (did you mean kgid:{value}?)" if re.match(r"^[a-z0-9][a-z0-9-]*$", value) else ""
    raise QueryError(
        f"{label}: '{_shown(value)}' is not an IRI{hint}: write kgid:name, another declared prefix (kg:, dcterms: ...) or a full http(s):// IRI"
    )


def _looks_like_iri(value: str) -> bool:
    if value.startswith("<") and value.endswith(">"):
        return True
    return bool(_FULL_IRI.match(value)) or (":" in value and " " not in value.strip())


def _entity(param: Param, value: str, label: str, base: str | None, names: NameIndex | None) -> ox.NamedNode:
    """A name or identifier of an entity; the vocabulary must know it."""
    names = names if names is not None else default_names(base)
    if _looks_like_iri(value):
        term = _iri(value, label, base)
        entity_space = ns.prefixes(base).get("kgid", "")
        if not entity_space or not term.value.startswith(entity_space) or names.has(term.value):
            return term
        local = term.value[len(entity_space) :]
        guess = names.resolve(local.replace("-", " "))
        found = guess.chosen if guess.found else guess.suggestions
        resolution = Resolution(value, [], found)
        hint = f": did you mean {' or '.join(f'kgid:{s.iri[len(entity_space) :]} = {s.describe()}' for s in found)}?"
        raise EntityNameError(
            f"{label}: no entity has the identifier {value}{hint if found else ''} (or type its name)",
            param.name,
            resolution,
        )
    resolution = names.resolve(value)
    if resolution.status != "found":
        raise EntityNameError(f"{label}: {resolution.sentence()}", param.name, resolution)
    return ox.NamedNode(resolution.chosen[0].iri)


def _date(value: str, label: str) -> ox.Literal:
    if value.lower() == "today":
        return ox.Literal(_dt.date.today().isoformat(), datatype=ox.NamedNode(ns.XSD + "date"))
    try:
        if _DAY.match(value):
            return ox.Literal(_dt.date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(ns.XSD + "date"))
        if _MONTH.match(value):
            return ox.Literal(value, datatype=ox.NamedNode(ns.XSD + "gYearMonth"))
        if _YEAR.match(value):
            return ox.Literal(value, datatype=ox.NamedNode(ns.XSD + "gYear"))
    except ValueError:
        pass
    raise QueryError(f"{label}: '{_shown(value)}' is not a date: write YYYY-MM-DD, YYYY-MM, YYYY or today")


def bind(
    query: SavedQuery, values: dict[str, str], base: str | None = None, names: NameIndex | None = None
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Typed terms for the query's parameters: the user's ``values``, else the defaults.

    An unknown name, a missing required value or a value of the wrong kind raises
    :class:`QueryError`. An empty value of an optional parameter leaves it out (unbound).
    """
    known = [p.name for p in query.params]
    for key in values:
        if key not in known:
            if not known:
                raise QueryError(f"saved query '{query.name}' has no parameter '{key}': it takes no parameters")
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise QueryError(
                f"saved query '{query.name}' has no parameter '{key}'{hint}: its parameters are {', '.join(known)}"
            )
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for param in query.params:
        value = (values[param.name] if param.name in values else param.default).strip()
        if not value:
            if param.optional:
                continue
            raise QueryError(
                f"saved query '{query.name}' needs a value for '{param.name}' ({param.type}): add --param {param.name}=..."
            )
        try:
            terms[param.name] = to_term(param, value, base, names)
        except EntityNameError as exc:
            raise EntityNameError(f"saved query '{query.name}', {exc}", exc.param, exc.resolution) from None
        except QueryError as exc:
            raise QueryError(f"saved query '{query.name}', {exc}") from None
    return terms


def converse_values(query: SavedQuery, values: dict[str, str]) -> tuple[dict[str, str], str] | None:
    """The values with the ``# converse:`` pair swapped, and a sentence saying so; None when it does not apply."""
    if query.converse is None:
        return None
    first, second = query.converse
    if not values.get(first, "").strip() or not values.get(second, "").strip():
        return None
    swapped = {**values, first: values[second], second: values[first]}
    note = (
        f"nothing was found with {first} '{values[first]}' and {second} '{values[second]}'; "
        f"these results are the other way round ({first} '{values[second]}', {second} '{values[first]}')"
    )
    return swapped, note


def run_saved(
    store: Store,
    query: SavedQuery,
    values: dict[str, str] | None = None,
    limit: int | str | None = None,
    offset: int | str | None = None,
) -> QueryResult:
    """Bind the values, run the query, and drop the columns of parameters that were given a value
    (they only repeat it) or that stayed empty in every row. A query with a ``# converse:`` pair
    that finds nothing is run the other way round; the result's ``note`` says so.

    The answer is one page (:func:`page_options`: ``limit`` None is the query's ``# page:``, 0 all);
    the result's ``limit``, ``offset`` and ``more`` say which, and whether another follows."""
    size, start = page_options(query, limit, offset)
    result = _run_saved(store, query, values or {}, size, start)
    empty = result.kind == "select" and not result.rows and not start
    other = converse_values(query, values or {}) if empty else None
    if other is not None:
        swapped = _run_saved(store, query, other[0], size, start)
        if swapped.rows:
            swapped.note = other[1]
            return swapped
    return result


def _run_saved(store: Store, query: SavedQuery, values: dict[str, str], limit: int = 0, offset: int = 0) -> QueryResult:
    names = store_names(store) if any(p.type == "entity" for p in query.params) else None
    terms = bind(query, values, store.base, names)
    try:
        result = run_query(store, paged_sparql(query, limit, offset, given=terms), terms)
    except QueryError as exc:
        message = str(exc)
        if "SELECT projection" in message:
            message += " (a saved query must list every parameter in its SELECT clause)"
        raise QueryError(f"saved query '{query.name}': {message}") from None
    if result.kind != "select":
        return result
    hidden = sorted(set(terms) - set(result.variables))
    if hidden:
        raise QueryError(
            f"saved query '{query.name}': ?{hidden[0]} is not in the SELECT projection"
            " (a saved query must list every parameter in its SELECT clause)"
        )
    more = bool(limit) and len(result.rows) > limit
    rows = result.rows[:limit] if more else result.rows
    optional = {p.name for p in query.params if p.name not in terms}
    keep = kept_columns(result.variables, rows, set(terms), optional)
    return QueryResult(
        "select",
        variables=[result.variables[i] for i in keep],
        rows=[[row[i] for i in keep] for row in rows],
        limit=limit,
        offset=offset,
        more=more,
    )
