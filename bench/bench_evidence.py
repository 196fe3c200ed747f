"""What the evidence costs: quads and bytes per document, by part, and the store's size on disk.

    python bench/bench_evidence.py [--docs 1000] [PATH ...]

Builds a store of ``--docs`` documents with :mod:`bench.scale` (the sources extracted once, copies
under new titles), then prints, per document on average: quads by part (metadata and provenance,
schema:mentions, mention evidence, relation triples and statements, relation evidence), the
N-Quads bytes of each part, the store's directory size after the bulk load and the size of the search
index of the same documents (which the site cuts quotes' prefix and suffix from, store format 3). Run it on two checkouts to compare the evidence models (same sources, same N).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402

from bench.tables import print_table  # noqa: E402
from kg.graph import namespaces as ns  # noqa: E402
from kg.graph.compaction import folder_bytes  # noqa: E402

#: What a statement carries as its own evidence in store format 3 (docs/evidence.md).
_STATEMENT_EVIDENCE = {
    ns.OA + "exact",
    ns.ONTOLOGY + "span",
    ns.ONTOLOGY + "extractionRule",
    ns.ONTOLOGY + "matchedBy",
    ns.ONTOLOGY + "modality",
}


def part_of(quads) -> dict:
    """Each quad's part. Format 2: oa:hasTarget / oa:hasSelector lead back to the annotation, whose motivation
    decides. Format 3: a node with oa:hasBody and no motivation is a mention's evidence; a statement's
    quote, places, rule and ways of matching are relation evidence."""
    parent: dict[str, str] = {}
    motivation: dict[str, str] = {}
    statements: set[str] = set()
    for q in quads:
        s, p, o = str(q.subject), q.predicate.value, str(q.object)
        if p in (ns.OA + "hasTarget", ns.OA + "hasSelector"):
            parent[o] = s
        elif p == ns.OA + "motivatedBy":
            motivation[s] = q.object.value
        elif p == ns.RDF + "type" and q.object.value == ns.RDF + "Statement":
            statements.add(s)
    for q in quads:  # format 3: mention evidence nodes are the subjects of oa:hasBody without a motivation
        s = str(q.subject)
        if q.predicate.value == ns.OA + "hasBody" and s not in motivation:
            motivation[s] = ns.OA + "identifying"
    parts = Counter()
    sizes = Counter()
    for q in quads:
        s = str(q.subject)
        root = s
        while root in parent:
            root = parent[root]
        if root in motivation:
            part = "mention evidence" if motivation[root].endswith("identifying") else "relation evidence"
        elif s in statements and q.predicate.value in _STATEMENT_EVIDENCE:
            part = "relation evidence"
        elif q.predicate.value == ns.SCHEMA + "mentions":
            part = "schema:mentions"
        elif s in statements or (q.predicate.value in _relation_predicates and s != q.graph_name.value):
            part = "relations"
        else:
            part = "metadata, provenance"
        parts[part] += 1
        sizes[part] += len(str(q).encode("utf-8")) + 3
    return {"quads": parts, "bytes": sizes}


_relation_predicates: set[str] = set()


def index_size(location: Path, base, n: int) -> int:
    """The size of the search index of the ``n`` documents of :func:`scale.copies` (each text indexed once)."""
    from kg.graph.search import INDEX_NAME, SearchIndex

    with SearchIndex(location) as index:
        rows = []
        for i, (iri, _quads) in enumerate(scale.copies(base, n)):
            document = base[i % len(base)][0]
            rows.append((iri, "document", document.title, "", document.text, None))
            if len(rows) == 500:
                index.put_many(rows)
                rows = []
        index.put_many(rows)
    return (location / INDEX_NAME).stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--docs", type=int, default=1000)
    args = ap.parse_args()
    from kg.graph.predicates import predicates

    _relation_predicates.update(predicates())
    paths = args.paths or scale.default_paths()
    from kg import Pipeline

    base = scale.extracted(paths, Pipeline())
    total_q, total_b = Counter(), Counter()
    mentions = relations = 0
    for _doc, _src, extraction in base:
        mentions += len(extraction.mentions)  # type: ignore[attr-defined]
        relations += len(extraction.relations)  # type: ignore[attr-defined]
    for _iri, quads in scale.copies(base, len(base)):
        found = part_of(quads)
        total_q += found["quads"]
        total_b += found["bytes"]
    n = len(base)
    print(
        f"{n} source documents from {', '.join(paths)}: {mentions / n:.1f} mentions and {relations / n:.1f} relations a document"
    )
    parts = ("metadata, provenance", "schema:mentions", "mention evidence", "relations", "relation evidence")
    print_table(
        [("part", "24s"), ("quads/doc", "10.1f"), ("N-Quads bytes/doc", "18.0f")],
        [
            *((part, total_q[part] / n, total_b[part] / n) for part in parts),
            ("total", sum(total_q.values()) / n, sum(total_b.values()) / n),
        ],
    )
    with tempfile.TemporaryDirectory() as tmp:
        location = Path(tmp) / "store"
        start = time.perf_counter()
        store = scale.build(location, args.docs, paths)
        loaded = time.perf_counter() - start
        store.close()
        size = folder_bytes(location)
        from kg import Store

        with Store(location) as store:
            quads = store.quad_count()
        index = index_size(location, base, args.docs)
    print(
        f"store of {args.docs} documents: {quads} quads in named graphs ({quads / args.docs:.0f}/doc), "
        f"{size / 1e6:.1f} MB on disk after bulk load ({size / args.docs / 1e3:.1f} KB/doc); loaded in {loaded:.1f} s"
    )
    print(
        f"search index beside it (titles and texts, which the pages cut quotes' context from): "
        f"{index / 1e6:.1f} MB ({index / args.docs / 1e3:.1f} KB/doc); store and index "
        f"{(size + index) / args.docs / 1e3:.1f} KB/doc"
    )
    print(f"load average: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
