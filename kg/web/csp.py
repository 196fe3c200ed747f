"""The Content-Security-Policy of every HTML page: only our own scripts and styles, nothing inline.

The site's pages, the query page and the server's small HTML answers load scripts, styles and
data only from files of their own site (``'self'``) and hold no inline script, style or event
attribute, so a title or quote that got into a page as markup could not run or restyle anything.
The same policy is sent as a header by ``kg serve`` (:mod:`kg.web.server.headers`) and written as a
``<meta http-equiv>`` into the pages of the offline site (``base.html``), where it also holds when
the pages are opened from disk. ``frame-ancestors`` only works in the header, so the meta form
leaves it out.

The one-file map of ``kg map`` has a policy of its own (:func:`with_standalone_policy`): its inline
scripts and styles by hash, nothing remote.

One exception, for styles only: the map page (:data:`MAP_PAGES`) runs the vendored vis-network,
whose bundle adds its own style sheets to the page as ``<style>`` elements when it starts, so that
page's ``style-src`` also allows inline styles. Its scripts are held to ``'self'`` like every page.

>>> "script-src 'self'" in POLICY and "'unsafe-inline'" not in POLICY
True
>>> "frame-ancestors" in META_POLICY
False
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape as html_escape

#: directive -> sources; one place for the policy's contents
_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
_HEADER_ONLY = {"frame-ancestors": "'none'"}

#: pages (paths in the site) whose script adds inline styles: see above
MAP_PAGES = frozenset({"map.html"})


def _join(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


_MAP = {**_DIRECTIVES, "style-src": "'self' 'unsafe-inline'"}
META_POLICY = _join(_DIRECTIVES)
POLICY = _join({**_DIRECTIVES, **_HEADER_ONLY})
MAP_META_POLICY = _join(_MAP)
MAP_POLICY = _join({**_MAP, **_HEADER_ONLY})


def header_policy(path: str) -> str:
    """The policy header for an HTML response at ``path`` (a URL path of the server).

    >>> header_policy("/map.html") == MAP_POLICY, header_policy("/id/nhs-england.html") == POLICY
    (True, True)
    """
    return MAP_POLICY if path.lstrip("/") in MAP_PAGES else POLICY


# ---------------------------------------------------------------- one self-contained file (kg map)
#
# The file `kg map` writes holds its scripts and styles inline, so 'self' cannot name them (and a
# file:// page has no origin to speak of). Its policy names each inline block by the SHA-256 of its
# text instead: the scripts and style sheets the file was written with run, and nothing else does,
# neither a script that got into the page as markup nor anything from the network (default-src
# 'none'). vis-network also adds <style> elements of its own when it starts (the "style-inject"
# helper bundled in it); their texts are string literals in the bundle, so they are hashed too.
# Style *attributes* are allowed (style-src-attr 'unsafe-inline'; browsers without CSP level 3 fall
# back to style-src and drop them): vis-network writes styles onto the elements it makes, and an
# attribute's value cannot be known before the page runs. A style attribute runs no script; every
# script and every <style> element is still held to its hash.

_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)
#: the style-inject helper: ``function NAME(css, options) { ... options.insertAt ... createElement("style") ...``
_STYLE_INJECT = re.compile(r"function\s+([\w$]+)\(\s*[\w$]+\s*,\s*[\w$]+\s*\)\s*\{.{0,200}?\.insertAt\b", re.DOTALL)
_STANDALONE = {
    "default-src": "'none'",
    "img-src": "data: blob:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}


def source_hash(text: str) -> str:
    """A CSP hash source for an inline block: ``'sha256-…'`` of its text as the browser reads it (newlines as LF).

    >>> source_hash("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def injected_styles(script: str) -> list[str]:
    """The CSS texts a script adds as ``<style>`` elements through the style-inject helper (string literals only).

    >>> injected_styles('function Le(g,t){var A=t.insertAt;}Le(".a{top:0}"),Le(".b{left:0}")')
    ['.a{top:0}', '.b{left:0}']
    """
    found: list[str] = []
    for helper in sorted({m.group(1) for m in _STYLE_INJECT.finditer(script)}):
        call = re.compile(
            r"(?<![\w$.])" + re.escape(helper) + r"""\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*[,)]""", re.DOTALL
        )
        found.extend(js_string(literal.group(1)) for literal in call.finditer(script))
    return found


_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.DOTALL)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": "", "\r\n": ""}


def js_string(literal: str) -> str:
    """The value of a JavaScript string literal (quoted with ' or ").

    >>> js_string(r"'a\\'b\\u0041\\x42\\\\'"), js_string('"x\\"y"')
    ("a'bAB\\\\", 'x"y')
    """

    def value(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] == "u" and len(escape) > 1:
            return chr(int(escape[2:-1] if escape[1] == "{" else escape[1:], 16))
        if escape[0] == "x" and len(escape) == 3:
            return chr(int(escape[1:], 16))
        return _JS_SIMPLE.get(escape, escape)

    return _JS_ESCAPE.sub(value, literal[1:-1])


def standalone_policy(html: str) -> str:
    """The policy of a self-contained page: its own inline scripts and styles by hash, nothing else."""
    scripts: list[str] = []
    styles: list[str] = []
    for tag, attributes, text in _INLINE.findall(html):
        if tag.lower() == "style":
            styles.append(source_hash(text))
        elif not _SRC.search(attributes) and not _DATA_TYPE.search(attributes):
            scripts.append(source_hash(text))
            injected = injected_styles(text)
            if injected:  # the helper adds its <style> empty, then its text: both are checked
                styles.extend(source_hash(css) for css in ["", *injected])
    directives = dict(_STANDALONE)
    directives["script-src"] = " ".join(dict.fromkeys(scripts)) or "'none'"
    directives["script-src-attr"] = "'none'"  # no event handler attributes, whatever their text
    directives["style-src"] = " ".join(dict.fromkeys(styles)) or "'none'"
    directives["style-src-elem"] = directives["style-src"]
    directives["style-src-attr"] = "'unsafe-inline'"  # see above: vis-network's element styles
    return _join(directives)


def with_standalone_policy(html: str) -> str:
    """``html`` with a ``<meta http-equiv="Content-Security-Policy">`` of :func:`standalone_policy` first in its head.

    >>> page = with_standalone_policy("<html><head><title>t</title></head><body><script>go()</script></body></html>")
    >>> page.split("<title>")[0].count("script-src 'sha256-"), "default-src 'none'" in page
    (1, True)
    """
    policy = html_escape(standalone_policy(html), quote=False)  # quotes are CSP's own; no " in a policy
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    head = re.search(r"<head\b[^>]*>", html, re.IGNORECASE)
    if head is None:
        raise ValueError("the page has no <head> to put its Content-Security-Policy in")
    return html[: head.end()] + "\n" + meta + html[head.end() :]
