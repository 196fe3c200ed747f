"""Stage 3b (continued), cues: relations from a cue lexicon and a shallow grammar.

The lexicon is data (``data/patterns/cues.toml``): for each predicate, the
verbs (as lemmas; their forms are made here), nouns, prepositions and
fixed phrases that say it, with the direction each one gives. The grammar
is here, stated once for every cue:

* **lists**: entities joined by commas, "and", "or", "as well as" are one
  side of the relation ("X brought together Y and Z");
* **voice**: "X replaced Y" and "Y was replaced by X" (or "Y, replaced by
  X") give the same triple; a cue may name its agent prepositions ("set up
  *under* the Act", "made up *of*");
* **relative clauses and asides**: "X, which replaced Y," and "X, set up in
  2013, replaced Y" keep X as the subject;
* **apposition and brackets**: "X (formerly Y)", "X, the successor to Y";
* **negation and modality**: a negated cue ("will not replace", "never
  became") gives no relation; a hedged one ("might become", "could evolve
  into", "is proposed to replace") gives the relation marked ``hedged``;
* **anaphora**: entities standing for "it", "the new body" are resolved
  before (see :mod:`kg.ingest.relations`), so cues see them as entities.

A clause is worked on as its *skeleton*: the text with each entity as
``⟨i⟩``. Each cue becomes one or two regular expressions over the
skeleton, built from the templates below; a trigger scan finds which cues
a sentence can use, so a sentence is matched only against those.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import VocabularyError
from kg.ingest.programs import Program, program, rebuild

_TOKEN = re.compile(r"⟨(\d+)⟩")
_WORDS = re.compile(r"[\w’'.-]+")

#: "⟨1⟩, an executive agency of the ": an entity, then a role of it, ending where the entity it is "of" starts
_ROLE_OF = re.compile(r"⟨(\d+)⟩\s*,\s*(?:an?|the)\s+(?:[\w’'-]+\s+){1,4}?of\s+(?:the\s+)?$", re.I)
#: "and" between a subject and its verb ("⟨2⟩ and took over")
_AND = re.compile(r"\band\b", re.I)
#: a sentence opening with a noun in lower case and "of" before the entity: that noun is the subject
#: ("The costs of ⟨1⟩ were ..."); "the functions of" and the like are read by the frames that name them, and
#: a number ("a number of", "most of", "a group of") tells of the entity itself
_NOT_A_SUBJECT_NOUN = (
    r"(?:a|an|the|functions|duties|responsibilities|powers|roles?|work|remit|number|majority|most|many|some|all"
    r"|each|both|several|one|two|three|four|five|half|group|set|handful|series|range|none)\b"
)
_NOUN_OF = re.compile(
    rf"^\W*(?:(?:the|a|an)\s+)?(?!{_NOT_A_SUBJECT_NOUN})[a-z][\w’'-]*(?:\s+(?!{_NOT_A_SUBJECT_NOUN})[a-z][\w’'-]*)?"
    r"\s+of\s+(?:the\s+)?$",
    re.I,
)
#: "⟩ that it", "⟩ they": a pronoun after an entity, before a verb in the past with nothing after it but the
#: clause's end or a time ("the ⟨2⟩ it replaced in 2022."), so the entity is that verb's object
_PRONOUN_RELATIVE = re.compile(
    r"(?<=⟩)(?:\s+(?:that|which))?\s+(?:it|they)(?=\s+[a-z][a-z-]+ed(?:\s+(?:in|on|during|from)\s+(?:the\s+)?[a-z0-9][\w-]*)?\s*(?:[.;,)]|$))",
    re.I,
)
#: a verb's object ends here: "⟨1⟩ replaced the " (an entity, then a few words in lower case, then the list)
_OBJECT_BEFORE = re.compile(r"⟩\s+[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){0,3}\s+$")
#: "⟩ was set up in 2009, replacing": the words between an entity and a clause of an -ing form after a comma
_PARTICIPLE = re.compile(r"(?<=⟩)[^⟨⟩.;:,]{1,80}+,\s+(?=[a-z][a-z-]+ing\b)")
#: the words between an aside's commas: any but an entity, or a phrase naming one that is no clause
#: ("the regulator of ⟨2⟩", not "a body that will support ⟨2⟩": its verb may go on after the comma)
_CLAUSE_WORDS = (
    r"that|which|who|whom|whose|where|when|will|would|shall|can|could|may|might|must|is|are|was|were|has|have|had"
)
#: (possessive: giving characters back cannot bring a comma nearer, so a failure fails at once; the second
#: form goes a word at a time, so it looks for the clause words only where a word starts)
_NAMING_ASIDE = rf"(?:[^⟨⟩;:,()]{{1,60}}+|(?:(?!(?:{_CLAUSE_WORDS})\b)[\w’'-]+|[^\w⟨⟩;:,()]+|⟨\d+⟩){{1,24}}+)"


@dataclass(frozen=True)
class CueMatch:
    """Subjects and objects (token numbers) a cue relates in one skeleton."""

    subjects: tuple[int, ...]
    predicate: str
    objects: tuple[int, ...]
    cue: str  #: the cue entry's name
    mechanisms: tuple[str, ...]  #: grammar that took part: active, passive, relative-clause, list ...
    modality: str = ""  #: "" (asserted) or "hedged"
    #: (subjects, objects) as the words read them when the first reading's kinds allow no relation
    fallback: tuple[tuple[int, ...], tuple[int, ...]] | None = None


@dataclass
class _Compiled:
    name: str
    predicate: str
    pattern: str  #: compiled (case-insensitive) on first use: most runs need only some of the cues
    mechanism: str  #: active, passive, passive-direct, marker, frame
    swap: bool  #: True when group A of the regex is the object
    subject_kinds: frozenset[str] = frozenset()
    object_kinds: frozenset[str] = frozenset()
    _regex: re.Pattern | None = field(default=None, repr=False, compare=False)
    _program: Program | None = field(default=None, repr=False, compare=False)

    @property
    def regex(self) -> re.Pattern:
        if self._regex is None:
            self._regex = rebuild(self.pattern, re.I, self._program)
            self._program = None
        return self._regex

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for the ingest workers) with its compiled program, made here once, not in every worker."""
        if self._program is None and self._regex is None:
            self._program = program(self.pattern, re.I)
        state = dict(self.__dict__)
        state["_program"] = self._program or program(self.pattern, re.I)
        state["_regex"] = None  # a Pattern pickles as its source: each process would compile it again
        return state


