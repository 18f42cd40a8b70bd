"""Parquet flow logs: read batch by batch into the same columns the text parser makes.

AWS writes Parquet with snake_case column names and its own physical types; we rename to
the hyphenated field names and cast to the catalogue's types, so a Parquet object and the
same records as gzip text give the same store. Parquet needs random access (the footer is
at the end), so the source must be seekable: a local file, or ranged reads over S3.

Files written by other tools are not always typed as AWS types them (pandas writes an
integer column holding one ``None`` as text). One cell that does not fit must not lose the
file: the column is cast in halves down to the bad cells, and their rows are reported like
bad text lines while every other row is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

from flowtui import arrowcompute as pc

if TYPE_CHECKING:  # imported when a Parquet object is read: ~40 ms every `cat` need not pay
    import pyarrow.parquet as pq

from flowtui.arrowcsv import narrow
from flowtui.fields import arrow_type, canonical_name
from flowtui.parser import MAX_LINE_BYTES
from flowtui.sniff import PARQUET_MAGIC

_PARQUET_SUFFIXES = (".parquet", ".parq")
_CAST_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)


class ParquetReport(Protocol):
    """Where bad rows and left-out columns are told (the FlowLogParser of the object)."""

    def report_bad(self, line_number: int, reason: str, text: str) -> None: ...

    def report_error(self, message: str) -> None: ...


def looks_like_parquet(key_or_head: str | bytes) -> bool:
    """By name (``….log.parquet``) or by the first bytes of the object."""
    if isinstance(key_or_head, bytes):
        return key_or_head.startswith(PARQUET_MAGIC)
    return key_or_head.lower().endswith(_PARQUET_SUFFIXES)


def iter_parquet_batches(source: object, batch_size: int = 65536,
                         report: ParquetReport | None = None) -> Iterator[pa.RecordBatch]:
    """Yield batches with hyphenated field names and catalogue types, one row group at a time.

    Rows with a cell that does not fit its field's type are left out and told to
    ``report`` (numbered from 1, as lines are); so are columns no flow-log type can hold.
    """
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
        text = [f.name for f in parquet.schema_arrow if _is_text(f.type)]
        if text:  # kept as dictionaries: a value repeated a million times is held once
            parquet = pq.ParquetFile(source, read_dictionary=text)
    except (pa.ArrowException, OSError) as exc:  # Arrow's words alone do not say Parquet
        raise pa.ArrowInvalid(f"not a readable Parquet file: {str(exc).strip()}") from exc
    _refuse_bombs(parquet)
    names = [canonical_name(name) for name in parquet.schema_arrow.names]
    left_out: set[str] = set()
    first_row = 1
    quoted = 0

    def text_of(batch: pa.RecordBatch, row: int) -> str:
        """The row's text for the first bad rows only (the parser keeps no more)."""
        nonlocal quoted
        quoted += 1
        return _row_text(batch, row) if quoted <= _QUOTED_CELLS else ""

    for whole in byte_bounded_batches(parquet, batch_size):
        columns: list[pa.Array] = []
        kept_names: list[str] = []
        batch, numbers = _without_oversized(whole, first_row, report, text_of)
        bad_rows: dict[int, str] = {}
        for name, column in zip(names, batch.columns, strict=True):
            if name in left_out:
                continue
            converted = _to_catalogue_type(name, column, bad_rows)
            if converted is None:
                left_out.add(name)
                if report is not None:
                    report.report_error(f"column {name!r} ({column.type}) is not a flow-log "
                                        "field type and was left out")
                continue
            columns.append(converted)
            kept_names.append(name)
        out = pa.RecordBatch.from_arrays(columns, names=kept_names)
        if bad_rows:
            if report is not None:
                for row in sorted(bad_rows):
                    report.report_bad(numbers(row), bad_rows[row], text_of(batch, row))
            keep = pa.array([row not in bad_rows for row in range(batch.num_rows)])
            out = out.filter(keep)
        first_row += whole.num_rows
        yield narrow(out)


# --- memory bounded by bytes, not rows (a decompression bomb: issue 20.6) -------------------

#: Decoded bytes one batch may hold (the gzip path's blocks are of this order).
BATCH_BYTES = 8 << 20


