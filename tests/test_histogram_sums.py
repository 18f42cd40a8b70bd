"""The histogram's sums per bucket (records, packets, bytes, ACCEPT, REJECT) against a plain
Python count, whatever the batches hold: a missing start (left out), a missing or unknown
action (counted in records, in neither ACCEPT nor REJECT), missing counters (summed over the
records that have them; None, not 0, in a bucket where none has: '-' is not recorded, as on
NODATA/SKIPDATA rows), an action column
dictionary-encoded or plain, or absent. ``histogram`` and ``HistogramStates`` (what
``flowtui hist`` feeds batch by batch) must agree with it and with each other."""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.query import aggregate
from flowtui.query.aggregate import HistogramStates, histogram

T0 = 1_709_647_200
record = st.tuples(
    st.one_of(st.none(), st.integers(T0, T0 + 600)),        # start
    st.sampled_from([None, "ACCEPT", "REJECT", "-", "OTHER"]),  # action
    st.one_of(st.none(), st.integers(0, 2**32 - 1)),        # packets
    st.one_of(st.none(), st.integers(0, 2**32 - 1)),        # bytes
)


def batch_of(rows: list[tuple], form: str) -> pa.RecordBatch:
    starts, actions, packets, bytes_ = (list(c) for c in zip(*rows, strict=True))
    columns = {"start": pa.array(starts, pa.uint32()), "packets": pa.array(packets, pa.uint32()),
               "bytes": pa.array(bytes_, pa.uint32())}
    if form == "dictionary":
        columns["action"] = pa.array(actions, pa.string()).dictionary_encode()
    elif form == "plain":
        columns["action"] = pa.array(actions, pa.string())
    return pa.RecordBatch.from_pydict(columns)


def _add(total: int | None, value: int | None) -> int | None:
    """A counter's sum over records that recorded it: None ('-') while none has."""
    return total if value is None else (total or 0) + value


def by_hand(batches: list[tuple[list[tuple], str]], width: int
            ) -> dict[int, list[int | None]]:
    sums: dict[int, list[int | None]] = defaultdict(lambda: [0, None, None, 0, 0])
    for rows, form in batches:
        for start, action, packets, bytes_ in rows:
            if start is None:
                continue
            row = sums[start // width * width]
            row[0] += 1
            row[1] = _add(row[1], packets)
            row[2] = _add(row[2], bytes_)
            row[3] += form != "absent" and action == "ACCEPT"
            row[4] += form != "absent" and action == "REJECT"
    return dict(sums)


def as_dict(table: pa.Table) -> dict[int, list[int | None]]:
    out = {}
    for row in table.to_pylist():
        values = [row["records"], row["packets"], row["bytes"], row["accept"], row["reject"]]
        if any(values):
            out[int(row["time"].timestamp())] = values
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(record, min_size=1, max_size=40),
                          st.sampled_from(["dictionary", "plain", "absent"])),
                min_size=1, max_size=5),
       st.sampled_from([1, 60, 300]))
def test_histogram_sums_equal_a_plain_count(batches: list[tuple[list[tuple], str]],
                                            width: int) -> None:
    arrow = [batch_of(rows, form) for rows, form in batches]
    expected = by_hand(batches, width)
    assert as_dict(histogram(arrow, width)) == expected
    # Batches held and reduced together (as ``hist`` does: GROUP_ROWS records at a time),
    # or each on its own and merged: the same sums.
    for group_rows in (aggregate.GROUP_ROWS, 1, 41):
        default, aggregate.GROUP_ROWS = aggregate.GROUP_ROWS, group_rows
        try:
            states = HistogramStates(width)
            for batch in arrow:
                states.add(batch)
            assert as_dict(states.result()) == expected
        finally:
            aggregate.GROUP_ROWS = default
        assert states.records == sum(len(rows) for rows, _ in batches)


def test_the_note_on_unrecorded_counters_says_who_and_stays_quiet_when_none() -> None:
    """The line top and hist print on stderr when records were left out of the sums:
    nothing when none was; 'the sums are of the others' only when there are others."""
    note = aggregate.unrecorded_note
    assert note({"packets": 0, "bytes": 0}, 9) is None
    assert note({"packets": 3, "bytes": 3}, 9).startswith(
        "3 of 9 records have no packets or bytes recorded")
    assert "the sums are of the others" in note({"packets": 3, "bytes": 3}, 9)
    assert note({"packets": 9, "bytes": 9}, 9) == (
        "none of the 9 records has packets or bytes recorded "
        "('-': NODATA/SKIPDATA, Block Public Access)")
    assert note({"packets": 0, "bytes": 2}, 9).startswith("2 of 9 records have no bytes")
    # one record is said in the singular
    assert note({"packets": 1, "bytes": 1}, 600).startswith(
        "1 of 600 records has no packets or bytes recorded")
    assert note({"packets": 1, "bytes": 1}, 1).startswith(
        "the record has no packets or bytes recorded")
