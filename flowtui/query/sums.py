"""Sums of packets and bytes that are right or refused: the 64-bit limit they are checked
against (``SumTooLarge``), and how many records took no part in them ('-': not recorded,
which is not 0). Apart from ``aggregate.py``, which groups and buckets records: every
summing of records (top, the histogram, the conversation view) checks here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pyarrow as pa

from flowtui import arrowcompute as pc

#: Packets and bytes are summed as 64-bit integers, which wrap past this without a word:
#: three records of 2^63-1, 2^63-1 and 2 bytes summed to 0, and two of 2^63-1 to -2 (a
#: traceback). A parser accepts any 64-bit count (the fields are "long"), so a corrupt or
#: crafted record can hold one; real traffic sums stay many orders of magnitude below.
SUM_LIMIT = 2**63 - 1
SUMMED = ("packets", "bytes")


class SumTooLarge(ValueError):
    """The packets or bytes of the records add up to more than ``SUM_LIMIT``: the sums can't
    be given right, so none is given."""


def totals(batches: Iterable[pa.RecordBatch]) -> dict[str, float]:
    """The sum of each of ``SUMMED`` over ``batches``, in floating point (which does not
    wrap): enough to tell a sum that fits 64 bits from one that does not."""
    summed = dict.fromkeys(SUMMED, 0.0)
    for batch in batches:
        for name in SUMMED:
            index = batch.schema.get_field_index(name)
            if index < 0 or not batch.num_rows:
                continue
            column = batch.column(index)
            if pa.types.is_dictionary(column.type) or not pa.types.is_integer(column.type):
                column = integer_column(batch, name)
            # The batch's own integer sum is exact when no wrap is possible (its largest
            # value times its rows fits): always so for real counts, and the cheapest.
            largest = pc.max(column).as_py() or 0
            if column.type.bit_width <= 32 or largest * batch.num_rows <= SUM_LIMIT:
                total = pc.sum(column).as_py()
            else:
                total = pc.sum(pc.cast(column, pa.float64(), safe=False)).as_py()
            summed[name] += total or 0.0
    return summed


def unrecorded(batches: Iterable[pa.RecordBatch]) -> dict[str, int]:
    """How many records of ``batches`` have no packets, and no bytes, recorded ('-': NODATA
    and SKIPDATA rows, Block Public Access records; a file whose format lacks the field):
    the sums leave them out, and ``unrecorded_note`` says so. Null counts are kept by Arrow,
    so this reads no values."""
    counts = dict.fromkeys(SUMMED, 0)
    for batch in batches:
        for name in SUMMED:
            index = batch.schema.get_field_index(name)
            counts[name] += batch.num_rows if index < 0 else batch.column(index).null_count
    return counts


def unrecorded_note(counts: dict[str, int], records: int, *,
                    families: Collection[str] = ("unknown",)) -> str | None:
    """One line for the reader of sums some records did not take part in, or None when
    every record recorded its packets and bytes (the common case says nothing).

    ``families`` are the format families ("vpc", "tgw", "unknown": ``fields.detect_family``)
    of the records that did not. Block Public Access is a VPC feature (it blocks traffic
    through a VPC's internet and egress-only internet gateways) and Transit Gateway records
    have no reject-reason, so it is no cause of a Transit Gateway record's '-': named when
    any of them may be a VPC record's, and said to be the VPC records' alone when Transit
    Gateway records are among them too."""
    missing = {name: n for name, n in counts.items() if n}
    if not missing:
        return None
    if len(set(missing.values())) == 1 and len(missing) == len(SUMMED):
        missing = {"packets or bytes": next(iter(missing.values()))}
    what = "; ".join(_no_record_has(name, records) if n == records
                     else f"{n:,} of {records:,} records {'has' if n == 1 else 'have'} no {name}"
                     for name, n in missing.items())
    tail = "" if all(n == records for n in missing.values()) else (
        ": the sums are of the others, '-' where none")
    return f"{what} recorded ('-': {_causes(set(families))}){tail}"


def _causes(families: set[str]) -> str:
    """The documented causes of '-' in packets and bytes for records of ``families``."""
    if "tgw" not in families:
        return "NODATA/SKIPDATA, Block Public Access"
    if families == {"tgw"}:
        return "NODATA/SKIPDATA"
    return "NODATA/SKIPDATA; in VPC records also Block Public Access, never in Transit Gateway ones"


def _no_record_has(name: str, records: int) -> str:
    return f"the record has no {name}" if records == 1 else \
        f"none of the {records:,} records has {name}"


def check_totals(totals: dict[str, float]) -> None:
    """Raise ``SumTooLarge`` when a total is past what a 64-bit sum holds (with a margin for
    the floating-point sum's rounding)."""
    for name, total in totals.items():
        if total >= SUM_LIMIT * (1 - 1e-9):
            raise SumTooLarge(
                f"the {name} of these records add up to {total:.3g}, past or too near the "
                f"most a 64-bit sum holds ({SUM_LIMIT:,}): some record's {name} is not a "
                f"real count; find it with --where '{name} > 1T'")


def check_sums(batches: Iterable[pa.RecordBatch]) -> None:
    """``SumTooLarge`` when the packets or bytes of ``batches`` add up past 64 bits: for
    any other summing of records (the conversation view) than ``group_by``/``histogram``."""
    check_totals(totals(batches))


def integer_column(batch: pa.RecordBatch, name: str) -> pa.Array:
    """Column ``name`` of ``batch`` as integers (a dictionary's values cast; missing: nulls)."""
    index = batch.schema.get_field_index(name)
    if index < 0:
        return pa.nulls(batch.num_rows, pa.int64())
    column = batch.column(index)
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, column.type.value_type)
    if not pa.types.is_integer(column.type):
        column = pc.cast(column, pa.int64(), safe=False)
    return column