@dataclass
class Cue:
    """One entry of the lexicon, with its example sentences."""

    name: str
    predicate: str
    kind: str  #: verb, marker, frame
    fires: list[tuple[str, tuple[str, str, str]]] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)


def word_alternation(words: Iterable[str]) -> str:
    """One regular expression for a set of words or phrases, factored as a trie so it is tried letter by letter.

    Python's regular expressions try the branches of an alternation one after
    another; with a hundred verb forms that is most of the matching time.
    Longer words come first at each branch point, so "replaced" wins over "replace".
    The same set asked again (a verb's forms serve several patterns) is built once.
    """
    return _alternation(frozenset(w.lower() for w in words if w))


@lru_cache(maxsize=512)
def _alternation(words: frozenset[str]) -> str:
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _from_trie(trie)


_PIECE: dict[str, str] = {" ": r"\s+"}  #: a character as the trie writes it, escaped once


def _from_trie(node: dict) -> str:
    ends = "" in node
    keys = sorted(node)
    if ends:
        keys = keys[1:]  # "" sorts first
    if not keys:
        return ""
    branches = []
    for ch in keys:
        piece = _PIECE.get(ch)
        if piece is None:
            piece = _PIECE[ch] = re.escape(ch)
        branches.append(piece + _from_trie(node[ch]))
    if len(branches) == 1 and not ends:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if ends else body


