"""``flowtui.query.groupby.aggregate`` answers as Arrow's ``Table.group_by().aggregate()``.

``top`` and ``hist`` group through it so as not to import ``pyarrow.acero`` (and with it
``pyarrow.compute`` and ``pyarrow.dataset``); the groups, their sums and the column names
a caller reads (``bytes_sum``, ``key_count``) must be Arrow's own, whatever the keys hold:
nulls (a NODATA record's missing address), dictionaries, several keys, no rows at all.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from flowtui.query.groupby import aggregate


def by_keys(table: pa.Table, keys: list[str]) -> list[dict[str, object]]:
    """Rows in key order (a threaded group-by gives them in any order), missing keys last."""
    return sorted(table.to_pylist(),
                  key=lambda row: [(row[k] is None, row[k] or 0) for k in keys])


ADDRESSES = pa.array(["10.0.0.1", None, "10.0.0.2", "10.0.0.1", None, "10.0.0.2"])
TABLE = pa.table({
    "srcaddr": ADDRESSES.dictionary_encode(),
    "dstport": pa.array([22, 22, 443, None, 22, 443], pa.uint16()),
    "bytes": pa.array([100, 5, None, 7, 1, 2**40], pa.int64()),
    "packets": pa.array([1, 1, 2, None, 1, 3], pa.uint32()),
})


@pytest.mark.parametrize("keys", [["srcaddr"], ["dstport"], ["srcaddr", "dstport"]])
@pytest.mark.parametrize("aggregations", [
    [("bytes", "sum")],
    [("bytes", "sum"), ("packets", "sum"), ("srcaddr", "count")],
    [("bytes", "min"), ("packets", "max")],
])
def test_the_same_groups_sums_and_names_as_arrow(keys: list[str],
                                                 aggregations: list[tuple[str, str]]) -> None:
    ours = aggregate(TABLE, keys, aggregations)
    theirs = TABLE.group_by(keys, use_threads=True).aggregate(aggregations)
    assert ours.schema == theirs.schema
    assert by_keys(ours, keys) == by_keys(theirs, keys)


def test_a_single_key_by_name_and_no_rows() -> None:
    ours = aggregate(TABLE, "dstport", [("bytes", "sum")], use_threads=False)
    assert by_keys(ours, ["dstport"]) == [{"dstport": 22, "bytes_sum": 106},
                                          {"dstport": 443, "bytes_sum": 2**40},
                                          {"dstport": None, "bytes_sum": 7}]
    empty = TABLE.slice(0, 0)
    assert aggregate(empty, ["srcaddr"], [("bytes", "sum")]).equals(
        empty.group_by(["srcaddr"]).aggregate([("bytes", "sum")]))


def test_without_arrows_private_plan_module_arrows_own_group_by_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``pyarrow._acero`` is private: a pyarrow that moves it must not break top and hist
    (a plain ``pip install flowtui`` gets whatever pyarrow is newest)."""
    import sys

    import pyarrow.acero  # noqa: F401 - Arrow's public module, loaded from wherever it moved

    monkeypatch.delattr(pa, "_acero", raising=False)
    monkeypatch.setitem(sys.modules, "pyarrow._acero", None)  # importing it raises
    ours = aggregate(TABLE, ["dstport"], [("bytes", "sum")])
    assert by_keys(ours, ["dstport"]) == [{"dstport": 22, "bytes_sum": 106},
                                          {"dstport": 443, "bytes_sum": 2**40},
                                          {"dstport": None, "bytes_sum": 7}]
