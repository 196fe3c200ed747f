"""A deterministic synthetic corpus shaped like our documents, of any size, for benchmarks.

    python bench/corpus.py --docs N [--seed S] [--per-folder 1000] OUT_DIR

writes N plain-text documents of 2-4 KB under ``OUT_DIR/0000/``, ``OUT_DIR/0001/`` ... (``--per-folder``
to a folder). The same seed and the same vocabulary give the same bytes; document ``i`` depends only on the
seed and ``i``, so a corpus of 1,000 is the first 1,000 of a corpus of 10,000. From Python::

    from bench.corpus import generate
    for name, text in generate(1000, seed=1): ...

Each document has one of the shapes the parser reads (``data/sample/*.txt``, ``kg/ingest/metadata.py``):

* a library policy briefing (most documents): "TITLE by PUBLISHER", the producer line, the template's fields
  (source, link, format, date of publication, summary, key features, audience, last updated, review due,
  member responsible);
* a news post: a title, "Posted by NAME on DATE", paragraphs, "Page last reviewed" and "Next review due";
* a report: the publisher's name, a kind ("Report"), the title, "Published DATE | Last updated DATE",
  paragraphs, "Next review due".

The body names about 35 entities of the real vocabulary (``kg.ingest.vocabulary.Vocabulary``: preferred and
alternative labels, acronyms), about 6 of them in relation sentences made from the cue lexicon
(``data/patterns/cues.toml``: its verbs in active and passive voice and its markers, inflected by the
extractor's own :class:`~kg.ingest.clauses.Inflector`, with entity pairs inside the type limits of
``data/patterns/relations.toml``), the rest in neutral sentences, between filler prose written from the
word lists below. Nothing is copied from any document.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.ingest.clauses import Inflector  # noqa: E402
from kg.ingest.vocabulary import Vocabulary, data_dir  # noqa: E402

MONTHS = "January February March April May June July August September October November December".split()
PEOPLE = "Asha Patel|Ben Okafor|Carys Lloyd|Dev Raman|Erin Walsh|Femi Adeyemi|Grace Holt|Huw Price".split("|")
LIBRARIES = (
    "Brookfield Health Library, Brookfield Teaching Hospitals NHS Foundation Trust",
    "Kestrel Knowledge Service, Kestrel Valley NHS Trust",
    "Marshgate Library and Knowledge Service, Marshgate Community Health NHS Trust",
    "Thornbury Healthcare Library, Thornbury and District Hospitals NHS Foundation Trust",
)
TOPIC = "planning|funding|workforce|governance|contracting|evaluation|commissioning|integration|oversight".split("|")
TITLE_NOUN = "an overview|what changes|a short guide|the main points|a summary|key questions|a reading list".split("|")
AUDIENCE = (
    "Boards, commissioners and finance teams",
    "Clinicians, managers and library staff",
    "Local partners, voluntary sector groups and council officers",
    "Planning teams, analysts and programme leads",
)
FORMATS = ("PDF", "Web page", "Word document", "Slide set")
# filler prose: subject, verb phrase, object, time or place
WHO = (
    "Local teams|The working group|Library staff|Several readers|The project board|Front-line staff|"
    "Programme leads|The evaluation team|Finance managers|Patient representatives"
).split("|")
DID = (
    "looked again at|wrote up|asked for more detail on|set aside time for|compared notes on|kept a record of|"
    "shared early findings about|mapped out|gathered feedback about|listed open questions on"
).split("|")
WHAT = (
    "waiting times|staffing levels|the reading list|discharge delays|local priorities|shared records|"
    "budget pressures|estates plans|digital tools|the evidence base|training needs|service design"
).split("|")
WHEN = (
    "over the winter|at the spring workshop|during the year|before the next review|in the first quarter|"
    "across the region|at several sites|in the following months|at the annual meeting|over two rounds"
).split("|")
ASIDES = (
    "This matters for anyone planning services locally.",
    "The library holds copies of the main papers on request.",
    "Questions about access can go to the enquiry desk.",
    "The summary below is kept short on purpose.",
    "Links to the full texts are on the library catalogue.",
)
# neutral sentences naming entities: no cue word of cues.toml in them
NAMING = (
    "Readers asked the library for recent material on {0} and {1}.",
    "The discussion at the regional meeting touched on {0}, {1} and {2}.",
    "Notes on {0} sit in the reading list next to those on {1}.",
    "Several teams mentioned {0} when describing local priorities.",
    "A short note on {0} and {1} is kept on file.",
    "Staff wanted plain-language notes about {0}, {1} and {2}.",
    "The enquiry service had questions about {0} and {1} this year.",
)
T = TypeVar("T")
RELATION_TAILS = ("", " in {year}", " during {year}", " early in {year}", " by the end of {year}")


@dataclass(frozen=True)
class _Cue:
    """One way to write a relation: the sentence's first and second sides, and the kinds each may be."""

    template: str  #: "{0} {verb} {1}" with the verb form filled in
    first_is_subject: bool
    subject: tuple[int, ...]  #: indexes into the entity table of the triple's subject candidates
    objects: tuple[int, ...]
    same_kind: bool


