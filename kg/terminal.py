"""Text for a terminal: what the CLI prints from the store can move the cursor, retitle or clear nothing.

Document text is data from outside: a title or a snippet can hold ESC (``\\x1b``) or C1 controls
(``\\x9b`` is CSI by itself) that a terminal would obey. Every string the CLI renders through
:class:`SafeConsole` (tables, messages) and machine formats written to a terminal have C0 controls
other than tab and line feed, DEL, and C1 controls replaced by U+FFFD. Rich's own styling is
unaffected: it is written from styles, not from the text.

>>> strip_controls("ok\\x1b[2Jbad\\x9b31m\\tline\\n")
'ok\\ufffd[2Jbad\\ufffd31m\\tline\\n'
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` with every terminal control character (C0 but tab and LF, DEL, C1) replaced by U+FFFD."""
    return _CONTROLS.sub("\ufffd", text)


class SafeConsole(Console):
    """A rich console that strips control characters from every string it renders."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(strip_controls(text), **kwargs)
