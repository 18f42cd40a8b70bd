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

from collections.abc import Iterator
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flowtui.fields import arrow_type, canonical_name
from flowtui.parser import PARQUET_MAGIC, _narrow

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
    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:  # Arrow's words alone do not say Parquet
        raise pa.ArrowInvalid(f"not a readable Parquet file: {str(exc).strip()}") from exc
    names = [canonical_name(name) for name in parquet.schema_arrow.names]
    left_out: set[str] = set()
    first_row = 1
    for batch in parquet.iter_batches(batch_size=batch_size):
        columns: list[pa.Array] = []
        kept_names: list[str] = []
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
                    report.report_bad(first_row + row, bad_rows[row],
                                      _row_text(batch, row))
            keep = pa.array([row not in bad_rows for row in range(batch.num_rows)])
            out = out.filter(keep)
        first_row += batch.num_rows
        yield _narrow(out)


def _to_catalogue_type(name: str, column: pa.Array, bad_rows: dict[int, str]
                       ) -> pa.Array | None:
    """``column`` as the catalogue types ``name``; None when its type cannot be cast at all.
    Cells that cannot be cast are null here and their rows noted in ``bad_rows``."""
    wanted = arrow_type(name)
    if column.type == wanted:
        return column
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
    return _cast_in_halves(name, column, wanted, 0, bad_rows)


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
    return " ".join("-" if value is None else str(value)
                    for value in batch.slice(row, 1).to_pylist()[0].values())
