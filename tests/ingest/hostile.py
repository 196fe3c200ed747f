"""Hostile inputs made by the tests themselves (no committed binaries): a PDF whose small compressed page
stream inflates hugely, and a short text that is slow to extract."""

from __future__ import annotations

import zlib


def inflating_pdf(operators: int = 4_000_000, pad: int = 0) -> bytes:
    """A one-page PDF of about 26 KB whose page stream (Flate inside Flate) inflates to tens of megabytes
    of text-showing operators."""
    content = b"BT /F1 12 Tf 72 712 Td (health) Tj ET\n" * operators
    stream = zlib.compress(zlib.compress(content, 9), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n" + (b"%" + b"x" * pad + b"\n" if pad else b""))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def hostile_pdf(size: int = 26 * 1024) -> bytes:
    """:func:`inflating_pdf` just under pypdf's decompression limit, padded to ``size`` bytes with a comment
    (a PDF reader skips it): about a minute of pypdf's text extraction, and hundreds of MB of memory."""
    pdf = inflating_pdf(1_700_000)
    return inflating_pdf(1_700_000, pad=max(0, size - len(pdf) - 2))


def slow_text(labels: list[str], size: int = 32 * 1024) -> str:
    """A title and one long sentence of nothing but vocabulary names, no punctuation: every name is a
    mention and the relation patterns backtrack over the whole run of them."""
    names = [label for label in sorted(labels) if label.isascii() and "," not in label and "." not in label]
    body, i = [], 0
    while sum(len(n) + 1 for n in body) < size:
        body.append(names[(i * 7919) % len(names)])
        i += 1
    # every word a relation rule needs before it is tried (relations.toml's "needs"), at the end of the run
    needed = " " + " ".join(sorted({w for rule in _relation_rules() for w in rule.get("needs", ())}))
    return ("Names in a row\n\n" + " ".join(body))[: size - len(needed)] + needed


def _relation_rules() -> list[dict]:
    import tomllib

    from kg.resources import data_dir

    return tomllib.loads((data_dir() / "patterns" / "relations.toml").read_text(encoding="utf-8"))["rule"]
