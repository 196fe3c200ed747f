"""Peak memory of the streamed dump (``/dump.nq``) against building the same N-Quads whole, in the same run.

    python bench/bench_dump.py STORE [STORE ...]

For each store, three fresh interpreters each open it and report their peak resident memory
(``ru_maxrss``): one that only opens the store and counts its quads (the baseline), one that reads
the streamed dump (:class:`kg.graph.dump.Stream`, the server's way) and drops each chunk, and one that
builds the whole export in memory (``kg export --format nq``'s way). The stream's memory over the
baseline should stay flat as stores grow; the whole export's grows with the output.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = {
    "baseline (open, count quads)": """
import pyoxigraph as ox
store = ox.Store.read_only(LOCATION)
size = sum(1 for _ in store.quads_for_pattern(None, None, None))
""",
    "streamed dump": """
from kg.graph.dump import Stream
size = sum(len(chunk) for chunk in Stream(LOCATION, "N_QUADS"))
""",
    "whole export in memory": """
from kg.graph.export import export
from kg.graph.store import Store
with Store(LOCATION, read_only=True) as store:
    size = len(export(store, "nq"))
""",
}
REPORT = """
import json, resource
print(json.dumps({"size": size, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(code: str, location: str) -> dict:
    program = f"LOCATION = {location!r}\n" + code + REPORT
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stores", nargs="+", help="store folders (made by kg ingest)")
    args = parser.parse_args()
    for location in args.stores:
        location = str(Path(location).resolve())
        results = {name: measure(code, location) for name, code in CHILD.items()}
        base = results["baseline (open, count quads)"]["maxrss_kb"]
        print(f"{location}: {results['baseline (open, count quads)']['size']:,} quads")
        for name, found in results.items():
            extra = found["maxrss_kb"] - base
            print(
                f"  {name:32} peak {found['maxrss_kb'] / 1024:7.1f} MB  over baseline {extra / 1024:+7.1f} MB  "
                f"output {found['size']:,}"
            )


if __name__ == "__main__":
    main()
