"""A Transit Gateway record whose bytes is '-' is not said to be a Block Public Access record.

VPC Block Public Access blocks resources in VPCs and subnets from reaching or being reached
from the internet "through internet gateways and egress-only internet gateways" (EC2 API
reference, ModifyVpcBlockPublicAccessOptions; CloudFormation AWS::EC2::VPCBlockPublicAccess
Options): a VPC feature, whose records carry no bytes (VPC user guide, "Flow log
limitations"; reference §2.1, §9). A Transit Gateway flow log has no reject-reason and no
BPA (Transit Gateway guide, "Transit Gateway Flow Log records"; reference §7); its '-' in
bytes is documented only as not recorded (NODATA/SKIPDATA). ``cat --explain`` (and the
app's detail panel, the same ``explain``) said "also Block Public Access records" for it,
and the story's timeline note named Block Public Access among the causes."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowtui.cli import main

TGW = ("version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport "
       "dstport protocol packets bytes start end log-status packets-lost-no-route "
       "packets-lost-blackhole tcp-flags flow-direction")
V8 = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
      "bytes start end action log-status reject-reason")
T0 = 1709647200  # 2024-03-05 14:00:00 UTC


def _write(tmp_path: Path, name: str, header: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def _tgw_file(tmp_path: Path) -> Path:
    return _write(tmp_path, "tgw.log", TGW,
                  f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 "
                  f"172.20.8.92 48517 443 6 2 - {T0} {T0 + 10} OK 0 0 2 ingress",
                  f"6 TransitGateway 111122223333 tgw-0a1b tgw-attach-a 10.11.2.171 "
                  f"172.20.8.92 48517 443 6 3 180 {T0 + 1} {T0 + 20} OK 0 0 0 ingress")


def _bytes_row(text: str) -> str:
    return next(line for line in text.splitlines() if line.split()[:1] == ["bytes"])


def test_explain_of_a_transit_gateway_record_without_bytes_names_no_bpa(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cat", str(_tgw_file(tmp_path)), "--explain", "--limit", "1"]) == 0
    row = _bytes_row(capsys.readouterr().out)
    # an OK row is no NODATA/SKIPDATA row either: AWS's general reason for '-' is left
    assert "no value: not applicable or could not be computed" in row, row
    assert "Block Public Access" not in row, row
    # a VPC record's '-' bytes may still be BPA's
    vpc = _write(tmp_path, "vpc.log", V8, f"8 111122223333 eni-1 192.0.2.99 10.0.1.5 50123 443 "
                                          f"6 3 - {T0} {T0 + 10} REJECT OK BPA")
    assert main(["cat", str(vpc), "--explain"]) == 0
    assert "Block Public Access" in _bytes_row(capsys.readouterr().out)


def test_the_timeline_note_of_a_transit_gateway_story_names_no_bpa(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["story", str(_tgw_file(tmp_path)), "--where", "tcp-flags = 2"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("(1 of 2 records has no bytes recorded ('-': NODATA/SKIPDATA): the sums are of "
            "the others, '-' where none)") in out, out
    assert "Block Public Access" not in out


def test_the_conversation_note_of_transit_gateway_records_names_no_bpa(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["story", str(_tgw_file(tmp_path)), "--conversation", "10.11.2.171",
                 "172.20.8.92"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("(1 of 2 records has no bytes recorded ('-': NODATA/SKIPDATA): the sums are of "
            "the others, '-' where none)") in out, out
