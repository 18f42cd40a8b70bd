"""Parquet flow logs: read batch by batch into the same columns the text parser makes.

AWS writes Parquet with snake_case column names and its own physical types; we rename to
the hyphenated field names and cast to the catalogue's types, so a Parquet object and the
same records as gzip text give the same store. Parquet needs random access (the footer is
at the end), so the source must be seekable: a local file, or ranged reads over S3.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flowtui.fields import arrow_type, canonical_name
from flowtui.parser import PARQUET_MAGIC, _narrow

_PARQUET_SUFFIXES = (".parquet", ".parq")


def looks_like_parquet(key_or_head: str | bytes) -> bool:
    """By name (``….log.parquet``) or by the first bytes of the object."""
    if isinstance(key_or_head, bytes):
        return key_or_head.startswith(PARQUET_MAGIC)
    return key_or_head.lower().endswith(_PARQUET_SUFFIXES)


def iter_parquet_batches(source: object, batch_size: int = 65536) -> Iterator[pa.RecordBatch]:
    """Yield batches with hyphenated field names and catalogue types, one row group at a time."""
    parquet = pq.ParquetFile(source)
    names = [canonical_name(name) for name in parquet.schema_arrow.names]
    for batch in parquet.iter_batches(batch_size=batch_size):
        columns = [_to_catalogue_type(name, column) for name, column in zip(names, batch.columns,
                                                                              strict=True)]
        yield _narrow(pa.RecordBatch.from_arrays(columns, names=names))


def _to_catalogue_type(name: str, column: pa.Array) -> pa.Array:
    wanted = arrow_type(name)
    if column.type == wanted:
        return column
    if pa.types.is_dictionary(wanted):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if not pa.types.is_string(column.type):
            column = column.cast(pa.string())
        column = pc.if_else(pc.equal(column, "-"), pa.scalar(None, pa.string()), column)
        return column.dictionary_encode()
    return column.cast(wanted)
