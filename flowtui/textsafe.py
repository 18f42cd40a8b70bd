"""Data is shown literally: control characters in keys and values never reach a terminal.

An S3 key or a field value may hold ESC sequences or other control characters; printed raw
they would move the cursor, change colours or retitle the window. They are shown as
``\\xNN`` escapes instead. (Rich markup is a UI concern: the UI builds ``Text`` objects,
never markup strings, from data.)
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_WITH_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters as visible escapes (tab and newline kept on request)."""
    pattern = _CONTROL if keep_newlines else _CONTROL_WITH_NEWLINES
    if text.isprintable():
        return text
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
