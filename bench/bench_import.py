"""Import time of ``kg`` and ``kg.cli``, and start-up of ``kg`` commands, against ``python -c pass`` in the same run.

    python bench/bench_import.py [--runs N] [--store STORE] [--against PYTHON]

Each statement runs in N new interpreters (the same Python as this script);
the median wall time is printed, and beside it the time over the bare
interpreter's start (the baseline, measured in the same run and interleaved
with the others, so a busy machine slows all three alike). ``import kg``
should stay well under 0.3 s over the baseline: it loads no RDF library.

The commands (issue 13: ``kg query``, ``kg search`` and ``kg stats`` start in well under 0.5 s) run
as the ``kg`` script does, ``kg query --help`` always and, with ``--store`` (a small store, e.g. the
sample's from ``make demo``), ``kg stats``, ``kg search nhs`` and ``kg query -e 'ASK {}'`` on it.
``--against`` names another interpreter (e.g. main's checkout's ``.venv/bin/python``) whose ``kg`` runs
the same commands, interleaved with ours: the before and after of a change, in one run.
"""

from __future__ import annotations

import argparse
import os
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


#: how the ``kg`` console script starts (its entry point, :func:`kg.cli.run`)
KG = "import sys; sys.argv[0] = 'kg'; from kg.cli import run; run()"


def commands(store: str | None) -> dict[str, list[str]]:
    """Each command's label and its arguments."""
    found = {"kg query --help": ["query", "--help"]}
    if store:
        found |= {
            "kg stats": ["stats", "--store", store],
            "kg search nhs": ["search", "nhs", "--store", store],
            "kg query -e 'ASK {}'": ["query", "-e", "ASK {}", "--store", store],
        }
    return found


def once(statement: str, arguments: list[str] | None = None, python: str = sys.executable) -> float:
    start = time.perf_counter()
    subprocess.run(
        [python, "-P", "-c", statement, *(arguments or [])],  # -P: each Python imports its own kg
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="fresh interpreters per statement (default 9)")
    ap.add_argument("--store", help="a small store to run kg stats, kg search and kg query on (default: none)")
    ap.add_argument("--against", help="another Python whose kg runs the same statements and commands, interleaved")
    args = ap.parse_args()
    pythons = {"": sys.executable, **({" (against)": args.against} if args.against else {})}
    runs = {
        label + suffix: (statement, arguments, python)
        for label, (statement, arguments) in {
            **{label: (statement, None) for label, statement in STATEMENTS.items()},
            **{label: (KG, arguments) for label, arguments in commands(args.store).items()},
        }.items()
        for suffix, python in pythons.items()
    }
    for statement, arguments, python in runs.values():  # warm the file-system cache and the .pyc files first
        once(statement, arguments, python)
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.runs):
        for label, (statement, arguments, python) in runs.items():
            times[label].append(once(statement, arguments, python))
    medians = {label: statistics.median(values) for label, values in times.items()}
    baseline = medians["python -c pass (baseline)"]
    print(f"median of {args.runs} fresh interpreters each, {sys.executable}; load {os.getloadavg()[0]:.1f}")
    for label, median in medians.items():
        print(f"{label:38} {median * 1000:8.1f} ms   {(median - baseline) * 1000:+8.1f} ms over the baseline")
    theirs_baseline = medians.get("python -c pass (baseline) (against)", baseline)
    for label in (k for k in medians if k.endswith(" (against)") and "baseline" not in k):
        ours = medians[label.removesuffix(" (against)")] - baseline
        theirs = medians[label] - theirs_baseline  # each over its own interpreter's start
        print(f"{label.removesuffix(' (against)'):38} {theirs / max(ours, 1e-9):5.2f}x as fast as --against")
    if not args.store:
        print("(--store STORE also times kg stats, kg search and kg query on it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
