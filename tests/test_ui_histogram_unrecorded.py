"""The app's time histogram in bytes: a bucket whose records recorded no bytes has no amount.

NODATA records carry '-' in bytes and action (AWS, Flow log record examples: ``2
123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA``), and
Block Public Access records carry no bytes (reference §2.1). The strip's bytes used to be
summed with '-' as 0; with the sums now null there, its arithmetic must not fail ('histogram
failed') nor say 0."""

from __future__ import annotations

import pyarrow as pa

from flowtui.ui.widgets.histogram.strip import _recorded, compute

T0 = 1_431_280_800


def test_a_bucket_of_only_nodata_records_has_no_bytes_and_the_axis_says_dash() -> None:
    batch = pa.RecordBatch.from_pydict({
        "start": pa.array([T0 + 10, T0 + 20, T0 + 70, T0 + 80], pa.int64()),
        "bytes": pa.array([None, None, 500, None], pa.int64()),  # NODATA, BPA REJECT
        "action": ["-", None, "ACCEPT", "REJECT"],
    })
    data = compute([batch], "bytes", 60, every=60)
    assert data.times == [T0, T0 + 60]
    assert data.accept == [None, 500]  # not 0: nothing was recorded in the first minute
    assert data.reject == [None, None]  # the REJECT record recorded no bytes
    assert _recorded(data.accept[:1], "bytes") == "-"
    assert _recorded(data.accept, "bytes") == "500 B"
