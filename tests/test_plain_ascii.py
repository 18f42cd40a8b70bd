"""``columntext.plain_ascii``: the check that lets the writers print a text column as it is.

A column it calls plain is written without escaping (CSV, JSON lines, the table), so a wrong
"yes" would put a control character, DEL or a bidi mark on the user's terminal: every byte
must be printable ASCII (space to ``~``). Checked against a byte-by-byte reference on
generated columns: the bytes at either edge (0x1f, 0x20, 0x7e, 0x7f), multi-byte UTF-8,
empty values, nulls, and slices whose values start past the data buffer's first byte.
"""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.columntext import plain_ascii

EDGES = ["\x1f", " ", "~", "\x7f", "\t", "\r", "\n", "\x00", "é", "\u2028", "\u202e", "a",
         '"', ","]
values = st.one_of(st.none(), st.text(st.sampled_from(EDGES), max_size=6),
                   st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                           max_size=12))


def reference(column: list[str | None]) -> bool:
    return all(0x20 <= byte <= 0x7E for value in column if value is not None
               for byte in value.encode())


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=20), st.integers(0, 5), st.integers(0, 5))
def test_plain_means_every_byte_is_printable_ascii(column: list[str | None], head: int,
                                                   tail: int) -> None:
    array = pa.array(column, pa.string())
    assert plain_ascii(array) == reference(column)
    # A slice sees only its own values' bytes, whatever lies around them in the buffer.
    end = max(head, len(column) - tail)
    assert plain_ascii(array.slice(head, end - head)) == reference(column[head:end])


def test_a_lone_byte_past_either_edge_is_not_plain() -> None:
    for bad in ("\x1f", "\x7f", "é"):
        assert not plain_ascii(pa.array(["abc", "x" + bad, "def"]))
        assert plain_ascii(pa.array(["abc", "x" + bad, "def"]).slice(2, 1))
    assert plain_ascii(pa.array([" ", "~", "", None]))
