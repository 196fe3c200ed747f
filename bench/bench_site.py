"""``kg site`` full against incremental, after one document changes, on the synthetic corpus (bench/corpus.py).

    python bench/bench_site.py [--sizes 1000,10000] [--seed 1] [--work DIR]

For each size: the corpus is written and ingested, then, in the same run,

* ``full``: the site built into an empty folder (the baseline);
* ``unchanged``: built again into that folder with nothing changed;
* ``one changed``: one document's text edited and re-ingested, the site built again into the folder;
* ``full again``: the changed store built into another empty folder (the baseline for the line above).

Each line gives the seconds and the files written, kept and removed; the last column is the full build's
time divided by this one's. Times on a shared machine are noisy: compare lines of one run only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import write  # noqa: E402
from kg import Pipeline, Store  # noqa: E402
from kg.ingest import ingest  # noqa: E402
from kg.web.site import build_site  # noqa: E402


def timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def run(size: int, seed: int, work: Path) -> list[tuple[str, float, object]]:
    corpus, location = work / f"corpus-{size}", work / f"store-{size}"
    if not corpus.is_dir():
        write(corpus, size, seed)
    pipeline = Pipeline()
    with Store(location) as store:
        if not store.document_graphs():
            seconds, report = timed(lambda: ingest([corpus], store, pipeline))
            print(f"  ingested {size:,} documents in {seconds:.0f} s", flush=True)
        site, again = work / f"site-{size}", work / f"site-{size}-again"
        for folder in (site, again):
            shutil.rmtree(folder, ignore_errors=True)
        lines = [("full", *timed(lambda: build_site(store, site)))]
        lines.append(("unchanged", *timed(lambda: build_site(store, site))))
        changed = sorted(corpus.rglob("*.txt"))[size // 2]
        text = changed.read_text(encoding="utf-8")
        changed.write_text(text + "\nThe integrated care board published a further note on this.\n", encoding="utf-8")
        ingest([changed], store, pipeline)
        lines.append(("one changed", *timed(lambda: build_site(store, site))))
        lines.append(("full again", *timed(lambda: build_site(store, again))))
        changed.write_text(text, encoding="utf-8")  # the corpus as generated, for the next run
        ingest([changed], store, pipeline)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="keep the corpus and store here between runs")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-site-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"docs={size}", flush=True)
        lines = run(size, args.seed, work)
        baseline = {
            "full": lines[0][1],
            "unchanged": lines[0][1],
            "one changed": lines[3][1],
            "full again": lines[3][1],
        }
        print(f"  {'build':<12} {'seconds':>8} {'written':>8} {'kept':>8} {'removed':>8} {'pages':>7} {'speed-up':>9}")
        for name, seconds, report in lines:
            r = report  # a SiteReport
            print(
                f"  {name:<12} {seconds:8.1f} {r.rewritten:8,} {r.kept:8,} {r.removed:8,} {r.pages:7,} "  # type: ignore[attr-defined]
                f"{baseline[name] / seconds:8.1f}x"
            )
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
