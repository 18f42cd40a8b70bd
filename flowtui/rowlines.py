"""Where a batch's records are in their object's text, so a record is named by its line.

"record 1234" in the detail panel used to be the row of the view (after a filter or a sort),
not a place in any file: a user who opened the object at line 1234 found another record.
The parser knows each block's first line and which lines it skipped (blank, bad, a header);
the usual batch's rows are consecutive lines, so one int says where all of them are.
"""

from __future__ import annotations

from typing import TypeAlias

import pyarrow as pa

from flowtui import arrowcompute as pc

#: Where a batch's rows are in their object's text: the line number of its first row when
#: its rows are consecutive lines (the usual block: one int per batch, nothing per row);
#: their line numbers (uint32) when lines between them were skipped (blank, bad, a header);
#: None when not known (rows a prefilter picked, a lone CR, Parquet).
RowLines: TypeAlias = int | pa.Array | None


def shift_lines(lines: RowLines, by: int) -> RowLines:
    """``lines`` of a block that starts ``by`` lines into its object (numbered from 1 at
    the block's first line before)."""
    if lines is None or by == 0:
        return lines
    if isinstance(lines, int):
        return lines + by
    return pc.add(lines, pa.scalar(by, pa.uint32()))


def slice_lines(lines: RowLines, offset: int, length: int | None = None) -> RowLines:
    """The lines of rows ``offset``.. of a batch whose rows are at ``lines``."""
    if lines is None or isinstance(lines, int):
        return None if lines is None else lines + offset
    return lines.slice(offset, length)


def line_at(lines: RowLines, offset: int) -> int | None:
    """The line number of row ``offset`` of a batch whose rows are at ``lines``."""
    if lines is None or isinstance(lines, int):
        return None if lines is None else lines + offset
    value = lines[offset].as_py()
    return value if isinstance(value, int) else None
