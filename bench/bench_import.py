"""Import time of ``kg`` and ``kg.cli`` in fresh interpreters, against ``python -c pass`` in the same run.

    python bench/bench_import.py [--runs N]

Each statement runs in N new interpreters (the same Python as this script);
the median wall time is printed, and beside it the time over the bare
interpreter's start (the baseline, measured in the same run and interleaved
with the others, so a busy machine slows all three alike). ``import kg``
should stay well under 0.3 s over the baseline: it loads no RDF library.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STATEMENTS = {
    "python -c pass (baseline)": "pass",
    "import kg": "import kg",
    "import kg.cli": "import kg.cli",
}


def once(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="fresh interpreters per statement (default 9)")
    args = ap.parse_args()
    for statement in STATEMENTS.values():  # warm the file-system cache and the .pyc files first
        once(statement)
    times: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    for _ in range(args.runs):
        for label, statement in STATEMENTS.items():
            times[label].append(once(statement))
    medians = {label: statistics.median(values) for label, values in times.items()}
    baseline = medians["python -c pass (baseline)"]
    print(f"median of {args.runs} fresh interpreters each, {sys.executable}")
    for label, median in medians.items():
        print(f"{label:28} {median * 1000:8.1f} ms   {(median - baseline) * 1000:+8.1f} ms over the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
