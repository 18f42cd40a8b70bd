"""pyarrow's CSV reader set up for flow-log text, and the narrowing of what it typed.

Apart from the parser (``parser.py``) and its blocks (``blocks.py``) because these are facts
about Arrow, not about lines: the options every read shares, the copy into memory Arrow owns,
the UTF-8 check done on dictionaries, and storing each column in the fewest bytes. The
Parquet reader narrows its batches the same way (``parquet.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeAlias

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
#: The same, with an empty line read as a row (of one empty value) instead of skipped: in a
#: block typed with an integer column, such a row cannot be typed ("" is no integer, and only
#: "-" is null), so a block that reads has no empty line and its rows are its lines (see
#: ``blocks._fast``); a block that has one is read again with ``PARSE_OPTIONS``.
PARSE_EMPTY_AS_ROWS = pacsv.ParseOptions(delimiter=" ", quote_char=False, double_quote=False,
                                         escape_char=False, ignore_empty_lines=False)


def arrow_owned(data: bytes) -> pa.BufferReader:
    """The block copied into memory Arrow owns, for the threaded CSV reader.

    The threaded reader is disposed of on one of Arrow's pool threads, a moment after
    ``read_csv`` returns. Handed a Python object (``io.BytesIO``, or bytes wrapped by
    ``py_buffer``), that thread must take the GIL to release it; when that moment falls in
    interpreter shutdown, Python ends the thread with ``pthread_exit`` inside a C++
    destructor and the process aborts ("terminate called without an active exception",
    exit 134) after a complete output. Memory Arrow owns needs no GIL to free; the copy
    costs about 0.1 ms per MB. Kept since blocks are read without the pool
    (``blocks._ARROW_THREADS``): Arrow's input streams may still be let go of on a thread of
    Arrow's own, and the copy is cheap insurance against that abort.
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
    for values in _text_values(table):
        try:
            values.validate(full=True)
        except pa.ArrowInvalid:
            return False
    return True


def _text_values(table: pa.Table, with_bytes: bool = False) -> Iterator[pa.Array]:
    """The values of the table's text columns: each chunk's dictionary (a few hundred
    distinct values), or the chunk itself when it is plain; ``with_bytes``: binary columns
    (text not yet checked as UTF-8) too."""
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or (with_bytes and pa.types.is_binary(kind))):
            continue
        for chunk in column.chunks:
            yield chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk


def holds_empty_text(table: pa.Table) -> bool:
    """Whether a text value is empty: the line had two spaces together (or one at its start
    or end) where a field was missing. Read on single spaces, ``2 123  10.0.0.1 …`` with
    interface-id left out still has every field but one in its place and an empty one
    there, so it types; the line-by-line reading splits on runs of spaces and calls it
    what it is, a line one field short. AWS writes ``-`` for a field with no value, never
    nothing, so an empty value is always such a line. Checked on each dictionary's few
    values, or on the lengths of a plain column's values (SIMD), not on the block's bytes:
    searching a 2 MB block for two spaces took as long as typing it. Text read as bytes
    (``cat --format csv``, a column a question does not return) is checked too: it was
    not, and ``cat --format csv`` wrote such a line as a record with an empty field where
    ``cat --format jsonl`` skipped it as a bad line."""
    return any(len(values) and pc.min(pc.binary_length(values)).as_py() == 0
               for values in _text_values(table, with_bytes=True))


#: Field metadata of a column of whole numbers kept as their text (``numbers_as_text`` in
#: ``blocks.py``): the value names the Arrow type every value was checked to fit.
NUMBER_TEXT = b"flowtui.number"


Column: TypeAlias = "pa.ChunkedArray | pa.Array"


def number_text(columns: Sequence[Column], kind: pa.DataType) -> bool:
    """Whether every value of these text columns is a whole number of ``kind`` (unsigned)
    written as Arrow writes one (see ``numbers_text``)."""
    return numbers_text([(kind, columns)])