class Inflector:
    """Forms of an English verb: regular rules plus the irregular table in the data."""

    def __init__(self, irregular: dict[str, list[str]], adverbs: list[str] = ()):  # type: ignore[assignment]
        self.irregular = irregular
        self.adverbs = list(adverbs)  #: words that may follow "is", "are": "are both examples of"

    def forms(self, verb: str) -> dict[str, set[str]]:
        """{"base", "s", "past", "pp", "ing"} -> forms of the first word; the rest of the phrase kept."""
        head, _, rest = verb.partition(" ")
        tail = f" {rest}" if rest else ""
        if head == "be":
            plain = {"is", "are", "was", "were", "be", "been", "being", "’s", "'s"}
            out = plain | {f"{b} {adverb}" for b in plain for adverb in self.adverbs}
            return {k: {f + tail for f in out} for k in ("base", "s", "past", "pp", "ing")}
        if head.endswith("e") and not head.endswith("ee"):
            s, past, ing = head + "s", head + "d", head[:-1] + "ing"
        elif re.search(r"[^aeiou]y$", head):
            s, past, ing = head[:-1] + "ies", head[:-1] + "ied", head + "ing"
        elif re.search(r"(?:s|sh|ch|x|z)$", head):
            s, past, ing = head + "es", head + "ed", head + "ing"
        elif re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", head):
            s, past, ing = head + "s", head + head[-1] + "ed", head + head[-1] + "ing"
        else:
            s, past, ing = head + "s", head + "ed", head + "ing"
        pasts, pps = {past}, {past}
        if head in self.irregular:  # [past, participle] or [past, participle, third person, -ing form]
            given = self.irregular[head]
            pasts, pps = {given[0]}, {given[1]}
            if len(given) > 3:
                s, ing = given[2], given[3]
        table = {"base": {head}, "s": {s}, "past": pasts, "pp": pps, "ing": {ing}}
        return {k: {f + tail for f in v} for k, v in table.items()}


