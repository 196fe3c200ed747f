"""Same output from two checkouts: each ``kg ingest``s the same inputs into a new store, and the exports are compared.

    python bench/compare_ingest.py --base ../wt-base --scratch /tmp/cmp [--jobs 2] PATH [PATH ...]

For each PATH (a file or folder; each path is one comparison), the base checkout's ``.venv/bin/kg`` and
this one's ingest it into new stores under ``--scratch``, then ``kg export --format nq`` each store. The
two exports' lines are normalised and sorted, and must be equal. Normalised, because it legitimately
differs from run to run: the ingest's time, the ``prov:endedAtTime`` literal of each document's ingest
activity (replaced by a fixed time). Nothing else is changed. Prints, for each path, the lines of each
side and ``same`` or the first differing lines; exits 1 if any path differs. The stores are deleted
afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_ENDED = re.compile(
    rb'(<http://www\.w3\.org/ns/prov#endedAtTime> )"[^"]*"(\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>)'
)


def normalised(nquads: bytes) -> list[bytes]:
    """The export's lines, sorted, each ingest time replaced by one fixed time."""
    return sorted(_ENDED.sub(rb'\1"2000-01-01T00:00:00+00:00"\2', line) for line in nquads.splitlines() if line)


def export(checkout: Path, store: Path, path: str, jobs: int) -> bytes:
    kg = str(checkout / ".venv" / "bin" / "kg")
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([kg, "ingest", "--jobs", str(jobs), "--store", str(store), path], check=True, capture_output=True)
    out = subprocess.run([kg, "export", "--format", "nq", "--store", str(store)], check=True, capture_output=True)
    return out.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--base", required=True, help="the other checkout (with its own .venv)")
    ap.add_argument("--scratch", required=True, help="a folder for the stores")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the stores and the exports")
    args = ap.parse_args()
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    differs = 0
    for number, path in enumerate(args.paths):
        path = str(Path(path).resolve())
        sides = {}
        for side, checkout in (("base", Path(args.base).resolve()), ("branch", ROOT)):
            data = export(checkout, scratch / f"store-{number}-{side}", path, args.jobs)
            if args.keep:
                (scratch / f"export-{number}-{side}.nq").write_bytes(data)
            sides[side] = normalised(data)
        base, branch = sides["base"], sides["branch"]
        if base == branch:
            print(f"{path}: same ({len(base)} lines each)")
        else:
            differs += 1
            only_base = sorted(set(base) - set(branch))[:5]
            only_branch = sorted(set(branch) - set(base))[:5]
            print(f"{path}: DIFFERENT ({len(base)} / {len(branch)} lines)")
            for line in only_base:
                print("  base only:  ", line.decode(errors="replace")[:300])
            for line in only_branch:
                print("  branch only:", line.decode(errors="replace")[:300])
        if not args.keep:
            for side in sides:
                shutil.rmtree(scratch / f"store-{number}-{side}", ignore_errors=True)
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
