"""Stage 2, parse: split a source's text into documents and read their structure.

One file may hold several documents (a blog's tag archive of briefings).
Each :class:`ParsedDocument` has a title, its own cleaned text (the text
that evidence offsets point into), the fields of the library briefing
template where present, and a kind (briefing, news item, slide deck ...).
What counts as a field heading or as web-page boilerplate is read from
``data/parsing/*.toml``.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.ingest.dates import PartialDate, parse_date
from kg.ingest.labels import norm
from kg.ingest.metadata import load_header_rules, read_header
from kg.ingest.own_publication import refine, statements
from kg.ingest.sources import Source
from kg.ingest.vocabulary import data_dir

_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\ufeff": "", "\t": "    "})
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_BULLET = re.compile(r"^\s*(?:[•●▪◦·‣∙\-–*]|\d+[.)])\s+")


@dataclass(frozen=True)
class ParsingRules:
    """The contents of data/parsing/*.toml, compiled."""

    headings: list[tuple[re.Pattern, str]]
    any_heading: re.Pattern  #: every heading in one expression, longest first; group h<i> is headings[i]
    heading_names: tuple[str, ...]  #: the field of each heading, in that order
    heading_initials: frozenset[str]  #: the first letters of the headings, in both cases
    last_field: str
    min_fields: int
    common_fields: frozenset[str]
    producer: list[re.Pattern]
    news: list[re.Pattern]
    cut_from: list[re.Pattern]
    drop_lines: list[re.Pattern]
    archive_headers: list[re.Pattern]


@lru_cache(maxsize=4)
def load_rules(directory: Path | None = None) -> ParsingRules:
    directory = Path(directory or data_dir() / "parsing")
    briefing = tomllib.loads((directory / "briefing.toml").read_text(encoding="utf-8"))
    boiler = tomllib.loads((directory / "boilerplate.toml").read_text(encoding="utf-8"))
    heading_words = []
    initials: set[str] = set()
    for name, spec in briefing["fields"].items():
        for heading in spec["headings"]:
            heading_words.append((r"\s*".join(re.escape(w) for w in heading.split()), name))
            initials |= {heading[:1].lower(), heading[:1].upper()}
    # Longest headings first, so "Link to main document" wins over "Link".
    heading_words.sort(key=lambda h: -len(h[0]))
    headings = [(re.compile(rf"^\s*{words}\s*(?::\s*(?P<value>.*))?$", re.I), name) for words, name in heading_words]
    # All of them as one expression, tried in the same order, so the same heading wins: one match per line
    # instead of one per heading (``_field_of``); the first letters any heading starts with pass most lines over.
    alternatives = "|".join(f"(?P<h{i}>{words})" for i, (words, _) in enumerate(heading_words))
    any_heading = re.compile(rf"^\s*(?:{alternatives})\s*(?::\s*(?P<value>.*))?$", re.I)

    def compile_all(patterns):
        return [re.compile(p) for p in patterns]

    def whole_line(patterns):
        return [re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in patterns]

    return ParsingRules(
        headings=headings,
        any_heading=any_heading,
        heading_names=tuple(name for _, name in heading_words),
        heading_initials=frozenset(initials),
        last_field=briefing["record"]["last_field"],
        min_fields=briefing["record"]["min_fields"],
        common_fields=frozenset(briefing["record"].get("common_fields", [])),
        producer=compile_all(briefing["producer"]["patterns"]),
        news=compile_all(briefing["news"]["patterns"]),
        cut_from=whole_line(boiler["cut_from"]),
        drop_lines=whole_line(boiler["drop_lines"]),
        archive_headers=whole_line(boiler["archive_headers"]),
    )


@dataclass
class ParsedDocument:
    """One document read from a source, ready for extraction."""

    title: str
    text: str  #: cleaned text; evidence offsets point into it
    source: Source
    kind: str = "Document"  #: local name of a kg: document class
    fields: dict[str, str] = field(default_factory=dict)  #: briefing fields as written
    publisher_name: str | None = None
    publisher_url: str | None = None
    producer_name: str | None = None
    link: str | None = None
    issued: PartialDate | None = None
    modified: PartialDate | None = None
    review_due: PartialDate | None = None
    #: names above the title that may be the publisher (a site name, a breadcrumb's first step)
    publisher_candidates: tuple[str, ...] = ()
    #: offset in ``text`` where each page of the source begins (pages before the document start at 0)
    page_starts: tuple[int, ...] = ()

    @property
    def identity(self) -> str:
        """What makes two copies the same document: the title and the issue date."""
        return norm(self.title) + "|" + (self.issued.value if self.issued else "")


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@lru_cache(maxsize=16)
def _any_of(patterns: tuple[re.Pattern, ...]) -> Callable[[str], object]:
    """``lambda line: any(p.match(line) for p in patterns)``, as one expression when that means the same.

    Whole-line patterns with the same flags and no groups referred to by number or name are tried as one
    alternation (``(?:a)|(?:b)``: it matches where one of them matches); others one by one.
    """
    if not patterns:
        return lambda line: False
    flags = {p.flags for p in patterns}
    if len(flags) == 1 and not any(re.search(r"\\\d|\(\?P[=<]|\(\?\(", p.pattern) for p in patterns):
        try:
            return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags.pop()).match
        except re.error:  # pragma: no cover - patterns that compile alone compile joined
            pass
    return lambda line: any(p.match(line) for p in patterns)


def _clean_numbered(text: str, rules: ParsingRules) -> list[tuple[int, str]]:
    """(line number in ``text``, cleaned line) for every line kept."""
    kept: list[tuple[int, str]] = []
    cut_from, drop_line = _any_of(tuple(rules.cut_from)), _any_of(tuple(rules.drop_lines))
    for number, line in enumerate(_lines(text.translate(_SPACES))):
        stripped = line.strip()
        if cut_from(stripped):
            break  # a comment form or share bar: the rest is the page, not the document
        if stripped and drop_line(stripped):
            continue
        kept.append((number, line.rstrip()))
    return kept


def clean_lines(text: str, rules: ParsingRules) -> list[str]:
    """Normalise spaces and drop page furniture and comment forms."""
    return [line for _, line in _clean_numbered(text, rules)]


def _field_of(line: str, rules: ParsingRules) -> tuple[str, str] | None:
    """The briefing field a line starts (its heading matched by the one expression of all), and its value."""
    first = line.lstrip()[:1]
    if first not in rules.heading_initials:
        return None
    match = rules.any_heading.match(line)
    if match is None:
        return None
    index = int(match.lastgroup[1:]) if match.lastgroup and match.lastgroup != "value" else _which(match)
    return rules.heading_names[index], (match.group("value") or "").strip()


def _which(match: re.Match) -> int:
    """The number of the heading alternative that matched."""
    return next(int(name[1:]) for name, value in match.groupdict().items() if name != "value" and value is not None)


def _record_bounds(lines: list[str], rules: ParsingRules) -> list[tuple[int, int]]:
    """(start, end) in ``lines`` of each record: a new record starts after each closing field."""
    bounds, start = [], 0
    for index, line in enumerate(lines):
        found = _field_of(line, rules)
        if found and found[0] == rules.last_field:
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(lines)))
    return [(a, b) for a, b in bounds if any(line.strip() for line in lines[a:b])]


def split_records(lines: list[str], rules: ParsingRules) -> list[list[str]]:
    """Cut a listing into records: a new record starts after each closing field."""
    return [lines[a:b] for a, b in _record_bounds(lines, rules)]


def _title_line(lines: list[str], rules: ParsingRules) -> int | None:
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or any(p.match(stripped) for p in rules.archive_headers):
            continue
        return index
    return None


def _read_fields(lines: list[str], rules: ParsingRules) -> dict[str, str]:
    """Field name -> value, where a value runs until the next field heading."""
    fields: dict[str, list[str]] = {}
    current = None
    for line in lines:
        found = _field_of(line, rules)
        if found:
            current, value = found
            fields.setdefault(current, [])
            if value:
                fields[current].append(value)
        elif current and line.strip():
            fields[current].append(line.strip())
    return {name: "\n".join(values).strip() for name, values in fields.items()}


def _clean_title(title: str, is_briefing: bool) -> tuple[str, str | None, bool]:
    """Strip a slide number and split "TITLE by PUBLISHER" in briefings.

    Returns the title, the publisher named in it, and whether a page number was cut.
    """
    numbered = re.sub(r"(?<=[?!.:)])\s+\d{1,3}$", "", title.strip())
    paged, title = numbered != title.strip(), numbered
    title = re.sub(r"\s+", " ", title)
    publisher = None
    if is_briefing:
        match = re.match(r"^(?P<title>.+?)\s+by\s+(?P<pub>(?:the\s+)?[A-Z][\w'’&.,\- ]{1,80})$", title)
        if match and len(match.group("pub").split()) <= 10:
            title, publisher = match.group("title").strip(), match.group("pub").strip()
    return title, publisher, paged


def _kind(is_briefing: bool, paged: bool, text: str, news_date: PartialDate | None, title: str = "") -> str:
    if is_briefing:
        return "PolicyBriefing"
    if news_date:
        return "NewsItem"
    if paged or "\f" in text:
        return "SlideDeck"
    return kind_of_title(title)


@lru_cache(maxsize=1)
def _title_kinds() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for every kind word of metadata.toml's [kinds], and the kind of each word."""
    spec = load_header_rules().spec["kinds"]  # metadata.toml, read once for the header rules
    kinds = {" ".join(w.lower().split()): kind for kind, words in spec.items() if kind != "examples" for w in words}
    words = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(kinds, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.I), kinds


def kind_of_title(title: str) -> str:
    """The class a title's words give a document (``Guidance``, ``Report``, ``Contract``), else ``Document``."""
    pattern, kinds = _title_kinds()
    found = pattern.search(title)
    return kinds[" ".join(found.group(0).lower().split())] if found else "Document"


#: a line at least this long, followed straight on by another, was wrapped by the writer's editor or the PDF
WRAP_LENGTH = 60


#: a word cut at the end of a wrapped line ("commission-" then "ing groups"): letters, a hyphen, then lower case
_BROKEN_WORD = re.compile(r"([A-Za-z]*[a-z])-$")
_WORD_START = re.compile(r"[a-z]+")
_HYPHENED_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def unwrap(lines: list[str]) -> list[str]:
    """Join the lines of a hard-wrapped paragraph or list item, so a sentence or a name is one line again.

    A word hyphenated across the break is joined whole ("commission-" + "ing" is "commissioning"), unless
    the text writes it with its hyphen elsewhere and never without ("well-known"); a hyphen before a digit or
    a capital stays, with no space ("2019-20", "non-English").
    """
    out: list[str] = []
    words: set[str] | None = None
    for line in lines:
        previous = out[-1] if out else ""
        if (
            len(previous.strip()) >= WRAP_LENGTH
            and line.strip()
            and not _BULLET.match(line)
            and not previous.rstrip().endswith(":")
            and "|" not in previous
        ):
            head, tail = previous.rstrip(), line.strip()
            broken, rest = _BROKEN_WORD.search(head), _WORD_START.match(tail)
            if broken and rest:
                if words is None:
                    words = {w.casefold() for w in _HYPHENED_WORD.findall("\n".join(lines))}
                whole, hyphened = broken.group(1) + rest.group(), broken.group(1) + "-" + rest.group()
                keep = hyphened.casefold() in words and whole.casefold() not in words
                out[-1] = (head if keep else head[:-1]) + tail
            elif head.endswith("-") and head[-2:-1].isalnum() and tail[:1].isalnum():
                out[-1] = head + tail  # "2019-" + "20", "non-" + "English": the hyphen stays, no space
            else:
                out[-1] = head + " " + tail
        else:
            out.append(line)
    return out


def parse_record(lines: list[str], source: Source, rules: ParsingRules) -> ParsedDocument | None:
    start = _title_line(lines, rules)
    if start is None:
        return None
    body = lines[start:]
    fields = _read_fields(body[1:], rules)
    is_briefing = len(fields) >= rules.min_fields and bool(set(fields) - rules.common_fields)
    title, publisher_in_title, paged = _clean_title(body[0], is_briefing)
    text = "\n".join(unwrap(body)).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    news_date = None
    for pattern in rules.news:
        match = pattern.search(text)
        if match and (news_date := parse_date(match.group("date"))):
            break
    source_value = fields.get("source", "")
    link_value = fields.get("link", "")
    url = next(iter(_URL.findall(source_value + " " + link_value)), None)
    publisher_name = _URL.sub("", source_value).strip(" :;,-") or publisher_in_title
    if publisher_name and _field_of(publisher_name, rules):
        publisher_name = publisher_in_title  # "Source: Link to main document: http://..."
    producer = None
    for pattern in rules.producer:
        match = pattern.search(text)
        if match:
            producer = match.group("name").strip()
            break

    def date_of(name):
        return parse_date(fields[name]) if fields.get(name) else None

    if not is_briefing:  # a header block and a footer instead of the template's fields
        header = read_header(body)
        if header.title:
            title = _clean_title(header.title, False)[0]
        # "This report was published by ... on 26 May 2022": what the text says of itself refines the header
        issued, publisher_name = refine(statements().find(title, text), header.issued or news_date, header.publisher)
        return ParsedDocument(
            title=title,
            text=text,
            source=source,
            kind=_kind(False, paged, text, news_date, title),
            publisher_name=publisher_name,
            publisher_url=url,
            producer_name=producer,
            link=url,
            publisher_candidates=tuple(header.candidates),
            issued=issued,
            modified=header.modified,
            review_due=header.review_due,
        )
    return ParsedDocument(
        title=title,
        text=text,
        source=source,
        kind=_kind(is_briefing, paged, text, news_date, title),
        fields=fields,
        publisher_name=publisher_name or None,
        publisher_url=url,
        producer_name=producer,
        link=url,
        issued=date_of("issued") or news_date,
        modified=date_of("modified"),
        review_due=date_of("review_due"),
    )


def document_page_starts(text: str, body: list[tuple[int, str]], page_lines: list[int]) -> tuple[int, ...]:
    """Where each source page begins in a document's ``text``, given its lines (with line numbers in the source).

    ``page_lines`` holds the source line number where each page begins. Each
    line is found in ``text`` in order; if one is not found the text was
    built differently and the pages are unknown (empty tuple).
    """
    first: dict[int, int] = {}
    cursor = 0
    for number, line in body:
        if not line.strip():
            continue
        needle = line.strip().removesuffix("-")  # unwrap may have joined a word broken across lines
        found = text.find(needle, cursor)
        if found < 0:
            return ()
        first.setdefault(bisect.bisect_right(page_lines, number) - 1, found)
        cursor = found + len(needle)
    if not first:
        return ()
    starts, following = [0] * (max(first) + 1), len(text)
    for page in range(max(first), min(first) - 1, -1):
        following = starts[page] = first.get(page, following)  # a page with no line left starts where the next does
    return tuple(starts)


def parse(source: Source, rules: ParsingRules | None = None) -> list[ParsedDocument]:
    """Every document in ``source``, in the order they appear."""
    rules = rules or load_rules()
    numbered = _clean_numbered(source.text, rules)
    lines = [line for _, line in numbered]
    page_lines = [len(_lines(source.text[:start])) - 1 for start in source.page_starts]
    documents = []
    for a, b in _record_bounds(lines, rules):
        record = lines[a:b]
        parsed = parse_record(record, source, rules)
        if parsed and parsed.title:
            if page_lines:
                title_at = a + (_title_line(record, rules) or 0)
                parsed.page_starts = document_page_starts(parsed.text, numbered[title_at:b], page_lines)
            documents.append(parsed)
    if len(documents) == 1 and source.metadata:
        apply_file_metadata(documents[0], dict(source.metadata))
    return documents


def apply_file_metadata(document: ParsedDocument, metadata: dict[str, str]) -> None:
    """Fill what the text left open from the file's own metadata (HTML <meta>, PDF information)."""
    for name in ("issued", "modified"):
        if getattr(document, name) is None and metadata.get(name):
            setattr(document, name, parse_date(metadata[name]))
    if metadata.get("publisher") and not document.publisher_name:
        document.publisher_name = metadata["publisher"]
