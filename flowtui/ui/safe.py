"""Data is not markup: turn untrusted strings into text that can only be shown literally.

S3 keys, bucket names, header names and field values come from whoever wrote the bucket.
Rich markup in them is harmless as long as we never build markup strings (we build
``rich.text.Text``), but control characters (ESC, CR, BEL, C1 codes, bidi overrides) would
still reach the terminal and move the cursor, change colours or reorder text. Each such
character is replaced by its visible escape (``\\x1b``), so what the user sees is what the
data holds.
"""

from __future__ import annotations

from rich.text import Text

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE: dict[int, str] = {
    code: _escape(code) for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI]
}


def literal(value: object) -> str:
    """The printable form of ``value``: control characters become visible escapes."""
    text = value if isinstance(value, str) else str(value)
    return text.translate(_TABLE)


def text(value: object, style: str = "") -> Text:
    """A ``Text`` that shows ``value`` literally (no markup, no control characters)."""
    return Text(literal(value), style=style, no_wrap=False)