def numbers_text(groups: Sequence[tuple[pa.DataType, Sequence[Column]]]) -> bool:
    """Whether every value of each group's text columns is a whole number of the group's
    type (unsigned) written as Arrow writes one: digits, no sign, no leading zero. Then the
    text is byte for byte what the typed value prints, and the reader would have typed it.

    Checked on all the columns joined (one set of kernel calls per block, not per column or
    per type) with fixed-width kernels over their bytes, lengths and first digits, a few ns
    a value: a cast of every value (what the reader's conversion does) cost twice as much,
    and the point is to cost less than turning typed numbers back into text. Only values as
    long as their type's largest and starting with its first digit are cast, to be sure.
    """
    chunks: list[pa.Array] = []
    places: list[tuple[pa.DataType, int, int]] = []  # each group's rows in the joined values
    for kind, columns in groups:
        begin = sum(len(chunk) for chunk in chunks)
        chunks += [chunk for column in columns
                   for chunk in (column.chunks if isinstance(column, pa.ChunkedArray)
                                 else [column])]
        places.append((kind, begin, sum(len(chunk) for chunk in chunks)))
    if not chunks:
        return True
    values = pa.concat_arrays(chunks) if len(chunks) > 1 else chunks[0]
    count = len(values)
    if not count or values.null_count == count:
        return True
    _validity, offsets_buffer, data = values.buffers()
    offsets = pa.Array.from_buffers(pa.int32(), count + 1, [None, offsets_buffer],
                                    offset=values.offset)
    first, last = offsets[0].as_py(), offsets[count].as_py()
    if data is None or last == first:
        return False  # empty values that are not null
    text = pa.Array.from_buffers(pa.uint8(), last - first, [None, data], offset=first)
    low, high = (value.as_py() for value in pc.min_max(text).values())
    if low < ord("0") or high > ord("9"):
        return False
    lengths = pc.binary_length(values)
    shortest, longest = (value.as_py() for value in pc.min_max(lengths).values())
    if shortest < 1:
        return False
    if longest == 1:
        return True  # single digits: no leading zero, and every type holds 9
    # Each value's first digit; scalars are typed as the arrays are (a Python int would
    # widen every array to int64 first). A null (no text) is given its neighbour's.
    starts = offsets.slice(0, count)
    if first:
        starts = pc.subtract(starts, pa.scalar(first, pa.int32()))
    if starts[count - 1].as_py() == last - first:  # trailing nulls start past the text
        starts = pc.min_element_wise(starts, pa.scalar(last - first - 1, pa.int32()))
    # In bounds by construction: offsets rise, no value is empty, the last start is clamped.
    leading = pc.take(text, starts, boundscheck=False)
    zero = pc.equal(leading, _DIGITS[0])
    if pc.any(zero).as_py() and pc.any(pc.and_(zero, pc.greater(lengths, _ONE))).as_py():
        return False
    return all(_fits(kind, lengths.slice(begin, end - begin),
                     leading.slice(begin, end - begin), values.slice(begin, end - begin))
               for kind, begin, end in places if end > begin and longest >= _width(kind))


def _width(kind: pa.DataType) -> int:
    """Digits of the largest value of the unsigned ``kind``."""
    return len(str((1 << kind.bit_width) - 1))


def _fits(kind: pa.DataType, lengths: pa.Array, leading: pa.Array, values: pa.Array) -> bool:
    """Whether digit strings with no leading zero (``lengths``, first digits ``leading``)
    are all at most the largest value of the unsigned ``kind``."""
    largest = str((1 << kind.bit_width) - 1)
    longest = pc.max(lengths).as_py()
    if longest is None or longest < len(largest):
        return True  # all null, or shorter than the largest
    if longest > len(largest):
        return False
    full = pc.equal(lengths, pa.scalar(len(largest), pa.int32()))
    top = _DIGITS[int(largest[0])]
    if pc.any(pc.and_(full, pc.greater(leading, top))).as_py():
        return False
    edge = pc.and_(full, pc.equal(leading, top))
    if pc.any(edge).as_py():
        try:
            pc.cast(pc.filter(values, edge), kind)
        except pa.ArrowInvalid:
            return False
    return True


_DIGITS = [pa.scalar(ord(str(digit)), pa.uint8()) for digit in range(10)]
_ONE = pa.scalar(1, pa.int32())


def with_number_text(batch: pa.RecordBatch, numbers: dict[str, pa.DataType]
                     ) -> pa.RecordBatch:
    """``batch`` with its columns of numbers as text marked (``NUMBER_TEXT``)."""
    fields = [field.with_metadata({NUMBER_TEXT: str(numbers[field.name]).encode()})
              if field.name in numbers else field for field in batch.schema]
    return pa.RecordBatch.from_arrays(batch.columns, schema=pa.schema(fields))


def number_text_types(schema: pa.Schema) -> dict[int, pa.DataType]:
    """The columns of ``schema`` that hold numbers as text, by place: their checked types."""
    found = {}
    for index, field in enumerate(schema):
        if field.metadata and NUMBER_TEXT in field.metadata:
            found[index] = pa.type_for_alias(field.metadata[NUMBER_TEXT].decode())
    return found


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


# Typed, not inferred: Arrow's type inference imports dateutil (~3 ms of cat's start).
_FIELD_SPELLINGS = pa.array(sorted({spelling for name in FIELDS
                                     for spelling in (name, name.replace("-", "_"))}),
                            pa.string())


def holds_field_name(table: pa.Table) -> bool:
    """Whether any cell of an all-text table is a field name (a header line typed as a
    record: with no integer column to fail on, the fast path would take it silently)."""
    for column in table.columns:
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            if pa.types.is_binary(values.type):  # a column the question does not read:
                values = values.cast(pa.string())  # bytes, checked UTF-8 before this
            if pc.any(pc.is_in(pc.utf8_lower(values), value_set=_FIELD_SPELLINGS)).as_py():
                return True
    return False


# The prefilter's columns, typed as the narrow read types them (int64 counters as uint32;
# a value over it fails that read, and the block is typed the usual way).
READ_TYPE = {name: pa.uint32() for name, spec in FIELDS.items()
              if spec.arrow_type == pa.int64()}
