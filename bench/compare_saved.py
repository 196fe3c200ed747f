"""Old and new texts of the saved queries give the same rows, on any store (e.g. the 1,000-document synthetic one).

    python bench/compare_saved.py --store DIR [--against DIR] [--only NAME,NAME] [--case NAME:k=v,k=v ...]

For each saved query whose text differs from the one in --against (default: tests/graph/reference_queries,
the texts before the rewrites for large stores), runs both with the default parameters and with each --case
given for it (and the cases of tests/graph/test_saved_rewrites.py), every page of the new text joined
(``run_saved`` page by page, as ``kg query`` and the server ask for it) and the whole answer of the old one,
and compares the rows as multisets (rows that tie in ORDER BY may come in another order). Prints one line
per comparison with both times; exits 1 if any differs. The figures are one run each: for timing, use
bench/bench_saved_queries.py --against.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import Store  # noqa: E402
from kg.graph.query import QueryResult  # noqa: E402
from kg.graph.saved import SavedQuery, load_saved, run_saved  # noqa: E402

REFERENCE = ROOT / "tests" / "graph" / "reference_queries"


def every_page(store: Store, query: SavedQuery, values: dict[str, str]) -> QueryResult:
    """The whole answer, read a page at a time when the query has pages (else in one go)."""
    first = run_saved(store, query, values)
    rows, page = list(first.rows), first
    while page.more:
        page = run_saved(store, query, values, limit=page.limit, offset=page.offset + page.limit)
        rows += page.rows
    return QueryResult("select", variables=first.variables, rows=rows)


def counted(result: QueryResult) -> Counter:
    return Counter(tuple(str(term) for term in row) for row in result.rows)


def cases(names: list[str], extra: list[str]) -> list[tuple[str, dict[str, str]]]:
    chosen: list[tuple[str, dict[str, str]]] = [(name, {}) for name in names]
    sys.path.insert(0, str(ROOT / "tests" / "graph"))
    try:
        from test_saved_rewrites import CASES  # the cases the tests compare on the sample and the seeds
    except ImportError:
        CASES = []
    chosen += [(name, values) for name, values in CASES if name in names and values]
    for item in extra:
        name, _, assignments = item.partition(":")
        values = dict(pair.split("=", 1) for pair in assignments.split(",") if pair)
        chosen.append((name, values))
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--against", default=str(REFERENCE), help="a folder with the old texts")
    ap.add_argument("--only", help="comma-separated names (default: every query whose text differs)")
    ap.add_argument("--case", action="append", default=[], help="NAME:param=value,param=value (repeatable)")
    ap.add_argument("--pages", help="offsets: compare the whole answers and these pages of the new text only")
    args = ap.parse_args()
    offsets = [int(x) for x in args.pages.split(",")] if args.pages else None
    new, old = load_saved(), load_saved(args.against)
    names = args.only.split(",") if args.only else [n for n in new if n in old and new[n].sparql != old[n].sparql]
    failed = 0
    with Store(args.store, read_only=True) as store:
        for name, values in cases(names, args.case):
            start = time.perf_counter()
            ours = (
                run_saved(store, new[name], values, limit=0)
                if offsets is not None
                else every_page(store, new[name], values)
            )
            middle = time.perf_counter()
            theirs = run_saved(store, old[name], values, limit=0)
            end = time.perf_counter()
            same = ours.variables == theirs.variables and counted(ours) == counted(theirs)
            failed += not same
            print(
                f"{'same' if same else 'DIFFERENT'}  {name} {values or ''}: {len(ours.rows)} rows / {len(theirs.rows)}"
                f"  new {1000 * (middle - start):.0f} ms, old {1000 * (end - middle):.0f} ms"
            )
            for offset in offsets or ():
                page = run_saved(store, new[name], values, offset=offset)
                slice_ = [tuple(map(str, row)) for row in ours.rows[offset : offset + len(page.rows)]]
                right = [tuple(map(str, row)) for row in page.rows] == slice_ and page.more == (
                    len(ours.rows) > offset + len(page.rows)
                )
                failed += not right
                print(
                    f"  {'same' if right else 'DIFFERENT'}  page at {offset}: {len(page.rows)} rows, more={page.more}"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
