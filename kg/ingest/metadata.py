"""Title, publisher and dates of any document, from its header, footer and file metadata.

The library briefing template has fields (``briefing.toml``); most
publishers do not. They write a header block: a site name or breadcrumb, a
kind ("Press release", "Explainer"), the title, a by-line ("From: ...",
"Published 5 March 2020 | Last updated 2 June 2023", "Explainer | 15 June
2021", "Author: ..."), and a footer ("Page last reviewed: ...", "Next
review due: ..."). :func:`read_header` reads that block with the labels and
furniture patterns of ``data/parsing/metadata.toml``:

* each line is split at "|" and "•"; a part that starts with a label is a
  field; a part that is only a date (day or month, with at most a few other
  words such as "Version 1") is the issue date; a journal citation line
  gives the year;
* the title is the heading just before the first by-line that follows a
  heading (else the first heading), skipping furniture, breadcrumbs,
  "Label: value" lines and names of bodies; a long title that runs on to
  the next line is joined;
* the publisher is the "From:" / "Published by" value if there is one, else
  one of the names above the title (a site name, a breadcrumb's first step),
  chosen against the vocabulary at extraction.

:func:`html_metadata` and :func:`pdf_metadata` read what HTML ``<meta>``,
Open Graph, schema.org JSON-LD and PDF document information say; the parse
stage uses them to fill what the text does not give.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.ingest.clauses import word_alternation
from kg.ingest.dates import PartialDate, parse_date
from kg.ingest.names import name_finder
from kg.resources import data_dir

_DIGIT = re.compile(r"\d")
#: a copyright notice: "© NHS Confederation 2022", "Copyright © 2021 The King's Fund. All rights reserved."
_COPYRIGHT = re.compile(
    r"^(?:copyright\s*)?(?:©|\(c\))\s*(?:copyright\s+)?(?:(?P<year>(?:19|20)\d{2})(?:\s*[-–]\s*\d{2,4})?\s*,?\s+)?"
    r"(?P<name>[^\d©]{2,80}?)(?:\s*,?\s*(?P<year2>(?:19|20)\d{2}))?(?:\s*[.,]?\s*all rights reserved)?\s*\.?$",
    re.I,
)
#: where a date may follow a name on a by-line: "NHS England, March 2021", "NHS England on 12 March 2021"
_BEFORE_DATE = re.compile(r"\s*,\s*|\s+(?:on|in|dated)\s+")
_PARTS = re.compile(r"\s+[|•·]\s+|\s*\|\s*")
_CRUMB = re.compile(r"\s+(?:>|»|›|/|&rsaquo;|&gt;)\s+")
#: "Made: 24 May 2022", "Classification: Official" (a title's colon is followed by a small letter)
_KEY_VALUE = re.compile(r"^[A-Z][\w’'/-]*(?:\s+[\w’'/-]+){0,3}:\s*[A-Z0-9]")
#: the rest of a longer label after a known one's words: "of meeting: ..." after "Date"
_LONGER_LABEL = re.compile(r"^(?!on\s*:)[a-z][a-z ]{0,40}:")
#: a heading of a topic and its aspect, both in capitals: "Health Education England: Training", "Care Homes: Staff"
_NAMED_TOPIC = re.compile(r"^[A-Z][\w’'-]*(?:\s+(?:of|and|for|the|in|on|&|[A-Z][\w’'-]*))*\s+[A-Z][\w’'-]*:\s+[A-Z]")
#: a date with a day or a month in it: only such a part can be a date standing alone
_PRECISE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}\b|\d{4}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2}",
    re.I,
)
_MONTH_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b", re.I
)
_ACRONYM_AFTER = re.compile(r"\s*\([A-Z][A-Za-z&.]{1,9}\)$")
_PERSON = re.compile(r"^(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'-]+$")


@dataclass(frozen=True)
class HeaderRules:
    header_lines: int
    footer_lines: int
    labels: re.Pattern  #: any label, and the value after it
    fields: dict[str, str]  #: label (lower case, single spaces) -> field
    phrases: re.Pattern
    citation: list[re.Pattern]
    furniture: list[re.Pattern]
    paragraph: list[re.Pattern]
    document_titles: re.Pattern  #: headings that name the whole document ("Annual report and accounts 2022/23")
    wrap_length: int
    html: dict[str, list[str]]
    spec: dict


@lru_cache(maxsize=2)
def load_header_rules(path: Path | None = None) -> HeaderRules:
    spec = tomllib.loads(Path(path or data_dir() / "parsing" / "metadata.toml").read_text(encoding="utf-8"))
    fields = {" ".join(w.lower().split()): name for name, words in spec["labels"].items() for w in words}
    labels = re.compile(rf"^(?P<label>{word_alternation(fields)})\b\s*(?:on\s+)?:?\s*(?P<value>.*)$", re.I)
    phrases = re.compile(rf"\b{word_alternation(spec['phrases']['modified'])}\s+(?P<value>.{{4,40}})", re.I)
    return HeaderRules(
        header_lines=spec["header_lines"],
        footer_lines=spec["footer_lines"],
        labels=labels,
        fields=fields,
        phrases=phrases,
        citation=[re.compile(p) for p in spec["citation"]["patterns"]],
        furniture=[re.compile("^(?:" + "|".join(f"(?:{p})" for p in spec["title"]["furniture"]) + ")$", re.I)],
        paragraph=[re.compile(rf"^(?:{p})$") for p in spec["title"]["paragraph_ends"]],
        document_titles=re.compile(
            "^(?:" + "|".join(f"(?:{p})" for p in spec["title"].get("document_titles", ["(?!x)x"])) + ")$", re.I
        ),
        wrap_length=spec["title"]["wrap_length"],
        html={k: [x.lower() for x in v] for k, v in spec["html"].items()},
        spec=spec,
    )


@dataclass
class Header:
    """What a document's header block and footer say about it."""

    title: str | None = None
    title_index: int | None = None  #: index in the lines given of the title's first line
    publisher: str | None = None  #: written after a label ("From: ...")
    candidates: list[str] = field(default_factory=list)  #: names above the title that may be the publisher
    issued: PartialDate | None = None
    modified: PartialDate | None = None
    review_due: PartialDate | None = None
    labelled_title: str | None = None  #: written after a label ("Report title: ...", "Subject: ...")
    copyright_year: PartialDate | None = None  #: "© 2022": the issue's year when nothing else dates it


