"""What an object is by its first bytes: gzip, flow-log text, or something else to refuse.

Apart from the parser because the loader and the Parquet reader ask the same question of a
file's or an object's head before a parser exists; one place holds the magic numbers. A
stray NUL or bad byte in text is a bad line (the parser reports it); noise is not a flow log.
"""

from __future__ import annotations

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
SNIFF_BYTES = 4096
_OTHER_FORMATS = (
    (b"\x28\xb5\x2f\xfd", "zstd-compressed (zstd -d it first)"),
    (b"BZh", "bzip2-compressed (bunzip2 it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed (unxz it first)"),
    (b"PK\x03\x04", "a zip archive (unzip it first)"),
)


def refusal(head: bytes) -> str | None:
    """Why an object whose first bytes are ``head`` (not gzip) is not flow-log text, or
    None when it is text."""
    if head.startswith(PARQUET_MAGIC):
        return "this is a Parquet object, not gzip text; read it as Parquet"
    for magic, kind in _OTHER_FORMATS:
        if head.startswith(magic):
            return f"not a flow-log object: {kind}; flow logs are gzip or plain text"
    if not _mostly_text(head[:SNIFF_BYTES]):
        return "not a flow-log object: neither gzip nor text"
    return None


def _mostly_text(sample: bytes) -> bool:
    """Text with a stray bad byte is still text (that line is reported); noise is not."""
    decoded = sample.decode("utf-8", "replace")
    controls = sum(1 for c in decoded if c < " " and c not in "\t\r\n")  # NUL included
    return decoded.count("\ufffd") + controls <= max(4, len(sample) // 50)
