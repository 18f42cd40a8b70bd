"""pyarrow's CSV reader set up for flow-log text, and the narrowing of what it typed.

Apart from the parser (``parser.py``) and its blocks (``blocks.py``) because these are facts
about Arrow, not about lines: the options every read shares, the copy into memory Arrow owns,
the UTF-8 check done on dictionaries, and storing each column in the fewest bytes. The
Parquet reader narrows its batches the same way (``parquet.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.csv as pacsv

from flowtui import arrowcompute as pc
from flowtui.fields import FIELDS, arrow_type

_UINT32_MAX = (1 << 32) - 1

# No Python callable here (no invalid_row_handler): a row with the wrong field count makes
# read_csv raise, which is all the fast path needs to know, and a Python object held by the
# reader could be released on one of Arrow's threads (see ``arrow_owned``).
PARSE_OPTIONS = pacsv.ParseOptions(delimiter=" ", quote_char=False, double_quote=False,
                                    escape_char=False)


def arrow_owned(data: bytes) -> pa.BufferReader:
    """The block copied into memory Arrow owns, for the threaded CSV reader.

    The threaded reader is disposed of on one of Arrow's pool threads, a moment after
    ``read_csv`` returns. Handed a Python object (``io.BytesIO``, or bytes wrapped by
    ``py_buffer``), that thread must take the GIL to release it; when that moment falls in
    interpreter shutdown, Python ends the thread with ``pthread_exit`` inside a C++
    destructor and the process aborts ("terminate called without an active exception",
    exit 134) after a complete output. Memory Arrow owns needs no GIL to free; the copy
    costs about 0.1 ms per MB.
    """
    return pa.BufferReader(arrow_copy(data))


def arrow_copy(data: bytes) -> pa.Buffer:
    """``data`` copied into memory Arrow owns (see ``arrow_owned``)."""
    buffer = pa.allocate_buffer(len(data))
    memoryview(buffer).cast("B")[:] = data
    return buffer


def narrow(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Store each column in the fewest bytes that hold its values exactly.

    int64 counters and times become uint32 when every value fits (millisecond times and
    huge counters keep int64, so nothing is clipped); dictionary indices shrink to one or
    two bytes when the batch has few distinct values (actions, statuses, accounts, ENIs).
    """
    new_columns = []
    changed = False
    for column in batch.columns:
        narrowed = _narrow_column(column)
        changed = changed or narrowed is not column
        new_columns.append(narrowed)
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(new_columns, names=batch.schema.names)


def _narrow_column(column: pa.Array) -> pa.Array:
    if column.type == pa.int64() and column.null_count < len(column):
        bounds = pc.min_max(column)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if low is not None and low >= 0 and high <= _UINT32_MAX:
            return pc.cast(column, pa.uint32())
    elif pa.types.is_dictionary(column.type) and column.type.index_type == pa.int32():
        size = len(column.dictionary)
        index_type = pa.int8() if size <= 127 else pa.int16() if size <= 32767 else None
        if index_type is not None:
            return pc.cast(column, pa.dictionary(index_type, column.type.value_type))
    return column


def convert_options(types: dict[str, pa.DataType], columns: list[str]
                     ) -> pacsv.ConvertOptions:
    # No UTF-8 check per value: ``valid_utf8`` checks each dictionary's distinct values
    # instead (a few hundred per block instead of a million cells; the check was nearly half
    # of the reader's time).
    return pacsv.ConvertOptions(column_types=types, null_values=["-"], strings_can_be_null=True,
                                quoted_strings_can_be_null=False, check_utf8=False,
                                include_columns=columns)


def valid_utf8(table: pa.Table) -> bool:
    """Whether every text value is UTF-8 (the reader was told not to check)."""
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            try:
                values.validate(full=True)
            except pa.ArrowInvalid:
                return False
    return True


def may_hold_hex(data: bytes) -> bool:
    """Whether ``data`` holds "0x" or "0X". A one-byte search runs at memory speed; a
    two-byte one stops at every "0" of a block of numbers (ten times slower)."""
    return (b"x" in data and b"0x" in data) or (b"X" in data and b"0X" in data)


def utf8_text(data: bytes) -> bool:
    """Whether a whole block is UTF-8, so every value cut from it is (values are split at
    ASCII spaces and newlines, which no multi-byte character contains)."""
    if data.isascii():  # the usual case, checked at memory speed
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def as_text(table: pa.Table) -> pa.Table:
    """Binary columns as strings, without a copy (the caller checked the UTF-8)."""
    for index, column in enumerate(table.columns):
        if column.type == pa.binary():
            table = table.set_column(index, table.field(index).with_type(pa.string()),
                                     pc.cast(column, pa.string(), safe=False))
    return table


def widen_null_columns(table: pa.Table, narrowed: list[int]) -> pa.Table:
    """An all-null counter read as uint32 goes back to int64, as ``_narrow`` leaves it, so a
    batch's schema does not depend on which read typed it."""
    for index in narrowed:
        column = table.column(index)
        if column.null_count == len(column):
            table = table.set_column(index, table.field(index).with_type(pa.int64()),
                                     pc.cast(column, pa.int64()))
    return table


def empty_batch(fields: Sequence[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], type=arrow_type(f)) for f in fields],
                                      names=list(fields))


_FIELD_SPELLINGS = pa.array(sorted({spelling for name in FIELDS
                                     for spelling in (name, name.replace("-", "_"))}))


def holds_field_name(table: pa.Table) -> bool:
    """Whether any cell of an all-text table is a field name (a header line typed as a
    record: with no integer column to fail on, the fast path would take it silently)."""
    for column in table.columns:
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            if pc.any(pc.is_in(pc.utf8_lower(values), value_set=_FIELD_SPELLINGS)).as_py():
                return True
    return False


# The prefilter's columns, typed as the narrow read types them (int64 counters as uint32;
# a value over it fails that read, and the block is typed the usual way).
READ_TYPE = {name: pa.uint32() for name, spec in FIELDS.items()
              if spec.arrow_type == pa.int64()}