def _precise(date: PartialDate | None) -> bool:
    return date is not None and date.datatype != "gYear"


def _date_only(part: str) -> PartialDate | None:
    """A date standing (nearly) alone: "15 June 2021", "Version 1, June 2021"; None for "Made: 24 May 2022"."""
    date = parse_date(part)
    if not _precise(date) or ":" in part:
        return None
    rest = re.sub(
        r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\.?,?\s+\d{4}|[A-Za-z]+\.?\s+\d{4}|\d{4}-\d{2}(?:-\d{2})?", "", part
    )
    return date if len(rest.split()) <= 4 and len(part) <= 60 else None


def _publisher_and_date(value: str) -> tuple[str, PartialDate | None]:
    """A publisher's name without a date written after it: "NHS England, March 2021", "X on 12 May 2020"."""
    for match in _BEFORE_DATE.finditer(value):
        rest = value[match.end() :].strip(" .;")
        date = parse_date(rest)
        if date and (_date_only(rest) or re.fullmatch(r"\d{4}", rest)):
            return value[: match.start()], date
    return value, None


def _line_fields(
    line: str, rules: HeaderRules, header: Header, bare: list[PartialDate], pending: list[str] | None = None
) -> bool:
    """Read labels, bare dates and citations from one line; True if it is a by-line (not a title).

    ``pending`` carries a date label standing alone on the line before ("Last updated" over
    "12 January 2024"): the date this line holds is that field's.
    """
    byline = False
    copyright_line = _COPYRIGHT.match(line)
    if copyright_line:  # "© NHS Confederation 2022": the holder publishes; its year dates the issue, failing all else
        name, year = copyright_line.group("name"), copyright_line.group("year") or copyright_line.group("year2")
        if name[:1].isupper() and not name.lower().startswith("crown") and header.publisher is None:
            header.publisher = name.rstrip(" .;,")
        if year and header.copyright_year is None:
            header.copyright_year = PartialDate(year, "gYear")
        return True
    waiting = pending.pop() if pending else None
    for part in (p.strip() for p in _PARTS.split(line)):
        if not part:
            continue
        match = rules.labels.match(part)
        if match and _LONGER_LABEL.match(match.group("value")):
            # "Date of meeting: 6 June 2024", "Date of inspection visit: ...": another field than "Date", whose
            # date dates the document only when no label names the issue ("Date of publication: ...")
            dated = parse_date(match.group("value").split(":", 1)[1])
            if dated:
                bare.append(dated)
                byline = True
            continue
        if match:
            name = rules.fields[" ".join(match.group("label").lower().split())]
            value = match.group("value").strip()
            if not value and name not in ("author", "publisher") and pending is not None and part == line:
                pending.append(name)  # the value is on the next line
                byline = True
                continue
            if name == "author":
                byline = True
            elif name == "title":  # "Report title: ..." (with its colon: "Subject to change" is a heading)
                if value and ":" in part[: match.start("value")] and header.labelled_title is None:
                    header.labelled_title = value
                    byline = True
            elif name == "publisher":
                value, dated = _publisher_and_date(re.sub(r"^the\s+", "", value))  # "Published by the Department ..."
                if dated:  # "Published by NHS England, March 2021": the date is the issue's
                    bare.append(dated)
                if value and value[:1].isupper() and len(value.split()) <= 14 and header.publisher is None:
                    header.publisher = value.rstrip(" .;,")
                    byline = True
            else:
                date = parse_date(value) if value else None
                if date and getattr(header, name) is None:
                    setattr(header, name, date)
                    byline = True
        else:
            date = _date_only(part) if _DIGIT.search(part) and _PRECISE.search(part) else None
            if date and waiting and getattr(header, waiting) is None:
                setattr(header, waiting, date)
                byline = True
            elif date:
                bare.append(date)
                byline = True
    for pattern in rules.citation if _DIGIT.search(line) else ():
        match = pattern.search(line)
        if match:
            if header.issued is None:
                bare.append(PartialDate(match.group("year"), "gYear"))
            byline = True
    match = rules.phrases.search(line) if header.modified is None else None
    if match:
        header.modified = parse_date(match.group("value"))
    return byline


