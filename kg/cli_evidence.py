"""``kg evidence``: the evidence in the standard W3C Web Annotation form, with the quotes in context.

The store keeps evidence compactly (docs/evidence.md); this writes one ``oa:Annotation`` per place with
``oa:TextPositionSelector`` and ``oa:TextQuoteSelector`` (``oa:exact``, and ``oa:prefix`` / ``oa:suffix``
cut from the document text the search index holds), one document at a time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kg.cli import StoreOption, app, err, fail
from kg.errors import KGError, UsageError


@app.command("evidence")
def evidence_command(
    document: str | None = typer.Option(None, "--document", "-d", help="Only this document's evidence (its IRI)."),
    fmt: str = typer.Option("nt", "--format", "-f", help="nt (N-Triples) or turtle."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
    store: str | None = StoreOption,
) -> None:
    """Write the evidence as standard Web Annotations (one per place, with prefix and suffix)."""
    from kg.graph.evidence import EVIDENCE_FORMATS, write_web_annotations
    from kg.graph.store import open_store

    try:
        if fmt not in EVIDENCE_FORMATS:
            raise UsageError(f"unknown format '{fmt}': choose {' or '.join(EVIDENCE_FORMATS)}")
        with open_store(store, read_only=True) as kg_store:
            target = output.open("wb") if output else sys.stdout.buffer
            try:
                count = write_web_annotations(kg_store, target, fmt, document)
            finally:
                if output:
                    target.close()
    except KGError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc}")
    err.print(f"{count} triple(s) of evidence" + (f" written to {output}" if output else ""))
