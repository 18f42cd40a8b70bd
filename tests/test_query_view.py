"""Views over the store: filter and sort read like the store, and follow it as it grows."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.export import conform, unified_schema
from flowtui.fields import DEFAULT_FIELDS
from flowtui.parser import parse_bytes
from flowtui.query.arrow import split
from flowtui.query.query import Query, UnknownField, parse_sort
from flowtui.query.view import RecordView
from flowtui.store import RecordStore
from flowtui.synth import generate_lines, make_text_object


def _batches(n: int, seed: int = 0, fields: tuple[str, ...] = DEFAULT_FIELDS
             ) -> list[pa.RecordBatch]:
    data = make_text_object(generate_lines(n, seed=seed, fields=fields), fields, compress=False)
    batches, _ = parse_bytes(data, chunk_size=64 << 10)
    return batches


def _store(*batch_lists: list[pa.RecordBatch]) -> RecordStore:
    store = RecordStore()
    for batches in batch_lists:
        for batch in batches:
            store.append(batch, "s3://b/k")
    return store


def _rejected_on_22(row: dict[str, object]) -> bool:
    return row["action"] == "REJECT" and 22 in (row["srcport"], row["dstport"])


def test_a_filtered_view_holds_exactly_the_matching_rows_in_load_order() -> None:
    store = _store(_batches(20_000))
    view = RecordView(store, Query.build("reject and port 22"))
    expected = [r for r in store.rows(0, len(store)) if _rejected_on_22(r)]
    assert 0 < len(view) < len(store)
    assert view.rows(0, len(view)) == expected
    assert view.row(3) == expected[3]
    assert view.total == len(store)


def test_rows_appended_later_are_filtered_as_they_arrive() -> None:
    first, second = _batches(5_000, seed=1), _batches(5_000, seed=2)
    store = _store(first)
    view = RecordView(store, Query.build("reject"))
    before = len(view)
    for batch in second:
        store.append(batch)
    assert view.refresh()
    expected = [r for r in store.rows(0, len(store)) if r["action"] == "REJECT"]
    assert len(view) == len(expected) > before
    assert view.rows(before - 2, before + 2) == expected[before - 2:before + 2]


def test_not_is_the_complement_and_missing_values_compare_false() -> None:
    store = _store(_batches(10_000))
    everything = len(store)
    nodata = sum(1 for r in store.rows(0, everything) if r["log-status"] == "NODATA")
    assert nodata > 0
    port = len(RecordView(store, Query.build("port 22")))
    not_port = len(RecordView(store, Query.build("not port 22")))
    assert port + not_port == everything  # NODATA rows (no ports) are kept by "not port 22"
    not_equal = len(RecordView(store, Query.build("srcport != 22 and dstport != 22")))
    assert not_equal == not_port - nodata - sum(
        1 for r in store.rows(0, everything) if r["log-status"] == "SKIPDATA")


def test_sort_descending_is_stable_with_nulls_last() -> None:
    store = _store(_batches(8_000))
    view = RecordView(store, Query.build(None, "-bytes"))
    rows = view.rows(0, len(view))
    assert len(rows) == len(store)
    values = [r["bytes"] for r in rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert all(v is None for v in values[len(present):])  # NODATA rows last
    # ties keep load order: among equal byte counts, start times stay as loaded
    everything = store.rows(0, len(store))
    by_value: dict[object, list[dict[str, object]]] = {}
    for row in everything:
        by_value.setdefault(row["bytes"], []).append(row)
    tied = [v for v, group in by_value.items() if len(group) > 1 and v is not None][0]
    assert [r for r in rows if r["bytes"] == tied] == by_value[tied]


def test_addresses_sort_as_numbers_not_text() -> None:
    lines = ["2 123456789012 eni-1 10.0.0.10 10.0.0.1 1 2 6 1 40 1700000000 1700000001 "
             "ACCEPT OK",
             "2 123456789012 eni-1 10.0.0.9 10.0.0.1 1 2 6 1 40 1700000000 1700000001 ACCEPT OK",
             "2 123456789012 eni-1 2001:db8::1 10.0.0.1 1 2 6 1 40 1700000000 1700000001 "
             "ACCEPT OK"]
    batches, _ = parse_bytes(make_text_object(lines, DEFAULT_FIELDS, compress=False))
    view = RecordView(_store(batches), Query.build(None, "srcaddr"))
    assert [r["srcaddr"] for r in view.rows(0, 3)] == ["10.0.0.9", "10.0.0.10", "2001:db8::1"]


def test_a_sorted_view_without_auto_sort_shows_new_rows_at_the_end_until_sorted() -> None:
    store = _store(_batches(3_000, seed=3))
    view = RecordView(store, Query.build("tcp", "bytes"), auto_sort=False)
    view.sort_now()
    assert not view.stale
    sorted_count = len(view)
    for batch in _batches(2_000, seed=4):
        store.append(batch)
    assert view.stale
    tail = view.rows(sorted_count, len(view))
    assert [r["protocol"] for r in tail] == [6] * len(tail)
    view.sort_now()
    values = [r["bytes"] for r in view.rows(0, len(view))]
    assert values == sorted(values)


def test_dropping_the_oldest_rows_keeps_the_view_in_step() -> None:
    store = _store(_batches(10_000, seed=5))
    view = RecordView(store, Query.build("reject"))
    sorted_view = RecordView(store, Query.build("reject", "-bytes"))
    len(view), len(sorted_view)
    store.drop_oldest(4_321)
    expected = [r for r in store.rows(0, len(store)) if r["action"] == "REJECT"]
    assert view.rows(0, len(view)) == expected
    assert view.dropped > 0
    assert sorted(map(repr, sorted_view.rows(0, len(sorted_view)))) == sorted(
        map(repr, expected))
    store.clear()
    assert len(view) == 0 and len(sorted_view) == 0


def test_a_view_costs_at_most_four_bytes_per_matching_row() -> None:
    store = _store(_batches(50_000, seed=6))
    view = RecordView(store, Query.build("tcp"))
    assert len(view) > 10_000
    assert view.nbytes <= 4 * len(view)


def test_index_of_finds_a_store_row_in_the_view() -> None:
    store = _store(_batches(5_000, seed=7))
    view = RecordView(store, Query.build("reject"))
    target = view.store_index(10)
    assert view.index_of(target) == 10
    assert store.row(target) == view.row(10)


def test_sort_keys_and_unknown_fields() -> None:
    assert [str(k) for k in parse_sort("-bytes,start")] == ["-bytes", "start"]
    try:
        parse_sort("byts")
    except UnknownField as exc:
        assert exc.hint == "bytes"
    else:
        raise AssertionError("an unknown sort field must be refused")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**40), 2**40), st.integers(0, 9)),
                min_size=0, max_size=300),
       st.booleans(), st.sampled_from([pa.int64(), pa.uint32(), pa.int8()]))
def test_a_sort_in_two_halves_is_arrows_stable_sort(values: list[int | None],
                                                    descending: bool, kind: pa.DataType
                                                    ) -> None:
    """10M rows sorted by one integer key (``-bytes``) are cut at a pivot and the halves
    sorted on two threads: the order is exactly Arrow's stable sort (ties in row order,
    missing values last), whatever the values."""
    import pyarrow.compute as pc

    from flowtui.query import view

    if kind == pa.uint32():
        values = [None if v is None else abs(v) % (2**32) for v in values]
    elif kind == pa.int8():
        values = [None if v is None else v % 256 - 128 for v in values]
    array = pa.array(values, kind)
    original = view.SPLIT_MIN_ROWS
    view.SPLIT_MIN_ROWS = 1
    try:
        got = view.split_order(array, descending)
    finally:
        view.SPLIT_MIN_ROWS = original
    want = pc.array_sort_indices(array, order="descending" if descending else "ascending")
    assert (got is None and array.null_count == len(array)) or \
        got.to_pylist() == want.to_pylist()


def test_a_batch_of_more_than_65536_rows_keeps_four_byte_offsets_among_two_byte_ones() -> None:
    # The view evaluates runs of batches at once; a run never mixes offset widths.
    parsed = _batches(70_000, seed=11)
    schema = unified_schema(parsed)
    big = pa.Table.from_batches([conform(b, schema) for b in parsed], schema=schema
                                ).unify_dictionaries().combine_chunks().to_batches()
    assert len(big) == 1 and big[0].num_rows > 65_536
    small = _batches(20_000, seed=12)
    store = _store(small, big, small)
    view = RecordView(store, Query.build("tcp and bytes > 1000"))
    rows = store.rows(0, len(store))
    expected = [r for r in rows if r["protocol"] == 6 and isinstance(r["bytes"], int)
                and r["bytes"] > 1000]
    assert view.rows(0, len(view)) == expected
    widths = [part.offsets.type for part in view._parts]
    assert widths == [pa.uint16()] * len(small) + [pa.uint32()] + [pa.uint16()] * len(small)
    big_matches = len(view._parts[len(small)].offsets)
    assert view.nbytes == 2 * (len(view) - big_matches) + 4 * big_matches


def test_a_view_keeps_two_bytes_per_match_of_batches_under_64k_rows() -> None:
    # What the view's docstring promises: no validity bitmap or wider type on the offsets.
    store = _store(_batches(50_000, seed=6))
    for where in ("tcp", "tcp and bytes > 1000", "not dstaddr in 10.0.0.0/8", "reject"):
        view = RecordView(store, Query.build(where))
        assert len(view) > 0
        assert view.nbytes == 2 * len(view), where


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=8), st.data())
def test_split_cuts_any_chunking_into_the_counts(counts: list[int], data: st.DataObject
                                                 ) -> None:
    values = list(range(sum(counts)))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(values)), max_size=5)))
    edges = [0, *cuts, len(values)]
    chunks = [pa.array(values[a:b], pa.uint16())
              for a, b in zip(edges[:-1], edges[1:], strict=True)]
    pieces = split(chunks, counts, pa.uint16())
    assert [p.to_pylist() for p in pieces] == [
        values[sum(counts[:i]):sum(counts[:i + 1])] for i in range(len(counts))]
    assert all(p.type == pa.uint16() for p in pieces)