def _signatory(
    lines: list[str], bottom: list[int], rules: HeaderRules, looks_like: Callable[[str], bool]
) -> str | None:
    """The body a letter is signed for: the last line under its valediction ("Yours sincerely") that names one."""
    valedictions = rules.spec.get("letters", {}).get("valedictions", [])
    signed = [k for k, i in enumerate(bottom) if lines[i].strip().rstrip(",").lower() in valedictions]
    if not signed:
        return None
    below = [" ".join(lines[i].split()) for i in bottom[signed[-1] + 1 :]]
    return next((line for line in reversed(below) if looks_like(line)), None)


def _date_label(part: str, rules: HeaderRules) -> bool:
    """The part starts with a date's label ("Last updated", "Next review due"), not an author's or publisher's."""
    match = rules.labels.match(part)
    if match is None:
        return False
    return rules.fields[" ".join(match.group("label").lower().split())] not in ("author", "publisher")


def _blocks(lines: list[str], indexes: list[int]) -> list[list[int]]:
    """The given line numbers grouped into blocks of consecutive lines."""
    blocks: list[list[int]] = []
    for i in indexes:
        if blocks and blocks[-1][-1] == i - 1:
            blocks[-1].append(i)
        else:
            blocks.append([i])
    return blocks


def _authors(line: str) -> bool:
    """A line listing people: "Anna Smith, Jo Bloggs, Sam Lee"."""
    names = [n.strip() for n in re.split(r",|\band\b", line) if n.strip()]
    return len(names) >= 3 and all(_PERSON.match(n) for n in names)