class _Material:
    """Everything a document is made from, read once from the vocabulary and the cue lexicon."""

    def __init__(self) -> None:
        vocabulary = Vocabulary()
        ambiguous = {label for label, iris in vocabulary.label_index.items() if len(iris) > 1}
        self.names: list[tuple[str, ...]] = []  #: per entity, the labels a document may use for it
        self.kinds: list[frozenset[str]] = []
        self.organisations: list[int] = []
        families = {"CareModel", "Organisation", "OrganisationType", "Contract", "Plan", "Legislation", "Concept"}
        self.family: list[str] = []
        for entity in sorted(vocabulary.entities.values(), key=lambda e: e.iri):
            if entity.sense_context:
                continue  # needs other words nearby to be accepted: not a plain mention
            labels = tuple(
                label
                for label in entity.labels
                if label.lower() not in ambiguous and 2 <= len(label) <= 60 and label.isascii()
            )
            if not labels:
                continue
            kinds = frozenset(vocabulary.kinds(entity.iri))
            self.names.append(labels)
            self.kinds.append(kinds)
            self.family.append(next((f for f in sorted(families) if f in kinds), ""))
            if "Organisation" in kinds and not kinds & {"Commissioner", "LibraryService"}:
                self.organisations.append(len(self.names) - 1)
        self.cues = self._cues()
        self._kin: dict[tuple[tuple[int, ...], str], tuple[int, ...]] = {}

    def kin(self, cue: _Cue, subject: int) -> tuple[int, ...]:
        """The objects a same-kind cue allows for ``subject``: those of its family."""
        key = (cue.objects, self.family[subject])
        if key not in self._kin:
            self._kin[key] = tuple(o for o in cue.objects if self.family[o] == self.family[subject]) or cue.objects
        return self._kin[key]

    def _pool(self, allowed: set[str]) -> tuple[int, ...]:
        return tuple(i for i, kinds in enumerate(self.kinds) if not allowed or kinds & allowed)

    def _cues(self) -> list[_Cue]:
        patterns = data_dir() / "patterns"
        lexicon = tomllib.loads((patterns / "cues.toml").read_text(encoding="utf-8"))
        limits = tomllib.loads((patterns / "relations.toml").read_text(encoding="utf-8"))["predicates"]
        grammar = lexicon["grammar"]
        inflect = Inflector({k: list(v) for k, v in grammar["irregular"].items()}, grammar.get("adverbs", []))
        cues: list[_Cue] = []
        for kind in ("verb", "marker"):
            for entry in lexicon.get(kind, []):
                limit = limits.get(entry["predicate"], {})
                subject = set(limit.get("subject", [])) & set(entry.get("subject", limit.get("subject", [])))
                obj = set(limit.get("object", [])) & set(entry.get("object", limit.get("object", [])))
                pools = (self._pool(subject), self._pool(obj), bool(limit.get("same_kind")))
                if not pools[0] or not pools[1]:
                    continue
                forward = entry.get("direction", "forward") == "forward"
                for template, first_is_subject in self._templates(kind, entry, inflect, forward):
                    cues.append(_Cue(template, first_is_subject, *pools))
        return cues

    @staticmethod
    def _templates(kind: str, entry: dict, inflect: Inflector, forward: bool) -> Iterator[tuple[str, bool]]:
        if kind == "marker":
            if entry.get("back") or entry.get("brackets"):
                return
            for phrase in entry["phrases"]:
                if phrase.replace(" ", "").isalpha():
                    yield "{0}, " + phrase + " {1}, was on the agenda{tail}.", forward
            return
        if entry.get("objects_required"):
            return
        voice = entry.get("voice", "both")
        for lemma in entry.get("lemmas", []):
            forms = inflect.forms(lemma)
            past, participle = sorted(forms["past"])[0], sorted(forms["pp"])[0]
            if lemma.startswith("be "):
                yield "{0} " + ("was " + lemma[3:]) + " {1}{tail}.", forward
                continue
            if voice in ("both", "active"):
                yield "{0} " + past + " {1}{tail}.", forward
            if voice in ("both", "passive") and " " not in lemma:
                yield "{1} was " + participle + " by {0}{tail}.", forward
            if voice == "passive-direct" and " " not in lemma:
                yield "{0} was " + participle + " {1}{tail}.", forward


