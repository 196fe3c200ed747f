"""Ingest and re-ingest only, per corpus size: time, re-ingest share and peak memory, against a baseline ``kg``.

    python bench/bench_reingest.py [--sizes 1000,10000] [--baseline /work/main/.venv/bin/kg] [--seed 1]

For each size it writes the synthetic corpus (:mod:`bench.corpus`) once, then for each ``kg`` (this
checkout's, and ``--baseline``'s when given: another checkout's venv, measured in the same run on the
same corpus) runs ``kg ingest`` into a new store, ``kg ingest`` again with nothing changed, and
``kg ingest --rehash`` (every file read again, as before the file table), each in its own process with the peak
resident size of it and its workers sampled (:func:`bench.bench_scale.run_measured`). ``reingest_ratio``
is the re-ingest's time over the first ingest's. No rdflib baseline, export or queries: the part of
``bench/bench_scale.py`` that a 10,000- or 100,000-document run needs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.bench_scale import KG, SETTLE_S, folder_mb, run_measured  # noqa: E402


def has_rehash(kg: str) -> bool:
    """Whether this ``kg`` knows ``--rehash`` (a baseline from before the file table does not)."""
    shown = subprocess.run([kg, "ingest", "--help"], capture_output=True, text=True, check=False).stdout
    return "--rehash" in shown


def measure(kg: str, folder: Path, store: Path) -> dict[str, float]:
    shutil.rmtree(store, ignore_errors=True)
    ingest_s, ingest_rss, _ = run_measured([kg, "ingest", "--store", str(store), str(folder)])
    again_s, again_rss, _ = run_measured([kg, "ingest", "--store", str(store), str(folder)])
    figures = {
        "ingest_s": ingest_s,
        "peak_rss_mb": ingest_rss,
        "reingest_s": again_s,
        "reingest_rss_mb": again_rss,
        "reingest_ratio": again_s / ingest_s,
    }
    if has_rehash(kg):
        rehash_s, _, _ = run_measured([kg, "ingest", "--rehash", "--store", str(store), str(folder)])
        figures["rehash_ratio"] = rehash_s / ingest_s
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated corpus sizes (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "out" / "bench-reingest")
    parser.add_argument("--baseline", default="", help="another kg executable to measure in the same run")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    kgs = {"this": KG, **({"baseline": args.baseline} if args.baseline else {})}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in psutil.getloadavg())}", flush=True)
    rows: list[tuple[int, str, dict[str, float]]] = []
    for n in sizes:
        work = args.workdir / f"n{n}"
        shutil.rmtree(work, ignore_errors=True)
        folder = work / "corpus"
        corpus.write(folder, n, args.seed)
        time.sleep(SETTLE_S)  # no file of the corpus too new for a file-table row
        print(f"\n== {n:,} documents ({folder_mb(folder):.1f} MB of text)", flush=True)
        for name, kg in kgs.items():
            figures = measure(kg, folder, work / f"store-{name}")
            print(f"{name}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
            rows.append((n, name, figures))
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in psutil.getloadavg())}")
    keys = ["ingest_s", "reingest_s", "reingest_ratio", "rehash_ratio", "peak_rss_mb", "reingest_rss_mb"]
    print(f"\n{'docs':>8} {'kg':>9} " + " ".join(f"{k:>15}" for k in keys))
    for n, name, figures in rows:
        cells = " ".join(f"{figures[k]:>15.3f}" if k in figures else f"{'n/a':>15}" for k in keys)
        print(f"{n:>8,} {name:>9} {cells}")
    for n in sizes:
        this = next(f for m, k, f in rows if m == n and k == "this")
        base = next((f for m, k, f in rows if m == n and k == "baseline"), None)
        if base:
            print(
                f"at {n:,}: re-ingest {base['reingest_s'] / this['reingest_s']:.1f}x faster than the baseline's, "
                f"peak RSS of ingest {this['peak_rss_mb'] / base['peak_rss_mb']:.2f} of the baseline's"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
