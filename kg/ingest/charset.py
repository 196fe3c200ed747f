"""Character sets: decoding bytes as UTF-8 or Windows-1252, and naming declared charsets.

Shared by every text reader (plain text, HTML, downloads), so each reader module imports this one and none
imports another reader.

>>> decode("caf\u00e9".encode("cp1252"), "x.txt")
('café', 'windows-1252')
>>> codec_name("ISO-8859-1"), encoding_label("cp1252")
('cp1252', 'windows-1252')
"""

from __future__ import annotations

import codecs

from kg.errors import SourceError


def decode(raw: bytes, location: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252.

    Raises SourceError for empty input and for binary data.
    """
    if not raw.strip():
        raise SourceError(location, "the file is empty")
    if b"\x00" in raw[:8192]:
        raise SourceError(location, "the file is binary, not text")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SourceError(location, f"the text is neither UTF-8 nor Windows-1252 (byte {exc.start})") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > len(text[:8192]) * 0.01:
        raise SourceError(location, "the file is binary, not text")
    return text, "windows-1252"


def codec_name(label: str | None) -> str | None:
    """Python's name for a declared charset; Latin-1 and ASCII mean Windows-1252, as browsers read them."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def encoding_label(codec: str) -> str:
    """The name to record: "utf-8", "windows-1252", else Python's name."""
    return {"cp1252": "windows-1252", "utf-8-sig": "utf-8"}.get(codec, codec)
