"""A Transit Gateway story says the gateway "dropped none" only when its counters say 0.

The Transit Gateway guide ("Transit Gateway Flow Log records", available fields; reference §7)
lists four drop counters, packets-lost-no-route, -blackhole, -mtu-exceeded and -ttl-expired,
each a field a custom format may leave out; '-' in a field means it was not recorded (VPC
user guide, "Flow log records": "-" when a field is not applicable or could not be computed).
Not recorded is not 0: the story's verdict said "The gateway dropped none of its packets"
for a record whose format carries none of the counters, or only two of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowtui.cli import main

T0 = 1709647200  # 2024-03-05 14:00:00 UTC
BASE = ("version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport "
        "dstport protocol packets bytes start end log-status")
COUNTERS = ("packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded "
            "packets-lost-ttl-expired")
ROW = (f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 172.20.8.92 48517 "
       f"443 6 2 120 {T0} {T0 + 10} OK")


def _verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra_header: str,
             extra_values: str) -> str:
    path = tmp_path / "tgw.log"
    path.write_text(f"{BASE} {extra_header}\n{ROW} {extra_values}\n".replace(" \n", "\n"))
    assert main(["story", str(path), "--where", "dstport = 443"]) == 0
    text = capsys.readouterr().out.split("\nrecord\n")[0]
    return " ".join(text.split())


def test_no_drop_counters_in_the_format_is_not_known_not_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    said = _verdict(tmp_path, capsys, "", "")
    assert "dropped none" not in said, said
    assert ("Whether the gateway dropped packets of it is not known: packets-lost-* are not "
            "recorded ('-' or not in this flow log's format).") in said, said


def test_some_counters_dash_says_which_are_zero_and_which_are_not_known(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    said = _verdict(tmp_path, capsys, COUNTERS, "0 0 - -")
    assert "dropped none" not in said, said
    assert "packets-lost-no-route and packets-lost-blackhole are 0." in said, said
    assert ("packets-lost-mtu-exceeded, packets-lost-ttl-expired, so whether the gateway "
            "dropped packets of it for those reasons is not known.") in said, said


def test_all_four_counters_zero_is_dropped_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    said = _verdict(tmp_path, capsys, COUNTERS, "0 0 0 0")
    assert "The gateway dropped none of its packets (packets-lost-* are 0)." in said, said