class CueGrammar:
    """The compiled lexicon; :meth:`match` finds every cue relation in one skeleton."""

    def __init__(self, path: Path):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        grammar = spec["grammar"]
        self.inflector = Inflector({k: list(v) for k, v in grammar["irregular"].items()}, grammar.get("adverbs", []))
        # a determiner: a word of the list, a number, or a place's name in capitals ("the ten Greater Manchester ⟨CCGs⟩")
        det = "(?:" + word_alternation(grammar["determiners"]) + r"|\d+|(?-i:[A-Z][a-z]+))"
        self._det = det
        # for what a law introduces, also a provision of it ("made under section 12ZB of the ⟨Act⟩")
        cites = word_alternation(grammar.get("provisions", []))
        provision = rf"(?:{cites})\s*\d+[A-Z]*(?:\(\w+\))*\s+(?:of|to)" if cites else ""
        self._det_law = rf"(?:{det}|{provision})" if provision else det
        self._negation = re.compile(r"\b(?:" + "|".join(grammar["negation"]) + r")\b|n[’']t\b", re.I)
        self._hedge = re.compile(r"\b(?:" + "|".join(grammar["hedges"]) + r")\b", re.I)
        # "the MCP contract published in December 2016 and the PACS framework": a dated aside inside a list
        aside = r"(?:\s+(?:published|issued|introduced|agreed|signed|launched|announced|set\s+up|created|formed|established)\s+(?:in|on|during)\s+[^⟨⟩.;,]{1,30}?)?"
        sep = rf"(?:{aside}[\s'‘’“”\"]*(?:,\s*(?:and|or)\b|,|\band\b|\bor\b|\bas\s+well\s+as\b|\b(?:together|along|jointly)\s+with\b|&|/|\bplus\b)[\s'‘’“”\"]*(?:{det}\s+)*)"
        # a list item may carry a few small words before the next separator ("⟨1⟩ health protection teams, ⟨2⟩")
        tail = r"(?:[’']s)?(?:\s+[a-z][\w-]*){0,3}"
        self.list = rf"(?:⟨\d+⟩(?:(?:{tail})?{sep}⟨\d+⟩)*)"
        # a list item's own aside, which may name an entity that is not an item: "⟨1⟩, originally the regulator of
        # ⟨2⟩, and ⟨3⟩". :meth:`match` takes it out of the skeleton first (one search), so that every cue sees the
        # list "⟨1⟩, and ⟨3⟩" and no cue's pattern carries the aside in each of its lists.
        openers = word_alternation(grammar["aside_openers"])
        self._item_aside = re.compile(
            rf"(?<=⟩)(?>\s*,\s*(?=(?:{openers})\b)(?!(?:{det}\s+)*⟨){_NAMING_ASIDE}(?=,))"
            rf"(?=\s*,\s*(?:(?:and|or)\s+)?(?:{det}\s+)*⟨)",
            re.I,
        )
        #: the list a sentence opens with, after determiners (its subject, for :meth:`_coordinated_subject`)
        self._first_list = re.compile(rf"\W*(?:{det}\s+)*({self.list})", re.I)
        self._rel = r"(?P<rel>\s*,?\s*(?:which|that|who)\b)?"
        # an aside between commas or brackets, or a role before a comma ("the ⟨1⟩ as an independent body, taking over ...");
        # it may name an entity, not first ("⟨1⟩, the regulator of ⟨2⟩, was merged into ...")
        self._aside = rf"(?P<aside>\s*,\s*(?!⟨){_NAMING_ASIDE},|\s*\((?!⟨)(?:[^⟨⟩()]|⟨\d+⟩){{1,60}}\)|\s+as\s+(?:an?|the)\s+[^⟨⟩;:,()]{{1,50}}?(?=\s*,))?(?:\s*,)?"
        # words between a subject and its verb: auxiliaries, modals, adverbs, a date ("was set up in 2013 and")
        between = word_alternation(grammar["between"])
        word = rf"(?:{between}|[a-z]+ly|(?:in|on|of|from|during|since|until|after|before|by|at)\s+(?:[\w’'-]+\s+){{0,2}}?\d{{4}})"
        self._pre = rf"(?P<pre>(?:\s+{word}(?![\w’'-])){{0,6}}?)"
        self._time = r"(?:\s+(?:in|on|from|during|since|at)\s+(?:[\w’'-]+\s+){0,2}?\d{4})?"
        # the role a participle gives its subject before the agent: "set up as an executive agency by",
        # "established in 2012 as ⟨1⟩ under" (then perhaps a date again)
        self._role = rf"(?:\s+as\s+(?:(?:an?|the)\s+)?(?:⟨\d+⟩|[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){{0,3}}?){self._time})?"
        self.cues: list[Cue] = []
        self.compiled: list[_Compiled] = []
        self.triggers: dict[str, set[int]] = {}  #: a word (lower case) -> the compiled entries that need it
        self._at_tokens: set[int] = set()  #: compiled entries whose pattern starts at an entity
        self.reach = int(grammar.get("reach", 200))  #: characters from the first side to the cue's word, at most
        for entry in spec.get("verb", []):
            self._verb(entry)
        for entry in spec.get("marker", []):
            self._marker(entry)
        for entry in spec.get("frame", []):
            self._frame(entry)
        self.mechanisms = [
            Cue(m["name"], "", "mechanism", self._examples(m), list(m.get("silent", [])))
            for m in spec.get("mechanism", [])
        ]
        self._limits = {c.name: (c.subject_kinds, c.object_kinds) for c in self.compiled}
        #: where a word some cue needs may start, in a lower-cased skeleton: one scan finds the few words
        #: :meth:`match` looks up, instead of a lookup for every word of it
        self._trigger_starts = re.compile(r"(?<![\w’'.-])(?:" + word_alternation(self.triggers) + ")")

    # ------------------------------------------------------------------ building

    @staticmethod
    def _examples(entry: dict[str, Any]) -> list[tuple[str, tuple[str, str, str]]]:
        return [(f["text"], (f["triple"][0], f["triple"][1], f["triple"][2])) for f in entry.get("fires", [])]

    _COMMON = {"is", "are", "was", "were", "be", "been", "being", "’s", "'s", "a", "an", "the", "of", "to", "in", "by"}

    def _key(self, form: str) -> str:
        """The word of a cue's form that a sentence must hold for the cue to be tried: its first uncommon word."""
        words = re.findall(r"[\w’'.-]+", form.lower())
        return next(
            (w for w in words if w not in self._COMMON and w not in self.inflector.adverbs), words[0] if words else ""
        )

    def _register(
        self, entry: dict[str, Any], kind: str, regexes: list[tuple[str, str, bool]], triggers: set[str]
    ) -> None:
        self.cues.append(Cue(entry["name"], entry["predicate"], kind, self._examples(entry), list(entry["silent"])))
        keys = {self._key(form) for form in triggers}
        for pattern, mechanism, swap in regexes:
            index = len(self.compiled)
            self.compiled.append(
                _Compiled(
                    entry["name"],
                    entry["predicate"],
                    pattern,
                    mechanism,
                    swap,
                    frozenset(entry.get("subject", [])),
                    frozenset(entry.get("object", [])),
                )
            )
            for key in keys:
                self.triggers.setdefault(key, set()).add(index)
            if pattern.startswith("(?P<"):  # starts at an entity: tried only where one starts
                self._at_tokens.add(index)

    def _verb(self, entry: dict[str, Any]) -> None:
        forward = entry.get("direction", "forward") == "forward"
        voice = entry.get("voice", "both")
        objects = entry.get("objects", [])
        det = self._det_law if entry["predicate"] == "introducedBy" else self._det
        # "the functions of Y", "the functions held by Y", "the functions that Y carries out"
        held = r"(?:of|from|(?:held|performed|carried\s+out|exercised|discharged)\s+by|(?:that|which)(?=\s+(?:the\s+)?⟨\d+⟩[^⟨⟩.;]{0,12}?\s+(?:carry|carries|carried|perform|performs|performed|hold|holds|held|have|has|had|exercise|exercises|exercised)\b))"
        obj = rf"(?:\s+(?:[\w’'-]+\s+){{0,2}}?{word_alternation(objects)}\s+{held})" if objects else ""
        # "replaced three earlier regulators: the A, the B and the C": a count and a few words closed by a colon
        count = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|the\s+following|these|all)"
        # "replaced a patchwork of older laws, including the A": a few words, then the examples they name
        colon = rf"(?P<colon>\s+{count}(?:\s+[\w’'-]+){{0,4}}\s*:|(?:\s+[\w’'-]+){{1,6}}?\s*,?\s+(?:including|such\s+as|notably))?"
        if entry.get("objects_required"):
            post = rf"(?:\s+{det})*{obj}{colon}(?:\s+{det})*\s*:?\s*"
        else:  # a colon may introduce the other side ("is made up of: ...")
            post = rf"(?:\s+{det})*{obj + '?' if obj else ''}{colon}(?:\s+{det})*\s*:?\s*"
        active, participle, triggers = set(), set(), set()
        for lemma in entry.get("lemmas", []):
            forms = self.inflector.forms(lemma)
            active |= forms["base"] | forms["s"] | forms["past"] | forms["pp"] | forms["ing"]
            participle |= forms["pp"]
        active |= set(entry.get("forms", []))
        participle |= set(entry.get("participles", []))
        triggers = active | participle
        agents = word_alternation(entry.get("agents", ["by"]))
        lead = rf"(?P<A>{self.list}){self._rel}{self._aside}{self._pre}"
        regexes = []
        if voice in ("both", "active") and active:
            regexes.append(
                (rf"{lead}\s+(?P<verb>{word_alternation(active)}){post}(?P<B>{self.list})", "active", not forward)
            )
        if voice in ("both", "active") and active and entry.get("objects_required"):
            # "took over Public Health England's functions": a verb that needs its object noun
            regexes.append(
                (
                    rf"{lead}\s+(?P<verb>{word_alternation(active)})(?:\s+{det})*\s+(?P<B>{self.list})(?:[’']s)?"
                    rf"(?:\s+[\w’'-]+){{0,2}}?\s+{word_alternation(objects)}\b",
                    "active",
                    not forward,
                )
            )
        if voice in ("both", "active") and active and not entry.get("objects_required"):
            # "X, which Y published": the one before the relative pronoun is the verb's object
            regexes.append(
                (
                    rf"(?P<B>{self.list})\s*,?\s*(?P<rel>which|that|whom)\s+(?:{det}\s+)*(?P<A>{self.list})"
                    rf"{self._pre}\s+(?P<verb>{word_alternation(active)})(?![\w-])(?!\s+(?:by|to|into|from|with|of)\b)",
                    "object-relative",
                    not forward,
                )
            )
        if voice in ("both", "passive") and participle:
            lead_b = lead.replace("(?P<A>", "(?P<B>")
            regexes.append(
                (
                    rf"{lead_b}\s+(?P<verb>{word_alternation(participle)}){self._time}{self._role}\s+{agents}{post}(?P<A>{self.list})",
                    "passive",
                    not forward,
                )
            )
        if voice == "passive-direct" and participle:
            # "X was renamed Y": the one before is the subject, no agent
            regexes.append(
                (
                    rf"{lead}\s+(?P<verb>{word_alternation(participle)}){self._time}(?:\s+as)?{post}(?P<B>{self.list})",
                    "passive",
                    not forward,
                )
            )
        self._register(entry, "verb", regexes, triggers)

    def _marker(self, entry: dict[str, Any]) -> None:
        """A noun, preposition or fixed phrase standing between the two sides ("X (formerly Y)")."""
        forward = entry.get("direction", "forward") == "forward"
        phrases = entry["phrases"]
        det = self._det
        if entry.get("back"):  # "its successor": a possessive pointing back past other words
            pre = r"(?P<pre>[^⟨⟩.]{0,80}?)"
        elif entry.get("brackets"):  # "X (now Y)": only inside brackets
            pre = r"(?P<pre>\s*\(\s*)"
        else:  # after "and" or a copula where the entry allows it ("X is the successor to Y"); a comma, below
            is_ = r"is|are|was|were|became|become|remains?|remained"
            copula = rf"|\b(?:{is_})(?:\s+(?:now|also|effectively|legally|formally))?\b" if entry.get("copula") else ""
            pre = rf"(?P<pre>\s*(?:\band\b|\bor\b{copula})?\s*)"
        after = (
            rf"(?:(?<=\s)|(?<=\()|^)(?:{det}\s+)*(?P<verb>{word_alternation(phrases)})"
            rf"(?:\s+{det})*\s*[,:]?\s*(?:{det}\s+)*(?P<B>{self.list})"
        )
        patterns = [rf"(?P<A>{self.list}){pre}{after}"]
        if not entry.get("back") and not entry.get("brackets"):  # "⟨1⟩ and ⟨2⟩, a committee of ⟨3⟩": of ⟨2⟩ only
            patterns.insert(0, rf"(?P<A>⟨\d+⟩)(?P<pre>\s*[,(–—-]\s*){after}")
        self._register(entry, "marker", [(x, "apposition", not forward) for x in patterns], set(phrases))

    def _frame(self, entry: dict[str, Any]) -> None:
        """A template: S (subject), O (object), {verb} forms, ``be``, ``N``, ``DET``, ``…`` / ``……`` (a few / more words), ``word?``."""
        pieces: list[tuple[str, str]] = []  # (regex, kind): word, opt (carries its own trailing space), group, punct
        triggers: set[str] = set()
        if re.search(r"\{[^}]*\s", entry["template"]):
            raise VocabularyError(
                f"cue {entry.get('name')}: {entry['template']!r}: a verb in braces is one word (join its words with _)"
            )
        for word in entry["template"].split():
            if word in ("S", "O"):
                pieces.append((rf"(?P<{'A' if word == 'S' else 'B'}>{self.list})", "group"))
            elif word == "S2":  # a second subject ("when X merged with Y")
                pieces.append((rf"(?P<A2>{self.list})", "group"))
            elif word == "be":
                pieces.append(
                    (word_alternation(self.inflector.forms("be")["base"]) + r"(?:\s+(?:not|now|also|then))?", "word")
                )
            elif word == "N":
                pieces.append((r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many)", "word"))
            elif word == "…":
                pieces.append((r"(?:\s+[\w’'-]+){0,5}?", "opt"))
            elif word == "……":  # a longer stretch, across commas and over a relative clause
                pieces.append((r"(?:\s*,\s*(?:which|who)\b[^;:]*?,)?(?:[\s,]+[\w’'-]+){0,12}?,?", "opt"))
            elif word == "DET":
                pieces.append((rf"(?:\s+{self._det})*", "opt"))
            elif len(word) > 1 and word.endswith("?"):  # an optional word
                pieces.append((rf"(?:\s+{word_alternation(word[:-1].replace('_', ' ').split('|'))})?", "opt"))
            elif word in (",", ":", ";", "(", ")"):
                pieces.append((rf"{re.escape(word)}?", "punct"))
            else:
                if word.startswith("{"):
                    forms: set[str] = set()
                    for lemma in word.strip("{}").split("|"):
                        forms |= {f for v in self.inflector.forms(lemma.replace("_", " ")).values() for f in v}
                else:
                    forms = set(word.replace("_", " ").split("|"))
                pieces.append((word_alternation(forms), "word"))
                if not triggers:
                    triggers = forms  # the first word is the frame's trigger
        if entry.get("trigger"):  # a rarer word of the frame than its first, so fewer sentences try it
            triggers = {f for lemma in entry["trigger"] for v in self.inflector.forms(lemma).values() for f in v}
        pattern, previous = "", ""
        for regex, kind in pieces:  # an optional piece carries its own leading space
            if not pattern or kind == "opt":
                pattern += regex
            elif kind in ("group", "punct") or previous in ("group", "punct"):
                pattern += r"\s*" + regex
            else:
                pattern += r"\s+" + regex
            previous = kind
        self._register(entry, "frame", [(pattern, "frame", False)], triggers)

    # ------------------------------------------------------------------ matching

    def match(self, skeleton: str) -> list[CueMatch]:
        """Every cue relation in one clause skeleton (entities as ⟨i⟩)."""
        out = self._match(skeleton) if "," not in skeleton else self._comma_match(skeleton)
        return out + self._pronoun_relative(skeleton)

    def _pronoun_relative(self, skeleton: str) -> list[CueMatch]:
        """ "⟨1⟩ took over the work of the ⟨2⟩ (that) it replaced": the pronoun is the sentence's subject.

        Read again as "⟨2⟩ that ⟨1⟩ replaced" (an object-relative clause), when nothing follows the verb
        that could be its own object.
        """
        low = skeleton.lower()
        if " it " not in low and " they " not in low:
            return []
        found = _PRONOUN_RELATIVE.search(skeleton)
        first = self._first_list.match(skeleton) if found else None
        if not found or not first or first.end(1) > found.start():
            return []
        read = skeleton[: found.start()] + " that " + first.group(1) + skeleton[found.end() :]
        subject = tuple(int(i) for i in _TOKEN.findall(first.group(1)))
        return [
            replace(m, mechanisms=(*m.mechanisms, "pronoun-relative"))
            for m in self._match(read)
            if m.mechanisms[0] == "object-relative" and subject in (m.subjects, m.objects)
        ]

    def _comma_match(self, skeleton: str) -> list[CueMatch]:
        skeleton = self._item_aside.sub("", skeleton)  # "⟨1⟩, originally the regulator of ⟨2⟩, and ⟨3⟩"
        out = self._match(skeleton)
        # "⟨1⟩ was set up in 2009, replacing ⟨2⟩": the -ing clause read again as "⟨1⟩ replacing ⟨2⟩"
        short = _PARTICIPLE.sub(" ", skeleton)
        if short != skeleton:
            seen = {(m.subjects, m.predicate, m.objects) for m in out}
            out += [  # a verb's clause: "⟨1⟩ including ⟨2⟩" is no marker's "such as" here
                replace(m, mechanisms=(*m.mechanisms, "participle"))
                for m in self._match(short)
                if m.mechanisms[0] == "active" and (m.subjects, m.predicate, m.objects) not in seen
            ]
        return out

    def _match(self, skeleton: str) -> list[CueMatch]:
        last: dict[int, int] = {}  #: compiled entry -> where the last word it needs stands
        triggers = self.triggers
        low = skeleton.lower()
        words: Iterable[re.Match[str]]
        if len(low) == len(skeleton):  # each character lowered to one: every word stands where it stood
            words = (w for m in self._trigger_starts.finditer(low) if (w := _WORDS.match(low, m.start())))
        else:
            words = _WORDS.finditer(skeleton)
        for found in words:
            word = found.group(0).lower()
            needing = triggers.get(word)
            if needing:
                at = found.start()
                for index in needing:
                    last[index] = at
            if word.endswith("."):  # "e.g.", "abolished."
                needing = triggers.get(word.rstrip("."))
                if needing:
                    at = found.start()
                    for index in needing:
                        last[index] = at
        starts = [m.start() for m in _TOKEN.finditer(skeleton)]
        out: list[CueMatch] = []
        for index in sorted(last):
            cue = self.compiled[index]
            # the first side stands before the cue's word, and not far before it
            before = [p for p in starts if last[index] - self.reach < p < last[index]]
            for m in self._matches(index, cue.regex, skeleton, before):
                said = " ".join(g for g in (m.groupdict().get("pre"), m.groupdict().get("verb")) if g)
                if self._negation.search(said):
                    continue
                a = tuple(int(i) for i in _TOKEN.findall(m.group("A") + (m.groupdict().get("A2") or "")))
                b = tuple(int(i) for i in _TOKEN.findall(m.group("B")))
                if cue.mechanism == "apposition" and ";" in (m.group("pre") or ""):
                    # "⟨1⟩ rated ⟨2⟩ good; its predecessor, ⟨3⟩": a possessive opening a clause is the subject's
                    first = self._first_list.match(skeleton)
                    a = tuple(int(i) for i in _TOKEN.findall(first.group(1))) if first else a
                if cue.mechanism == "passive" and not (m.group("pre") or "").strip() and not m.group("rel"):
                    # "⟨1⟩, an agency of the ⟨2⟩ created by ⟨3⟩": the participle tells of the agency, ⟨1⟩
                    head = _ROLE_OF.search(skeleton, 0, m.start("B"))
                    if head:
                        b = (int(head.group(1)),)
                if cue.mechanism == "passive" and _NOUN_OF.search(skeleton, 0, m.start("B")):
                    continue  # "The costs of ⟨1⟩ were absorbed by ⟨2⟩": the costs were, not ⟨1⟩
                fallback = None
                if cue.mechanism == "active" and _AND.search(m.group("pre") or ""):
                    # "⟨1⟩ replaced ⟨2⟩ and took over the duties of ⟨3⟩": a second verb of ⟨1⟩, not of ⟨2⟩
                    subject = self._coordinated_subject(skeleton, m.start("A"))
                    if subject and subject != a:
                        fallback = (b, a) if cue.swap else (a, b)
                        a = subject
                subjects, objects = (b, a) if cue.swap else (a, b)
                mechanisms = [cue.mechanism]
                if m.groupdict().get("rel"):
                    mechanisms.append("relative-clause")
                if m.groupdict().get("aside"):
                    mechanisms.append("aside")
                if m.groupdict().get("colon"):
                    mechanisms.append("colon-list")
                if len(a) > 1 or len(b) > 1:
                    mechanisms.append("list")
                if fallback:
                    mechanisms.append("coordination")
                modality = "hedged" if self._hedge.search(said) else ""
                out.append(CueMatch(subjects, cue.predicate, objects, cue.name, tuple(mechanisms), modality, fallback))
        return out

    def _coordinated_subject(self, skeleton: str, at: int) -> tuple[int, ...] | None:
        """The sentence's subject when the list at ``at`` is the object of a verb before it ("⟨1⟩ replaced ⟨2⟩")."""
        if not _OBJECT_BEFORE.search(skeleton, 0, at):
            return None
        first = self._first_list.match(skeleton)
        if not first or first.end(1) > at:
            return None
        return tuple(int(i) for i in _TOKEN.findall(first.group(1)))

    def _matches(self, index: int, regex: re.Pattern, skeleton: str, starts: list[int]) -> Iterator[re.Match]:
        """Non-overlapping matches, left to right; a pattern that starts at an entity is tried only there."""
        if index not in self._at_tokens:
            yield from regex.finditer(skeleton)
            return
        end = 0
        for start in starts:
            if start < end:
                continue
            m = regex.match(skeleton, start)
            if m:
                end = m.end()
                yield m

    def kinds_allow(self, name: str, subject_kinds: set[str], object_kinds: set[str]) -> bool:
        """A cue's own type limits (on top of its predicate's)."""
        wanted_subject, wanted_object = self._limits.get(name, (frozenset(), frozenset()))
        return (not wanted_subject or bool(wanted_subject & subject_kinds)) and (
            not wanted_object or bool(wanted_object & object_kinds)
        )
