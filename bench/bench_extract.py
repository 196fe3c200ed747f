"""Extraction throughput: the extractor on main (or another git ref) against this checkout's, in one run.

    python bench/bench_extract.py [PATH ...] [--baseline-ref main] [--repeat 5] [--copies N] [--profile]

``--cpu`` times by CPU time rather than the wall clock, which a loaded machine makes noisy
(default corpus: data/sample, data/eval/texts, data/eval/heldout/texts and ../shared/corpus/seeds if present;
``--copies 18`` copies it 18 times into a temporary folder, about 1,000 documents; ``--profile`` prints
where the new extractor spends its time, per function, over one pass)

The baseline is the ``kg`` package as committed at ``--baseline-ref``, taken
with ``git archive`` into a temporary folder and imported as ``kg_baseline``
(its own data files included), so both run in the same process on the same
files. Each side reads, parses and extracts (entities and relations) every
file; the two take turns for --repeat rounds and the best time of each is kept. Prints documents per second for
each and the ratio new/old: issue 12 allows the new extractor to fall to no
less than 2/3 of the old.
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def baseline_package(ref: str, into: Path) -> str:
    """Unpack ``kg`` at ``ref`` as the package ``kg_baseline`` under ``into``; its name."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "kg"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "kg").rename(into / "kg_baseline")
    for path in (into / "kg_baseline").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\b(from|import) kg(?=[.\s])", r"\1 kg_baseline", source)
        # module names given as strings ("kg.ingest"), not file names ("kg.ttl")
        source = re.sub(r"([\"'])kg\.(?!ttl\b)(?=[a-z_]+)", r"\1kg_baseline.", source)
        path.write_text(source, encoding="utf-8")
    return "kg_baseline"


def runner(package: str):
    """A function that reads, parses and extracts every file under ``paths``; returns the documents done."""
    sources = importlib.import_module(f"{package}.ingest.sources")
    parse = importlib.import_module(f"{package}.ingest.parse").parse
    pipeline = importlib.import_module(f"{package}.ingest.flow").Pipeline()
    errors = importlib.import_module(f"{package}.errors").SourceError

    def run(paths: list[str]) -> tuple[int, int]:
        documents = relations = 0
        for source in sources.iter_sources(paths):
            if isinstance(source, errors):
                continue
            for document in parse(source):
                relations += len(pipeline.extract(document).relations)
                documents += 1
        return documents, relations

    return run


def best_of_each(repeat: int, works, paths, clock=time.perf_counter) -> list[tuple[float, tuple[int, int]]]:
    """The best time of each work over ``repeat`` rounds, the works taking turns so a busy moment hits both."""
    times: list[list[float]] = [[] for _ in works]
    results: list[tuple[int, int]] = [(0, 0) for _ in works]
    for _ in range(repeat):
        for i, work in enumerate(works):
            start = clock()
            results[i] = work(paths)
            times[i].append(clock() - start)
    return [(min(t), r) for t, r in zip(times, results)]


def copied(paths: list[str], copies: int, into: Path) -> list[str]:
    """The files under ``paths`` copied ``copies`` times into ``into`` under distinct names; [into]."""
    files = [f for p in map(Path, paths) for f in (sorted(p.rglob("*")) if p.is_dir() else [p]) if f.is_file()]
    into.mkdir(parents=True)
    for n in range(copies):
        for i, f in enumerate(files):
            (into / f"{n:03d}-{i:03d}-{f.name}").write_bytes(f.read_bytes())
    return [str(into)]


def profiled(work, paths: list[str]) -> None:
    """cProfile of one pass: the 25 functions with the most time of their own, then by cumulative time."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    work(paths)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)


def default_paths() -> list[str]:
    """The corpora timed when none is given: the sample, the dev and held-out sets, the seeds (those present)."""
    default = [
        ROOT / "data" / "sample",
        ROOT / "data" / "eval" / "texts",
        ROOT / "data" / "eval" / "heldout" / "texts",
        ROOT.parent / "shared" / "corpus" / "seeds",
    ]
    return [str(p) for p in default if p.is_dir()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--baseline-ref", default="main")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=1, help="copy the corpus this many times (distinct file names)")
    ap.add_argument("--profile", action="store_true", help="also profile one pass of the new extractor")
    ap.add_argument("--cpu", action="store_true", help="time by this process's CPU time, steadier on a busy machine")
    args = ap.parse_args()
    paths = args.paths or default_paths()
    with tempfile.TemporaryDirectory() as tmp:
        if args.copies > 1:
            paths = copied(paths, args.copies, Path(tmp) / "corpus")
        try:
            old_name = baseline_package(args.baseline_ref, Path(tmp))
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            print(f"could not take the kg package at {args.baseline_ref!r} from git: {exc}", file=sys.stderr)
            return 1
        sys.path.insert(0, tmp)
        old, new = runner(old_name), runner("kg")
        print(f"corpus: {paths}")
        old(paths), new(paths)  # warm up: imports, compiled patterns, the vocabulary's automaton
        (old_time, (docs, old_relations)), (new_time, (new_docs, new_relations)) = best_of_each(
            args.repeat, [old, new], paths, time.process_time if args.cpu else time.perf_counter
        )
        if args.profile:
            profiled(new, paths)
    print(f"old ({args.baseline_ref:>8s}) {docs:4d} docs  {old_relations:4d} relations  {docs / old_time:8.1f} docs/s")
    print(f"new (checkout) {new_docs:4d} docs  {new_relations:4d} relations  {new_docs / new_time:8.1f} docs/s")
    ratio = (new_docs / new_time) / (docs / old_time)
    print(f"ratio new/old: {ratio:.2f} (issue 12 allows no less than 0.67)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