@lru_cache(maxsize=1)
def material() -> _Material:
    return _Material()


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    """One of ``items`` (``rng.choice``, cheaper: the generator spends most of its time choosing)."""
    return items[int(rng.random() * len(items))]


def _date(rng: random.Random, first: int = 2014, last: int = 2024) -> tuple[int, int, int]:
    return rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28)


def _name(rng: random.Random, m: _Material, index: int) -> str:
    labels = m.names[index]
    return _pick(rng, labels)


def _relation(rng: random.Random, m: _Material, year: int) -> tuple[str, int, int]:
    cue = _pick(rng, m.cues)
    subject = _pick(rng, cue.subject)
    objects = cue.objects
    if cue.same_kind:
        objects = m.kin(cue, subject)
    obj = _pick(rng, objects)
    if obj == subject:
        obj = objects[(objects.index(obj) + 1) % len(objects)]
    first, second = (subject, obj) if cue.first_is_subject else (obj, subject)
    tail = _pick(rng, RELATION_TAILS).format(year=year)
    text = cue.template.format(_name(rng, m, first), _name(rng, m, second), tail=tail)
    return text[0].upper() + text[1:], subject, obj


def _filler(rng: random.Random) -> str:
    return f"{_pick(rng, WHO)} {_pick(rng, DID)} {_pick(rng, WHAT)} {_pick(rng, WHEN)}."


def _naming(rng: random.Random, m: _Material) -> tuple[str, int]:
    template = _pick(rng, NAMING)
    count = template.count("{")
    picked: list[int] = []
    while len(picked) < count:
        i = int(rng.random() * len(m.names))
        if i not in picked:
            picked.append(i)
    return template.format(*(_name(rng, m, i) for i in picked)), count


def _paragraph(rng: random.Random, m: _Material, year: int, relations: int, namings: int) -> tuple[str, int]:
    """Sentences in a shuffled order: relation sentences, naming sentences and filler; and the mentions."""
    sentences, mentions = [], 0
    for _ in range(relations):
        sentences.append(_relation(rng, m, year)[0])
        mentions += 2
    for _ in range(namings):
        text, count = _naming(rng, m)
        sentences.append(text)
        mentions += count
    sentences += [_filler(rng) for _ in range(rng.randint(2, 4))]
    rng.shuffle(sentences)
    return " ".join(sentences), mentions


def _day(date: tuple[int, int, int]) -> str:
    return f"{date[2]} {MONTHS[date[1] - 1]} {date[0]}"


