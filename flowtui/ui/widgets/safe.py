"""Data is not markup: turn untrusted strings into text that can only be shown literally.

S3 keys, bucket names, header names and field values come from whoever wrote the bucket.
Rich markup in them is harmless as long as we never build markup strings (we build
``rich.text.Text``), but control characters (ESC, CR, BEL, C1 codes) would still reach the
terminal, and bidi overrides would reorder what is shown. The core's ``printable`` turns
control characters into ``\\xNN`` escapes; here bidi controls become ``\\uNNNN`` too.
"""

from __future__ import annotations

from rich.text import Text

from flowtui.textsafe import printable

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
_BIDI_TABLE = {code: f"\\u{code:04x}" for code in _BIDI}


def literal(value: object) -> str:
    """The printable form of ``value``: control characters become visible escapes."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return printable(text).translate(_BIDI_TABLE)


def text(value: object, style: str = "") -> Text:
    """A ``Text`` that shows ``value`` literally (no markup, no control characters)."""
    return Text(literal(value), style=style)
