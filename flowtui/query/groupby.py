"""``Table.group_by(keys).aggregate(...)`` without importing ``pyarrow.acero``.

Why: Arrow's ``TableGroupBy`` imports ``pyarrow.acero``, which imports ``pyarrow.compute``
and ``pyarrow.dataset`` (and with it the Parquet, S3, GCS, HDFS, Azure and Substrait
modules): about 0.08 s of CPU on the first group-by of every ``top`` and ``hist``, one
tenth of the whole question on a million records. The plan it builds — a table source
and an aggregate node — lives in ``pyarrow._acero`` (0.02 s to import); this module builds
the same plan there, with the same output names (``TARGET_FUNCTION``), so the answers
are Arrow's own (tests/test_groupby.py compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

#: One aggregation as ``TableGroupBy.aggregate`` takes it: (column, function) or
#: (column, function, options).
Aggregation = tuple[str, str] | tuple[str, str, object]


def aggregate(table: pa.Table, keys: str | Sequence[str],
              aggregations: Sequence[Aggregation], *, use_threads: bool = True) -> pa.Table:
    """What ``table.group_by(keys, use_threads=...).aggregate(aggregations)`` answers."""
    try:
        from pyarrow import _acero
    except ImportError:  # a pyarrow that moved its private module: Arrow's own way, slower
        return table.group_by(keys, use_threads=use_threads).aggregate(list(aggregations))
    keys = [keys] if isinstance(keys, str) else list(keys)
    planned = []
    for aggregation in aggregations:
        target, function = aggregation[0], aggregation[1]
        options = aggregation[2] if len(aggregation) > 2 else None
        targets = [target] if not isinstance(target, (list, tuple)) else list(target)
        if keys and not function.startswith("hash_"):
            function = "hash_" + function
        if not keys and function.startswith("hash_"):
            function = function[5:]
        plain = function.removeprefix("hash_")
        name = "_".join(targets) + "_" + plain if targets else plain
        planned.append((targets, function, options, name))
    plan = _acero.Declaration.from_sequence([
        _acero.Declaration("table_source", _acero.TableSourceNodeOptions(table)),
        _acero.Declaration("aggregate", _acero.AggregateNodeOptions(planned, keys=keys)),
    ])
    result: pa.Table = plan.to_table(use_threads=use_threads)
    return result
