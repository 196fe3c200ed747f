"""How names are compared: one normal form for labels and for running text.

Both sides go through :func:`normalise`, which keeps a map from every
character of the normal form back to the original text, so a match in the
normal form is still a precise span of the document.

>>> normalise("Multi-specialty Community Providers’").text
'multi specialty community providers'
>>> is_acronym("STP"), is_acronym("DoH"), is_acronym("Monitor")
(True, True, False)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

_DROP = set("'’‘`´")  # apostrophes vanish: King's = Kings
#: A run of word characters, "&" and apostrophes; "_" is a word character but a separator here.
#: The first alternative takes a whole run of plain ASCII letters, digits and "&".
_RUN = re.compile(r"([A-Za-z0-9&]+)(?![\w&'’‘`´])|[\w&'’‘`´]+")
_BRITISH = re.compile(r"(?<=[a-z]{2})is(?=(e|ed|es|ing|ation|ations|ational)\b)")
#: Word prefixes that writers join, hyphenate or space at will.
_PREFIXES = ("multi", "inter", "cross", "semi", "non")
#: The fast path: runs of plain letters, digits and "&", in a text whose other characters are all separators
#: or apostrophes (ASCII, curly quotes, dashes, no accented letters).
_PLAIN = re.compile(r"[A-Za-z0-9&]+")
_APOSTROPHES = re.compile("[" + re.escape("".join(sorted(_DROP))) + "]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True)
class _Runs:
    """Where each run of the normal form stands in the original, for texts of the fast path.

    The normal form is the runs joined by one space. ``starts[k]`` is where run
    ``k`` starts in the text with its apostrophes taken out, ``shifts`` where
    (in that text) each taken-out apostrophe stood, so an index of the normal
    form maps back to the original by two binary searches instead of a list
    with one number per character.
    """

    starts: list[int]  #: in the text without apostrophes
    lengths: list[int]
    begins: list[int]  #: where run k begins in the normal form
    shifts: list[int]  #: apostrophe k stood before index shifts[k] of the text without apostrophes

    def original(self, j: int) -> int:
        """Index in the original of index ``j`` of the text without apostrophes."""
        return j + bisect_right(self.shifts, j) if self.shifts else j

    def at(self, i: int) -> int:
        """Index in the original of character ``i`` of the normal form (a space: the character before the next run)."""
        k = bisect_right(self.begins, i) - 1
        inside = i - self.begins[k]
        if inside < self.lengths[k]:
            return self.original(self.starts[k] + inside)
        return self.original(self.starts[k + 1]) - 1

    def offsets(self, size: int) -> list[int]:
        return [self.at(i) for i in range(size)]


@dataclass(frozen=True, eq=False)
class Normalised:
    text: str
    #: offsets[i] is the index in the original of text[i] (made on first use when ``runs`` is given)
    _offsets: list[int] | None = None
    runs: _Runs | None = field(default=None, repr=False)

    @property
    def offsets(self) -> list[int]:
        if self._offsets is None:
            object.__setattr__(self, "_offsets", self.runs.offsets(len(self.text)) if self.runs else [])
        return self._offsets  # type: ignore[return-value]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normal-form slice [start, end)."""
        if self._offsets is None and self.runs is not None:
            return self.runs.at(start), self.runs.at(end - 1) + 1
        return self.offsets[start], self.offsets[end - 1] + 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Normalised) and self.text == other.text and self.offsets == other.offsets

    __hash__ = None  # type: ignore[assignment]


def _fast(text: str, fold_case: bool) -> Normalised | None:
    """The normal form by whole-text regular expressions, when every non-ASCII character is a separator."""
    if not text.isascii() and any(ch.isalnum() for ch in set(_NON_ASCII.findall(text))):
        return None
    drops = [m.start() for m in _APOSTROPHES.finditer(text)]
    plain = _APOSTROPHES.sub("", text) if drops else text
    matches = list(_PLAIN.finditer(plain))
    if not matches:
        return Normalised("", [])
    pieces = [m.group() for m in matches]
    lengths = [len(p) for p in pieces]
    begins = [0, *accumulate(n + 1 for n in lengths[:-1])]
    shifts = [d - k for k, d in enumerate(drops)]
    joined = " ".join(pieces)
    if fold_case:
        joined = _BRITISH.sub("iz", joined.lower())
    return Normalised(joined, None, _Runs([m.start() for m in matches], lengths, begins, shifts))


