"""The story's timeline: a minute whose records recorded no packets or bytes says '-', not 0.

AWS documents '-' in packets and bytes as not recorded: NODATA and SKIPDATA rows carry '-'
there (VPC user guide, "Flow log record examples", no data and skipped records), and VPC
Block Public Access records carry no bytes (VPC user guide, "Flow log limitations";
reference §2.1, §9). top and hist leave such records out of their sums and say so; the
story's per-minute timeline added them as 0: a minute of BPA-refused SYNs read "3 pkts 0 B",
as if a size of zero had been recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowtui.cli import main

V8 = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
      "bytes start end action log-status tcp-flags flow-direction pkt-srcaddr pkt-dstaddr "
      "reject-reason")
T0 = 1709647200  # 2024-03-05 14:00:00 UTC
ENI = "eni-0a1b2c3d4e5f60001"


def _bpa_file(tmp_path: Path) -> Path:
    def line(packets: str, size: str, start: int, end: int, action: str, reason: str) -> str:
        return (f"8 111122223333 {ENI} 192.0.2.99 10.0.1.5 50123 443 6 {packets} {size} "
                f"{start} {end} {action} OK 2 ingress 192.0.2.99 10.0.1.5 {reason}")

    path = tmp_path / "bpa.log"
    path.write_text("\n".join([
        V8,
        # 14:00: refused by Block Public Access: packets recorded, bytes '-'
        line("3", "-", T0 + 5, T0 + 50, "REJECT", "BPA"),
        # 14:01: one more refused, and one ACCEPTed that recorded 120 bytes
        line("2", "-", T0 + 65, T0 + 100, "REJECT", "BPA"),
        line("2", "120", T0 + 70, T0 + 110, "ACCEPT", "-"),
        # 14:03: the interface had no traffic (a NODATA row: '-' everywhere, §5.5)
        f"8 111122223333 {ENI} - - - - - - - {T0 + 130} {T0 + 190} - NODATA - - - - -",
    ]) + "\n")
    return path


def test_the_text_timeline_says_dash_for_unrecorded_bytes_and_notes_the_sums(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _bpa_file(tmp_path)
    assert main(["story", str(path), "--where", "srcaddr = 192.0.2.99"]) == 0
    out = capsys.readouterr().out
    timeline = out.split("timeline (")[1].split("\nmissing (")[0]
    minutes = {line.split()[0]: line for line in timeline.splitlines()[1:4]}
    assert "→ 3 pkts - B SYN REJECT×1" in minutes["14:00"], timeline
    assert " 0 B" not in timeline, timeline
    assert "→ 4 pkts 120 B SYN ACCEPT×1 REJECT×1" in minutes["14:01"], timeline
    note = " ".join(timeline.split("(2 of 3", 1)[1].split())
    assert note.startswith("records have no bytes recorded ('-': NODATA/SKIPDATA, Block "
                           "Public Access): the sums are of the others, '-' where none)"), note
    assert " ".join(timeline.split()).count("the sums are of the others") == 1


def test_the_json_timeline_has_null_where_no_record_recorded_the_counter(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _bpa_file(tmp_path)
    assert main(["story", str(path), "--where", "srcaddr = 192.0.2.99",
                 "--format", "json"]) == 0
    story = json.loads(capsys.readouterr().out)
    bpa, mixed, nodata = story["timeline"]
    assert (bpa["forward"]["packets"], bpa["forward"]["bytes"]) == (3, None)
    assert bpa["forward"]["unrecorded"] == {"packets": 0, "bytes": 1}
    assert (mixed["forward"]["packets"], mixed["forward"]["bytes"]) == (4, 120)
    # no record at all in a direction, or only a NODATA row: nothing recorded, not 0
    assert (bpa["reverse"]["packets"], bpa["reverse"]["bytes"]) == (None, None)
    assert nodata["status"] == ["NODATA"]
    assert (nodata["forward"]["packets"], nodata["forward"]["bytes"]) == (None, None)
    assert story["timeline_note"].startswith("2 of 3 records have no bytes recorded")

