"""The conversation view: a direction whose records recorded no packets or bytes says '-'.

Block Public Access records carry no bytes (reference §2.1, from AWS's flow log limitations
page), and NODATA/SKIPDATA rows '-' in packets and bytes (AWS, Flow log record examples).
Not recorded is not 0: ``story --conversation`` (and ``v`` in the app, the same
``conversation``) said '0 B' for such a direction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtui.cli import main

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status")


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "flows.log"
    lines = [  # A→B: rejected, no counters recorded; B→A: 100 bytes in 2 packets
        "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40000 22 6 - - 1700000000 1700000060 REJECT OK",
        "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40001 22 6 - - 1700000000 1700000060 REJECT OK",
        "2 123456789012 eni-1 10.0.0.2 10.0.0.1 22 40000 6 2 100 1700000000 1700000060 ACCEPT OK",
    ]
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


def test_a_direction_without_recorded_bytes_is_dash_not_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path)
    assert main(["story", str(path), "--conversation", "10.0.0.1", "10.0.0.2",
                 "--format", "json"]) == 0
    group = json.loads(capsys.readouterr().out)["groups"][0]
    assert group["a_to_b"] == {"records": 2, "packets": None, "bytes": None,
                                 "accept": 0, "reject": 2}
    assert (group["b_to_a"]["packets"], group["b_to_a"]["bytes"]) == (2, 100)
    assert main(["story", str(path), "--conversation", "10.0.0.1", "10.0.0.2"]) == 0
    row = capsys.readouterr().out.splitlines()[2].split()
    # proto port | A→B recs pkts bytes acc rej | B→A recs pkts bytes(2 words) acc rej
    assert row[2:7] == ["2", "-", "-", "0", "2"], row
    assert row[7:11] == ["1", "2", "100", "B"], row