def read_header(lines: list[str], rules: HeaderRules | None = None) -> Header:
    """The title, publisher and dates a document's first and last lines give."""
    rules = rules or load_header_rules()
    names = name_finder()
    header = Header()
    filled = [i for i, line in enumerate(lines) if line.strip()]
    top, bottom = filled[: rules.header_lines], filled[-rules.footer_lines :]
    bare: list[PartialDate] = []
    loose: list[PartialDate | None] = []  #: dates in by-lines with other words, the last resort for the issue date
    kinds: dict[int, str] = {}
    pending: list[str] = []  #: a date label whose value is on the next line
    crumbs: dict[int, list[str]] = {}  #: line -> the names a breadcrumb or "A | B" line gives
    signed: list[str] = []  #: bodies named in a dated by-line, after every name above the title
    ended = False
    for block in _blocks(lines, top):
        joined = " ".join(" ".join(lines[i].split()) for i in block)
        if ended or any(p.match(joined) for p in rules.paragraph) or len(joined) > 250:
            ended = True  # the text has begun: only fields from here on
            for i in block:
                _line_fields(" ".join(lines[i].split()), rules, header, bare)
            continue
        previous = ""
        for i in block:
            line = " ".join(lines[i].split()).lstrip("#").strip()
            answers = bool(pending)  # this line holds the value of the label above it
            key_value = _KEY_VALUE.match(line) and not _NAMED_TOPIC.match(line)
            # "Humber and North Yorkshire Health and Care Partnership" is one body, not three people
            people = _authors(line) and not names.looks_like_organisation(line)
            if _line_fields(line, rules, header, bare, pending) or people or key_value:
                kinds[i] = "byline"
                if previous == "heading" and len([k for k in kinds.values() if k == "heading"]) > 1:
                    kinds[i - 1] = "byline"  # "Policy team" over its date: an author, not a title
            elif rules.document_titles.match(line):
                kinds[i] = "heading"  # "Minutes of the meeting held on 4 May 2023": a title, dated
                if _MONTH_DATE.search(line):
                    loose.append(parse_date(line))
            elif _MONTH_DATE.search(line):
                kinds[i] = "byline"  # "Prepared for a project digest, June 2022"
            elif any(p.match(line) for p in rules.furniture):
                kinds[i] = "furniture"
            elif _CRUMB.search(line) or _PARTS.search(line):
                kinds[i] = "crumb"
                if _CRUMB.search(line):  # a breadcrumb: its first step is the site
                    steps = [_CRUMB.split(line)[0].strip()]
                else:  # "NICE | National Institute for Health and Care Excellence": each part may be the site
                    steps = [p.strip() for p in _PARTS.split(line)]
                named = [s for s in steps if s and not any(p.match(s) for p in rules.furniture)]
                if named:
                    crumbs[i] = named
            elif previous == "byline":
                kinds[i] = "byline"  # a by-line that runs on
            elif previous == "heading" and len(" ".join(lines[i - 1].split())) >= rules.wrap_length:
                kinds[i] = "continued"  # a title that runs on
            elif names.looks_like_organisation(line):
                kinds[i] = "organisation"
            else:
                kinds[i] = "heading"
            labelled = answers or any(_date_label(p.strip(), rules) for p in _PARTS.split(line))
            if kinds[i] == "byline" and _MONTH_DATE.search(line) and not labelled:
                loose.append(parse_date(line))
                # "Riverside Council, 2 May 2024": a body's name beside the date may be the publisher
                signed += [part for part in _BYLINE_PARTS.split(line) if names.looks_like_organisation(part)]
            previous = kinds[i] if kinds[i] != "continued" else "heading"
    for i in bottom:
        if i not in kinds:
            _line_fields(" ".join(lines[i].split()), rules, header, bare)
    signatory = _signatory(lines, bottom, rules, names.looks_like_organisation)
    if header.issued is None and (bare or any(loose)):
        header.issued = bare[0] if bare else next(d for d in loose if d)
    if header.issued is None:
        header.issued = header.copyright_year

    headings = [i for i in sorted(kinds) if kinds[i] == "heading"]
    chosen: int | None
    whole = [i for i in headings if rules.document_titles.match(" ".join(lines[i].split()))]
    if whole:  # "Annual report and accounts 2022/23" above "Performance report: overview"
        chosen = whole[0]
    elif headings:
        after = [i for i in sorted(kinds) if kinds[i] == "byline" and i > headings[0]]
        chosen = max(i for i in headings if i < after[0]) if after else headings[0]
    else:
        organisations = [i for i in sorted(kinds) if kinds[i] == "organisation"]
        # a body's name is the title only when nothing else is: not beside a labelled title
        chosen = organisations[-1] if organisations and not header.labelled_title else None
    if chosen is not None:
        title = " ".join(lines[chosen].split()).lstrip("#").strip()
        following = chosen + 1
        while kinds.get(following) == "continued":
            title += " " + " ".join(lines[following].split())
            following += 1
        header.title, header.title_index = (header.labelled_title or title), chosen
        above = []  # names above the title, in the order of the page, then bodies named below it
        for i in sorted(kinds):
            if i < chosen and kinds[i] in ("organisation", "heading"):
                above.append(" ".join(lines[i].split()))
            elif i < chosen and i in crumbs:
                above += crumbs[i]
        above += [" ".join(lines[i].split()) for i in sorted(kinds) if i > chosen and kinds[i] == "organisation"]
        above += [name for i in sorted(crumbs) if i > chosen for name in crumbs[i]]
        header.candidates += above
    else:
        header.title = header.labelled_title
        header.candidates += [" ".join(lines[i].split()) for i in sorted(kinds) if kinds[i] == "organisation"]
        header.candidates += [name for i in sorted(crumbs) for name in crumbs[i]]
    header.candidates += signed
    if signatory:
        header.candidates.append(signatory)
    # "Internet Engineering Task Force (IETF)": the name without the acronym it defines
    header.candidates = [_ACRONYM_AFTER.sub("", c) for c in header.candidates]
    return header


