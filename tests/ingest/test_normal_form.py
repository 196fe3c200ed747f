"""The fast normal form gives what the one-rule-per-character definition gives, offsets included."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg.ingest.labels import Normalised, normalise, normalise_both

ROOT = Path(__file__).resolve().parents[2]


def by_character(text: str, fold_case: bool = True) -> Normalised:
    """The definition, one character at a time: letters, digits and "&" kept, apostrophes dropped, the rest a space."""
    from kg.ingest.labels import _BRITISH, _DROP

    out: list[str] = []
    offsets: list[int] = []
    pending = False
    for index, ch in enumerate(text):
        if ch in _DROP:
            continue
        if ch.isalnum() or ch == "&":
            if pending and out:
                out.append(" ")
                offsets.append(index - 1)
            pending = False
            for part in ch.lower() if fold_case else ch:  # "İ" lowers to "i" and a combining dot: letters only
                if part.isalnum() or part == "&":
                    out.append(part)
                    offsets.append(index)
        else:
            pending = True
    folded = "".join(out)
    return Normalised(_BRITISH.sub("iz", folded) if fold_case else folded, offsets)


TRICKY = [
    "",
    "King's Fund",
    "a ' b",
    "a 'b’c",
    "snake_case_name",
    "_leading and trailing_",
    "Health & Care Act",
    "organised, organising; realisation",
    "ΣΟΦΟΣ Σ",  # final sigma: lower-cased one letter at a time
    "İstanbul",  # one capital, two letters in lower case
    "café ½ ²",
    "  \n\t",
    "NHS–ICB—STP",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("fold_case", [True, False])
def test_tricky_strings(text: str, fold_case: bool) -> None:
    assert normalise(text, fold_case) == by_character(text, fold_case)


def test_random_strings_and_both_forms() -> None:
    alphabet = "aZ9 _-&'’‘`´\n\tİΣσé²½ß.,ﬁ"
    rnd = random.Random(12)
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24)))
        assert normalise(text) == by_character(text)
        assert normalise(text, False) == by_character(text, False)
        assert normalise_both(text) == (by_character(text), by_character(text, False))


def test_project_texts() -> None:
    files = [p for d in ("data/sample", "data/eval/texts") for p in sorted((ROOT / d).glob("*")) if p.is_file()]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert normalise_both(text) == (by_character(text), by_character(text, False)), path.name
