"""RecordStore.drop_oldest: a tail that runs for days keeps only the newest rows."""

from __future__ import annotations

import pyarrow as pa
import pytest

from flowtui.store import RecordStore


def _batch(first: int, n: int) -> pa.RecordBatch:
    return pa.record_batch({"srcport": pa.array(range(first, first + n), pa.int32())})


def _store(sizes: list[int]) -> RecordStore:
    store = RecordStore()
    first = 0
    for i, n in enumerate(sizes):
        store.append(_batch(first, n), f"s3://b/obj{i}")
        first += n
    return store


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 9, 10, 11])
def test_drop_oldest_keeps_the_newest_rows_in_order(count: int) -> None:
    store = _store([3, 2, 5])  # rows 0..9
    generation = store.generation
    dropped = store.drop_oldest(count)
    assert dropped == min(count, 10)
    assert len(store) == 10 - dropped
    assert [r["srcport"] for r in store.rows(0, len(store))] == list(range(dropped, 10))
    assert store.dropped == dropped
    assert (store.generation != generation) == bool(dropped)


def test_sources_follow_their_rows_after_a_drop() -> None:
    store = _store([3, 2, 5])
    store.drop_oldest(4)  # the first object gone, one row of the second left
    assert store.source(0) == "s3://b/obj1"
    assert store.source(1) == "s3://b/obj2"
    assert store.row(1)["srcport"] == 5
    with pytest.raises(IndexError):
        store.source(6)


def test_appends_after_drops_and_repeated_drops() -> None:
    store = _store([4])
    store.drop_oldest(1)
    store.append(_batch(4, 3), "s3://b/next")
    store.drop_oldest(2)
    assert [r["srcport"] for r in store.rows(0, 10)] == [3, 4, 5, 6]
    assert store.dropped == 3
    assert store.columns == ["srcport"]


@pytest.mark.parametrize("count", [0, 3, 5, 7, 12, 15])
def test_drop_oldest_keeps_each_row_s_line(count: int) -> None:
    """A tail trims a batch in the middle: the rows left keep their own lines, whether the
    batch's lines were consecutive (an int) or listed (bad lines skipped between them)."""
    store = RecordStore()
    store.append(_batch(0, 5), "a", 2)  # lines 2..6
    store.append(_batch(5, 5), "b", pa.array([2, 3, 7, 8, 9], pa.uint32()))
    store.append(_batch(10, 5), "c", None)  # not known (Parquet)
    lines = [2, 3, 4, 5, 6, 2, 3, 7, 8, 9, None, None, None, None, None]
    store.drop_oldest(count)
    assert [store.line_of(i) for i in range(len(store))] == lines[count:]