def document(index: int, seed: int = 0) -> tuple[str, str]:
    """Document ``index`` of the corpus of ``seed``: (file name without folder, text)."""
    m = material()
    rng = random.Random(f"kg-bench:{seed}:{index}")
    issued = _date(rng)
    modified = (issued[0] + rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
    review = (modified[0] + 1, modified[1], modified[2])
    publisher = _name(rng, m, _pick(rng, m.organisations))
    topic_entity = _name(rng, m, int(rng.random() * len(m.names)))
    title = f"{topic_entity} and {_pick(rng, TOPIC)}: {_pick(rng, TITLE_NOUN)} (no. {index + 1})"
    shape = rng.random()
    paragraphs = [_paragraph(rng, m, issued[0], r, n)[0] for r, n in ((2, 2), (2, 2), (2, 2))]
    bullets = [_filler(rng) + " " + _naming(rng, m)[0] for _ in range(2)]
    bullets.append(_relation(rng, m, issued[0])[0] if rng.random() < 0.5 else _filler(rng))
    if shape < 0.7:
        kind = "briefing"
        library = _pick(rng, LIBRARIES)
        lines = [
            f"{title} by {publisher}",
            f"A policy briefing prepared by the Knowledge and Library Service at {library}. "
            "You may share it within your organisation.",
            f"Impact on library policy/practice: {_filler(rng)} {_pick(rng, ASIDES)} {_filler(rng)}",
            f"Source: {publisher}",
            f"Link to main document: https://example.org/documents/{seed}/{index + 1}",
            f"Publication format: {_pick(rng, FORMATS)}",
            f"Date of publication: {MONTHS[issued[1] - 1]} {issued[0]}",
            f"Summary of driver: {paragraphs[0]} {paragraphs[1]}",
            "Key features of driver:\n\n" + "\n".join(f"  • {b}" for b in [paragraphs[2], *bullets]),
            f"Primary audience: {_pick(rng, AUDIENCE)}",
            f"Date last updated: {modified[2]:02d}/{modified[1]:02d}/{modified[0]}",
            f"Due for review: {review[2]:02d}/{review[1]:02d}/{review[0]}",
            f"Group member responsible: {''.join(w[0] for w in _pick(rng, PEOPLE).split())}",
        ]
    elif shape < 0.85:
        kind = "news"
        lines = [
            title,
            f"Posted by {_pick(rng, PEOPLE)} on {_day(issued)}",
            *paragraphs,
            *bullets,
            _pick(rng, ASIDES),
            f"Page last reviewed: {_day(modified)}",
            f"Next review due: {_day(review)}",
        ]
    else:
        kind = "report"
        lines = [
            publisher,
            "Report",
            title,
            f"Published {_day(issued)} | Last updated {_day(modified)}",
            *paragraphs,
            "\n".join(f"- {b}" for b in bullets),
            f"Next review due: {_day(review)}",
        ]
    return f"{index:07d}-{kind}.txt", "\n\n".join(lines) + "\n"


def generate(n: int, seed: int = 0, per_folder: int = 1000) -> Iterator[tuple[str, str]]:
    """(relative file name, text) of documents 0 .. n-1 of the corpus of ``seed``, sharded ``per_folder``."""
    for index in range(n):
        name, text = document(index, seed)
        yield f"{index // per_folder:04d}/{name}", text


def write(out: Path, n: int, seed: int = 0, per_folder: int = 1000) -> int:
    """Write the corpus under ``out``; the number of bytes written."""
    total, folders = 0, set()
    for name, text in generate(n, seed, per_folder):
        path = out / name
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (created; existing files of the same names replaced)")
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-folder", type=int, default=1000, help="documents per sub-folder")
    args = parser.parse_args(argv)
    if args.docs < 0 or args.per_folder < 1:
        parser.error("--docs must be 0 or more and --per-folder 1 or more")
    start = time.perf_counter()
    size = write(args.out, args.docs, args.seed, args.per_folder)
    seconds = time.perf_counter() - start
    print(f"wrote {args.docs:,} documents, {size / 1e6:.1f} MB, to {args.out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
