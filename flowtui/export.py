"""Records to a Parquet file: one schema for batches that came with several.

A store can hold batches of several flow-log formats, and the same column narrowed
differently per batch (int8 or int16 dictionary indices, uint32 or int64 counters); a Parquet
file has one schema, so each batch is cast to the union: dictionaries with 32-bit indices,
integers in the widest type seen, absent columns null.

JSON lines need no one schema, and keep apart what a table cell cannot: a field the
record's format does not log is left out of its object (``own_columns``), while a field it
logs as ``-`` is ``null`` — as ``flowtui cat --format jsonl`` writes a folder of two formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.header import union
from flowtui.outfile import open_output

_DICT = pa.dictionary(pa.int32(), pa.string())


def unified_schema(batches: Iterable[pa.RecordBatch],
                   columns: Sequence[str] | None = None) -> pa.Schema:
    types: dict[str, list[pa.DataType]] = {}
    named: list[list[str]] = []
    for batch in batches:
        named.append(batch.schema.names)
        for field in batch.schema:
            types.setdefault(field.name, []).append(field.type)
    names = list(columns) if columns else union(named)
    fields = []
    for name in names:
        seen = types.get(name, [])
        if not seen or any(pa.types.is_dictionary(t) or pa.types.is_string(t) for t in seen):
            chosen = _DICT
        elif all(t == seen[0] for t in seen):
            chosen = seen[0]
        elif all(pa.types.is_unsigned_integer(t) for t in seen):
            chosen = max(seen, key=lambda t: t.bit_width)
        elif all(pa.types.is_integer(t) for t in seen):
            chosen = pa.int64()
        else:
            chosen = pa.string()
        fields.append(pa.field(name, chosen))
    return pa.schema(fields)


def own_columns(batch: pa.RecordBatch, columns: Sequence[str]) -> pa.RecordBatch:
    """``batch``'s columns among ``columns``, in that order: a field its records' format
    lacks is left out (not made a column of nulls, which would read as ``-`` logged)."""
    names = [name for name in columns if name in batch.schema.names]
    return batch if names == batch.schema.names else batch.select(names)


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    arrays = []
    for field in schema:
        index = batch.schema.get_field_index(field.name)
        if index < 0:
            arrays.append(pa.nulls(batch.num_rows, field.type))
            continue
        column = batch.column(index)
        if column.type != field.type:
            if field.type == _DICT and not pa.types.is_dictionary(column.type):
                column = pc.dictionary_encode(pc.cast(column, pa.string()))
            column = pc.cast(column, field.type)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def write_parquet(batches: Iterable[pa.RecordBatch], path: str,
                  schema_from: Iterable[pa.RecordBatch], *, columns: Sequence[str] | None = None,
                  progress: Callable[[int], None] | None = None) -> int:
    """Write ``batches`` to ``path`` (whole or not at all: a temporary name renamed at the
    end); the schema is the union of ``schema_from``'s. Returns the rows written."""
    import pyarrow.parquet as pq  # here: ``cat --sort`` imports this module, and needs none

    schema = unified_schema(schema_from, columns)
    written = 0
    with open_output(path, binary=True) as sink, pq.ParquetWriter(
            sink, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(conform(batch, schema))
            written += batch.num_rows
            if progress is not None:
                progress(written)
    return written
