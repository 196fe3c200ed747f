"""How the pages show the words a statement was read from: whole words, the sentence around them.

A stored quote (:class:`kg.web.readmodel.Quote`) has the words themselves and a few characters before
and after, cut wherever the character count fell, often mid-word. The pages show:

* of the text before, only what belongs to the quote's own sentence (after the last sentence end or
  list bullet), else from the first whole word, with an ellipsis;
* of the text after, up to the end of the quote's sentence, else to the last whole word, with an ellipsis;
* text that does not read as a sentence (:func:`is_sentence`: too long, list bullets or stray list
  numbers inside, no sentence end and no finite verb) as a *fragment*: a few words around the names
  it mentions, never in quotation marks.

The thresholds and the finite verbs are data: ``kg/web/evidence.toml``.

>>> before("sion and NHS Improvement. During ", starts_text=False)
('During ', False)
>>> before("released a draft contract for ", starts_text=False)
('a draft contract for ', True)
>>> after(", in the English sense, is one p")
(', in the English sense, is one', True)
>>> after(" and more. Next sentence")
(' and more.', False)
>>> before("services and hospitals. ")
('', False)
>>> after(" The new model", ended=True)
('', False)
>>> is_sentence("NHS England renamed the model in 2018.")
True
>>> is_sentence("Key features of the driver")
False
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from kg import resources

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rules:
    max_words: int
    max_bullets: int
    max_line_breaks: int
    max_stray_markers: int
    fragment_words: int
    sentence_ends: str
    bullets: str
    finite_verbs: frozenset[str]

    @property
    def boundary(self) -> re.Pattern[str]:
        """A sentence end (with any closing quote or bracket) followed by space, or a list bullet."""
        ends, bullets = re.escape(self.sentence_ends), re.escape(self.bullets)
        return re.compile(rf"[{ends}][\"'’”)\]]*\s+(?=[A-Z0-9\"'‘“(]|[{bullets}]|$)|\s*[{bullets}]\s*")


@cache
def rules() -> Rules:
    """The rules of ``kg/web/evidence.toml``."""
    spec = tomllib.loads(resources.web_dir("evidence.toml").read_text(encoding="utf-8"))["sentence"]
    return Rules(
        max_words=int(spec["max_words"]),
        max_bullets=int(spec["max_bullets"]),
        max_line_breaks=int(spec["max_line_breaks"]),
        max_stray_markers=int(spec["max_stray_markers"]),
        fragment_words=int(spec["fragment_words"]),
        sentence_ends=str(spec["sentence_ends"]),
        bullets=str(spec["bullets"]),
        finite_verbs=frozenset(str(v).lower() for v in spec["finite_verbs"]),
    )


@cache
def _boundary() -> re.Pattern[str]:
    return rules().boundary


def squash(text: str) -> str:
    return _SPACE.sub(" ", text or "")


def before(prefix: str, starts_text: bool = False) -> tuple[str, bool]:
    """The end of ``prefix`` that is in the quote's sentence, and whether it was cut short (an ellipsis).

    ``starts_text``: the prefix begins where the document does, so its first word is whole.
    """
    text = squash(prefix)
    ends = list(_boundary().finditer(text))
    if ends:
        return text[ends[-1].end() :], False
    if starts_text:
        return text.lstrip(), False
    space = text.find(" ")
    if space < 0:
        return "", bool(text)
    return text[space + 1 :], True


def after(suffix: str, ended: bool = False) -> tuple[str, bool]:
    """The start of ``suffix`` up to the end of the quote's sentence, and whether it was cut short.

    ``ended``: the quote itself ends its sentence, so nothing of the next one is shown."""
    text = squash(suffix)
    if ended or not text.strip():
        return "", False
    end = _boundary().search(text)
    if end is not None:
        kept = text[: end.start()] + text[end.start() : end.end()].rstrip()
        kept = re.sub(rf"\s*[{re.escape(rules().bullets)}]$", "", kept)
        return kept, False
    space = text.rfind(" ")
    if space <= 0:
        return "", True
    return text[:space], True


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_STRAY = re.compile(r"(?<=\s)(?:\d{1,2}|[b-hj-zB-HJ-Z])(?=\s)")


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a sentence end (a closing quote or bracket may follow it)."""
    return squash(text).strip().rstrip("\"'’”)]").endswith(tuple(rules().sentence_ends))


def is_sentence(text: str) -> bool:
    """Whether ``text`` reads as a sentence rather than a fragment (see ``kg/web/evidence.toml``)."""
    r = rules()
    if text.count("\n") > r.max_line_breaks:
        return False
    flat = squash(text).strip()
    words = flat.split(" ")
    if len(words) > r.max_words:
        return False
    if sum(flat.count(b) for b in r.bullets) > r.max_bullets:
        return False
    if len(_STRAY.findall(f" {flat} ")) > r.max_stray_markers:
        return False
    ended = ends_sentence(flat)
    has_verb = any(w.lower() in r.finite_verbs for w in _WORD.findall(flat))
    return ended or has_verb


def fragment(exact: str, marks: Sequence[tuple[int, int]]) -> tuple[bool, list[tuple[str, bool]], bool]:
    """A few words of ``exact`` around its first marked span: (cut before, [(text, marked)], cut after)."""
    n = rules().fragment_words
    if not marks:
        words = squash(exact).strip().split(" ")
        return False, [(" ".join(words[: 2 * n]), False)], len(words) > 2 * n
    a, b = sorted(marks)[0]
    head, body, tail = squash(exact[:a]), squash(exact[a:b]), squash(exact[b:])
    head_words, tail_words = head.split(), tail.split()
    kept_head = " ".join(head_words[-n:]) + (" " if head.endswith(" ") and head_words else "")
    kept_tail = (" " if tail.startswith(" ") and tail_words else "") + " ".join(tail_words[:n])
    return len(head_words) > n, [(kept_head, False), (body, True), (kept_tail, False)], len(tail_words) > n
