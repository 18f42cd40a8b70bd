"""Sums of packets and bytes past 64 bits are refused in one line, never wrapped.

The fields are 64-bit counts ("long", reference/flow-log-format.md §2), so the parser takes
any value up to 2^63-1; a corrupt or crafted record can hold one. ``top`` and ``hist`` sum
them in 64-bit integers, which wrap without a word: 2^63-1 + 2^63-1 + 2 bytes summed to 0
(a silent wrong answer), 2^63-1 twice to -2 (a traceback). Real sums, even of many records
near 2^32 bytes each, are unchanged."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from flowtui.cli import main
from flowtui.query import aggregate

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status")
BIG = 2**63 - 1


def _file(tmp_path: Path, byte_counts: list[int]) -> Path:
    path = tmp_path / "flows.log"
    lines = [f"2 123456789012 eni-1 10.0.0.1 10.0.0.2 1234 22 6 10 {n} 1700000000 1700000060 "
             "ACCEPT OK" for n in byte_counts]
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


@pytest.mark.parametrize("command", [["top", "--by", "srcaddr"], ["hist"],
                                     ["story", "--conversation", "10.0.0.1", "10.0.0.2"]])
@pytest.mark.parametrize("counts", [[BIG, BIG, 2], [BIG, BIG]])
def test_a_sum_past_64_bits_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str],
        counts: list[int]) -> None:
    code = main([command[0], str(_file(tmp_path, counts)), *command[1:]])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "the bytes of these records add up to" in err, err
    assert "--where 'bytes > 1T'" in err
    assert out == ""  # no row with a wrapped (0 or negative) sum


@pytest.mark.parametrize("command", [["top", "--by", "srcaddr", "--format", "csv"],
                                     ["hist", "--format", "csv"],
                                     ["story", "--conversation", "10.0.0.1", "10.0.0.2",
                                      "--format", "json"]])
def test_sums_past_32_bits_are_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     command: list[str]) -> None:
    counts = [2**32 - 1, 2**32 - 1, 2**32 + 5]
    code = main([command[0], str(_file(tmp_path, counts)), *command[1:]])
    out = capsys.readouterr().out
    assert code == 0
    if command[0] == "story":  # the conversation view's sums (one direction, port 22)
        assert f'"records": 3, "packets": 30, "bytes": {sum(counts)}' in out, out
    else:
        assert f",3,30,{sum(counts)}" in out, out


def test_the_apps_top_and_histogram_refuse_too(tmp_path: Path) -> None:
    """The top-N pane and the histogram strip call these on the view's batches; their
    'top-N failed: …' line now says why instead of an Arrow cast error (or a 0)."""
    batch = pa.RecordBatch.from_pydict({
        "srcaddr": ["10.0.0.1"] * 3, "start": pa.array([1700000000] * 3, pa.int64()),
        "packets": pa.array([1, 1, 1], pa.int64()),
        "bytes": pa.array([BIG, BIG, 2], pa.int64())})
    with pytest.raises(aggregate.SumTooLarge, match="the bytes of these records add up to"):
        aggregate.group_by([batch], ["srcaddr"], ("records", "packets", "bytes"))
    with pytest.raises(aggregate.SumTooLarge):
        aggregate.histogram([batch])
