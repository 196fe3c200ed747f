"""Extraction outputs unchanged: a digest of every document's N-Quads, recorded once and checked after a change.

    python bench/extract_outputs.py record OUT.json [PATH ...]
    python bench/extract_outputs.py check OUT.json [PATH ...]

(default paths: data/sample, data/eval/texts, data/eval/heldout/texts and
../shared/corpus/seeds if present; add a synthetic corpus, e.g. a copy of
out/bench/n1000/corpus, as a further path)

Each document is read, parsed and extracted by this checkout's ``Pipeline``
and turned into its named graph by ``document_graph`` with a fixed time, so
two runs of the same extractor give the same bytes. The file holds, per
document, a SHA-256 of its sorted N-Quads lines and of its extraction
(mentions, definitions, relations, new entities, publisher, producer), not
the text, so it may be kept anywhere. ``check`` prints every document whose
digest differs, or that is new or missing, and exits 1 if any differs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.errors import SourceError  # noqa: E402
from kg.graph.terms import to_nquads  # noqa: E402
from kg.ingest.flow import Pipeline  # noqa: E402
from kg.ingest.parse import parse  # noqa: E402
from kg.ingest.sources import iter_sources  # noqa: E402
from kg.ingest.triples import document_graph, source_record  # noqa: E402

WHEN = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)


def digests(paths: list[str]) -> dict[str, dict[str, str]]:
    """{source location # document title: {"nquads": sha256, "extraction": sha256}} for every document."""
    pipeline = Pipeline()
    out: dict[str, dict[str, str]] = {}
    for source in iter_sources(paths):
        if isinstance(source, SourceError):
            continue
        record = source_record(source)
        for n, document in enumerate(parse(source)):
            extraction = pipeline.extract(document)
            iri, graph = document_graph(document, extraction, [record], "fixed", when=WHEN)
            quads = graph.quads
            lines = sorted(to_nquads([*quads, *pipeline.curation.quads(iri, quads)]).splitlines())
            found = repr(
                (
                    extraction.mentions,
                    extraction.definitions,
                    extraction.relations,
                    extraction.new_entities,
                    extraction.publisher,
                    extraction.producer,
                )
            )
            out[f"{source.location}#{n}"] = {
                "nquads": hashlib.sha256(b"\n".join(lines)).hexdigest(),
                "extraction": hashlib.sha256(found.encode("utf-8")).hexdigest(),
            }
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("record", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    command, file, paths = argv[0], Path(argv[1]), argv[2:]
    default = [
        ROOT / "data" / "sample",
        ROOT / "data" / "eval" / "texts",
        ROOT / "data" / "eval" / "heldout" / "texts",
        ROOT.parent / "shared" / "corpus" / "seeds",
    ]
    paths = paths or [str(p) for p in default if p.is_dir()]
    found = digests(paths)
    if command == "record":
        file.write_text(json.dumps(found, indent=0, sort_keys=True), encoding="utf-8")
        print(f"recorded {len(found)} documents in {file}")
        return 0
    recorded = json.loads(file.read_text(encoding="utf-8"))
    differ = [k for k in sorted(found) if k in recorded and recorded[k] != found[k]]
    for key in differ:
        parts = [p for p in ("nquads", "extraction") if recorded[key][p] != found[key][p]]
        print(f"differs ({', '.join(parts)}): {key}")
    for key in sorted(set(recorded) - set(found)):
        print(f"missing: {key}")
    for key in sorted(set(found) - set(recorded)):
        print(f"new: {key}")
    same = len(found) - len(differ) - len(set(found) - set(recorded))
    print(f"{same} of {len(recorded)} documents unchanged")
    # a document only one side has is a reader that failed on one run (a busy browser), not a changed extraction
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