def normalise(text: str, fold_case: bool = True) -> Normalised:
    """Letters and digits kept (lower-cased if ``fold_case``), every other run one space.

    Most texts are plain letters, digits, apostrophes and separators: those are
    read by whole-text regular expressions, and the map back to the original
    is kept per run of letters, not per character (:class:`_Runs`). Any other
    text is worked a run of word characters at a time: a plain ASCII run is
    copied and lower-cased whole, any other (apostrophes, "_", other scripts)
    character by character, so the result is that of the one rule per character.
    """
    quick = _fast(text, fold_case)
    if quick is not None:
        return quick
    out: list[str] = []
    offsets: list[int] = []
    for run in _RUN.finditer(text):
        piece, start = run.group(), run.start()
        if run.lastindex:
            if out:
                out.append(" ")
                offsets.append(start - 1)
            out.append(piece.lower() if fold_case else piece)
            offsets.extend(range(start, run.end()))
            continue
        pending_space = True  # a run follows a separator (or the start, where no space is written)
        for index, ch in enumerate(piece, start):
            if ch in _DROP:
                continue
            if ch == "_":
                pending_space = True
                continue
            if pending_space and out:
                out.append(" ")
                offsets.append(index - 1)
            pending_space = False
            # one character can lower to two ("İ" to "i" and a combining dot): keep its letters, each mapped back
            for part in ch.lower() if fold_case else ch:
                if part.isalnum() or part == "&":
                    out.append(part)
                    offsets.append(index)
    folded = "".join(out)
    if fold_case:
        folded = _BRITISH.sub("iz", folded)  # same length, so offsets still hold
    return Normalised(folded, offsets)


def normalise_both(text: str) -> tuple[Normalised, Normalised]:
    """``(normalise(text), normalise(text, fold_case=False))``, reading the text once when it allows.

    Folding case changes one character into one whenever the kept text is
    ASCII, so the folded form is then the cased one lower-cased, on the same
    offsets; any other text is read twice.
    """
    cased = normalise(text, fold_case=False)
    if not cased.text.isascii():
        return normalise(text), cased
    return Normalised(_BRITISH.sub("iz", cased.text.lower()), cased._offsets, cased.runs), cased


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """The normal form alone, for comparing two names."""
    return normalise(text).text


def is_acronym(label: str) -> bool:
    """Acronyms (STP, NHSI, DoH, NHS TDA) are matched case-sensitively."""
    words = label.split()
    return all(sum(c.isupper() for c in w) >= 2 or (w.isupper() and len(w) > 1) or w.isdigit() for w in words) and any(
        sum(c.isupper() for c in w) >= 2 for w in words
    )


def is_case_sensitive(label: str) -> bool:
    """Acronyms and single capitalised words ("Monitor") keep their case."""
    return is_acronym(label) or (" " not in label.strip() and "-" not in label and label[:1].isupper())


def variants(label: str) -> set[str]:
    """Normal forms of a label under the spelling changes writers make.

    >>> sorted(variants("Multispecialty Community Provider"))
    ['multi specialty community provider', 'multispecialty community provider']
    """
    base = norm(label)
    forms = {base, base.replace("programme", "program"), base.replace("program ", "programme ")}
    if base.endswith("program"):
        forms.add(base + "me")
    joined = norm(label.replace("-", ""))
    forms.add(joined)
    forms |= {f.replace(" and ", " & ") for f in forms if " and " in f}
    for form in list(forms):
        words = form.split()
        for i, word in enumerate(words):
            for prefix in _PREFIXES:
                if word.startswith(prefix) and len(word) >= len(prefix) + 4:
                    forms.add(" ".join(words[:i] + [prefix, word[len(prefix) :]] + words[i + 1 :]))
        if form.endswith("y") and len(form) > 3:
            forms.add(form[:-1] + "ies")
    return {f for f in forms if f}


@lru_cache(maxsize=16384)
def slug(text: str, limit: int = 60) -> str:
    """The IRI-safe local name of a label: lower case, apostrophes dropped, hyphens between words."""
    text = "".join(ch for ch in text if ch not in _DROP).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-") or "untitled"


def rules() -> dict[str, str]:
    """:func:`normalise`'s rules as data, for the offline pages' scripts (one source of truth).

    >>> rules()["british"] == _BRITISH.pattern
    True
    """
    return {"drop": "".join(sorted(_DROP)), "keep": "&", "british": _BRITISH.pattern, "britishTo": "iz"}
