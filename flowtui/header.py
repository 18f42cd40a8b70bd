"""What a header line is, and the column names it gives.

Apart from the parser because two readers ask it: the parser reads the first line of an
object, and the parse thread meets a second object's header inside a block (concatenated gzip
members, ``cat a b``). A header is name-like tokens, at least one a known field; records never
are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from flowtui.fields import DEFAULT_FIELDS, FIELDS, canonical_name

# The catalogue's ~80 fields and room for duplicates and names it does not know yet; a header
# wider than this is not a flow log, and the table must never lay out thousands of columns.
MAX_FIELDS = 256

_NAME = re.compile(rb"[A-Za-z][A-Za-z0-9_-]*")
#: UTF-8's byte-order mark, which a text saved by a Windows editor starts with: no part of
#: the header.
BOM = b"\xef\xbb\xbf"


class NotAFlowLog(ValueError):
    """An object's first line says it is no flow log (one line for the user)."""


def first_line_fields(first: bytes, given: list[str] | None) -> tuple[list[str], bool]:
    """The columns of an object whose first non-blank line is ``first`` (stripped), and
    whether that line is a header: its names; else ``given`` (``--fields``) or, for a line
    that starts like a record, the default format's. One rule for the parser and for a
    CSV's header read ahead (``objectfields``), so they agree. Raises ``NotAFlowLog``."""
    tokens = first.split()
    if len(tokens) > MAX_FIELDS and looks_like_header(tokens[:MAX_FIELDS]):
        raise NotAFlowLog(f"not a flow-log object: the header has {len(tokens)} fields "
                          f"(a flow log has at most {MAX_FIELDS})")
    if looks_like_header(tokens):
        return column_names(t.decode("ascii") for t in tokens), True
    if given is not None:
        return given, False
    if not first[:1].isdigit():
        raise NotAFlowLog("not a flow-log object: the first line is neither a header of "
                          "field names nor a record")
    return list(DEFAULT_FIELDS), False


def looks_like_header(tokens: Sequence[bytes]) -> bool:
    """A header is name-like tokens, at least one a known field; records never are."""
    if not tokens or not all(_NAME.fullmatch(token) for token in tokens):
        return False
    return any(canonical_name(token.decode("ascii")) in FIELDS for token in tokens)


def column_names(names: Iterable[str]) -> list[str]:
    """Catalogue spellings (``tcp_flags`` -> ``tcp-flags``), duplicates numbered."""
    return _dedupe([canonical_name(name) for name in names])


def union(names: Iterable[Sequence[str]]) -> list[str]:
    """Every name of ``names`` once, in the order first named: the one set of columns of
    rows of several formats (``export.unified_schema``: ``--sort``, the app's export;
    ``objectfields``: a streaming ``cat --format csv``), so they agree."""
    return list(dict.fromkeys(name for each in names for name in each))


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}#{count + 1}")
    return out
