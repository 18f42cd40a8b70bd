"""Data is shown literally: control characters in keys and values never reach a terminal.

An S3 key or a field value may hold ESC sequences or other control characters; printed raw
they would move the cursor, change colours or retitle the window. They are shown as
``\\xNN`` escapes instead. Bidi controls (the overrides U+202A–U+202E, the isolates
U+2066–U+2069 and the marks) would reorder what the terminal shows, so that
``evil\\u202etxt.exe`` reads as something else: they become ``\\uNNNN``, as in the TUI.
(Rich markup is a UI concern: the UI builds ``Text`` objects, never markup strings, from
data.)

The patterns are written for both Python's ``re`` and RE2 (Arrow's regex kernels), so the
``cat`` writers find the values that need escaping column by column with the same rule.
"""

from __future__ import annotations

import re

BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Everything ``printable`` escapes.
UNSAFE = "[\\x00-\\x1f\\x7f-\\x9f" + BIDI + "]"
#: The same, less tab and newline (``keep_newlines=True``).
UNSAFE_KEEPING_NEWLINES = "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f" + BIDI + "]"

_UNSAFE = re.compile(UNSAFE)
_UNSAFE_KEEPING_NEWLINES = re.compile(UNSAFE_KEEPING_NEWLINES)


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and bidi characters as visible escapes (tab and newline kept
    on request)."""
    if text.isprintable():  # the common case, and no character escaped here is printable
        return text
    pattern = _UNSAFE_KEEPING_NEWLINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