def choose_publisher(
    candidates: list[str], known: Callable[[str], bool], looks_like: Callable[[str], bool] | None = None
) -> str | None:
    """The publisher among the names above a title: a known one first, else one shaped like a body's name.

    "NHS England and NHS Improvement" gives "NHS England"; "Department for Work
    and Pensions and Department of Health" gives "Department for Work and Pensions".
    """
    looks_like = looks_like or name_finder().looks_like_organisation
    split = [first_of(c, known, looks_like) for c in candidates]
    for name in split:
        if known(name):
            return name
    shaped = next((name for name in split if looks_like(name)), None)
    # else a short name in capitals standing above the title ("Alberta Health")
    return shaped or next((n for n in split if len(n.split()) <= 6 and all(w[:1].isupper() for w in n.split())), None)


def first_of(name: str, known: Callable[[str], bool], looks_like: Callable[[str], bool]) -> str:
    """The first of several bodies joined by "and", when each side is a body's name.

    >>> first_of("NHS Kent and Medway Integrated Care Board", lambda n: False, name_finder().looks_like_organisation)
    'NHS Kent and Medway Integrated Care Board'
    """
    parts = name.split(" and ")
    for k in range(len(parts) - 1, 0, -1):  # the longest first name that is followed by another
        left, right = " and ".join(parts[:k]), " and ".join(parts[k:])
        starts_a_name = right[:1].isupper() and (
            known(right)
            or looks_like(right)
            or bool(name_finder().kind_of(right.split()[0]))
            or right.startswith("NHS")
        )
        # a left side with no head noun of its own joins two places: "NHS Kent and Medway Integrated Care Board"
        if (known(left) or (looks_like(left) and name_finder().kind_of(left))) and starts_a_name:
            return left
    return name


# ---------------------------------------------------------------------- file metadata


def html_metadata(html: str) -> dict[str, str]:
    """issued, modified, publisher and title from <meta>, Open Graph and JSON-LD, by the keys in metadata.toml."""
    import lxml.html

    rules = load_header_rules()
    try:
        root = lxml.html.fromstring(html)
    except Exception:  # a page lxml cannot read has no metadata to give
        return {}
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            values.setdefault(key, content)
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []:
            if not isinstance(item, dict):
                continue
            for key, value in item.items():
                if isinstance(value, str):
                    values.setdefault(key.lower(), value.strip())
                elif isinstance(value, dict) and isinstance(value.get("name"), str):
                    values.setdefault(f"{key.lower()}.name", value["name"].strip())
    found = {}
    for name, keys in rules.html.items():
        value = next((values[k] for k in keys if values.get(k)), None)
        if value:
            found[name] = value
    if "publisher" not in found:  # "New support for carers | Riverside Council": the site's name after the title
        site = _site_name(root.findtext(".//title") or "")
        if site:
            found["publisher"] = site
    return found


_BYLINE_PARTS = re.compile(r"\s*(?:[,|·•]|\s[–—-]\s)\s*")
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s*[|]\s*")


def _site_name(title: str) -> str | None:
    """The last part of a page title split at "|", "–" or " - ", if it is the name of a body."""
    parts = [p.strip() for p in _TITLE_PARTS.split(" ".join(title.split())) if p.strip()]
    if len(parts) < 2:
        return None
    return parts[-1] if name_finder().looks_like_organisation(parts[-1]) else None


def pdf_metadata(info: dict[str, str]) -> dict[str, str]:
    """issued, modified, title and publisher from a PDF's document information (/CreationDate, /ModDate ...)."""
    found = {}
    for key, name in (("/CreationDate", "issued"), ("/ModDate", "modified")):
        match = re.match(r"^D?:?(\d{4})(\d{2})?(\d{2})?", info.get(key, ""))
        if match:
            found[name] = "-".join(g for g in match.groups() if g)
    if info.get("/Title", "").strip():
        found["title"] = info["/Title"].strip()
    author = info.get("/Author", "").strip()
    if author and name_finder().looks_like_organisation(author):
        found["publisher"] = author
    return found
