"""Dates as UK library staff write them, kept exactly as precise as written.

"August 2017" is a month, not the first of August; "6.9.17" is 6 September
2017 (day first, always). Each parsed date knows its XSD datatype.

>>> parse_date("6.9.17")
PartialDate(value='2017-09-06', datatype='date')
>>> parse_date("August 2017")
PartialDate(value='2017-08', datatype='gYearMonth')
>>> parse_date("Various") is None
True

Stored dates come back as ISO text of the same precision; these order and show them:

>>> sorted(["2018-02", "2018", "2017-12-31"], key=date_sort_key)
['2017-12-31', '2018', '2018-02']
>>> format_date("2017-03"), format_date("2022-07-01"), format_date("2018")
('March 2017', '1 July 2022', '2018')
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"

_PATTERNS = [
    # 2017-08-17, 2017-08, 2017
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    # 17/08/2017, 6.9.17, 6-9-2017
    (re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)"), "dmy"),
    # 1 July 2022, 1st July 2022
    (re.compile(r"(\d{1,2})" + _ORD + r"\s+" + _MONTH + r",?\s+(\d{4})", re.I), "d_month_y"),
    # July 1, 2022
    (re.compile(_MONTH + r"\s+(\d{1,2})" + _ORD + r",?\s+(\d{4})", re.I), "month_d_y"),
    # August 2017
    (re.compile(_MONTH + r",?\s+(\d{4})", re.I), "month_y"),
    (re.compile(r"(\d{4})-(\d{1,2})(?!\d)"), "ym"),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)"), "y"),
]


@dataclass(frozen=True)
class PartialDate:
    """A date with its precision: value in ISO form, datatype an XSD local name."""

    value: str
    datatype: str  #: "date", "gYearMonth" or "gYear"

    @property
    def xsd(self) -> str:
        return "http://www.w3.org/2001/XMLSchema#" + self.datatype


def _full_year(year: str) -> int:
    number = int(year)
    if len(year) == 2:
        number += 2000 if number < 70 else 1900
    return number


def _make(year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
    try:
        if day is not None:
            return PartialDate(_dt.date(year, month, day).isoformat(), "date") if month is not None else None
        if month is not None:
            _dt.date(year, month, 1)
            return PartialDate(f"{year:04d}-{month:02d}", "gYearMonth")
        return PartialDate(f"{year:04d}", "gYear")
    except ValueError:
        return None


_DIGIT = re.compile(r"\d")
_MONTH_KINDS = frozenset({"d_month_y", "month_d_y", "month_y"})
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_date(text: str) -> PartialDate | None:
    """The first date in ``text``, as precise as written, or None.

    Every form holds a digit, and the month forms a month's first three letters:
    a text without them is passed over before any of the patterns is tried.
    """
    if not _DIGIT.search(text):
        return None
    lower = text.lower()
    months = any(stem in lower for stem in _MONTH_STEMS)
    for pattern, kind in _PATTERNS:
        if kind in _MONTH_KINDS and not months:
            continue
        match = pattern.search(text)
        if not match:
            continue
        g = match.groups()
        if kind == "ymd":
            found = _make(int(g[0]), int(g[1]), int(g[2]))
        elif kind == "dmy":
            found = _make(_full_year(g[2]), int(g[1]), int(g[0]))
        elif kind == "d_month_y":
            found = _make(int(g[2]), MONTHS[g[1].lower()], int(g[0]))
        elif kind == "month_d_y":
            found = _make(int(g[2]), MONTHS[g[0].lower()], int(g[1]))
        elif kind == "month_y":
            found = _make(int(g[1]), MONTHS[g[0].lower()])
        elif kind == "ym":
            found = _make(int(g[0]), int(g[1]))
        else:
            found = _make(int(g[0]))
        return found  # a date that does not exist (31/02) is no date, not a year
    return None


def date_sort_key(value: str | None) -> str:
    """``2018`` → ``2018-00-00``: a year sorts before its months, a month before its days; none sorts last."""
    if not value:
        return "9999-99-99"
    parts = (value[:10].split("-") + ["00", "00"])[:3]
    return "-".join(p.zfill(2) for p in parts)


def first_day(written: str) -> str:
    """A date written as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the day it starts on (ISO text).

    The one rule for the day a year or month stands for: ``kg stats`` counts review dates by it, and the
    store keeps it beside each issue and review date as an ``xsd:date`` (:mod:`kg.graph.days`).

    >>> first_day("2026"), first_day("2026-12"), first_day("2026-12-24")
    ('2026-01-01', '2026-12-01', '2026-12-24')
    """
    return (written + "0000-01-01"[len(written) :])[:10] if len(written) < 10 else written[:10]


def format_date(value: str | None) -> str:
    """``2017-03`` → ``March 2017``; ``2022-07-01`` → ``1 July 2022``; anything else as written."""
    if not value:
        return ""
    match = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        return value
    year, month, day = match.groups()
    if month and 1 <= int(month) <= 12:
        if day:
            return f"{int(day)} {MONTH_NAMES[int(month) - 1]} {year}"
        return f"{MONTH_NAMES[int(month) - 1]} {year}"
    return year


def year_of(value: str | None) -> str:
    return value[:4] if value and re.match(r"^\d{4}", value) else ""