def byte_bounded_batches(parquet: pq.ParquetFile, batch_size: int) -> Iterator[pa.RecordBatch]:
    """Row group by row group, in batches of at most ``batch_size`` rows and about
    ``BATCH_BYTES`` decoded bytes (from the row group's uncompressed size): a small file of
    huge, highly compressible values (113 KB → 3 GB) is read a few rows at a time."""
    meta = parquet.metadata
    for group in range(meta.num_row_groups):
        info = meta.row_group(group)
        per_row = max(1, info.total_byte_size // max(1, info.num_rows))
        rows = max(1, min(batch_size, BATCH_BYTES // per_row))
        yield from parquet.iter_batches(batch_size=rows, row_groups=[group])


#: The most decoded bytes one column may hold in one row group. A page is decoded whole, and
#: its size is the writer's choice: 3,000 values of 1 MiB compress to 113 KB and decode to
#: 3 GB. A flow-log column of ten million rows is well below this.
MAX_CHUNK_BYTES = 256 << 20


def _refuse_bombs(parquet: pq.ParquetFile) -> None:
    meta = parquet.metadata
    for group in range(meta.num_row_groups):
        info = meta.row_group(group)
        for number in range(info.num_columns):
            chunk = info.column(number)
            if chunk.total_uncompressed_size > MAX_CHUNK_BYTES:
                raise pa.ArrowInvalid(
                    f"not a flow-log Parquet file: column {chunk.path_in_schema!r} decodes to "
                    f"{chunk.total_uncompressed_size:,} bytes in one row group (from "
                    f"{chunk.total_compressed_size:,}); refused, as a decompression bomb")


def oversized_rows(batch: pa.RecordBatch) -> dict[int, str]:
    """Rows whose text would be longer than a line may be (``MAX_LINE_BYTES``), as bad rows:
    no flow-log record comes near it, and the text parser refuses such a line the same way."""
    total: pa.Array | None = None
    for column in batch.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            if not _is_text(kind.value_type):
                continue
            lengths = pc.take(pc.binary_length(column.dictionary), column.indices)
        elif _is_text(kind):
            lengths = pc.binary_length(column)
        else:
            continue
        lengths = pc.fill_null(lengths.cast(pa.int64()), 0)
        total = lengths if total is None else pc.add(total, lengths)
    if total is None:
        return {}
    over = pc.indices_nonzero(pc.greater(total, MAX_LINE_BYTES)).to_pylist()
    return {row: f"row longer than {MAX_LINE_BYTES} bytes" for row in over}


def _without_oversized(batch: pa.RecordBatch, first_row: int, report: ParquetReport | None,
                       text_of: Callable[[pa.RecordBatch, int], str]
                       ) -> tuple[pa.RecordBatch, Callable[[int], int]]:
    """``batch`` less its oversized rows (reported, their text cut short, before any value is
    decoded in full), and the row number (from 1) of each row left."""
    over = oversized_rows(batch)
    if not over:
        return batch, lambda row: first_row + row
    if report is not None:
        for row in sorted(over):
            report.report_bad(first_row + row, over[row], text_of(batch, row))
    keep = pa.array([row not in over for row in range(batch.num_rows)])
    left = pc.indices_nonzero(keep).to_pylist()
    return batch.filter(keep), lambda row: first_row + left[row]


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))


def _to_catalogue_type(name: str, column: pa.Array, bad_rows: dict[int, str]
                       ) -> pa.Array | None:
    """``column`` as the catalogue types ``name``; None when its type cannot be cast at all.
    Cells that cannot be cast are null here and their rows noted in ``bad_rows``."""
    wanted = arrow_type(name)
    if column.type == wanted:
        return column
    if pa.types.is_dictionary(column.type) and not pa.types.is_dictionary(wanted):
        column = column.cast(column.type.value_type)  # read as one; a batch is byte-bounded
    if pa.types.is_dictionary(wanted):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if not pa.types.is_string(column.type):
            column = _cast(name, column, pa.string(), bad_rows)
            if column is None:
                return None
        column = pc.if_else(pc.equal(column, "-"), pa.scalar(None, pa.string()), column)
        return column.dictionary_encode()
    return _cast(name, column, wanted, bad_rows)


def _cast(name: str, column: pa.Array, wanted: pa.DataType, bad_rows: dict[int, str]
          ) -> pa.Array | None:
    try:
        return column.cast(wanted)
    except _CAST_ERRORS:
        pass
    try:
        pa.array([], type=column.type).cast(wanted)
    except _CAST_ERRORS:
        return None  # no value of this type casts (a list, a struct): not a field's column
    if pa.types.is_string(column.type) and pa.types.is_integer(wanted):
        column = pc.if_else(pc.equal(column, "-"), pa.scalar(None, pa.string()), column)
        return _text_to_integer(name, column, wanted, bad_rows)
    return _cast_in_halves(name, column, wanted, 0, bad_rows)


#: Bad cells whose value is quoted in their reason; the rest say only the type (a file of a
#: million bad cells must not take minutes: issue 20.10).
_QUOTED_CELLS = 1000


def _text_to_integer(name: str, column: pa.Array, wanted: pa.DataType,
                     bad_rows: dict[int, str]) -> pa.Array:
    """Text to integers in a few vectorised steps, however many cells are bad: digits of up
    to 18 are read as int64 and range-checked; only longer digit runs (rare) are bisected."""
    # No "+": Arrow's cast refuses it (the text parser too), so "+22" is a bad cell.
    digits = pc.fill_null(pc.match_substring_regex(column, r"^-?[0-9]{1,18}$"), False)
    longer = pc.fill_null(pc.match_substring_regex(column, r"^[+-]?[0-9]{19,}$"), False)
    number = pc.cast(pc.if_else(digits, column, pa.scalar(None, pa.string())), pa.int64())
    width = wanted.bit_width
    signed = pa.types.is_signed_integer(wanted)
    low, high = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
    high = min(high, (1 << 63) - 1)
    outside = pc.fill_null(pc.or_(pc.less(number, low), pc.greater(number, high)), False)
    bad = pc.and_(pc.and_(pc.is_valid(column), pc.invert(digits)), pc.invert(longer))
    bad = pc.or_(bad, outside)
    good = pc.cast(pc.if_else(bad, pa.scalar(None, pa.int64()), number), wanted)
    positions = pc.indices_nonzero(bad).to_pylist()
    quoted = pc.take(column, pa.array(positions[:_QUOTED_CELLS], pa.int64())).to_pylist()
    for n, row in enumerate(positions):
        value = f"{str(quoted[n])[:40]!r} " if n < len(quoted) else "the value "
        bad_rows.setdefault(row, f"{name}: {value}is not {wanted}")
    if pc.any(longer).as_py():
        rare = pc.if_else(longer, column, pa.scalar(None, pa.string()))
        good = pc.if_else(longer, _cast_in_halves(name, rare, wanted, 0, bad_rows), good)
    return good


def _cast_in_halves(name: str, column: pa.Array, wanted: pa.DataType, offset: int,
                    bad_rows: dict[int, str]) -> pa.Array:
    """Cast, halving a failing range down to its bad cells: O(bad cells × log rows) casts."""
    try:
        return column.cast(wanted)
    except _CAST_ERRORS:
        pass
    if len(column) == 1:
        value = column[0].as_py()
        bad_rows.setdefault(offset, f"{name}: {str(value)[:40]!r} is not {wanted}")
        return pa.nulls(1, type=wanted)
    half = len(column) // 2
    return pa.concat_arrays([
        _cast_in_halves(name, column.slice(0, half), wanted, offset, bad_rows),
        _cast_in_halves(name, column.slice(half), wanted, offset + half, bad_rows),
    ])


def _row_text(batch: pa.RecordBatch, row: int) -> str:
    """The row as a line of text, each value cut to 200 characters before it is decoded."""
    values = []
    for column in batch.slice(row, 1).columns:
        if pa.types.is_dictionary(column.type):
            index = column.indices[0].as_py()
            column = (column.dictionary.slice(index, 1) if index is not None
                      else pa.nulls(1, column.type.value_type))
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.utf8_slice_codeunits(column, 0, 200)
        elif pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            column = pc.binary_slice(column, 0, 200)
        value = column[0].as_py()
        values.append("-" if value is None else str(value)[:200])
    return " ".join(values)
