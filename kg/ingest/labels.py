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
from dataclasses import dataclass

_DROP = set("'’‘`´")  # apostrophes vanish: King's = Kings
#: A run of word characters, "&" and apostrophes; "_" is a word character but a separator here.
#: The first alternative takes a whole run of plain ASCII letters, digits and "&".
_RUN = re.compile(r"([A-Za-z0-9&]+)(?![\w&'’‘`´])|[\w&'’‘`´]+")
_BRITISH = re.compile(r"(?<=[a-z]{2})is(?=(e|ed|es|ing|ation|ations|ational)\b)")
#: Word prefixes that writers join, hyphenate or space at will.
_PREFIXES = ("multi", "inter", "cross", "semi", "non")


@dataclass(frozen=True)
class Normalised:
    text: str
    offsets: list[int]  #: offsets[i] is the index in the original of text[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normal-form slice [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1


def normalise(text: str, fold_case: bool = True) -> Normalised:
    """Letters and digits kept (lower-cased if ``fold_case``), every other run one space.

    Works a run of word characters at a time: a plain ASCII run is copied and
    lower-cased whole, any other (apostrophes, "_", other scripts) character
    by character, so the result is that of the one rule per character.
    """
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
    return Normalised(_BRITISH.sub("iz", cased.text.lower()), cased.offsets), cased


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
